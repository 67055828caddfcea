"""The search index as term chunks: the browser downloads only what a query needs.

lunr scores a document by the dot product of the query vector with the document's field
vectors, divided by the query vector's magnitude; only the entries of the query's (expanded)
terms matter. So the index is written split by term, and the browser (search.js) fetches the
chunks of the terms a query touches, rebuilds exactly those entries of lunr's field vectors
and lets lunr.js score them: the results are those of one monolithic lunr.py index over the
same documents (tests/test_search_identity.py checks this, refs and scores).

What is stored is what lunr's BM25 needs and nothing derived from the whole archive: per
term and field, each document's term frequency and field length. The document count and
the total length of each field (for lunr's average field length) are in the manifest, and
a term's document frequency is the size of its postings. So changing one question rewrites
only the chunks of the terms it had or has, the manifest, and its own document shard.

Terms are computed with lunr.py's tokenizer and the index pipeline of generator/search.py,
memoised per token (the pipeline is a pure function of the token), instead of lunr.py's
Builder: several times faster, and postings are packed integers rather than nested dicts.

Files under `_site/search/` (docs/search.md describes their fields):

- `manifest.json`: counts, fields and boosts, field length totals, departments, and the
  first term and file name of every chunk (chunk *i* holds the terms from its first term up
  to the next chunk's);
- `chunks/<hash>.json`: sorted terms and their postings, named by their content;
- `terms/<hash>.json`: every term, sorted, for fuzzy and wildcard queries;
- `docs/<bucket>-<n>.json`: what a result shows (see "Document shards" below);
- `shards/<hash>.json`: each document's shard bucket, so the page knows where a result's
  row is before it asks for it;
- `facets/<hash>.json`: each document's department, House, year answered and status, so
  filters work without the document shards;
- `files.json`: every file above, for link checkers (the page names it in `data-files`).

A document's key is its position counted from the oldest question, so a new (newest)
question takes the next key and leaves every other key, chunk and shard as it was.
Postings list documents newest first, lunr.py's insertion order, which is what orders ties.

Document shards: a results page shows 20 results, each needing its row, and each file is a
request the page waits for (on a loopback server, each costs the browser several
milliseconds of work, and over HTTP/1.1 only six go at once). A query's best results mostly
share a title heading ("Schools", "Universal Credit", "Mental Health Services": the title
weighs most, and equal scores list the newest first), so rows are grouped by heading, the
part of the title before any colon: a question's bucket is a hash of its heading (one of
`shard_buckets(count)`), and each bucket's questions, oldest first, fill shards of
SHARD_SIZE rows. The bucket of every key is in the shard map, which the page loads with the
manifest; from it the page counts each key's rank in its bucket, hence its shard and row.
A new (newest) question goes to the end of its bucket, so only that bucket's last shard
changes; a new heading moves a question between two buckets.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from array import array
from collections import Counter, _count_elements  # type: ignore[attr-defined]
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from generator.search import (
    FIELD_BOOSTS,
    STORE_COLUMNS,
    Fields,
    SearchRecord,
    index_terms,
    result_row,
    to_json_bytes,
)

MANIFEST_VERSION = 3
SEARCH_DIR = "search"
SHARD_SIZE = 256  # rows per docs/ file at most (most buckets fill one; see docs/search.md)
BUCKET_QUESTIONS = 32  # questions per shard bucket, about (see shard_buckets)
# Two characters of the shard map per question, each one of 64: at most 4,096 buckets.
MAP_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
MAX_BUCKETS = len(MAP_DIGITS) ** 2
SEGMENT_TERMS = 128  # a term starts a new chunk when its hash is 0 modulo this
CHUNK_POSTINGS = 6000  # ... or when the chunk would pass this many postings
# lunr's BM25 parameters (lunr.py and lunr.js defaults), written to the manifest.
K1 = 1.2
B = 0.75
# lunr.py's tokenizer splits on these characters (lunr/tokenizer.py SEPARATOR_CHARS).
_SEPARATORS = re.compile("[ \t\n\r\f\v\xa0-]+")
# The characters `str.split()` also splits on (every one `str.isspace()` holds but those):
# a text without any splits the same with "-" made a space, and a third faster.
_OTHER_SPACES = re.compile("[\x1c-\x1f\x85\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_FIELD_BITS = 3  # a posting packs key << 3 | field; there are 7 fields


@dataclass(frozen=True)
class Postings:
    """Every term's postings: packed (key << 3 | field, term frequency, field length)."""

    by_term: dict[str, array[int]]
    length_totals: tuple[int, ...]  # per field, in FIELD_BOOSTS order
    count: int


def js_order(term: str) -> bytes:
    """Sort key for JavaScript's string order (UTF-16 code units), which lunr.js's
    TokenSet builder requires; Python's code point order differs beyond U+FFFF."""
    return term.encode("utf-16-be")


# One document's terms: its field lengths, and for each field (in FIELD_BOOSTS order, the
# order its postings take within a term) the terms it holds, in the order lunr.py meets
# them, and beside them their frequencies. Two columns rather than (term, frequency) pairs:
# made without a tuple per term, smaller to store, and a whole column is handed to C code
# when the postings are collected (search_incremental._add_fields).
FieldTerms = tuple[tuple[str, ...], tuple[int, ...]]
DocumentTerms = tuple[tuple[int, ...], tuple[FieldTerms, ...]]

# What the tokeniser's memo holds for a token that gives no term (a stop word, or nothing
# left once normalised), and for one that gives several (kept apart). No term is either:
# the pipeline drops empty terms, and "\0" is trimmed from a term's ends.
_NO_TERM = ""
_SEVERAL = "\0"
# Fields whose few values recur in question after question (a few hundred members, a few
# dozen departments): their terms are memoised per value, not found again each time.
_RECURRING = frozenset({"asked_by", "answered_by", "department"})


class _Memo(dict[str, str]):
    """Token -> its one term, `_NO_TERM` or `_SEVERAL` (then its terms are in `several`); a
    token not seen before is learnt when it is looked up (`__missing__`), so a field's
    tokens are looked up once each, by C code, new ones included."""

    def __init__(self) -> None:
        super().__init__({"": _NO_TERM})  # the tokenizer's empty edge tokens
        self.several: dict[str, list[str]] = {}

    def __missing__(self, token: str) -> str:
        terms = index_terms(token)
        if len(terms) == 1:
            term = terms[0]
        elif terms:
            term = _SEVERAL
            self.several[token] = terms
        else:
            term = _NO_TERM
        self[token] = term
        return term


class Tokeniser:
    """lunr.py's tokenizer and the index pipeline, memoised per token (a pure function).

    Almost every token gives exactly one term, so the memo maps a token to its term, and a
    field's terms are counted by mapping its tokens through the memo inside `Counter`: no
    Python code runs per token, only per token never seen before (about 2 % of them). A
    field holding a token that gives several terms is counted token by token instead."""

    def __init__(self) -> None:
        self.memo = _Memo()
        self.several = self.memo.several
        self.values: dict[str, tuple[int, FieldTerms]] = {}  # _RECURRING

    def _terms(self, tokens: list[str]) -> Iterator[str]:
        """Every term of `tokens` in order (the slow path, for fields with a token giving
        several terms)."""
        memo, several = self.memo, self.several
        for token in tokens:
            term = memo[token]
            if term == _SEVERAL:
                yield from several[token]
            elif term:
                yield term

    def document(self, fields: Fields) -> DocumentTerms:
        """The terms of every field (a record's `fields`), as lunr.py's Builder would find
        them."""
        lengths: list[int] = []
        found: list[FieldTerms] = []
        values = self.values
        for name, text in fields:
            if name in _RECURRING:
                field = values.get(text)
                if field is None:
                    field = values[text] = self._field(text)
            else:
                field = self._field(text)
            lengths.append(field[0])
            found.append(field[1])
        return tuple(lengths), tuple(found)

    def _field(self, text: str) -> tuple[int, FieldTerms]:
        """One field's length and its terms with their frequencies."""
        tokens = _tokens(text.lower())
        counts: dict[str, int] = {}
        _count_elements(counts, map(self.memo.__getitem__, tokens))  # new tokens learnt
        if _SEVERAL in counts:
            counts = {}
            _count_elements(counts, self._terms(tokens))
        counts.pop(_NO_TERM, None)
        return sum(counts.values()), (tuple(counts), tuple(counts.values()))


def _tokens(text: str) -> list[str]:
    """lunr.py's tokens of a lower-cased text (empty ones included, which give no term)."""
    if text.isascii():  # known without reading the text: then only four characters to find
        other = "\x1c" in text or "\x1d" in text or "\x1e" in text or "\x1f" in text
    else:
        other = _OTHER_SPACES.search(text) is not None
    return _SEPARATORS.split(text) if other else text.replace("-", " ").split()


def add_document(by_term: dict[str, array[int]], key: int, document: DocumentTerms) -> None:
    """Append one document's postings (documents are added newest first: decreasing keys)."""
    lengths, found = document
    for field, (terms, frequencies) in enumerate(found):
        packed, length = key << _FIELD_BITS | field, lengths[field]
        for term, frequency in zip(terms, frequencies, strict=True):
            postings = by_term.get(term)
            if postings is None:
                postings = by_term[term] = array("i")
            postings.extend((packed, frequency, length))


def collect_postings(records: Sequence[SearchRecord]) -> Postings:
    """The terms of every field of every record, as lunr.py's Builder would find them."""
    tokeniser = Tokeniser()
    by_term: dict[str, array[int]] = {}
    totals = [0] * len(FIELD_BOOSTS)
    count = len(records)
    for position, record in enumerate(records):
        document = tokeniser.document(record.fields)
        for field, length in enumerate(document[0]):
            totals[field] += length
        add_document(by_term, count - 1 - position, document)
    return Postings(by_term, tuple(totals), count)


def starts_segment(term: str) -> bool:
    digest = hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "big") % SEGMENT_TERMS == 0


def chunk_terms(
    terms: Sequence[str], sizes: dict[str, int], *, segment: bool = False
) -> list[list[str]]:
    """Split sorted terms into chunks whose boundaries depend only on nearby terms.

    A chunk ends before a term whose hash says so (content-defined: adding or removing a
    term moves no boundary elsewhere) or when it would grow past CHUNK_POSTINGS postings
    (a frequent term gets a chunk of its own); the second rule restarts at every hash
    boundary, so a change only re-splits its own segment. `segment`: the terms are one
    segment (no term but the first starts one), so no hash is computed again.
    """
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for term in terms:
        grown = size + sizes[term]
        if current and (grown > CHUNK_POSTINGS or (not segment and starts_segment(term))):
            chunks.append(current)
            current, grown = [], sizes[term]
        current.append(term)
        size = grown
    if current:
        chunks.append(current)
    return chunks


def encode_postings(postings: array[int]) -> list[list[Any]]:
    """One term's postings per field: [field, keys, frequencies, lengths], keys newest first
    as a first key then decreasing steps (small numbers compress well)."""
    fields: dict[int, tuple[list[int], list[int], list[int]]] = {}
    for i in range(0, len(postings), 3):
        packed = postings[i]
        keys, frequencies, lengths = fields.setdefault(packed & 7, ([], [], []))
        keys.append(packed >> _FIELD_BITS)
        frequencies.append(postings[i + 1])
        lengths.append(postings[i + 2])
    encoded = []
    for field in sorted(fields):
        keys, frequencies, lengths = fields[field]
        steps = [keys[0]] + [a - b for a, b in pairwise(keys)]
        encoded.append([field, steps, frequencies, lengths])
    return encoded


def _named(folder: str, data: Any) -> tuple[str, bytes]:
    """A content-addressed file: its name changes exactly when its bytes do."""
    body = to_json_bytes(data)
    return f"{folder}/{hashlib.sha256(body).hexdigest()[:12]}.json", body


@dataclass(frozen=True)
class Values:
    """The distinct values the filters offer, found in one pass over the records."""

    departments: list[tuple[str, str]]  # (name, slug), in the order the manifest lists them
    houses: list[str]
    years: list[str]
    statuses: list[str]


def distinct_values(records: Iterable[SearchRecord]) -> Values:
    pairs, houses, years, statuses = set(), set(), set(), set()
    for r in records:
        pairs.add((r.department, r.department_slug))
        houses.add(r.house)
        years.add(r.answered_on[:4])
        statuses.add(r.status)
    departments = sorted(pairs, key=lambda pair: (pair[0].casefold(), pair[0]))
    return Values(departments, sorted(houses), sorted(years), sorted(statuses))


def _oldest_first(records: Sequence[SearchRecord]) -> Iterator[SearchRecord]:
    return reversed(records)


def facet_file(records: Sequence[SearchRecord], values: Values) -> Any:
    """Each document's filters as one number, by key (see `facet_codes`)."""
    filters = [(r.department, r.house, r.answered_on[:4], r.status) for r in reversed(records)]
    return facet_codes(filters, values)


def facet_codes(filters: Iterable[tuple[str, str, str, str]], values: Values) -> Any:
    """Each document's filters (department, House, year answered, status; by key) as one
    number: ((department * houses + house) * years + year) * statuses + status, indexes
    into the lists beside it. Equal filters are counted once."""
    position = {name: i for i, (name, _slug) in enumerate(values.departments)}
    houses, years, statuses = values.houses, values.years, values.statuses
    known: dict[tuple[str, str, str, str], int] = {}
    codes = []
    for found in filters:
        code = known.get(found)
        if code is None:
            department, house, year, status = found
            code = position[department] * len(houses) + houses.index(house)
            code = code * len(years) + years.index(year)
            code = known[found] = code * len(statuses) + statuses.index(status)
        codes.append(code)
    return {"houses": houses, "years": years, "statuses": statuses, "docs": codes}


def title_hash(title: str) -> int:
    """What a question's shard bucket is made from: its title's heading (the part before
    any colon: "Schools" of "Schools: Finance"), ignoring case and spacing."""
    heading = title.partition(":")[0]
    return zlib.crc32(" ".join(heading.casefold().split()).encode("utf-8"))


def shard_buckets(count: int) -> int:
    """How many buckets `count` questions are grouped into: the power of two giving about
    BUCKET_QUESTIONS each (so it changes, and every shard with it, only when the archive
    doubles), at most MAX_BUCKETS."""
    buckets = 1
    while buckets < MAX_BUCKETS and buckets * BUCKET_QUESTIONS < count:
        buckets *= 2
    return buckets


@dataclass(frozen=True)
class ShardLayout:
    """Where each document's row is: `buckets` by key, and the keys of each shard file
    (`docs/<bucket>-<n>.json`, keys increasing: rank order in the bucket)."""

    buckets: list[int]
    shards: dict[str, list[int]]


def shard_of(bucket: int, rank: int) -> str:
    return f"docs/{bucket}-{rank // SHARD_SIZE}.json"


def buckets_of(title_hashes: Sequence[int]) -> list[int]:
    modulus = shard_buckets(len(title_hashes))
    return [h % modulus for h in title_hashes]


def shard_names(buckets: Sequence[int]) -> list[str]:
    """Every shard file of these buckets (by key), in bucket order."""
    sizes = Counter(buckets)
    return [
        shard_of(bucket, rank)
        for bucket in sorted(sizes)
        for rank in range(0, sizes[bucket], SHARD_SIZE)
    ]


def bucket_shards(buckets: Sequence[int], wanted: set[int] | None = None) -> dict[str, list[int]]:
    """The keys of each shard of the `wanted` buckets (all if None), in bucket order."""
    ranks: Counter[int] = Counter()
    shards: dict[str, list[int]] = {}
    for key, bucket in enumerate(buckets):
        if wanted is None or bucket in wanted:
            shards.setdefault(shard_of(bucket, ranks[bucket]), []).append(key)
            ranks[bucket] += 1
    ordered = sorted(shards, key=lambda n: tuple(int(x) for x in n[5:-5].split("-")))
    return {name: shards[name] for name in ordered}


def shard_layout(title_hashes: Sequence[int]) -> ShardLayout:
    """The shards of documents whose titles hash to `title_hashes` (by key)."""
    buckets = buckets_of(title_hashes)
    return ShardLayout(buckets, bucket_shards(buckets))


def shard_map(buckets: Sequence[int]) -> tuple[str, bytes]:
    """`shards/<hash>.json`: every key's bucket, two characters each (a JSON string)."""
    digits = MAP_DIGITS
    text = "".join(digits[b >> 6] + digits[b & 63] for b in buckets)
    return _named("shards", text)


def document_shard(
    name: str, oldest_first: Iterable[SearchRecord], position: dict[str, int]
) -> tuple[str, bytes]:
    """A shard file from its records, oldest first; `position`: department -> index."""
    rows = [result_row(record, position[record.department]) for record in oldest_first]
    return name, to_json_bytes(rows)


def department_positions(departments: list[tuple[str, str]]) -> dict[str, int]:
    return {name: i for i, (name, _slug) in enumerate(departments)}


def document_shards(
    records: Sequence[SearchRecord], layout: ShardLayout, departments: list[tuple[str, str]]
) -> Iterator[tuple[str, bytes]]:
    """Every `docs/` file of `layout`, each made from its own records."""
    position = department_positions(departments)
    newest = len(records) - 1
    for name, keys in layout.shards.items():
        yield document_shard(name, [records[newest - key] for key in keys], position)


def encode_chunk(terms: list[str], postings: Iterable[array[int]]) -> tuple[str, bytes]:
    """A chunk file: its terms and their postings, named by its content."""
    encoded = [encode_postings(p) for p in postings]
    return _named("chunks", {"terms": terms, "postings": encoded})


def terms_file(terms: list[str]) -> tuple[str, bytes]:
    return _named("terms", terms)


def facets_named(records: Sequence[SearchRecord], values: Values) -> tuple[str, bytes]:
    return _named("facets", facet_file(records, values))


def facets_of(filters: Iterable[tuple[str, str, str, str]], values: Values) -> tuple[str, bytes]:
    """The filters file from each document's filters by key (`facet_codes`)."""
    return _named("facets", facet_codes(filters, values))


@dataclass(frozen=True)
class IndexSummary:
    """What the manifest and files.json say, besides the files they name."""

    count: int
    totals: list[int]
    chunks: list[list[str]]  # [first term, file name] per chunk, in term order
    terms: str  # file names
    facets: str
    shard_map: str
    shards: list[str]
    departments: list[tuple[str, str]]


def closing_files(
    terms: list[str],
    facets: tuple[str, bytes],
    buckets: Sequence[int],
    *,
    count: int,
    totals: list[int],
    chunks: list[list[str]],
    shards: list[str],
    departments: list[tuple[str, str]],
) -> tuple[IndexSummary, dict[str, bytes]]:
    """The files an index is finished with once its chunks and shards are made (the term
    list, the filters, the shard map, `manifest.json` and `files.json`) by name, and the
    summary naming them, with what else the manifest says. A cold build and
    search_incremental's whole index both finish here, so their bytes cannot drift apart."""
    terms_name, terms_body = terms_file(terms)
    map_name, map_body = shard_map(buckets)
    summary = IndexSummary(
        count, totals, chunks, terms_name, facets[0], map_name, shards, departments
    )
    files = {terms_name: terms_body, facets[0]: facets[1], map_name: map_body}
    return summary, {**files, **summary_files(summary)}


def summary_files(summary: IndexSummary) -> dict[str, bytes]:
    """`manifest.json` and `files.json`."""
    manifest = {
        "version": MANIFEST_VERSION,
        "count": summary.count,
        "fields": [[name, boost] for name, boost in FIELD_BOOSTS],
        "lengths": summary.totals,
        "k1": K1,
        "b": B,
        "pipeline": ["answersNormalise", "stemmer"],
        "chunks": summary.chunks,
        "terms": summary.terms,
        "facets": summary.facets,
        "shardSize": SHARD_SIZE,
        "shardBuckets": shard_buckets(summary.count),
        "shardMap": summary.shard_map,
        "columns": list(STORE_COLUMNS),
        "departments": [list(pair) for pair in summary.departments],
    }
    names = [name for _first, name in summary.chunks] + summary.shards
    names += [summary.terms, summary.facets, summary.shard_map, "manifest.json"]
    return {
        "manifest.json": to_json_bytes(manifest),
        "files.json": to_json_bytes({"files": sorted(names)}),
    }


def chunked_files(records: Sequence[SearchRecord]) -> Iterator[tuple[str, bytes]]:
    """Every file of the chunked index, as (path under _site/, bytes).

    Each chunk and document shard is handed on as soon as it is encoded (and a chunk's
    postings dropped), so the postings, the largest structure of the build, and the
    encoded index are never held together."""
    postings = collect_postings(records)
    terms = sorted(postings.by_term, key=js_order)
    sizes = {term: len(postings.by_term[term]) // 3 for term in terms}
    names: set[str] = set()
    chunks = []
    for chunk in chunk_terms(terms, sizes):
        name, body = encode_chunk(chunk, [postings.by_term.pop(t) for t in chunk])
        if name in names:
            raise RuntimeError(f"two search chunks hash to {name}")  # 48 bits: not in practice
        names.add(name)
        chunks.append([chunk[0], name])
        yield f"{SEARCH_DIR}/{name}", body
    totals = list(postings.length_totals)
    del postings, sizes
    values = distinct_values(records)
    layout = shard_layout([title_hash(r.title) for r in _oldest_first(records)])
    shards = []
    for name, body in document_shards(records, layout, values.departments):
        shards.append(name)
        yield f"{SEARCH_DIR}/{name}", body
    _summary, files = closing_files(
        terms,
        facets_named(records, values),
        layout.buckets,
        count=len(records),
        totals=totals,
        chunks=chunks,
        shards=shards,
        departments=values.departments,
    )
    for name in sorted(files):
        yield f"{SEARCH_DIR}/{name}", files[name]
