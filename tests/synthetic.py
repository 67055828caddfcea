"""Synthetic archives for search tests and benchmarks (a stand-in for real text).

Words are drawn with Zipf-like weights from tests/fixtures/search-words.txt, answer lengths
between 40 and 320 words, 24 departments, both Houses, every status. Deterministic: the
same size gives the same archive.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from generator.content_files import question_path, question_to_text
from generator.model import Question

WORDS = Path(__file__).parent / "fixtures" / "search-words.txt"
DEPARTMENTS = [
    "Cabinet Office", "Department for Business and Trade", "Department for Education",
    "Department for Energy Security and Net Zero",
    "Department for Environment, Food and Rural Affairs",
    "Department for Science, Innovation and Technology", "Department for Transport",
    "Department for Work and Pensions", "Department of Health and Social Care",
    "Foreign, Commonwealth and Development Office", "HM Treasury", "Home Office",
    "Ministry of Defence", "Ministry of Housing, Communities and Local Government",
    "Ministry of Justice", "Northern Ireland Office", "Scotland Office", "Wales Office",
    "Department for Culture, Media and Sport", "Attorney General", "Leader of the House",
    "Women and Equalities", "Department for International Trade", "Treasury",
]  # fmt: skip


@dataclass(frozen=True)
class Vocabulary:
    words: list[str]
    weights: list[float]

    def text(self, rng: random.Random, count: int) -> str:
        return " ".join(rng.choices(self.words, self.weights, k=count))


def vocabulary() -> Vocabulary:
    words = [w for w in WORDS.read_text(encoding="utf-8").split() if w.isalpha()]
    random.Random(7).shuffle(words)
    return Vocabulary(words, [1 / (rank + 10) for rank in range(len(words))])


def synthetic_question(n: int, rng: random.Random, vocab: Vocabulary) -> Question:
    asked = date(2019, 1, 1) + timedelta(days=rng.randrange(6 * 365))
    lords = rng.random() < 0.2
    status = rng.choices(
        ["answered", "unanswered", "holding", "withdrawn", "corrected"], [85, 8, 3, 2, 2]
    )[0]
    answered = status in ("answered", "holding", "corrected")
    words = vocab.text(rng, 4).split()
    return Question(
        id=f"synth-{n:06d}",
        title=f"{words[0].title()} {words[1]}: {words[2].title()}",
        department=rng.choice(DEPARTMENTS),
        asked_on=asked,
        question="To ask the Secretary of State, " + vocab.text(rng, rng.randint(15, 60)) + ".",
        answer=vocab.text(rng, rng.randint(40, 320)) + "." if answered else "",
        house="Lords" if lords else "Commons",
        uin=f"HL{n}" if lords else str(100000 + n),
        asked_by=f"{vocab.text(rng, 1).title()} {vocab.text(rng, 1).title()}",
        answered_by=f"{vocab.text(rng, 1).title()} {vocab.text(rng, 1).title()}"
        if answered
        else None,
        answered_on=asked + timedelta(days=rng.randint(3, 30)) if answered else None,
        status=status,
    )


def write_synthetic_archive(size: int, folder: Path) -> Path:
    content = folder / "content"
    rng, vocab = random.Random(size), vocabulary()
    for n in range(size):
        question = synthetic_question(n, rng, vocab)
        path = content / question_path(question)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(question_to_text(question), encoding="utf-8")
    return content
