"""The archive model: immutable questions, pages and departments, built once per build."""

from __future__ import annotations

import bisect
import operator
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

HOUSES = ("Commons", "Lords")
STATUSES = ("answered", "unanswered", "holding", "withdrawn", "corrected")


@dataclass(frozen=True)
class Attachment:
    title: str
    url: str


_SHARED_TEXT = ("department", "house", "status", "asked_by", "answered_by", "original_department")
_SHARED_DATES = ("asked_on", "answered_on", "due_on", "corrected_on", "holding_on")
_DATES: dict[date, date] = {}  # one instance of each date seen (a few thousand at most)


def _share(values: dict[str, Any]) -> dict[str, Any]:
    """`values` (a question's fields) with the values many questions repeat shared, not
    copied: each parsed file and each pickle brings its own copy of the department, House,
    status and member names and of each date, about 400 bytes a question that every process
    of a build would otherwise hold (issue 5's memory goal). Equal values, so nothing shown
    changes."""
    for name in _SHARED_TEXT:
        value = values.get(name)
        if type(value) is str:
            values[name] = sys.intern(value)
    for name in _SHARED_DATES:
        value = values.get(name)
        if type(value) is date:
            values[name] = _DATES.setdefault(value, value)
    return values


@dataclass(frozen=True)
class Question:
    """One written question and its answer, as a content file describes it."""

    id: str
    title: str
    department: str
    asked_on: date
    question: str
    answer: str = ""
    house: str | None = None
    uin: str | None = None
    api_id: int | None = None
    asked_by: str | None = None
    asked_by_id: int | None = None
    answered_by: str | None = None
    answered_by_id: int | None = None
    answered_on: date | None = None
    due_on: date | None = None
    status: str = "answered"
    grouped_with: tuple[str, ...] = ()
    corrected_on: date | None = None
    holding_on: date | None = None
    attachments: tuple[Attachment, ...] = ()
    source: str | None = None
    original_department: str | None = None
    original_answer: str | None = None
    truncated: bool = False
    source_path: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        _share(self.__dict__)

    def __reduce__(self) -> tuple[type[Question], tuple[Any, ...]]:
        """Pickled (for the build cache, or by a worker process) as its values in field
        order, unpickled by `__init__` (so `_share` runs): a third smaller than pickle's
        default (no field names) and a third faster to unpickle (no state dictionary),
        which the main process does for every question parsed by a worker."""
        return Question, _question_values(self)

    @property
    def url_path(self) -> str:
        return f"questions/{self.id}/"

    @property
    def sort_date(self) -> date:
        """The date lists sort by: when it was answered, or asked if not yet answered."""
        return self.answered_on or self.asked_on

    @property
    def newest_first_key(self) -> tuple[int, str]:
        return (-self.sort_date.toordinal(), self.id)


_question_values = operator.attrgetter(*(f.name for f in fields(Question)))


@dataclass(frozen=True)
class Page:
    """A plain page such as `content/about.md`, served at `/<slug>/`."""

    slug: str
    title: str
    body: str
    source_path: str = field(default="", compare=False)

    @property
    def url_path(self) -> str:
        return f"{self.slug}/"


@dataclass(frozen=True)
class Department:
    name: str
    slug: str
    questions: tuple[Question, ...]  # newest first

    @property
    def url_path(self) -> str:
        return f"departments/{self.slug}/"


@dataclass(frozen=True)
class Link:
    """What a question page shows of a department, member or topic: its name and address.

    Question pages get links, not the whole objects, so a page depends only on what it
    shows: editing one question leaves the other pages of its department, topic and members
    unrendered (see generator/fingerprint.py).
    """

    name: str
    slug: str
    url_path: str
    has_page: bool = True  # false for a subtopic too small for a page of its own

    @staticmethod
    def to(target: Any) -> Link:
        return Link(target.name, target.slug, target.url_path, getattr(target, "has_page", True))


@dataclass(frozen=True)
class Archive:
    """Everything the pages and the search index are made from, computed once."""

    questions: tuple[Question, ...]  # newest first
    departments: tuple[Department, ...]  # by name
    pages: tuple[Page, ...]
    department_of: dict[str, Department]  # question id -> its department
    by_uin: dict[str, tuple[Question, ...]]

    def neighbours(self, question: Question) -> tuple[Question | None, Question | None]:
        """The next older and next newer question in the same department."""
        siblings = self.department_of[question.id].questions
        return neighbours_at(siblings, _position(siblings, question))


def neighbours_at(
    siblings: Sequence[Question], index: int
) -> tuple[Question | None, Question | None]:
    """The questions either side of `siblings[index]` (newest first): older, then newer."""
    older = siblings[index + 1] if index + 1 < len(siblings) else None
    return older, siblings[index - 1] if index > 0 else None


def _position(siblings: tuple[Question, ...], question: Question) -> int:
    """Binary search by the newest-first key; siblings are sorted by it (`bisect`'s loop
    in C: a question page finds its neighbours this way)."""
    return bisect.bisect_left(siblings, question.newest_first_key, key=_newest_first)


_newest_first = operator.attrgetter("newest_first_key")


def build_archive(
    questions: list[Question], pages: list[Page], department_slugs: dict[str, str]
) -> Archive:
    ordered = tuple(sorted(questions, key=lambda q: q.newest_first_key))
    grouped: dict[str, list[Question]] = defaultdict(list)
    by_uin: dict[str, list[Question]] = defaultdict(list)
    for question in ordered:
        grouped[question.department].append(question)
        if question.uin:
            by_uin[question.uin].append(question)
    departments = tuple(
        Department(name, department_slugs[name], tuple(grouped[name]))
        for name in sorted(grouped, key=str.casefold)
    )
    department_of = {q.id: d for d in departments for q in d.questions}
    return Archive(
        questions=ordered,
        departments=departments,
        pages=tuple(sorted(pages, key=lambda p: p.slug)),
        department_of=department_of,
        by_uin={uin: tuple(qs) for uin, qs in by_uin.items()},
    )
