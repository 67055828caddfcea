"""`answers synth`: a synthetic archive whose documents look like real ones, from a seed.

Benchmarks and the demo need archives of any size that behave like real ones (how many
departments, how concentrated askers are, how long answers run, how often a table appears),
without shipping real text. Every draw comes from `synth_model.json`, fitted from real
Commons questions by `bench/fit_synth.py`: counts, quantiles and a bigram model of common
words. Members are invented names standing for anonymous ranks. Two things the real data
cannot show are assumptions, named below: the Lords' share and withdrawals.

The same count and seed give the same bytes: one `random.Random(seed)` is drawn from in a
fixed order, and files are written through the importers' own serialisation.
"""

from __future__ import annotations

import json
import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from generator.content_files import question_path, question_to_text
from generator.errors import ArchiveError, Problem
from generator.model import Question

MODEL_PATH = Path(__file__).with_name("synth_model.json")
START = date(2025, 1, 6)  # a Monday; the archive runs forward from here
QUESTIONS_PER_YEAR = 60_000  # the archive's pace, so N questions span a realistic period
LORDS_SHARE = 0.12  # assumption: the real data is Commons only
WITHDRAWN_SHARE = 0.002  # assumption: the real data has none
CAPTURE_DELAY = 7  # days after the last question when the archive was "captured"
FIRST_API_ID = 9_000_001  # far above real API ids, so a synthetic id never names a real one
FIRST_NAMES = (
    "Alex", "Amara", "Ben", "Carys", "Daniel", "Deborah", "Eilidh", "Farah", "Gareth", "Hannah",
    "Imran", "Jade", "Kieran", "Laila", "Martin", "Niamh", "Owen", "Priya", "Rhys", "Sally",
    "Tom", "Una", "Victor", "Wendy", "Yusuf", "Zoe", "Callum", "Fiona", "Graham", "Helen",
    "Iain", "Joanna", "Kavita", "Liam", "Morag", "Nadia", "Oliver", "Rosa", "Sunil", "Tessa",
)  # fmt: skip
SURNAMES = (
    "Abbott", "Barker", "Chaudhry", "Dalton", "Ellison", "Fenwick", "Garside", "Hartley",
    "Iqbal", "Jarvis", "Kendrick", "Lockwood", "Madden", "Norris", "Oakley", "Pennington",
    "Quayle", "Rowntree", "Sutcliffe", "Thorne", "Underwood", "Varley", "Whitfield", "Yardley",
    "Ashdown", "Brennan", "Calloway", "Drummond", "Eastwood", "Fairbairn", "Gillespie",
    "Holroyd", "Ingram", "Jessop", "Kinnear", "Lister", "Mowbray", "Nicholls", "Ormerod",
    "Prentice", "Redfern", "Stanhope", "Tulloch", "Vickers", "Wainwright", "Ackroyd",
    "Blackwood", "Cartwright", "Dunmore", "Elphick", "Fothergill", "Greenhalgh", "Hepworth",
    "Illingworth", "Kershaw", "Langstaff", "Marchbank", "Northcott", "Openshaw", "Pickering",
)  # fmt: skip


MONTHS = frozenset(
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
)


@dataclass(frozen=True)
class SynthResult:
    questions: int
    files: int


class Weighted:
    """A weighted choice in O(log n): cumulative weights, drawn with bisect."""

    def __init__(self, items: list[Any], weights: list[float]) -> None:
        self.items = items
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def draw(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


def histogram(counts: list[int], *, low: int = 0) -> Weighted:
    """Values low..len-1 with the fitted counts as weights."""
    values = list(range(low, len(counts)))
    return Weighted(
        values, [float(c) for c in counts[low:]] if any(counts[low:]) else [1.0] * len(values)
    )


def from_quantiles(cuts: list[float], rng: random.Random) -> float:
    """A draw from the fitted distribution: uniform between neighbouring quantile cuts."""
    position = rng.random() * (len(cuts) - 1)
    index = min(int(position), len(cuts) - 2)
    low, high = cuts[index], cuts[index + 1]
    return low + (high - low) * (position - index)


class WordChain:
    """The bigram word model: sentences walked from common word to common next word."""

    def __init__(self, fitted: dict[str, Any]) -> None:
        self.words: list[str] = fitted["words"]
        self.next = {
            word: Weighted([self.words[i] for i, _ in pairs], [n for _, n in pairs])
            for word, pairs in fitted["next"].items()
        }
        self.unigram = Weighted(self.words, fitted["unigram"])

    def sentence(self, rng: random.Random, target: int) -> list[str]:
        """About `target` words ending in '.', never shorter than three tokens."""
        tokens: list[str] = []
        word = "<s>"
        while True:
            chain = self.next.get(word)
            word = chain.draw(rng) if chain else self.unigram.draw(rng)
            if word in (".", "?"):
                if len(tokens) >= 3:
                    break
                continue
            tokens.append(word)
            if len(tokens) >= target * 1.6:
                break
        return [*tokens, "."]


def number(rng: random.Random, kind: str = "<num>") -> str:
    """A fresh number of the kind the word model saw: a year, a percentage or a count."""
    if kind == "<year>":
        return str(rng.randint(2015, 2026))
    if kind == "<pct>":
        return f"{rng.randint(1, 99)}%"
    if rng.random() < 0.6:
        return str(rng.randint(2, 99))
    return f"{rng.randint(100, 999_999):,}"


def join(tokens: list[str], rng: random.Random, *, capital: bool) -> str:
    """Words with spaces, punctuation attached to the word before."""
    parts: list[str] = []
    for index, token in enumerate(tokens):
        text = number(rng, token) if token in ("<num>", "<year>", "<pct>") else token
        if token == "<num>" and index + 1 < len(tokens) and tokens[index + 1] in MONTHS:
            text = str(rng.randint(1, 28))  # a day of the month
        if parts and text in ",.;:?":
            if parts[-1][-1] not in ",.;:?":
                parts[-1] += text
        else:
            parts.append(text)
    sentence = " ".join(parts)
    return sentence[:1].upper() + sentence[1:] if capital else sentence


@dataclass
class Model:
    """The fitted parameters, with the samplers built once."""

    raw: dict[str, Any]
    departments: Weighted = field(init=False)
    askers: dict[str, Weighted] = field(init=False)
    answerers: dict[str, Weighted] = field(init=False)
    topics: dict[str, Weighted] = field(init=False)
    subtopics: Weighted = field(init=False)
    prefixes: dict[str, Weighted] = field(init=False)
    histograms: dict[str, Weighted] = field(init=False)
    question_words: WordChain = field(init=False)
    answer_words: WordChain = field(init=False)

    def __post_init__(self) -> None:
        raw = self.raw
        self.departments = Weighted(
            [n for n, _ in raw["departments"]], [c for _, c in raw["departments"]]
        )
        self.askers = {d: _ranked(pairs) for d, pairs in raw["askers"].items()}
        self.answerers = {d: _ranked(pairs) for d, pairs in raw["answerers"].items()}
        self.topics = {d: _named(pairs) for d, pairs in raw["topics"].items()}
        self.subtopics = _named(raw["subtopics"])
        self.prefixes = {d: _named(pairs) for d, pairs in raw["question_prefixes"].items() if pairs}
        lows = {"paragraphs": 1, "list_items": 1, "table_rows": 2, "table_columns": 2}
        self.histograms = {
            name: histogram(raw[name], low=lows.get(name, 0))
            for name in (
                "paragraphs", "list_items", "table_rows", "table_columns", "answer_delay_days",
                "due_delay_days", "grouped",
            )
        }  # fmt: skip
        self.question_words = WordChain(raw["question_words_model"])
        self.answer_words = WordChain(raw["answer_words_model"])


def _ranked(pairs: list[list[int]]) -> Weighted:
    return Weighted([rank for rank, _ in pairs], [n for _, n in pairs])


def _named(pairs: list[list[Any]]) -> Weighted:
    return Weighted([name for name, _ in pairs], [n for _, n in pairs])


REQUIRED_KEYS = (
    "departments", "askers", "answerers", "topics", "subtopics", "subtopic_share",
    "question_prefixes", "question_words", "paragraphs", "paragraph_words", "list_share",
    "list_items", "table_share", "table_rows", "table_columns", "answer_delay_days",
    "due_delay_days", "asked_weekdays", "statuses", "headless_unanswered_share", "grouped",
    "question_words_model", "answer_words_model",
)  # fmt: skip


def load_model(path: Path = MODEL_PATH) -> Model:
    """The fitted model; ArchiveError naming the file if it is missing or incomplete."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ArchiveError(
            [Problem(str(path), None, f"cannot read the synth model: {exc}")]
        ) from None
    missing = [key for key in REQUIRED_KEYS if key not in raw]
    if missing:
        message = f"synth model lacks {', '.join(missing)}: refit with bench/fit_synth.py"
        raise ArchiveError([Problem(str(path), None, message)])
    return Model(raw)


def member_name(rank: int, *, lords: bool, minister: bool) -> str:
    """An invented, stable name for an anonymous member rank (unique per rank and role)."""
    index = rank + (500 if minister else 0)
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = SURNAMES[(index // len(FIRST_NAMES) * (len(FIRST_NAMES) + 1) + index) % len(SURNAMES)]
    if lords:
        place = SURNAMES[(index * 7) % len(SURNAMES)]
        return f"{'Baroness' if index % 2 else 'Lord'} {last} of {place}ton"
    return f"{first} {last}"


def member_id(rank: int, *, lords: bool, minister: bool) -> int:
    return 100_000 * (1 + 2 * lords + minister) + rank


def weekday(day: date) -> date:
    """The next weekday on or after `day`: Parliament answers on working days."""
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


class Synthesiser:
    """Draws questions group by group, in date order, from one seeded generator."""

    def __init__(self, model: Model, count: int, seed: int) -> None:
        self.model = model
        self.count = count
        self.rng = random.Random(seed)
        days = max(7, math.ceil(count / QUESTIONS_PER_YEAR * 365))
        calendar = [START + timedelta(days=d) for d in range(days)]
        weights = [float(model.raw["asked_weekdays"][d.weekday()]) for d in calendar]
        self.days = Weighted(calendar, weights)
        self.captured = calendar[-1] + timedelta(days=CAPTURE_DELAY)
        self.uins = {"Commons": 1000, "Lords": 1000}
        self.api_id = FIRST_API_ID
        statuses = model.raw["statuses"]
        given = (
            statuses.get("answered", 0) + statuses.get("holding", 0) + statuses.get("corrected", 0)
        )
        self.holding_share = statuses.get("holding", 0) / max(1, given)
        self.corrected_share = statuses.get("corrected", 0) / max(1, given)

    def groups(self) -> list[tuple[date, int]]:
        """(day asked, size) per group of questions answered together, in date order."""
        rng = self.rng
        grouped = self.model.histograms["grouped"]
        sizes: list[int] = []
        left = self.count
        while left:
            # The histogram counts questions by how many others share their answer; a group
            # of k + 1 contributes k + 1 of them, so draw groups with weight count / (k + 1).
            others = grouped.draw(rng)
            if rng.random() >= 1 / (others + 1):
                continue
            size = min(others + 1, left)
            sizes.append(size)
            left -= size
        dated = [(self.days.draw(rng), index, size) for index, size in enumerate(sizes)]
        return [(day, size) for day, _, size in sorted(dated)]

    def questions(self) -> list[Question]:
        result: list[Question] = []
        for asked_on, size in self.groups():
            result.extend(self.group(asked_on, size))
        return result

    def group(self, asked_on: date, size: int) -> list[Question]:
        rng, model = self.rng, self.model
        house = "Lords" if rng.random() < LORDS_SHARE else "Commons"
        lords = house == "Lords"
        department = model.departments.draw(rng)
        asker = model.askers[department].draw(rng) if department in model.askers else 0
        uins = []
        for _ in range(size):
            self.uins[house] += 1
            uins.append(f"HL{self.uins[house]}" if lords else str(self.uins[house]))
        due_on = weekday(
            asked_on + timedelta(days=max(1, model.histograms["due_delay_days"].draw(rng)))
        )
        delay = model.histograms["answer_delay_days"].draw(rng)
        answered_on = weekday(asked_on + timedelta(days=max(1, delay)))
        status = self.status(answered_on)
        answer = self.answer() if status not in ("unanswered", "withdrawn") else ""
        answerer = None
        if answer and department in model.answerers:
            answerer = model.answerers[department].draw(rng)
        topic = model.topics[department].draw(rng) if department in model.topics else department
        members = []
        for uin in uins:
            title = self.title(topic)
            if status == "unanswered" and rng.random() < model.raw["headless_unanswered_share"]:
                title = f"Untitled question (UIN {uin})"
            members.append((uin, title, self.question_text(department, lords)))
        corrected_on = original = None
        if status == "corrected":
            corrected_on = weekday(answered_on + timedelta(days=rng.randint(3, 40)))
            original = self.answer()
        holding_on = due_on if status == "holding" else None
        if holding_on and holding_on >= answered_on:
            holding_on = None
            status = "answered"
        questions = []
        for uin, title, text in members:
            self.api_id += 1
            questions.append(
                Question(
                    id=str(self.api_id),
                    title=title,
                    department=department,
                    asked_on=asked_on,
                    question=text,
                    answer=answer,
                    house=house,
                    uin=uin,
                    api_id=self.api_id,
                    asked_by=member_name(asker, lords=lords, minister=False),
                    asked_by_id=member_id(asker, lords=lords, minister=False),
                    answered_by=member_name(answerer, lords=lords, minister=True)
                    if answerer is not None
                    else None,
                    answered_by_id=member_id(answerer, lords=lords, minister=True)
                    if answerer is not None
                    else None,
                    answered_on=answered_on if answer else None,
                    due_on=due_on,
                    status=status,
                    grouped_with=tuple(u for u in uins if u != uin),
                    holding_on=holding_on,
                    corrected_on=corrected_on,
                    original_answer=original,
                )
            )
        return questions

    def status(self, answered_on: date) -> str:
        roll = self.rng.random()
        if roll < WITHDRAWN_SHARE:
            return "withdrawn"
        if answered_on > self.captured:
            return "unanswered"
        roll = self.rng.random()
        if roll < self.corrected_share:
            return "corrected"
        if roll < self.corrected_share + self.holding_share:
            return "holding"
        return "answered"

    def title(self, topic: str) -> str:
        if self.rng.random() < self.model.raw["subtopic_share"]:
            subtopic = self.model.subtopics.draw(self.rng)
            if subtopic != topic:
                return f"{topic}: {subtopic}"
        return str(topic)

    def question_text(self, department: str, lords: bool) -> str:
        rng, model = self.rng, self.model
        if lords:
            prefix = "To ask His Majesty's Government"
        elif department in model.prefixes:
            prefix = model.prefixes[department].draw(rng)
        else:
            prefix = f"To ask the Minister for {department},"
        target = max(
            6, round(from_quantiles(model.raw["question_words"], rng)) - len(prefix.split())
        )
        tokens: list[str] = []
        while len(tokens) < target:
            sentence = model.question_words.sentence(rng, target - len(tokens))
            tokens.extend(sentence)
        # One question is one sentence of the fitted length: inner full stops are dropped.
        tokens = [*[t for t in tokens[:target] if t != "."][: target - 1], "."]
        return f"{prefix} {join(tokens, rng, capital=False)}"

    def paragraph(self, words: int) -> str:
        rng, chain = self.rng, self.model.answer_words
        sentences: list[str] = []
        written = 0
        while written < words:
            tokens = chain.sentence(rng, min(30, words - written + 4))
            written += len(tokens)
            sentences.append(join(tokens, rng, capital=True))
        return " ".join(sentences)

    def answer(self) -> str:
        """Paragraphs, sometimes a list and sometimes a table, as the importers write them."""
        rng, model, raw = self.rng, self.model, self.model.raw
        count = model.histograms["paragraphs"].draw(rng)
        blocks = [
            self.paragraph(max(3, round(from_quantiles(raw["paragraph_words"], rng))))
            for _ in range(count)
        ]
        if rng.random() < raw["list_share"]:
            items = model.histograms["list_items"].draw(rng)
            lines = [f"- {self.paragraph(rng.randint(4, 18))}" for _ in range(items)]
            blocks.insert(min(1, len(blocks)), "\n".join(lines))
        if rng.random() < raw["table_share"]:
            blocks.insert(min(1, len(blocks)), self.table())
        return "\n\n".join(blocks)

    def cell_word(self) -> str:
        """A common word (no punctuation, no number) for a table's labels."""
        while True:
            word = str(self.model.answer_words.unigram.draw(self.rng))
            if word.isalpha() and len(word) > 3:
                return word

    def table(self) -> str:
        """A raw HTML table, one block with no blank lines, like the API importer's."""
        rng, model = self.rng, self.model
        rows = model.histograms["table_rows"].draw(rng)
        columns = model.histograms["table_columns"].draw(rng)
        header = "".join(
            f"<th>{join([self.cell_word(), self.cell_word()], rng, capital=True)}</th>"
            for _ in range(columns)
        )
        lines = ["<table>", f"<tr>{header}</tr>"]
        for _ in range(rows - 1):
            label = join([self.cell_word()], rng, capital=True)
            cells = "".join(f"<td>{number(rng)}</td>" for _ in range(columns - 1))
            lines.append(f"<tr><td>{label}</td>{cells}</tr>")
        lines.append("</table>")
        return "\n".join(lines)


ABOUT_PAGE = """---
title: About this archive
---
This archive is **synthetic**: {count} questions generated by `answers synth` (seed {seed})
from a statistical model of real written questions. The departments are real; the members,
questions and answers are invented, and none of it is a record of Parliament.
"""


def synthesise(count: int, seed: int = 0, model: Model | None = None) -> list[Question]:
    """`count` questions, the same for the same count and seed."""
    return Synthesiser(model or load_model(), count, seed).questions()


def write_archive(out: Path, count: int, seed: int = 0) -> SynthResult:
    """Write a content folder: questions/<house>/<year>/<id>.md plus an about page.

    Refuses a folder that already holds files, so a synthetic archive never mixes with (or
    overwrites) real content.
    """
    if count < 1:
        raise ArchiveError([Problem("synth", None, f"N must be at least 1, got {count}")])
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        message = "already exists and is not an empty folder: choose a new --out"
        raise ArchiveError([Problem(str(out), None, message)])
    questions = synthesise(count, seed)
    for question in questions:
        path = out / question_path(question)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(question_to_text(question), encoding="utf-8", newline="\n")
    (out / "about.md").write_text(ABOUT_PAGE.format(count=count, seed=seed), encoding="utf-8")
    return SynthResult(questions=len(questions), files=len(questions) + 1)
