"""The search store (generator/search_incremental.py): documents' terms written in batches,
found before and after they are written, forgotten, and kept only when the build ends well."""

from __future__ import annotations

from pathlib import Path

import pytest

import generator.search_incremental
from generator.search_chunks import DocumentTerms
from generator.search_incremental import SearchStore
from generator.search_pages import TermPages


def terms(word: str) -> DocumentTerms:
    return (1, 0, 0, 0, 0, 0, 0), (((word,), (1,)), *(((), ()),) * 6)


def content(number: int) -> bytes:
    return number.to_bytes(16, "big")


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generator.search_incremental, "STORE_BATCH", 3)


def test_documents_are_found_before_and_after_their_batch_is_written(tmp_path: Path) -> None:
    store = SearchStore(tmp_path, "code")
    assert store.empty and store.fresh and store.document(content(1)) is None
    for number in range(1, 6):  # one batch of 3 written, 2 pending
        store.store_document(content(number), terms(f"w{number}"))
    assert not store.empty and store.fresh and len(store.pending) == 2
    assert [store.document(content(n)) for n in range(1, 7)] == [
        *(terms(f"w{n}") for n in range(1, 6)),
        None,
    ]
    store.forget_document(content(5))  # pending
    store.forget_document(content(1))  # written
    store.close()
    reopened = SearchStore(tmp_path, "code")
    assert not reopened.empty and not reopened.fresh
    assert [reopened.document(content(n)) for n in range(1, 6)] == [
        None,
        terms("w2"),
        terms("w3"),
        terms("w4"),
        None,
    ]
    reopened.keep_documents([content(3)])
    reopened.close()
    assert [SearchStore(tmp_path, "code").document(content(n)) for n in (2, 3)] == [
        None,
        terms("w3"),
    ]


def test_documents_of_a_failed_build_are_not_kept(tmp_path: Path) -> None:
    store = SearchStore(tmp_path, "code")
    for number in range(1, 5):
        store.store_document(content(number), terms("w"))
    store.abandon()
    assert SearchStore(tmp_path, "code").empty


def test_other_code_empties_the_store(tmp_path: Path) -> None:
    store = SearchStore(tmp_path, "code")
    store.store_document(content(1), terms("w"))
    store.close()
    fresh = SearchStore(tmp_path, "other code")
    assert fresh.empty and fresh.document(content(1)) is None


def pages(term: str) -> TermPages:
    """Made-up pages, different for each term: the store keeps them as they come."""
    return {0: [(6, len(term), 0, b"", term.encode(), b"7")]}


def test_a_chunks_row_holds_its_terms_pages(tmp_path: Path) -> None:
    """One row a chunk (its first term, then its terms' pages): a term is found in the row
    of the chunk starting at or before it, a range across rows, and an edit's rows (chunks
    made again, chunks gone) replace the old ones, reopened or not."""
    store = SearchStore(tmp_path, "code")
    store.add_chunk(["apple", "bread"], [pages("apple"), pages("bread")])
    store.add_chunk(["cat", "dog", "egg"], [pages("cat"), pages("dog"), pages("egg")])
    assert store.term_pages("dog") == pages("dog")
    assert store.term_pages("apple") == pages("apple")
    assert store.term_pages("cow") == {}  # in the second chunk's range, not in the index
    assert store.term_pages("aardvark") == {}  # before every chunk
    copy = store.term_pages("egg")
    copy.clear()  # the caller's to change
    assert store.term_pages("egg") == pages("egg")
    assert store.range_pages("bread", "dog") == {"bread": pages("bread"), "cat": pages("cat")}
    assert store.range_pages("b", None) == {t: pages(t) for t in ["bread", "cat", "dog", "egg"]}
    # An edit: "dog" patched, its chunk split in two at "dog"; the first chunk gone (its
    # terms now start at "bread").
    patched = {0: [(5, 1, 1, b"", b"2", b"3")]}
    store.store_chunks(
        {"bread": {"bread": pages("bread")}, "cat": {"cat": pages("cat")},
         "dog": {"dog": patched, "egg": pages("egg")}},
        ["apple"],
    )  # fmt: skip
    assert store.term_pages("dog") == patched
    assert store.term_pages("apple") == {}
    store.close()
    reopened = SearchStore(tmp_path, "code")
    assert reopened.range_pages("a", None) == {
        "bread": pages("bread"), "cat": pages("cat"), "dog": patched, "egg": pages("egg")
    }  # fmt: skip
    reopened.forget_pages()
    assert reopened.range_pages("a", None) == {}
    reopened.close()
