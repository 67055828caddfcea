"""The chunked index searched by the real search page gives lunr.py's monolithic results.

For every query, the top 50 refs (in order), their scores to 3 decimals and the matched
terms must equal those of lunr.py searching one index built by its own Builder over the
same documents (`generator.search.build_index`). Two archives: the project's search fixture
(hand-written edge cases) and a synthetic archive of a few hundred questions, large enough
for many chunks, document shards and ties.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lunr.index import Index
from playwright.sync_api import Page

from generator.build import BuildOptions, build
from generator.load import load_archive
from generator.search import build_index, search_records
from tests.conftest import SEARCH_ARCHIVE, serve_folder
from tests.synthetic import write_synthetic_archive

TOP = 50
SYNTHETIC_SIZE = 400

# On the project fixture: every kind of query the search page documents.
FIXTURE_QUERIES = [
    "children", "funding", "hotels", "school", "teachers", "billion", "asylum",  # plain
    "school funding", "waiting list", "mental health", "local government children",  # words
    "armed forces housing", "special educational needs",
    "title:hospices", "department:defence", "asked_by:sobel", "answer:billion",  # fields
    "question:children", "title:funding answer:funding", "uin:hl1234",
    "educ*", "hosp*", "title:school*", "*ren", "ch*n", "h*l", "2*", "d*",  # wildcards
    "hotl~1", "schol~1", "mold~2", "fnud~1", "childern~2", "teacher~1", "sc*ool~1",  # fuzzy
    "+children -hospices", "+education +funding", "-defence housing", "-hospices",  # +/-
    "+school -funding children", "-children -funding", "+nosuchword children",
    "2023-24", "2023\u201324", "2023/24", "2024", "£51.3 billion", "1,000", "4,851",
    "children's", "children\u2019s", "HL1234", "uin:59350", "EHC",
    "deploy", "display", "try", "key", "care^10 health", "cafés", "the", "nosuchword",
]  # fmt: skip


def synthetic_queries(words: list[str]) -> list[str]:
    """Queries over the synthetic archive's vocabulary, chosen once by a fixed seed."""
    rng = random.Random(9)
    common, rare = words[:40], words[200:600]
    one = lambda: rng.choice(common)  # noqa: E731
    queries = [one() for _ in range(6)] + [rng.choice(rare) for _ in range(4)]
    queries += [f"{one()} {one()}" for _ in range(6)] + [f"{one()} {one()} {one()}"]
    queries += [f"title:{one()}", f"answer:{one()}", f"question:{one()} {one()}"]
    queries += [f"{one()[:3]}*", f"{one()[:2]}*", f"*{one()[-3:]}", f"title:{one()[:2]}*"]
    queries += [f"{one()[:-1]}~1", f"{one()}~1", f"{rng.choice(rare)}~2"]
    queries += [f"+{one()} -{one()}", f"+{one()} +{one()}", f"-{one()}", f"+{one()} {one()}"]
    queries += [f"{one()}^5 {one()}", "uin:1000*", "hl*"]
    return queries


def browser_results(page: Page, url: str, queries: list[str]) -> list[list[dict[str, Any]]]:
    page.goto(url + "/search/")
    page.wait_for_selector("#search.search-ready")
    results: list[list[dict[str, Any]]] = page.evaluate(
        """async ([queries, top]) => {
          const out = [];
          for (const q of queries) out.push(await window.answersSearch(q, top));
          return out;
        }""",
        [queries, TOP],
    )
    return results


def assert_identical(index: Index, queries: list[str], in_browser: list[Any]) -> None:
    for query, js_hits in zip(queries, in_browser, strict=True):
        py_hits = index.search(query)[:TOP]
        assert [h["ref"] for h in py_hits] == [h["ref"] for h in js_hits], query
        assert [round(h["score"], 3) for h in py_hits] == [round(h["score"], 3) for h in js_hits], (
            query
        )
        assert [sorted(h["match_data"].metadata) for h in py_hits] == [
            h["terms"] for h in js_hits
        ], query


def test_fixture_archive_identical_to_lunr_py(page: Page, search_url: str) -> None:
    index = build_index(search_records(load_archive(SEARCH_ARCHIVE / "content")))
    assert len(FIXTURE_QUERIES) >= 50
    in_browser = browser_results(page, search_url, FIXTURE_QUERIES)
    assert_identical(index, FIXTURE_QUERIES, in_browser)
    found = [q for q, hits in zip(FIXTURE_QUERIES, in_browser, strict=True) if hits]
    assert set(FIXTURE_QUERIES) - set(found) == {"+nosuchword children", "the", "nosuchword"}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("synthetic")
    content = write_synthetic_archive(SYNTHETIC_SIZE, folder)
    build(BuildOptions(content=content, out=folder / "_site", config=folder / "none.yaml",
                       quiet=True))  # fmt: skip
    with serve_folder(folder / "_site") as base:
        yield content, base


def test_synthetic_archive_identical_to_lunr_py(page: Page, synthetic: tuple[Path, str]) -> None:
    content, base = synthetic
    records = search_records(load_archive(content))
    index = build_index(records)
    by_frequency = sorted(
        index.inverted_index, key=lambda t: -sum(len(v) for k, v in index.inverted_index[t].items()
                                                  if k != "_index")
    )  # fmt: skip
    words = [w for w in by_frequency if w.isalpha() and len(w) > 3]
    queries = synthetic_queries(words)
    in_browser = browser_results(page, base, queries)
    assert_identical(index, queries, in_browser)
    # The comparison is not vacuous: long result lists, and ties among them.
    assert sum(len(hits) == TOP for hits in in_browser) >= 20
    scores = [[h["score"] for h in hits] for hits in in_browser]
    assert any(len(s) != len(set(s)) for s in scores)
    assert len(list((content.parent / "_site" / "search" / "chunks").iterdir())) >= 10


def word_queries(words: list[str]) -> list[str]:
    """Queries the page scores without lunr.Index (words, fields, boosts, + and -)."""
    rng = random.Random(11)
    one = lambda: rng.choice(words[:60])  # noqa: E731
    queries = [f"{one()} {one()}" for _ in range(4)] + [f"{one()} {one()} {one()} {one()}"]
    queries += [f"+{one()} -{one()}" for _ in range(3)] + [f"+{one()} +{one()} {one()}"]
    queries += [f"-{one()} -{one()}", f"-{one()} {one()}", f"+{one()} -{one()} {one()}"]
    queries += [f"title:{one()} answer:{one()}", f"+title:{one()} {one()}", f"+nosuchword {one()}"]
    queries += [f"{one()}^3 {one()} -title:{one()}", f"{one()} {one()}^2 +question:{one()}"]
    return queries


def test_word_queries_score_as_lunr_index_does(page: Page, synthetic: tuple[Path, str]) -> None:
    """Every result (not only the top 50), bit-identical scores, same matched terms: the
    page's own scorer against lunr.Index#query over the same chunks."""
    content, base = synthetic
    index = build_index(search_records(load_archive(content)))
    words = sorted(
        (t for t in index.inverted_index if t.isalpha() and len(t) > 3),
        key=lambda t: -sum(len(v) for k, v in index.inverted_index[t].items() if k != "_index"),
    )
    queries = word_queries(words)
    page.goto(base + "/search/")
    page.wait_for_selector("#search.search-ready")
    fast, via_lunr = page.evaluate(
        """async (queries) => {
          const fast = [], viaLunr = [];
          for (const q of queries) {
            fast.push(await window.answersSearch(q, 100000));
            viaLunr.push(await window.answersSearch(q, 100000, true));
          }
          return [fast, viaLunr];
        }""",
        queries,
    )
    assert fast == via_lunr
    assert_identical(index, queries, [hits[:TOP] for hits in fast])
    assert sum(len(hits) > TOP for hits in fast) >= 5
    assert any(not hits for hits in fast) and sum(len(hits) > 0 for hits in fast) >= 15
