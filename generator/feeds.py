"""Atom 1.0 feeds: the whole archive, each department, each member and each topic.

Each question's `<entry>` is serialised once and shared by every feed that lists it, so
writing thousands of feeds costs a join per feed, not a render. Entry ids are UUIDs derived
from the question id: stable across builds and across changes of `base_url`. Dates come
from the questions, never from the clock, so the same archive gives the same bytes.
"""

from __future__ import annotations

import hashlib
import heapq
import html
import itertools
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from generator.browse import Browse
from generator.config import SiteConfig
from generator.model import Archive, Question

FEED_SIZE = 50
ATOM_TYPE = "application/atom+xml"
ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
_NAMESPACE = uuid.UUID("6f1c1d0e-2a43-5b8e-9a7e-3c1d9a2b4f60")
_NAMESPACE_BYTES = _NAMESPACE.bytes
_END = "</entry>"
_ATTRIBUTE_SPECIAL = re.compile('[&<>"\n\r\t]')
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedLink:
    """What a page needs to advertise its feed with `<link rel="alternate">`."""

    title: str
    path: str


def archive_feed(config: SiteConfig) -> FeedLink:
    return FeedLink(f"{config.title}: latest answers", "feeds/all.xml")


def group_feed(kind: str, slug: str, name: str, config: SiteConfig) -> FeedLink:
    """kind is 'departments', 'members' or 'topics'."""
    return FeedLink(f"{name} \u2013 {config.title}", f"feeds/{kind}/{slug}.xml")


def entry_id(question: Question) -> str:
    return f"urn:uuid:{name_uuid('question:' + question.id)}"


def name_uuid(name: str) -> str:
    """`str(uuid.uuid5(_NAMESPACE, name))`, from the SHA-1 digest directly: the `UUID` object
    and its integer arithmetic were most of an entry id's cost, made for every question in
    the feeds (tests/test_feeds.py compares the two)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _stamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def escape(value: str) -> str:
    """`xml.sax.saxutils.escape` (&, < and >: `html.escape` without quotes). That module is
    not imported: it brings urllib.request, http.client and email with it, tens of
    milliseconds of an edit's build (tests/test_feeds.py compares the two)."""
    return html.escape(value, quote=False)


def quoteattr(value: str) -> str:
    """`xml.sax.saxutils.quoteattr`: escaped, line breaks and tabs as references, and
    quoted with `"` unless the value holds one and no `'` (see `escape`)."""
    data = escape(value).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"' + data.replace('"', "&quot;") + '"'


def _text(value: str) -> str:
    """`saxutils.escape` of `value` without the characters XML forbids, its replacements
    written out (a call less per text: an entry has several)."""
    return _NOT_XML.sub("", value).replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def attribute(value: str) -> str:
    """`saxutils.quoteattr(value)`, checked in one scan first: an address (an entry's link,
    a feed's) almost never holds anything it would escape."""
    if _ATTRIBUTE_SPECIAL.search(value) is None:
        return f'"{value}"'
    return quoteattr(value)


def _updated(question: Question) -> date:
    """The latest of the question's dates (asked, answered, corrected)."""
    day = question.asked_on
    for other in (question.answered_on, question.corrected_on):
        if other and other > day:
            day = other
    return day


def _content(question: Question, answer_html: str) -> str:
    """The question, then its answer (already sanitised HTML), as a reader would want both."""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in question.question.split("\n\n"))
    answer = answer_html or "<p>Not answered yet.</p>"
    return f"<h2>Question</h2>{paragraphs}<h2>Answer</h2>{answer}"


class FeedWriter:
    """Serialises entries once; `contents` holds answer HTML for the feeds that carry it."""

    def __init__(self, config: SiteConfig, summaries: Mapping[str, str]):
        self.config = config
        self.summaries = summaries
        self._entries: dict[tuple[str, bool], str] = {}
        self._categories: dict[str, str] = {}  # department -> its entries' category element

    def entry(self, question: Question, content: str | None) -> str:
        """The question's entry, with `content` (its answer's HTML) or without it (None): the
        one with content is the one without, its content added before the end."""
        key = (question.id, content is not None)
        cached = self._entries.get(key)
        if cached is None:
            if content is None:
                cached = self._entry(question)
            else:
                element = f'<content type="html">{_text(_content(question, content))}</content>'
                cached = self.entry(question, None)[: -len(_END)] + element + _END
            self._entries[key] = cached
        return cached

    def _entry(self, question: Question) -> str:
        link = attribute(self.config.absolute_url(question.url_path))
        published = question.answered_on or question.asked_on
        updated = _updated(question)
        lines = [
            "<entry>",
            f"<id>{entry_id(question)}</id>",
            f"<title>{_text(question.title)}</title>",
            # rel="alternate" is what a link without rel means (RFC 4287 4.2.7.2)
            f"<link href={link}/>",
        ]
        # atom:published is optional (RFC 4287 4.2.9) and readers show atom:updated without
        # it, so it is written only when a correction made the two differ.
        if published != updated:
            lines.append(f"<published>{_stamp(published)}</published>")
        lines.append(f"<updated>{_stamp(updated)}</updated>")
        if question.asked_by:
            lines.append(f"<author><name>{_text(question.asked_by)}</name></author>")
        lines.append(self._category(question.department))
        lines.append(
            f"<summary>{_text(self.summaries.get(question.id, question.question))}</summary>"
        )
        lines.append(_END)
        # No line breaks inside an entry: Atom's elements hold no mixed content, so the white
        # space between them is nothing to an XML reader (about 9 bytes an entry); one line
        # per entry keeps the file readable.
        return "".join(lines)

    def _category(self, department: str) -> str:
        known = self._categories.get(department)
        if known is None:
            known = f"<category term={quoteattr(_NOT_XML.sub('', department))}/>"
            self._categories[department] = known
        return known

    def feed(
        self,
        link: FeedLink,
        page_path: str,
        questions: Iterable[Question],
        contents: Mapping[str, str] | None = None,
    ) -> tuple[str, str]:
        """The newest FEED_SIZE questions (given newest first) as one Atom document."""
        chosen = list(itertools.islice(questions, FEED_SIZE))
        entries = [
            self.entry(q, contents.get(q.id, "") if contents is not None else None) for q in chosen
        ]
        updated = max((_updated(q) for q in chosen), default=date(2000, 1, 1))
        absolute = self.config.absolute_url
        head = [
            '<?xml version="1.0" encoding="utf-8"?>',
            f'<feed xmlns="{ATOM_NAMESPACE}" xml:lang={quoteattr(self.config.language)}>',
            f"<id>urn:uuid:{name_uuid('feed:' + link.path)}</id>",
            f"<title>{_text(link.title)}</title>",
            f'<link rel="self" type="{ATOM_TYPE}" href={attribute(absolute(link.path))}/>',
            f'<link rel="alternate" type="text/html" href={attribute(absolute(page_path))}/>',
            f"<updated>{_stamp(updated)}</updated>",
            f"<author><name>{_text(self.config.title)}</name></author>",
            "<generator>answer-archive</generator>",
        ]
        return link.path, "\n".join([*head, *entries, "</feed>"]) + "\n"


def newest_of(*lists: tuple[Question, ...]) -> Iterator[Question]:
    """Merge newest-first lists into one newest-first stream without duplicates."""
    seen: set[str] = set()
    for question in heapq.merge(*lists, key=lambda q: q.newest_first_key):
        if question.id not in seen:
            seen.add(question.id)
            yield question


FeedPart = tuple[str, dict[str, Any], Callable[[], str]]


def feed_parts(
    config: SiteConfig,
    archive: Archive,
    browse: Browse,
    summaries: Mapping[str, str],
    contents: Mapping[str, str],
) -> Iterator[FeedPart]:
    """Each feed as (path, everything it shows, how to make it), so an unchanged one is skipped.

    A feed shows its newest FEED_SIZE questions with their summaries (and answers, where
    carried), plus the config; `inputs` lists all but the config, which every feed shares.
    """
    writer = FeedWriter(config, summaries)

    def part(link: FeedLink, page: str, questions: Iterable[Question], full: bool) -> FeedPart:
        chosen = list(itertools.islice(questions, FEED_SIZE))
        inputs: dict[str, Any] = {
            "link": link,
            "page": page,
            "questions": chosen,
            "summaries": [summaries.get(q.id, q.question) for q in chosen],
            "contents": [contents.get(q.id, "") for q in chosen] if full else None,
        }
        with_contents = contents if full else None
        return link.path, inputs, lambda: writer.feed(link, page, chosen, with_contents)[1]

    yield part(archive_feed(config), "", archive.questions, True)
    for department in archive.departments:
        link = group_feed("departments", department.slug, department.name, config)
        yield part(link, department.url_path, department.questions, True)
    for member in browse.members:
        link = group_feed("members", member.slug, member.name, config)
        yield part(link, member.url_path, newest_of(member.asked, member.answered), False)
    for topic in browse.topics:
        link = group_feed("topics", topic.slug, topic.name, config)
        yield part(link, topic.url_path, topic.questions, False)


def full_content_ids(archive: Archive) -> frozenset[str]:
    """Questions whose answer HTML the feeds carry: the newest of the archive and departments."""
    chosen = {q.id for q in archive.questions[:FEED_SIZE]}
    for department in archive.departments:
        chosen.update(q.id for q in department.questions[:FEED_SIZE])
    return frozenset(chosen)
