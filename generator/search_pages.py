"""A term's postings kept encoded, in pages of document keys, so an edit re-encodes one page.

A chunk file (generator/search_chunks.py: `encode_chunk`) holds, per term and field, the
keys (the first, then the steps down to each next one), the term frequencies and the
field lengths, as JSON lists of numbers. Editing one question changes its entries in the
postings of every term it holds (its field lengths change with its text), and a common
word's postings run to tens of thousands of questions: encoding them whole again, and the
rest of their chunk, was most of an edit's time.

So the incremental build (generator/search_incremental.py) caches each term's postings as
they appear in the chunk, already encoded, cut into pages of 2**PAGE_BITS document keys:
for each field present in a page, its first and last key and the text of its steps (after
the first key), frequencies and lengths. Pages join into exactly the bytes `encode_chunk`
writes: within a field, a page's first step is the previous page's last key minus its
first key, and everything else is the page's own text. An edit decodes, patches and
encodes again only the page holding the edited question's key, and joins the cached text
of every other page and term of the chunk (tests/test_search_pages.py compares the bytes
with `encode_chunk`'s, and tests/test_incremental.py whole builds with a cold build's).
"""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from operator import neg, sub

from generator.search import to_json_bytes

PAGE_BITS = 9  # a page holds the entries of 512 consecutive document keys
_FIELD_BITS = 3  # as search_chunks: a posting packs key << 3 | field

# One field of a page: field, first key, last key (keys decrease), then the steps after
# the first key, the frequencies and the lengths, each as comma-separated decimal text.
PageField = tuple[int, int, int, bytes, bytes, bytes]
Page = list[PageField]  # fields in increasing order
TermPages = dict[int, Page]  # page number (key >> PAGE_BITS) -> page


# The text of every number below this, made once: most numbers of a page (frequencies, field
# lengths, the steps between keys of a common term) are small, and joining texts already
# made takes half the time of making each one again.
_DECIMALS = {number: b"%d" % number for number in range(4096)}


def _numbers(values: Sequence[int]) -> bytes:
    try:
        return b",".join(map(_DECIMALS.__getitem__, values))
    except KeyError:
        return ",".join(map(str, values)).encode("ascii")


def _steps(keys: Sequence[int]) -> bytes:
    """The steps down from each key to the next (keys decreasing)."""
    try:
        return b",".join(map(_DECIMALS.__getitem__, map(sub, keys, keys[1:])))
    except KeyError:
        return ",".join(map(str, map(sub, keys, keys[1:]))).encode("ascii")


def paged(postings: array[int]) -> TermPages:
    """A term's postings (packed triples, decreasing keys) as encoded pages."""
    bits = PAGE_BITS
    pages: dict[int, dict[int, tuple[list[int], list[int], list[int]]]] = {}
    for packed, frequency, length in zip(
        postings[0::3], postings[1::3], postings[2::3], strict=True
    ):
        key = packed >> _FIELD_BITS
        fields = pages.get(key >> bits)
        if fields is None:
            fields = pages[key >> bits] = {}
        columns = fields.get(packed & 7)
        if columns is None:
            columns = fields[packed & 7] = ([], [], [])
        columns[0].append(key)
        columns[1].append(frequency)
        columns[2].append(length)
    return {number: _page(fields) for number, fields in pages.items()}


def decimals(values: Iterable[int]) -> list[bytes]:
    """Each number's decimal text (those below 4,096 shared)."""
    return [_DECIMALS.get(value) or b"%d" % value for value in values]


def paged_fields(
    fields: Iterable[tuple[int, array[int]]], lengths: Sequence[Sequence[bytes]]
) -> TermPages:
    """`paged`'s pages of a term whose postings come apart by field, fields increasing:
    each field's (key, frequency) pairs, keys decreasing; `lengths[field][key]` is the text
    of the field's length in document `key` (`decimals`: made once a document, not once a
    posting). A page's part of a field is a run of those pairs, found by bisection and
    encoded a run at a time, so no Python code runs per posting (a whole index makes every
    term's pages: `paged` was a sixth of its time)."""
    bits = PAGE_BITS
    pages: TermPages = {}
    for field, postings in fields:
        field_lengths = lengths[field]
        if len(postings) == 2:  # one document: most terms
            key, frequency = postings
            entry = (field, key, key, b"", b"%d" % frequency, field_lengths[key])
            pages.setdefault(key >> bits, []).append(entry)
            continue
        keys, frequencies = postings[0::2], postings[1::2]
        start, count = 0, len(keys)
        while start < count:
            number = keys[start] >> bits
            stop = bisect_right(keys, -(number << bits), start, count, key=neg)
            run = keys[start:stop]
            entry = (
                field, run[0], run[-1], _steps(run), _numbers(frequencies[start:stop]),
                b",".join(map(field_lengths.__getitem__, run)),
            )  # fmt: skip
            pages.setdefault(number, []).append(entry)
            start = stop
    return dict(sorted(pages.items(), reverse=True)) if len(pages) > 1 else pages


def _page(fields: dict[int, tuple[list[int], list[int], list[int]]]) -> Page:
    page = []
    for field in sorted(fields):
        keys, frequencies, lengths = fields[field]
        steps = _steps(keys)
        page.append((field, keys[0], keys[-1], steps, _numbers(frequencies), _numbers(lengths)))
    return page


def unpaged(page: Page) -> array[int]:
    """A page's postings as packed triples in postings order (decreasing keys, and fields
    increasing within a key)."""
    entries: list[tuple[int, int, int, int]] = []
    for field, first, _last, steps, frequencies, lengths in page:
        key = first
        keys = [first]
        if steps:
            for step in steps.split(b","):
                key -= int(step)
                keys.append(key)
        for key, frequency, length in zip(
            keys, frequencies.split(b","), lengths.split(b","), strict=True
        ):
            entries.append((-key, field, int(frequency), int(length)))
    entries.sort()
    packed = array("i")
    for negated, field, count, size in entries:
        packed.extend((-negated << _FIELD_BITS | field, count, size))
    return packed


def page_size(page: Page) -> int:
    """How many postings entries a page holds (what chunk_terms counts)."""
    return sum(frequencies.count(b",") + 1 for _f, _a, _b, _s, frequencies, _l in page)


def term_bytes(pages: TermPages) -> bytes:
    """A term's postings as `encode_chunk` writes them: per field, [field, keys as steps,
    frequencies, lengths]."""
    if len(pages) == 1:  # most terms: each field's keys are its first key, then its steps
        (page,) = pages.values()
        fields = [
            b"[%d,[%d%s%s],[%s],[%s]]"
            % (field, first, b"," if steps else b"", steps, counts, sizes)
            for field, first, _last, steps, counts, sizes in page
        ]
        return b"[" + b",".join(fields) + b"]"
    by_field: dict[int, list[PageField]] = {}
    for number in sorted(pages, reverse=True):
        for entry in pages[number]:
            by_field.setdefault(entry[0], []).append(entry)
    encoded = []
    for field in sorted(by_field):
        entries = by_field[field]
        keys: list[bytes] = []
        previous = None
        for _field, first, last, steps, _frequencies, _lengths in entries:
            keys.append(b"%d" % (first if previous is None else previous - first))
            if steps:
                keys.append(steps)
            previous = last
        frequencies = b",".join(entry[4] for entry in entries)
        lengths = b",".join(entry[5] for entry in entries)
        encoded.append(b"[%d,[%s],[%s],[%s]]" % (field, b",".join(keys), frequencies, lengths))
    return b"[" + b",".join(encoded) + b"]"


def chunk_file(terms: list[str], encoded: Sequence[bytes]) -> tuple[str, bytes]:
    """A chunk file from its terms and their `term_bytes`: `encode_chunk`'s name and bytes."""
    body = b'{"postings":[' + b",".join(encoded) + b'],"terms":' + to_json_bytes(terms) + b"}"
    return f"chunks/{hashlib.sha256(body).hexdigest()[:12]}.json", body
