"""lunr.py (the build) and lunr.js (the browser) must turn text into the same terms.

lunr.js runs in headless Chromium on the built search page (not in Node: CI machines need
not have it). That both give the same results is tests/test_search_identity.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lunr.pipeline import Pipeline
from lunr.stemmer import porter_stemmer
from lunr.token import Token
from playwright.sync_api import Page

from generator.search import index_pipeline, js_stemmer, search_pipeline

WORDS = Path(__file__).parent / "fixtures" / "search-words.txt"
# Tokens a whitespace-separated word list cannot hold, and characters at the edges of the
# normaliser's rules (astral characters are two UTF-16 units in JavaScript, one in Python).
EDGE_TOKENS = [
    "a\u2009b", "x\U0001f600", "\U0001f600x", "na\u00efve\u2019s", "\u00d72", "1,0000",
    "\u2014", "co-operate", "\u00a3\u00a3", "\u00bd", "\u00e9", "\u0394\u03b9\u03ac",
    "\u0416\u0443\u043a", "\u4e2d\u6587", "\ufeffbom", "'\u2019s'", "x\u0301",
]  # fmt: skip

JS_PIPELINES = """(words) => {
  const normalise = lunr.Pipeline.registeredFunctions.answersNormalise;
  const indexing = new lunr.Pipeline(); indexing.add(normalise, lunr.stopWordFilter, lunr.stemmer);
  const searching = new lunr.Pipeline(); searching.add(normalise, lunr.stemmer);
  return words.map((w) => [
    indexing.runString(w), searching.runString(w), lunr.stemmer(new lunr.Token(w)).toString()]);
}"""


def _pipeline(functions: list[Any]) -> Pipeline:
    pipeline = Pipeline()
    pipeline.add(*functions)
    return pipeline


def python_terms(words: list[str]) -> list[list[Any]]:
    indexing, searching = _pipeline(index_pipeline()), _pipeline(search_pipeline())
    return [
        [indexing.run_string(w), searching.run_string(w), str(js_stemmer(Token(w)))] for w in words
    ]


@pytest.fixture()
def search_page(page: Page, search_url: str) -> Page:
    page.goto(search_url + "/search/")
    page.wait_for_selector("#search.search-ready")
    return page


def test_pipelines_identical_over_vocabulary(search_page: Page, search_site: Path) -> None:
    labels = json.loads((search_site / "search" / "manifest.json").read_text())["pipeline"]
    registered = search_page.evaluate("Object.keys(lunr.Pipeline.registeredFunctions)")
    assert set(labels) <= set(registered)
    words = WORDS.read_text(encoding="utf-8").split()
    assert len(words) > 3000
    words += EDGE_TOKENS
    in_browser = search_page.evaluate(JS_PIPELINES, words)
    in_python = python_terms(words)
    mismatches = [
        (w, py, js) for w, py, js in zip(words, in_python, in_browser, strict=True) if py != js
    ]
    assert mismatches == []
    # The vocabulary really exercises the stemmer difference the fix is for.
    differing = [
        w for w, js in zip(words, in_browser, strict=True) if porter_stemmer.stem(w) != js[2]
    ]
    assert len(differing) > 50
