"""Verify lunr.py (build) and lunr.js (browser) agree on real parliamentary text.

    .venv/bin/python bench/search_verify_realdata.py [--realdata ../shared/realdata]

Needs ../shared/realdata (not part of the project), so it is a verification script rather
than a test; the tests run the same checks on the project's own word list and fixtures.

1. Every distinct token of every heading, question and answer goes through the index
   pipeline, the search pipeline and the stemmer in Python and in headless Chromium; any
   difference is listed. Also counts how many tokens lunr.py's unpatched stemmer would
   have got wrong.
2. An index of every question is built with the project's search code, and the queries
   below must give the same refs, order and scores (3 decimals) in lunr.py and lunr.js.
Exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lunr.stemmer import porter_stemmer  # noqa: E402
from lunr.tokenizer import Tokenizer  # noqa: E402

from generator.markup import plain_text  # noqa: E402
from generator.model import Question, build_archive  # noqa: E402
from generator.search import build_index, load_index, search_records, to_json_bytes  # noqa: E402
from generator.slugs import slugify  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, serve_folder  # noqa: E402
from tests.test_search_interop import JS_PIPELINES, python_terms  # noqa: E402

QUERIES = [
    "school funding", "children's social care", "2024-25", "£1 billion", "NHS waiting lists",
    "title:defence", "asylum hotel*", "+energy -nuclear", "pensoin~1", "policing", "ukraine",
    "special educational needs", "deploy", "display", "key stage", "try", "department:treasury",
    "uin:1234*", "family courts", "universal credit",
]  # fmt: skip


def load_values(folder: Path) -> list[dict[str, Any]]:
    values = []
    for path in sorted(folder.glob("*.json.gz")):
        values.extend(r["value"] for r in json.loads(gzip.decompress(path.read_bytes()))["results"])
    return values


def distinct_tokens(values: list[dict[str, Any]]) -> list[str]:
    tokens: set[str] = set()
    for value in values:
        for key in ("heading", "questionText", "answerText"):
            tokens.update(str(t) for t in Tokenizer(plain_text(value.get(key) or "")))
    return sorted(tokens)


def to_question(value: dict[str, Any]) -> Question:
    answered = value.get("dateAnswered")
    return Question(
        id=f"{value['house'].lower()}-{value['id']}",
        title=value.get("heading") or "Untitled question",
        department=value.get("answeringBodyName") or "Unknown",
        asked_on=date.fromisoformat(value["dateTabled"][:10]),
        question=plain_text(value.get("questionText") or ""),
        answer=plain_text(value.get("answerText") or ""),
        house=value.get("house"),
        uin=value.get("uin"),
        answered_on=date.fromisoformat(answered[:10]) if answered else None,
        status="answered" if answered else "unanswered",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--realdata", type=Path, default=ROOT.parent / "shared" / "realdata")
    args = parser.parse_args()
    values = load_values(args.realdata)
    tokens = distinct_tokens(values)
    questions = [to_question(v) for v in values]
    departments = {q.department: slugify(q.department) for q in questions}
    started = time.perf_counter()
    records = search_records(build_archive(questions, [], departments))
    data = to_json_bytes(build_index(records).serialize())
    print(f"{len(questions):,} questions indexed in {time.perf_counter() - started:.1f} s, "
          f"{len(data) / 1e6:.1f} MB")  # fmt: skip
    failures = 0
    from playwright.sync_api import sync_playwright

    with tempfile_site(data) as site, serve_folder(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(base + "/page.html")
        in_browser = page.evaluate(JS_PIPELINES, tokens)
        in_python = python_terms(tokens)
        wrong = [
            (t, py, js) for t, py, js in zip(tokens, in_python, in_browser, strict=True) if py != js
        ]
        unpatched = sum(
            1 for t, js in zip(tokens, in_browser, strict=True) if porter_stemmer.stem(t) != js[2]
        )
        print(f"{len(tokens):,} distinct tokens: {len(wrong)} differ between Python and JS "
              f"(lunr.py's unpatched stemmer would differ on {unpatched:,})")  # fmt: skip
        for token, py, js in wrong[:20]:
            print(f"  {token!r}: python {py} js {js}")
        failures += len(wrong)
        js_hits = page.evaluate(
            """async (queries) => {
              const index = lunr.Index.load(await (await fetch("index.json")).json());
              return queries.map((q) => index.search(q).map((r) => [r.ref, r.score]));
            }""",
            QUERIES,
        )
        browser.close()
    index = load_index(json.loads(data))
    for query, js in zip(QUERIES, js_hits, strict=True):
        py = [[h["ref"], h["score"]] for h in index.search(query)]
        same = [r for r, _ in py] == [r for r, _ in js] and all(
            abs(a[1] - b[1]) < 5e-4 for a, b in zip(py, js, strict=True)
        )
        print(f"  {'same' if same else 'DIFFERENT':9} {len(py):5} results  {query}")
        failures += not same
    print("OK" if not failures else f"{failures} differences")
    return 1 if failures else 0


@contextlib.contextmanager
def tempfile_site(index: bytes) -> Iterator[Path]:
    """A folder with lunr.js, search.js, a page loading them and the real-data index."""
    static = ROOT / "themes" / "default" / "static"
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "lunr.min.js").write_bytes((static / "vendor/lunr/lunr.min.js").read_bytes())
        (root / "search.js").write_bytes((static / "search.js").read_bytes())
        (root / "index.json").write_bytes(index)
        (root / "page.html").write_text(
            '<!doctype html><title>verify</title><script src="lunr.min.js"></script>'
            '<script src="search.js"></script>'
        )
        yield root


if __name__ == "__main__":
    sys.exit(main())
