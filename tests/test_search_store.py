"""The search store (generator/search_incremental.py): documents' terms written in batches,
found before and after they are written, forgotten, and kept only when the build ends well."""

from __future__ import annotations

from pathlib import Path

import pytest

import generator.search_incremental
from generator.search_chunks import DocumentTerms
from generator.search_incremental import SearchStore


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
