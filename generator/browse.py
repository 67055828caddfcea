"""Browsing groups: members, topics, months and grouped questions, computed once per build.

Every grouping here is made in one pass over the archive (O(n)), so rendering a member,
topic or month page is a lookup, never a scan of all questions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from generator.model import Archive, Department, Question
from generator.slugs import slugify

TOP_DEPARTMENTS = 10
UNTITLED_PREFIX = "Untitled question"
UNTITLED_TOPIC = "Untitled questions"
RESERVED_SUBTOPIC_SLUGS = frozenset({"page"})  # /topics/<t>/page/<n>/ is pagination


@dataclass(frozen=True)
class Member:
    """A member of either House, as asker, answering minister, or both."""

    key: str  # 'id:<n>' when the Parliament member id is known, else 'name:<name>'
    name: str
    slug: str
    member_id: int | None
    asked: tuple[Question, ...]  # newest first
    answered: tuple[Question, ...]  # newest first
    top_departments: tuple[tuple[Department, int], ...]  # departments asked most, with counts

    @property
    def url_path(self) -> str:
        return f"members/{self.slug}/"


@dataclass(frozen=True)
class Subtopic:
    name: str
    slug: str
    questions: tuple[Question, ...]  # newest first
    topic_slug: str
    has_page: bool  # see subtopic_has_page

    @property
    def url_path(self) -> str:
        return f"topics/{self.topic_slug}/{self.slug}/"

    @property
    def link_path(self) -> str:
        """Its own page; for a one-question subtopic, that question; else its topic."""
        if self.has_page:
            return self.url_path
        if len(self.questions) == 1:
            return self.questions[0].url_path
        return f"topics/{self.topic_slug}/"


def subtopic_has_page(size: int, topic_size: int) -> bool:
    """A page only when it lists something new: two or more questions, fewer than the topic.

    Most subtopics have one question (3,528 of 4,736 in the real data), and a page listing
    one question, or repeating its topic's list, would cost site size for nothing.
    """
    return 2 <= size < topic_size


@dataclass(frozen=True)
class Topic:
    """A heading's part before the colon: 'Local Government: Children' -> 'Local Government'."""

    name: str
    slug: str
    questions: tuple[Question, ...]  # newest first
    subtopics: tuple[Subtopic, ...]  # by name

    @property
    def url_path(self) -> str:
        return f"topics/{self.slug}/"


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    questions: tuple[Question, ...]  # answered that month, newest first

    @property
    def url_path(self) -> str:
        return f"answered/{self.year}/{self.month:02d}/"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)


@dataclass(frozen=True)
class Year:
    year: int
    months: tuple[Month, ...]  # January first; only months with answers
    count: int

    @property
    def url_path(self) -> str:
        return f"answered/{self.year}/"


@dataclass(frozen=True)
class GroupLink:
    """Another question answered together with this one; question None when not archived."""

    uin: str
    question: Question | None


@dataclass(frozen=True)
class Browse:
    members: tuple[Member, ...]  # by name
    topics: tuple[Topic, ...]  # by name
    years: tuple[Year, ...]  # newest first
    asker_of: dict[str, Member]  # question id -> member who asked
    answerer_of: dict[str, Member]  # question id -> member who answered
    topic_of: dict[str, tuple[Topic, Subtopic | None]]
    groups: dict[str, tuple[GroupLink, ...]]  # question id -> questions answered with it


def split_heading(title: str) -> tuple[str, str | None]:
    """'Local Government: Children' -> ('Local Government', 'Children'); no colon: (title, None).

    Questions Parliament has not yet given a heading (the importers title them 'Untitled
    question ...') share one topic instead of making one topic each.
    """
    if title.startswith(UNTITLED_PREFIX):
        return UNTITLED_TOPIC, None
    topic, colon, rest = title.partition(":")
    subtopic = rest.strip() if colon else ""
    return topic.strip() or title.strip(), subtopic or None


def build_browse(archive: Archive) -> Browse:
    members, asker_of, answerer_of = _members(archive)
    topics, topic_of = _topics(archive.questions)
    return Browse(
        members=members,
        topics=topics,
        years=_years(archive.questions),
        asker_of=asker_of,
        answerer_of=answerer_of,
        topic_of=topic_of,
        groups=_groups(archive),
    )


# Members -------------------------------------------------------------------------------


def _members(
    archive: Archive,
) -> tuple[tuple[Member, ...], dict[str, Member], dict[str, Member]]:
    """Every member, and who asked and answered each question. One pass over the questions
    and plain dicts (a `Counter` and two nested `defaultdict`s a member cost 0.3 s at
    60,000 questions, in the main process before any page is written)."""
    questions = archive.questions
    ids_of_name: dict[str, set[int]] = {}
    for question in questions:
        for name, member_id in (
            (question.asked_by, question.asked_by_id),
            (question.answered_by, question.answered_by_id),
        ):
            if name and member_id is not None:
                ids_of_name.setdefault(name, set()).add(member_id)
    known = {name: next(iter(ids)) for name, ids in ids_of_name.items() if len(ids) == 1}
    names: dict[str, dict[str, int]] = {}
    numbers: dict[str, int] = {}
    lists: dict[str, tuple[list[Question], list[Question]]] = {}  # asked, answered
    for question in questions:  # newest first, so every list below is too
        for role, name, member_id in (
            (0, question.asked_by, question.asked_by_id),
            (1, question.answered_by, question.answered_by_id),
        ):
            if not name and member_id is None:
                continue
            if member_id is None and name in known:
                member_id = known[name]  # same person, id given elsewhere
            key = f"id:{member_id}" if member_id is not None else f"name:{name}"
            found = lists.get(key)
            if found is None:
                found = lists[key] = ([], [])
                names[key] = {}
            if member_id is not None:
                numbers[key] = member_id
            if name:
                counts = names[key]
                counts[name] = counts.get(name, 0) + 1
            found[role].append(question)
    display = {key: _usual_name(names[key], numbers.get(key)) for key in lists}
    slugs = _member_slugs(display, numbers)
    members = tuple(
        sorted(
            (
                Member(
                    key=key,
                    name=display[key],
                    slug=slugs[key],
                    member_id=numbers.get(key),
                    asked=tuple(asked),
                    answered=tuple(answered),
                    top_departments=_top_departments(asked, archive),
                )
                for key, (asked, answered) in lists.items()
            ),
            key=lambda m: (m.name.casefold(), m.slug),
        )
    )
    asker_of = {q.id: m for m in members for q in m.asked}
    answerer_of = {q.id: m for m in members for q in m.answered}
    return members, asker_of, answerer_of


def _usual_name(names: Mapping[str, int], member_id: int | None) -> str:
    """The form used most (the first in order among the most used); most have one."""
    if len(names) == 1:
        return next(iter(names))
    if names:
        return min(names, key=lambda n: (-names[n], n))
    return f"Member {member_id}"


def _member_slugs(display: dict[str, str], numbers: dict[str, int]) -> dict[str, str]:
    """Numbered members get 'name-<id>' (stable whoever else joins); others their name slug."""
    slugs = {
        key: f"{slugify(display[key]) or 'member'}-{numbers[key]}"
        if key in numbers and not display[key].startswith("Member ")
        else f"member-{numbers[key]}"
        for key in display
        if key in numbers
    }
    taken = set(slugs.values())
    for key in sorted(k for k in display if k not in numbers):
        base = slugify(display[key]) or "member"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        slugs[key] = slug
    return slugs


def _top_departments(asked: list[Question], archive: Archive) -> tuple[tuple[Department, int], ...]:
    # Count by name: hashing a Department would hash all of its questions.
    counts = Counter(q.department for q in asked)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))
    first = {q.department: q for q in asked}
    return tuple(
        (archive.department_of[first[name].id], count) for name, count in ranked[:TOP_DEPARTMENTS]
    )


# Topics --------------------------------------------------------------------------------


def _topics(
    questions: tuple[Question, ...],
) -> tuple[tuple[Topic, ...], dict[str, tuple[Topic, Subtopic | None]]]:
    """Every topic and subtopic, and where each question is filed. Plain dicts made once a
    topic (a `Counter` a subtopic cost 0.1-0.2 s at 60,000 questions)."""
    forms: dict[str, dict[str, int]] = {}  # topic key -> its headings' forms, counted
    sub_forms: dict[str, dict[str, dict[str, int]]] = {}  # topic key -> subtopic key -> forms
    in_topic: dict[str, list[Question]] = {}
    in_sub: dict[str, dict[str, list[Question]]] = {}
    placed: list[tuple[Question, str, str | None]] = []
    for question in questions:
        topic, subtopic = split_heading(question.title)
        key = topic.casefold()
        counts = forms.get(key)
        if counts is None:
            counts = forms[key] = {}
            in_topic[key] = []
            sub_forms[key] = {}
            in_sub[key] = {}
        counts[topic] = counts.get(topic, 0) + 1
        in_topic[key].append(question)
        sub_key = subtopic.casefold() if subtopic else None
        if subtopic and sub_key:
            sub_counts = sub_forms[key].get(sub_key)
            if sub_counts is None:
                sub_counts = sub_forms[key][sub_key] = {}
                in_sub[key][sub_key] = []
            sub_counts[subtopic] = sub_counts.get(subtopic, 0) + 1
            in_sub[key][sub_key].append(question)
        placed.append((question, key, sub_key))
    names = {key: _usual_name(forms[key], None) for key in forms}
    topic_slugs = _unique({key: slugify(names[key]) or "topic" for key in names}, frozenset())
    topics: dict[str, Topic] = {}
    subs: dict[tuple[str, str], Subtopic] = {}
    for key in names:
        sub_names = {s: _usual_name(c, None) for s, c in sub_forms[key].items()}
        sub_slugs = _unique(
            {s: slugify(n) or "subtopic" for s, n in sub_names.items()}, RESERVED_SUBTOPIC_SLUGS
        )
        subtopics = []
        for s, name in sub_names.items():
            found = tuple(in_sub[key][s])
            has_page = subtopic_has_page(len(found), len(in_topic[key]))
            sub = Subtopic(name, sub_slugs[s], found, topic_slugs[key], has_page)
            subs[(key, s)] = sub
            subtopics.append(sub)
        subtopics.sort(key=lambda t: (t.name.casefold(), t.slug))
        topics[key] = Topic(names[key], topic_slugs[key], tuple(in_topic[key]), tuple(subtopics))
    topic_of = {q.id: (topics[key], subs[(key, s)] if s else None) for q, key, s in placed}
    ordered = tuple(sorted(topics.values(), key=lambda t: (t.name.casefold(), t.slug)))
    return ordered, topic_of


def _unique(bases: dict[str, str], reserved: frozenset[str]) -> dict[str, str]:
    """One slug per key, numbering clashes in key order ('x', 'x-2') and avoiding reserved ones."""
    taken = set(reserved)
    slugs = {}
    for key in sorted(bases):
        slug, n = bases[key], 1
        while slug in taken:
            n += 1
            slug = f"{bases[key]}-{n}"
        taken.add(slug)
        slugs[key] = slug
    return slugs


# Dates ---------------------------------------------------------------------------------


def _years(questions: tuple[Question, ...]) -> tuple[Year, ...]:
    by_month: dict[tuple[int, int], list[Question]] = defaultdict(list)
    for question in questions:
        if question.answered_on:
            by_month[(question.answered_on.year, question.answered_on.month)].append(question)
    months: dict[int, list[Month]] = defaultdict(list)
    for (year, month), found in sorted(by_month.items()):
        months[year].append(Month(year, month, tuple(found)))
    return tuple(
        Year(year, tuple(months[year]), sum(len(m.questions) for m in months[year]))
        for year in sorted(months, reverse=True)
    )


# Grouped questions ---------------------------------------------------------------------


def _groups(archive: Archive) -> dict[str, tuple[GroupLink, ...]]:
    """Grouped questions both ways: if A names B, B links back to A even if B does not name A."""
    found: dict[str, dict[str, Question | None]] = defaultdict(dict)
    for question in archive.questions:
        for uin in question.grouped_with:
            matches = [
                q
                for q in archive.by_uin.get(uin, ())
                if q.house == question.house and q.id != question.id
            ]
            other = matches[0] if len(matches) == 1 else None
            found[question.id].setdefault(uin, other)
            if other is not None and question.uin:
                found[other.id][question.uin] = question
    return {
        qid: tuple(GroupLink(uin, links[uin]) for uin in sorted(links, key=_uin_order))
        for qid, links in found.items()
    }


def _uin_order(uin: str) -> tuple[str, int, str]:
    prefix = uin.rstrip("0123456789")
    digits = uin[len(prefix) :]
    return (prefix, int(digits) if digits else -1, uin)
