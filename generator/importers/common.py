"""Pieces every importer shares: the error it raises, dates, houses and ids."""

from __future__ import annotations

import re
from datetime import date

from generator.errors import ArchiveError, Problem
from generator.slugs import slugify

MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december",
        ),
        start=1,
    )
}  # fmt: skip
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\s+(\d{4})$", re.IGNORECASE)
_LORDS = re.compile(
    r"^to ask (?:his|her) majesty['\u2019]s government"
    r"|^to ask the (?:senior deputy speaker|chairman of committees|lord speaker)",
    re.IGNORECASE,
)
_COMMONS = re.compile(r"^to ask the ", re.IGNORECASE)
ID_LENGTH = 100


def fail(where: str, message: str, line: int | None = None) -> ArchiveError:
    """The importers' error: `where` is a path, or `path:record N` for a record in a file."""
    return ArchiveError([Problem(where, line, message)])


def parse_day(text: str) -> date:
    """'15th October 2021', '1st May 2022', '22 June 2023' -> a date; ValueError if not one."""
    match = _DAY_MONTH_YEAR.match(text.strip())
    if not match or match.group(2).lower() not in MONTHS:
        raise ValueError(f"expected a date like '15th October 2021', got {text.strip()!r}")
    day, month, year = int(match.group(1)), MONTHS[match.group(2).lower()], int(match.group(3))
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"no such day: {text.strip()!r}") from None


def house_of(question: str) -> str | None:
    """Which House asked: Lords questions ask 'His/Her Majesty's Government', Commons a minister."""
    text = question.strip()
    if _LORDS.match(text):
        return "Lords"
    if _COMMONS.match(text):
        return "Commons"
    return None


def slug_id(asked_on: date, title: str) -> str:
    """The id of a question with neither API id nor UIN: `<asked_on>-<slug of heading>`."""
    return f"{asked_on.isoformat()}-{slugify(title)}"[:ID_LENGTH].rstrip("-.")
