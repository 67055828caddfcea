"""Regenerate tests/fixtures/search-words.txt, the vocabulary of the stemmer identity test.

The list is committed so the test needs nothing outside the project. It holds every word
of the project's own fixtures, the words of realdata (../shared/realdata) used at least
MIN_COUNT times, words ending in "y" (where lunr.py's and lunr.js's stemmers disagree),
lunr's stop words, and tokens with the digits and punctuation this archive is full of.

    .venv/bin/python bench/make_search_words.py [--realdata ../shared/realdata]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections import Counter
from pathlib import Path

from lunr.stop_word_filter import WORDS as STOP_WORDS
from lunr.tokenizer import Tokenizer

from generator.markup import plain_text

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "search-words.txt"
MIN_COUNT = 4
EXTRA = (
    "deploy", "deploying", "deployed", "display", "displays", "array", "key", "keys", "day",
    "days", "try", "tries", "trying", "dry", "worry", "journey", "employ", "enjoy", "convey",
    "survey", "surveys", "policy", "policies", "supply", "apply", "agency", "2023-24",
    "2023\u201324", "2023/24", "£51.3", "£1,000", "1,000,000", "hl1234", "uin:59350", "ehc",
    "(ehc)", "children's", "children\u2019s", "members'", "o'brien", "café", "cafés", "naïve",
    "façade", "résumé", "\u201cquoted\u201d", "\u2018single\u2019", "e-mail", "coronavirus",
    "covid-19", "a&e", "24/7", "50%", "3.5%", "no.", "10", "mr.", "dr.", "st.", "£", "-", "'",
    "\u2019s", "s\u2019", "'tis",
)  # fmt: skip


def words_from(text: str) -> set[str]:
    return {str(token) for token in Tokenizer(text)}


def realdata_counts(folder: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in sorted(folder.glob("*.json.gz")):
        for result in json.loads(gzip.decompress(path.read_bytes()))["results"]:
            value = result["value"]
            for key in ("heading", "questionText", "answerText"):
                counts.update(str(t) for t in Tokenizer(plain_text(value.get(key) or "")))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--realdata", type=Path, default=ROOT.parent / "shared" / "realdata")
    args = parser.parse_args()
    words = set(EXTRA) | set(STOP_WORDS)
    for path in sorted((ROOT / "tests" / "fixtures").rglob("*.md")):
        words |= words_from(path.read_text(encoding="utf-8"))
    counts = realdata_counts(args.realdata)
    words |= {w for w, n in counts.items() if n >= MIN_COUNT and re.fullmatch(r"[a-z][a-z']+", w)}
    words |= {w for w, n in counts.items() if n >= 2 and w.endswith("y")}
    OUT.write_text("".join(f"{w}\n" for w in sorted(words)), encoding="utf-8")
    print(f"{len(words)} words -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
