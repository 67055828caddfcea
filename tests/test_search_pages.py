"""Postings cached in encoded pages (generator/search_pages.py) join into exactly the bytes of
`encode_chunk`, whatever the page size, and decode back to the postings they came from."""

from __future__ import annotations

import json
import random
from array import array

import pytest

import generator.search_pages
from generator.search_chunks import encode_chunk
from generator.search_pages import (
    chunk_file,
    decimals,
    page_size,
    paged,
    paged_fields,
    term_bytes,
    unpaged,
)


def postings_of(entries: list[tuple[int, int, int, int]]) -> array[int]:
    """Packed postings from (key, field, frequency, length), keys decreasing."""
    packed = array("i")
    for key, field, frequency, length in sorted(entries, key=lambda e: (-e[0], e[1])):
        packed.extend((key << 3 | field, frequency, length))
    return packed


def random_postings(rng: random.Random) -> array[int]:
    keys = rng.sample(range(3000), rng.randint(1, 80))
    entries = []
    for key in keys:
        for field in rng.sample(range(7), rng.randint(1, 3)):
            entries.append((key, field, rng.randint(1, 40), rng.randint(1, 900)))
    return postings_of(entries)


@pytest.mark.parametrize("bits", [0, 1, 4, 9])
def test_pages_join_into_the_bytes_of_encode_chunk(
    bits: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator.search_pages, "PAGE_BITS", bits)
    rng = random.Random(bits)
    for _ in range(60):
        terms = sorted({f"t{rng.randint(0, 999)}é" for _ in range(rng.randint(1, 5))})
        postings = [random_postings(rng) for _ in terms]
        pages = [paged(p) for p in postings]
        assert chunk_file(terms, [term_bytes(p) for p in pages]) == encode_chunk(terms, postings)
        for term_postings, term_pages in zip(postings, pages, strict=True):
            assert all(
                {key >> bits for key in keys_of(unpaged(page))} == {number}
                for number, page in term_pages.items()
            )
            joined = array("i")
            for number in sorted(term_pages, reverse=True):
                joined.extend(unpaged(term_pages[number]))
            assert joined == term_postings
            assert sum(map(page_size, term_pages.values())) == len(term_postings) // 3


def keys_of(postings: array[int]) -> list[int]:
    return [packed >> 3 for packed in postings[0::3]]


def test_a_field_spanning_pages_steps_across_the_boundary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generator.search_pages, "PAGE_BITS", 2)  # keys 0-3, 4-7, 8-11
    postings = postings_of([(9, 0, 1, 5), (8, 0, 2, 6), (5, 0, 1, 7), (1, 0, 3, 8), (1, 2, 1, 2)])
    pages = paged(postings)
    assert sorted(pages) == [0, 1, 2]
    assert pages[2] == [(0, 9, 8, b"1", b"1,2", b"5,6")]
    assert pages[1] == [(0, 5, 5, b"", b"1", b"7")]
    assert json.loads(term_bytes(pages)) == [
        [0, [9, 1, 3, 4], [1, 2, 1, 3], [5, 6, 7, 8]],
        [2, [1], [1], [2]],
    ]


def by_field(postings: array[int]) -> tuple[list[tuple[int, array[int]]], list[list[bytes]]]:
    """Packed postings apart by field, fields increasing, as (key, frequency) pairs, and
    the text of each field's lengths by key."""
    fields: dict[int, array[int]] = {}
    lengths: list[list[int]] = [[0] * (max(keys_of(postings)) + 1) for _field in range(7)]
    for i in range(0, len(postings), 3):
        key, field = postings[i] >> 3, postings[i] & 7
        fields.setdefault(field, array("i")).extend((key, postings[i + 1]))
        lengths[field][key] = postings[i + 2]
    return sorted(fields.items()), [decimals(field_lengths) for field_lengths in lengths]


@pytest.mark.parametrize("bits", [0, 1, 4, 9])
def test_pages_made_field_by_field_are_the_pages_made_from_packed_postings(
    bits: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a whole index makes (paged_fields) is what an edit makes and reads (paged), pages
    in the same order, with numbers past the table of small ones and single postings."""
    monkeypatch.setattr(generator.search_pages, "PAGE_BITS", bits)
    rng = random.Random(100 + bits)
    for count in [1, 2, 3, 10, 80, 400]:
        for _ in range(20):
            keys = rng.sample(range(rng.choice([40, 3000, 90000])), min(count, 40))
            entries = [
                (key, field, rng.randint(1, rng.choice([9, 5000])), rng.randint(1, 9000))
                for key in keys
                for field in rng.sample(range(7), rng.randint(1, 3))
            ]
            postings = postings_of(entries)
            made = paged_fields(*by_field(postings))
            assert made == paged(postings)
            assert list(made) == list(paged(postings))
