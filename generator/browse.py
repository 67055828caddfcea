"""Browsing groups: members, topics, months and grouped questions, computed once per build.

Every grouping here is made in one pass over the archive (O(n)), so rendering a member,
topic or month page is a lookup, never a scan of all questions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
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


def _mentions(question: Question) -> Iterable[tuple[str, str | None, int | None]]:
    """(role, name, id) for the asker and the answerer, when either is named or numbered."""
    if question.asked_by or question.asked_by_id is not None:
        yield "asked", question.asked_by, question.asked_by_id
    if question.answered_by or question.answered_by_id is not None:
        yield "answered", question.answered_by, question.answered_by_id


def _members(
    archive: Archive,
) -> tuple[tuple[Member, ...], dict[str, Member], dict[str, Member]]:
    questions = archive.questions
    ids_of_name: dict[str, set[int]] = defaultdict(set)
    for question in questions:
        for _, name, member_id in _mentions(question):
            if name and member_id is not None:
                ids_of_name[name].add(member_id)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    numbers: dict[str, int] = {}
    lists: dict[str, dict[str, list[Question]]] = defaultdict(lambda: defaultdict(list))
    for question in questions:  # newest first, so every list below is too
        for role, name, member_id in _mentions(question):
            if member_id is None and name and len(ids_of_name[name]) == 1:
                member_id = next(iter(ids_of_name[name]))  # same person, id given elsewhere
            key = f"id:{member_id}" if member_id is not None else f"name:{name}"
            if member_id is not None:
                numbers[key] = member_id
            if name:
                names[key][name] += 1
            lists[key][role].append(question)
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
                    asked=tuple(lists[key]["asked"]),
                    answered=tuple(lists[key]["answered"]),
                    top_departments=_top_departments(lists[key]["asked"], archive),
                )
                for key in lists
            ),
            key=lambda m: (m.name.casefold(), m.slug),
        )
    )
    asker_of = {q.id: m for m in members for q in m.asked}
    answerer_of = {q.id: m for m in members for q in m.answered}
    return members, asker_of, answerer_of


def _usual_name(names: Counter[str], member_id: int | None) -> str:
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
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    sub_forms: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    in_topic: dict[str, list[Question]] = defaultdict(list)
    in_sub: dict[str, dict[str, list[Question]]] = defaultdict(lambda: defaultdict(list))
    placed: list[tuple[Question, str, str | None]] = []
    for question in questions:
        topic, subtopic = split_heading(question.title)
        key = topic.casefold()
        forms[key][topic] += 1
        in_topic[key].append(question)
        sub_key = subtopic.casefold() if subtopic else None
        if subtopic and sub_key:
            sub_forms[key][sub_key][subtopic] += 1
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
