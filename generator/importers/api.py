"""Written Questions API JSON -> Questions.

The API's list endpoint answers `{"totalResults": N, "results": [{"value": {...}}]}`, the
single-question endpoint `{"value": {...}}`; saved files may also hold a bare list, and any of
them gzip-compressed. Each record maps onto the content format's fields; the answer's HTML
becomes Markdown where that loses nothing (see htmlmd).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from generator.errors import ArchiveError
from generator.importers.common import fail, slug_id
from generator.importers.departments import normalise
from generator.importers.htmlmd import answer_to_markdown
from generator.markup import AnswerRenderer
from generator.model import HOUSES, Attachment, Question

PUBLIC_SITE = "https://questions-statements.parliament.uk"
MEMBER_PAGE = "https://members.parliament.uk/member/{id}/contact"
# The list endpoint cuts questionText and answerText to about 255 characters.
TRUNCATED_LENGTHS = range(240, 271)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Record:
    """One record of a file: where it is (for messages) and its `value` mapping."""

    where: str
    value: Any


def read_records(path: Path, where: str) -> Iterator[Record]:
    """Every record in a saved API response; ArchiveError if the file is not one."""
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError) as exc:
        raise fail(where, f"cannot read file: {exc}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise fail(where, f"not UTF-8 text: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise fail(where, f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    yield from records_of(data, where)


def records_of(data: Any, where: str) -> Iterator[Record]:
    """The records of a list response, a single response, or a bare list."""
    if isinstance(data, dict) and "results" in data:
        items = data["results"]
        if not isinstance(items, list):
            raise fail(where, "'results' should be a list of records")
    elif isinstance(data, dict) and "value" in data:
        items = [data]
    elif isinstance(data, list):
        items = data
    else:
        raise fail(where, "not a Written Questions API response (no 'results' or 'value')")
    for number, item in enumerate(items, start=1):
        value = item.get("value", item) if isinstance(item, dict) else item
        label = record_key(value)
        yield Record(f"{where}:record {number}" + (f" ({label})" if label else ""), value)


def record_key(value: Any) -> str | None:
    """A short label for messages: the API id when the record has one."""
    if isinstance(value, dict) and isinstance(value.get("id"), int):
        return f"id {value['id']}"
    return None


def question_from_record(
    value: Any, where: str, *, renderer: AnswerRenderer | None = None, from_list: bool = True
) -> tuple[Question, list[str]]:
    """A Question and any warnings (e.g. text cut short by the list endpoint).

    `from_list` is False for records from the single-question endpoint, whose text is whole.
    """
    if not isinstance(value, dict):
        raise fail(where, f"expected a record (a JSON object), got {type(value).__name__}")
    fields = _Fields(value, where)
    question_text = fields.text("questionText", required=True)
    asked_on = fields.day("dateTabled", required=True)
    department, original = normalise(fields.text("answeringBodyName", required=True) or "")
    assert question_text is not None and asked_on is not None
    house = fields.house()
    uin = fields.uin()
    api_id = fields.integer("id")
    heading = fields.text("heading")
    title = heading or (f"Untitled question (UIN {uin})" if uin else "Untitled question")
    answer_html = fields.raw_text("answerText")
    answer = answer_to_markdown(answer_html, renderer) if answer_html else ""
    original_html = fields.raw_text("originalAnswerText")
    truncated = from_list and _looks_truncated(question_text, answer_html)
    question = Question(
        id=_identifier(api_id, house, asked_on, uin, title),
        title=title,
        department=department,
        original_department=original,
        asked_on=asked_on,
        question=question_text,
        answer=answer,
        house=house,
        uin=uin,
        api_id=api_id,
        asked_by=fields.member_name("askingMember"),
        asked_by_id=fields.integer("askingMemberId"),
        answered_by=fields.member_name("answeringMember") if answer else None,
        answered_by_id=fields.integer("answeringMemberId") if answer else None,
        answered_on=fields.day("dateAnswered") if answer else None,
        due_on=fields.day("dateForAnswer"),
        status=_status(value, answer),
        grouped_with=fields.uins("groupedQuestions"),
        corrected_on=fields.day("dateAnswerCorrected"),
        holding_on=fields.day("dateHoldingAnswer"),
        attachments=fields.attachments(),
        source=f"{PUBLIC_SITE}/written-questions/detail/{asked_on.isoformat()}/{uin}"
        if uin
        else None,
        original_answer=answer_to_markdown(original_html, renderer) if original_html else None,
        truncated=truncated,
    )
    warnings = []
    if truncated:
        warnings.append(
            "text looks cut short (the API's list endpoint truncates it to about 255 "
            "characters); marked `truncated: true`: run `answers fetch` for the full text"
        )
    return question, warnings


def _identifier(
    api_id: int | None, house: str | None, asked_on: date, uin: str | None, title: str
) -> str:
    """API id when known, else house + date tabled + UIN (UINs repeat across sessions), else
    the date and a slug of the heading."""
    if api_id is not None:
        return str(api_id)
    if uin:
        safe_uin = re.sub(r"[^a-z0-9]+", "-", uin.lower()).strip("-")
        return f"{(house or 'unknown').lower()}-{asked_on.isoformat()}-{safe_uin}"
    return slug_id(asked_on, title)


def _status(value: dict[str, Any], answer: str) -> str:
    if value.get("isWithdrawn") is True:
        return "withdrawn"
    if not answer:
        return "unanswered"
    if value.get("answerIsCorrection") is True:
        return "corrected"
    if value.get("answerIsHolding") is True:
        return "holding"
    return "answered"


def _looks_truncated(question: str, answer_html: str | None) -> bool:
    """Text the list endpoint cut: about 255 characters, ending '...' or mid-sentence/mid-tag.

    Whole questions end with a full stop or question mark; whole answer HTML closes its tags.
    """
    ending = question.rstrip()
    if len(question) in TRUNCATED_LENGTHS and (
        ending.endswith(("...", "\u2026")) or not ending.endswith((".", "?"))
    ):
        return True
    if not answer_html or len(answer_html) not in TRUNCATED_LENGTHS:
        return False
    end = answer_html.rstrip()
    unclosed = end.count("<p") > end.count("</p>") or end.rfind("<") > end.rfind(">")
    return end.endswith(("...", "\u2026")) or unclosed


class _Fields:
    """Typed reads of a record's fields, each failing with the field's name in the message."""

    def __init__(self, value: dict[str, Any], where: str) -> None:
        self.value = value
        self.where = where

    def error(self, name: str, message: str) -> ArchiveError:
        return fail(self.where, f"{name}: {message}")

    def raw_text(self, name: str) -> str | None:
        raw = self.value.get(name)
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise self.error(name, f"expected text, got {type(raw).__name__}")
        return raw if raw.strip() else None

    def text(self, name: str, *, required: bool = False) -> str | None:
        raw = self.raw_text(name)
        if raw is None:
            if required:
                raise self.error(name, "required field is missing or empty")
            return None
        return _SPACES.sub(" ", raw).strip()

    def integer(self, name: str) -> int | None:
        raw = self.value.get(name)
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise self.error(name, f"expected a whole number, got {raw!r}")
        return raw

    def day(self, name: str, *, required: bool = False) -> date | None:
        raw = self.value.get(name)
        if raw is None or raw == "":
            if required:
                raise self.error(name, "required field is missing or empty")
            return None
        if not isinstance(raw, str):
            raise self.error(name, f"expected a date like 2021-10-15T00:00:00, got {raw!r}")
        try:
            return datetime.fromisoformat(raw.strip().removesuffix("Z")).date()
        except ValueError as exc:
            raise self.error(name, f"not a date ({exc}): {raw!r}") from None

    def house(self) -> str | None:
        raw = self.text("house")
        if raw is None or raw == "Bicameral":
            return None
        if raw not in HOUSES:
            raise self.error("house", f"expected Commons or Lords, got {raw!r}")
        return raw

    def uin(self) -> str | None:
        raw = self.value.get("uin")
        if isinstance(raw, int) and not isinstance(raw, bool):
            return str(raw)
        return self.text("uin")

    def member_name(self, name: str) -> str | None:
        raw = self.value.get(name)
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise self.error(name, f"expected a member object, got {type(raw).__name__}")
        member = raw.get("name") or raw.get("nameDisplayAs") or raw.get("listAs")
        if not isinstance(member, str):
            return None
        return _SPACES.sub(" ", member).strip() or None

    def uins(self, name: str) -> tuple[str, ...]:
        raw = self.value.get(name)
        if raw is None:
            return ()
        if not isinstance(raw, list):
            raise self.error(name, f"expected a list of UINs, got {type(raw).__name__}")
        found = []
        for item in raw:
            if isinstance(item, dict):
                item = item.get("questionUin") or item.get("uin")
            if isinstance(item, int) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                raise self.error(name, f"expected UINs, got {item!r}")
            found.append(item.strip())
        return tuple(dict.fromkeys(found))

    def attachments(self) -> tuple[Attachment, ...]:
        raw = self.value.get("attachments")
        if raw is None:
            return ()
        if not isinstance(raw, list):
            raise self.error("attachments", f"expected a list, got {type(raw).__name__}")
        found = []
        for number, item in enumerate(raw, start=1):
            if not isinstance(item, dict):
                raise self.error("attachments", f"attachment {number}: expected an object")
            url = item.get("url") or item.get("fileUrl")
            title = item.get("title") or item.get("fileName") or url
            if not isinstance(url, str) or not re.match(r"https?://\S+$", url.strip()):
                raise self.error("attachments", f"attachment {number}: no http(s) url, got {url!r}")
            found.append(Attachment(_SPACES.sub(" ", str(title)).strip(), url.strip()))
        return tuple(found)
