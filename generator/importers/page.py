"""Question pages as plain text (the seed's shape) -> a Question.

A page from a parliamentary-monitoring site, copied as text, reads top to bottom: heading,
"(asked on 15th October 2021) - View Source", "Question to the <department>:", the question,
"Answered by", "<Name> Portrait" (an image caption), "<Name>", perhaps the member's current
post, "This question was answered on 20th October 2021", the answer, and page-loader text.
Shorter shapes drop the heading, the dates and the answerer. Every line is read by what it
says, not by where it is, so missing or extra lines do not shift the meaning of the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from generator.importers import mdtext
from generator.importers.common import fail, house_of, parse_day, slug_id
from generator.importers.departments import normalise
from generator.model import Question

_QUESTION_TO = re.compile(r"^question to (?:the )?(?P<body>.+?)\s*:?$", re.IGNORECASE)
_ASKED_ON = re.compile(r"^\(?\s*asked on (?P<date>[^)]+?)\s*\)?(?:\s*-\s*view source)?$", re.I)
_BARE_QUESTION = re.compile(r"^question\s*:?$", re.IGNORECASE)
# A name on the same line is at most a few words: a sentence starting "Answered by" is answer.
_ANSWERED_BY = re.compile(r"^answered by\s*:?\s*(?P<name>(?:.{0,79}[^.])?)$", re.IGNORECASE)
_PORTRAIT = re.compile(r"^(?P<name>.+?)\s+portrait$", re.IGNORECASE)
_ANSWERED_ON = re.compile(
    r"^(?:this question was )?answered on (?P<date>\d{1,2}(?:st|nd|rd|th)? [a-z]+ \d{4})\.?$",
    re.IGNORECASE,
)
_ROLE_WORDS = re.compile(
    r"\b(minister|secretary|spokesperson|whip|leader|chancellor|attorney|solicitor|"
    r"paymaster|chair|commissioner|speaker|lord privy seal|parliamentary|shadow)\b",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^(?:[-\u2022*\u25aa\u00b7])\s+(?P<text>.+)$")
_NUMBERED = re.compile(r"^(?P<number>\d{1,3})[.)]\s+(?P<text>.+)$")
_LETTERED = re.compile(r"^\(?(?P<letter>[a-z])[.)]\s+(?P<text>.+)$")
LOADER_TEXT = "Reticulating Splines"
_LOADER_TAIL = re.compile(r"(?<=[.!?)\]\"\u201d])\s*Reticul[a-z ]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Line:
    number: int
    text: str


def parse_page(text: str, where: str, *, asked_on: date | None = None) -> Question:
    """Read one page; raise ArchiveError (path:line: message) when it cannot be a question.

    `asked_on` supplies the date for pages that do not show one (the condensed shape).
    """
    lines = _strip_loader(_lines(text))
    start = _find(lines, _QUESTION_TO)
    if start is None:
        raise fail(
            where, "no 'Question to the <department>:' line, so this is not a question page", 1
        )
    header, rest = lines[:start], lines[start + 1 :]
    department, original = normalise(_match(lines[start], _QUESTION_TO).group("body"))
    title, asked = _header(header, where)
    rest = [line for line in rest if not _BARE_QUESTION.match(line.text)]
    if not rest:
        raise fail(where, "no question text after the 'Question to' line", lines[start].number)
    question_lines, answerer, answered_on, answer_lines = _split(rest, where)
    asked = asked or asked_on
    if asked is None:
        raise fail(where, "no '(asked on 15th October 2021)' line: pass --asked-on DATE", 1)
    question = "\n\n".join(line.text for line in question_lines)
    return Question(
        id=slug_id(asked, title or department),
        title=title or f"Untitled question to {department}",
        department=department,
        original_department=original,
        asked_on=asked,
        question=question,
        house=house_of(question),
        answered_by=answerer,
        answered_on=answered_on,
        answer=_answer_markdown([line.text for line in answer_lines]),
    )


def _lines(text: str) -> list[Line]:
    """Non-blank lines with their numbers, spaces collapsed (pages copy with ragged spacing)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    found = []
    for number, raw in enumerate(text.split("\n"), start=1):
        cleaned = re.sub(r"[ \t\u00a0]+", " ", raw).strip()
        if cleaned:
            found.append(Line(number, cleaned))
    return found


def _strip_loader(lines: list[Line]) -> list[Line]:
    """Drop the page-loader text ('Reticulating Splines', perhaps cut short) after the answer."""
    if not lines:
        return lines
    last = lines[-1]
    if len(last.text) >= 3 and LOADER_TEXT.lower().startswith(last.text.lower()):
        return lines[:-1]
    trimmed = _LOADER_TAIL.sub("", last.text).rstrip()
    if trimmed != last.text and LOADER_TEXT.lower().startswith(
        last.text[len(trimmed) :].strip().lower()
    ):
        return [*lines[:-1], Line(last.number, trimmed)]
    return lines


def _find(lines: list[Line], pattern: re.Pattern[str]) -> int | None:
    return next((i for i, line in enumerate(lines) if pattern.match(line.text)), None)


def _match(line: Line, pattern: re.Pattern[str]) -> re.Match[str]:
    match = pattern.match(line.text)
    assert match is not None
    return match


def _header(lines: list[Line], where: str) -> tuple[str | None, date | None]:
    """The heading (first line that is not the date) and the 'asked on' date."""
    title: str | None = None
    asked: date | None = None
    for line in lines:
        match = _ASKED_ON.match(line.text)
        if match:
            asked = _day(match.group("date"), where, line)
        elif title is None and not _BARE_QUESTION.match(line.text):
            title = line.text
        elif not _BARE_QUESTION.match(line.text):
            raise fail(
                where, f"unexpected line before the question: {line.text[:60]!r}", line.number
            )
    return title, asked


def _day(text: str, where: str, line: Line) -> date:
    try:
        return parse_day(text)
    except ValueError as exc:
        raise fail(where, str(exc), line.number) from None


def _split(lines: list[Line], where: str) -> tuple[list[Line], str | None, date | None, list[Line]]:
    """Question lines, answerer, answer date and answer lines, from what follows 'Question to'."""
    by = _find(lines, _ANSWERED_BY)
    on = _find(lines, _ANSWERED_ON)
    if by is None and on is None:
        return lines[:1], None, None, lines[1:]
    first_marker = min(i for i in (by, on) if i is not None)
    question = lines[:first_marker]
    if not question:
        raise fail(where, "no question text before 'Answered by'", lines[first_marker].number)
    answered_on = (
        _day(_match(lines[on], _ANSWERED_ON).group("date"), where, lines[on])
        if on is not None
        else None
    )
    answerer, after = _answerer(lines, by, on)
    answer_start = on + 1 if on is not None else after
    return question, answerer, answered_on, lines[answer_start:]


def _answerer(lines: list[Line], by: int | None, on: int | None) -> tuple[str | None, int]:
    """The minister's name from 'Answered by' / 'Name Portrait' / 'Name' [/ role], and where
    the answer starts when there is no 'answered on' line to mark it."""
    if by is None:
        return None, (on or 0) + 1
    inline = _match(lines[by], _ANSWERED_BY).group("name").strip()
    if inline:
        return inline, by + 1
    end = on if on is not None else len(lines)
    block = lines[by + 1 : end]
    if not block:
        return None, by + 1
    portrait = _PORTRAIT.match(block[0].text)
    name = portrait.group("name") if portrait else block[0].text
    repeated = portrait is not None and len(block) > 1 and block[1].text == name
    position = 2 if repeated else 1
    if on is None and position < len(block) and _is_role(block[position].text):
        position += 1
    return name, by + 1 + position


def _is_role(text: str) -> bool:
    """A member's post ('Minister of State (Education)'): short, no full stop, a post's words."""
    return len(text) <= 120 and not text.endswith(".") and bool(_ROLE_WORDS.search(text))


def _answer_markdown(paragraphs: list[str]) -> str:
    """Answer lines as Markdown: one line per paragraph, list lines grouped into lists."""
    blocks: list[str] = []
    items: list[str] = []
    for index, text in enumerate(paragraphs):
        item = _list_item(text, paragraphs, index)
        if item is not None:
            items.append(item)
            continue
        if items:
            blocks.append("\n".join(items))
            items = []
        blocks.append(mdtext.paragraph(text))
    if items:
        blocks.append("\n".join(items))
    return "\n\n".join(blocks)


def _list_item(text: str, paragraphs: list[str], index: int) -> str | None:
    """A Markdown list item for a '- ', '1.' or 'a.'/'(a)' line that sits in a list."""
    bullet = _BULLET.match(text)
    if bullet:
        return f"- {mdtext.escape_block_start(mdtext.linkify(bullet.group('text')))}"
    numbered = _NUMBERED.match(text)
    if numbered and _in_sequence(paragraphs, index, _NUMBERED, "number"):
        body = mdtext.escape_block_start(mdtext.linkify(numbered.group("text")))
        return f"{numbered.group('number')}. {body}"
    lettered = _LETTERED.match(text)
    if lettered and _in_sequence(paragraphs, index, _LETTERED, "letter"):
        return f"- {mdtext.linkify(text)}"
    return None


def _in_sequence(paragraphs: list[str], index: int, pattern: re.Pattern[str], group: str) -> bool:
    """Whether a numbered or lettered line has a neighbour that continues its sequence."""
    here = pattern.match(paragraphs[index])
    assert here is not None
    value = _ordinal(here.group(group))
    for other, step in ((index - 1, -1), (index + 1, 1)):
        if 0 <= other < len(paragraphs):
            match = pattern.match(paragraphs[other])
            if match and _ordinal(match.group(group)) == value + step:
                return True
    return False


def _ordinal(value: str) -> int:
    return int(value) if value.isdigit() else ord(value)
