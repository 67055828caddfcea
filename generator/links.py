"""Cross-references inside answers become links to the questions they name.

"I refer the hon. Member to the answer I gave on 21 November 2023 to Question 2154" and
"PQ 146306" link to that question when exactly one archived question matches.

This runs on HTML that nh3 has already sanitised. Only text between tags is searched (never
attributes, never text already inside a link), the matched words are restricted to letters,
digits, spaces and `&nbsp;`, and the only markup added is an `<a>` whose href is the URL of
an archived question. So no text can turn into markup, whatever an answer contains.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date, datetime

from generator.compact import attribute_value
from generator.model import Question

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_SPACE = r"(?:\s|&nbsp;)+"
_NUMBER = r"(?P<uin>(?:HL)?\d{1,7})"
_REFERENCE = re.compile(
    rf"(?:(?P<answer>[Aa]nswer(?:{_SPACE}(?:I|we){_SPACE}gave|{_SPACE}given)?{_SPACE}(?:on|of)"
    rf"{_SPACE}(?P<date>\d{{1,2}}{_SPACE}(?:{_MONTHS}){_SPACE}\d{{4}}){_SPACE}to{_SPACE}"
    rf"(?:[Qq]uestion|PQ|UIN){_SPACE}{_NUMBER})"
    rf"|\b(?:[Qq]uestion|PQ|UIN)[.:]?{_SPACE}(?P<bare>(?:HL)?\d{{1,7}}))\b"
)
# html5ever (inside nh3) writes attributes in double quotes and escapes quotes inside them.
_TAG = re.compile(r'<(?:[^>"]|"[^"]*")*>')
_OPEN_A = re.compile(r"<a[\s>]", re.IGNORECASE)
_CLOSE_A = re.compile(r"</a\s*>", re.IGNORECASE)

Resolver = Callable[[str, date | None], Question | None]


def link_references(
    fragment: str, resolve: Resolver, href: Callable[[Question], str], compact: bool = False
) -> str:
    """Wrap each resolvable reference in the sanitised `fragment` in a link to its question;
    `compact`: the link's attributes as `compact_html` writes them (for a compact page)."""
    if not fragment or not may_link(fragment):
        return fragment  # no text part holds a cue word either
    out: list[str] = []
    position = 0
    depth = 0  # inside an existing <a>: leave its text alone
    for tag in _TAG.finditer(fragment):
        text = fragment[position : tag.start()]
        out.append(_link_text(text, resolve, href, compact) if depth == 0 else text)
        markup = tag.group()
        if _OPEN_A.match(markup):
            depth += 1
        elif _CLOSE_A.match(markup):
            depth = max(0, depth - 1)
        out.append(markup)
        position = tag.end()
    tail = fragment[position:]
    out.append(_link_text(tail, resolve, href, compact) if depth == 0 else tail)
    return "".join(out)


# Every reference names a question by one of these words (see _REFERENCE): text holding none
# of them is returned as it is, without running the pattern, which would be tried at every
# character (most of an answer's text has no reference).
_CUES = ("uestion", "PQ", "UIN")


def may_link(text: str) -> bool:
    """False when `link_references` can link nothing in `text` (no cue word in it)."""
    return "uestion" in text or "PQ" in text or "UIN" in text  # _CUES, without a generator


def _link_text(text: str, resolve: Resolver, href: Callable[[Question], str], compact: bool) -> str:
    if not may_link(text):
        return text

    def replace(match: re.Match[str]) -> str:
        uin = match.group("uin") or match.group("bare")
        on = _parse_date(match.group("date")) if match.group("date") else None
        target = resolve(uin, on)
        if target is None:
            return match.group()
        url = html.escape(href(target), quote=True)
        if compact:
            return f"<a class=reference href={attribute_value(url)}>{match.group()}</a>"
        return f'<a class="reference" href="{url}">{match.group()}</a>'

    return _REFERENCE.sub(replace, text)


def _parse_date(text: str) -> date | None:
    words = re.sub(_SPACE, " ", text)
    try:
        return datetime.strptime(words, "%d %B %Y").date()
    except ValueError:
        return None


def resolver(by_uin: dict[str, tuple[Question, ...]], source: Question) -> Resolver:
    """Match a UIN in the same House as `source`; a date narrows repeated UINs to one."""

    def resolve(uin: str, answered_on: date | None) -> Question | None:
        candidates = [
            q for q in by_uin.get(uin, ()) if q.house == source.house and q.id != source.id
        ]
        if answered_on is not None and len(candidates) > 1:
            candidates = [q for q in candidates if q.answered_on == answered_on]
        return candidates[0] if len(candidates) == 1 else None

    return resolve
