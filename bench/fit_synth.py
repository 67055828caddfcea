"""Fit the synthetic-archive model (generator/synth_model.json) from ../shared/realdata.

`answers synth` draws documents from the distributions written here: departments, askers and
answerers per department (as anonymous ranks: the data has member ids, never names), headings
as topic and subtopic labels, question and answer lengths, paragraphs, lists, tables, dates
and statuses, plus a bigram word model of common words. No sentence of the real text is
shipped: only counts, quantiles and the most frequent word pairs.

    .venv/bin/python bench/fit_synth.py [--data ../shared/realdata] [--out FILE]

The output is deterministic (sorted keys, counts, no timestamps), so refitting the same data
gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.importers.api import read_records  # noqa: E402
from generator.importers.departments import normalise  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "realdata"
DEFAULT_OUT = ROOT / "generator" / "synth_model.json"
VOCABULARY = 1600  # most frequent words kept per word model
SUCCESSORS = 10  # most frequent next words kept per word
TOPICS_PER_DEPARTMENT = 30
SUBTOPICS = 400
QUANTILES = 20  # the 21 cut points 0%, 5%, ..., 100%
MAX_DELAY = 120  # days; longer answer delays are folded into the last bucket
TOKEN = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d[\d,]*(?:\.\d+)?%?|[.,;:?]")
NUMBER = re.compile(r"\d")
PREFIX = re.compile(r"^(To ask the .{3,160}?,)\s(?=[a-z(])")


# Pieces of web addresses, as written (lower case): "UK" and "NHS" are words, "uk" is not.
NOT_WORDS = {"http", "https", "www", "gov", "uk", "nhs", "org", "co", "html", "pdf", "aspx"}


def number_class(token: str) -> str:
    """Numbers are drawn afresh when generating; only their kind is kept."""
    if token.endswith("%"):
        return "<pct>"
    if re.fullmatch(r"(19|20)\d\d", token):
        return "<year>"
    return "<num>"


class AnswerShape(HTMLParser):
    """Counts the blocks of one answer: paragraphs (with their words), lists, tables."""

    def __init__(self) -> None:
        super().__init__()
        self.paragraph_words: list[int] = []
        self.list_items: list[int] = []
        self.tables: list[tuple[int, int]] = []
        self.text: list[str] = []
        self._stack: list[str] = []
        self._words = 0
        self._items = 0
        self._rows = 0
        self._cells = 0
        self._max_cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._stack.append(tag)
        if tag == "p" and "table" not in self._stack[:-1] and "li" not in self._stack[:-1]:
            self._words = 0
        elif tag in ("ul", "ol"):
            self._items = 0
        elif tag == "li":
            self._items += 1
        elif tag == "table":
            self._rows = self._max_cells = 0
        elif tag == "tr":
            self._rows += 1
            self._cells = 0
        elif tag in ("td", "th"):
            self._cells += 1
            self._max_cells = max(self._max_cells, self._cells)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._stack:
            return
        while self._stack and self._stack.pop() != tag:
            pass
        if tag == "p" and "table" not in self._stack and "li" not in self._stack:
            if self._words:
                self.paragraph_words.append(self._words)
        elif tag in ("ul", "ol") and self._items:
            self.list_items.append(self._items)
        elif tag == "table" and self._rows:
            self.tables.append((self._rows, self._max_cells))

    def handle_data(self, data: str) -> None:
        if "table" in self._stack:
            return
        self._words += len(data.split())
        self.text.append(data)
        if self._stack and self._stack[-1] == "p":
            self.text.append("\n")


def quantiles(values: list[float]) -> list[float]:
    """The 0%, 5%, ..., 100% cut points, for sampling by inverse CDF."""
    ordered = sorted(values)
    if not ordered:
        return [0.0] * (QUANTILES + 1)
    last = len(ordered) - 1
    return [round(ordered[round(last * i / QUANTILES)], 1) for i in range(QUANTILES + 1)]


def histogram(values: list[int], cap: int) -> list[int]:
    """Counts of 0..cap, values above cap folded into cap."""
    counts = [0] * (cap + 1)
    for value in values:
        counts[min(max(value, 0), cap)] += 1
    return counts


def day(text: Any) -> date | None:
    return date.fromisoformat(text[:10]) if isinstance(text, str) and len(text) >= 10 else None


class WordModel:
    """Bigram counts over sentences; numbers become one token, rarer words are dropped."""

    def __init__(self) -> None:
        self.sentences: list[list[str]] = []

    def add(self, text: str) -> None:
        for line in text.split("\n"):
            sentence: list[str] = []
            for token in TOKEN.findall(line.replace("\u2019", "'")):
                token = number_class(token) if NUMBER.match(token) else token
                sentence.append(token)
                if token in (".", "?"):
                    if len(sentence) > 1:
                        self.sentences.append(sentence)
                    sentence = []
            if len(sentence) > 1:
                self.sentences.append([*sentence, "."])

    def fit(self) -> dict[str, Any]:
        inner = {token for sentence in self.sentences for token in sentence[1:]}

        def key(token: str, index: int) -> str:
            """A sentence's first word in the case it has elsewhere ("The" -> "the", "UK")."""
            title_case = token[:1].isupper() and token[1:].islower()
            return token.lower() if index == 0 and title_case and token.lower() in inner else token

        forms: dict[str, Counter[str]] = defaultdict(Counter)
        for sentence in self.sentences:
            for index, token in enumerate(sentence):
                if token not in NOT_WORDS:
                    forms[key(token, index)][token] += 1
        keyed = Counter({key: sum(c.values()) for key, c in forms.items()})
        vocabulary = {word for word, _ in keyed.most_common(VOCABULARY)}
        following: dict[str, Counter[str]] = defaultdict(Counter)
        for sentence in self.sentences:
            previous = "<s>"
            for index, token in enumerate(sentence):
                word = key(token, index)
                if word not in vocabulary:
                    previous = ""
                    continue
                if previous:
                    following[previous][word] += 1
                previous = word
        words = sorted(vocabulary)
        position = {word: i for i, word in enumerate(words)}
        next_words = {
            word: [[position[w], n] for w, n in sorted(c.items(), key=lambda p: (-p[1], p[0]))][
                :SUCCESSORS
            ]
            for word, c in sorted(following.items())
            if word == "<s>" or word in vocabulary
        }
        next_words["<s>"] = [
            [position[w], n]
            for w, n in sorted(following["<s>"].items(), key=lambda p: (-p[1], p[0]))[:80]
        ]
        return {
            "words": words,
            "unigram": [keyed[word] for word in words],
            "next": next_words,
        }


def fit(data: Path) -> dict[str, Any]:
    departments: Counter[str] = Counter()
    askers: dict[str, Counter[int]] = defaultdict(Counter)
    answerers: dict[str, Counter[int]] = defaultdict(Counter)
    topics: dict[str, Counter[str]] = defaultdict(Counter)
    subtopics: Counter[str] = Counter()
    prefixes: dict[str, Counter[str]] = defaultdict(Counter)
    question_words: list[int] = []
    answer_chars: list[int] = []
    paragraphs: list[int] = []
    paragraph_words: list[int] = []
    list_items: list[int] = []
    table_rows: list[int] = []
    table_columns: list[int] = []
    lists = tables = answered = 0
    delays: list[int] = []
    due_delays: list[int] = []
    weekdays = [0] * 7
    statuses: Counter[str] = Counter()
    grouped: list[int] = []
    headless_unanswered = unanswered = 0
    questions_model = WordModel()
    answers_model = WordModel()
    records = 0
    for path in sorted(data.glob("*.json*")):
        for record in read_records(path, path.name):
            value = record.value
            records += 1
            department, _ = normalise(value.get("answeringBodyName") or "")
            departments[department] += 1
            if isinstance(value.get("askingMemberId"), int):
                askers[department][value["askingMemberId"]] += 1
            asked = day(value.get("dateTabled"))
            if asked:
                weekdays[asked.weekday()] += 1
            due = day(value.get("dateForAnswer"))
            if asked and due:
                due_delays.append((due - asked).days)
            grouped.append(len(value.get("groupedQuestions") or []))
            text = value.get("questionText") or ""
            match = PREFIX.match(text)
            if match:
                prefixes[department][match.group(1)] += 1
                text = text[match.end() :]
            question_words.append(len(text.split()) + (len(match.group(1).split()) if match else 0))
            questions_model.add(text)
            heading = value.get("heading") or ""
            answer = value.get("answerText") or ""
            if value.get("isWithdrawn"):
                statuses["withdrawn"] += 1
            elif not answer:
                statuses["unanswered"] += 1
            elif value.get("answerIsCorrection"):
                statuses["corrected"] += 1
            elif value.get("answerIsHolding"):
                statuses["holding"] += 1
            else:
                statuses["answered"] += 1
            if not answer:
                unanswered += 1
                headless_unanswered += not heading
            if heading:
                topic, _, subtopic = heading.partition(": ")
                topics[department][topic.strip()] += 1
                if subtopic:
                    subtopics[subtopic.strip()] += 1
            if not answer:
                continue
            answered += 1
            if isinstance(value.get("answeringMemberId"), int):
                answerers[department][value["answeringMemberId"]] += 1
            answered_on = day(value.get("dateAnswered"))
            if asked and answered_on:
                delays.append((answered_on - asked).days)
            shape = AnswerShape()
            shape.feed(answer)
            answer_chars.append(len(re.sub(r"<[^>]+>", "", answer)))
            paragraphs.append(len(shape.paragraph_words))
            paragraph_words.extend(shape.paragraph_words)
            list_items.extend(shape.list_items)
            lists += bool(shape.list_items)
            tables += bool(shape.tables)
            for rows, columns in shape.tables:
                table_rows.append(rows)
                table_columns.append(columns)
            answers_model.add("".join(shape.text))

    member_rank = {
        member: rank
        for rank, (_, member) in enumerate(
            sorted(
                (sum(c[m] for c in askers.values()), m)
                for m in {m for c in askers.values() for m in c}
            )[::-1]
        )
    }
    ministers = sorted({m for c in answerers.values() for m in c})
    minister_rank = {m: i for i, m in enumerate(ministers)}

    def ranked(counter: Counter[int], rank: dict[int, int]) -> list[list[int]]:
        return sorted(([rank[m], n] for m, n in counter.items()), key=lambda p: (-p[1], p[0]))

    return {
        "about": (
            f"Fitted by bench/fit_synth.py from {records} real Commons written questions "
            f"({answered} answered). Counts, quantiles and common word pairs only."
        ),
        "records": records,
        "departments": sorted(([n, c] for n, c in departments.items()), key=lambda p: p[0]),
        "askers": {d: ranked(c, member_rank) for d, c in sorted(askers.items())},
        "asking_members": len(member_rank),
        "answerers": {d: ranked(c, minister_rank) for d, c in sorted(answerers.items())},
        "answering_members": len(minister_rank),
        "topics": {
            d: sorted(([t, n] for t, n in c.most_common(TOPICS_PER_DEPARTMENT)), key=lambda p: p[0])
            for d, c in sorted(topics.items())
        },
        "subtopics": sorted(
            ([s, n] for s, n in subtopics.most_common(SUBTOPICS)), key=lambda p: p[0]
        ),
        "subtopic_share": round(
            sum(subtopics.values()) / max(1, sum(sum(c.values()) for c in topics.values())), 4
        ),
        "question_prefixes": {
            d: sorted(
                ([p, n] for p, n in c.most_common(3) if n >= 0.1 * c.total()), key=lambda p: p[0]
            )
            for d, c in sorted(prefixes.items())
        },
        "question_words": quantiles([float(v) for v in question_words]),
        "answer_chars": quantiles([float(v) for v in answer_chars]),
        "paragraphs": histogram(paragraphs, 30),
        "paragraph_words": quantiles([float(v) for v in paragraph_words]),
        "list_share": round(lists / answered, 4),
        "list_items": histogram(list_items, 30),
        "table_share": round(tables / answered, 4),
        "table_rows": histogram(table_rows, 40),
        "table_columns": histogram(table_columns, 10),
        "answer_delay_days": histogram(delays, MAX_DELAY),
        "due_delay_days": histogram(due_delays, 30),
        "asked_weekdays": weekdays,
        "statuses": dict(sorted(statuses.items())),
        "headless_unanswered_share": round(headless_unanswered / max(1, unanswered), 4),
        "grouped": histogram(grouped, 20),
        "question_words_model": questions_model.fit(),
        "answer_words_model": answers_model.fit(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"no data at {args.data}: pass --data", file=sys.stderr)
        return 2
    model = fit(args.data)
    text = json.dumps(model, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode()) / 1024:.0f} KB) from {model['records']} records")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
