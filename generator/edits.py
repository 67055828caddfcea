"""An edit's fast path: after content-only edits, make only the files that show them.

A full build (with the cache) ends by keeping an `EditState` in `.cache/edits.pickle`: the
stamp and cache key of every content file, and the archive's shape as lists of question
numbers (newest first): each department's, member's, topic's, subtopic's and month's
questions, who asked and answered each question, its topic, grouped questions and UINs,
the department figures and the plain pages. No question's text is kept there: the build
cache already holds every parsed question, and the fast path loads only those it shows.

The next build whose content files differ from the state's by a few edited questions,
each a *content-only* edit, takes this path. A content-only edit changes only the title
(keeping its topic and subtopic), the question, the answer, the original answer, the
attachments, the source or the truncated flag; its id, department, House, UIN, members,
dates, status, grouped UINs and original department are those it had. Such an edit leaves
every list's membership and order, every count and figure, the sitemaps and every other
question's page as they were, so the files that can change are:

- the question's own page and its older and newer neighbours' (they show its title);
- the list page of its department, members, topic, subtopic and month that shows it, its
  member's page when it is among the newest shown there, and the home page when it is
  among the latest;
- the feeds that carry it (the archive's, its department's, members' and topic's);
- its department's two downloads and the archive download (only the gzip member holding
  it is compressed again; the others come from the build cache);
- the search index (generator/search_incremental.py updates the parts it touches).

Those are made by the same code as in a full build (generator/render.py, feeds.py,
downloads.py, search_incremental.py) from a model whose lists load their questions from
the build cache when read (`Lazy`), so they come out byte for byte as a full build would
make them (tests/test_incremental.py compares each with a `--no-cache` build). Every
other file is kept: the new site is the spare (or the output's hard links) brought up to
date with the output, written and swapped in whole, as a full build's is.

Anything else takes the full path: a file added, removed or moved, a page or non-question
file changed, an edit that changes what lists a question (a retitle that changes the
heading's topic or subtopic is one), a file that does not parse, config, template, theme
or code changes, and a state that is missing, damaged or made for another output.
"""

from __future__ import annotations

import os
import pickle
import shutil
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any, NamedTuple, cast

from generator.browse import (
    Browse,
    GroupLink,
    Member,
    Month,
    Subtopic,
    Topic,
    Year,
    split_heading,
)
from generator.browse_pages import MEMBER_PREVIEW, BrowsePages
from generator.cache import BuildCache, answer_key, digest
from generator.config import SiteConfig
from generator.downloads import (
    ARCHIVE_MEMBER,
    DOWNLOAD_MEMBER,
    archive_member,
    archive_path,
    department_member,
    department_paths,
    member_name,
)
from generator.errors import ArchiveError
from generator.feeds import FEED_SIZE, feed_parts
from generator.figures import Figures
from generator.fingerprint import PageKeys, base_key
from generator.incremental import (
    DOWNLOAD_KEY,
    MEMBER_KEY,
    SITE_KEY,
    ContentStamps,
    mirror_folder,
    record_changes,
    settings_fingerprint,
)
from generator.load import _load_file
from generator.markup import Fragment, answer_fragment, extract
from generator.model import Archive, Department, Page, Question
from generator.render import Renderer, find_theme
from generator.search_chunks import SEARCH_DIR
from generator.search_incremental import SearchStore, write_search_index
from generator.write import UNCHANGED, FileWriter, folder_identity, spare_folder, swap_in

STATE_FILE = "edits.pickle"
NOW_FILE = "edits-now.pickle"  # the part of the state an edit changes (see save_state)
VERSION = 3
MAX_EDITS = 20  # more changed files than this: a full build is as quick
# What a content-only edit may change (title: only within its topic and subtopic).
CONTENT_FIELDS = frozenset(
    {"title", "question", "answer", "original_answer", "attachments", "source", "truncated"}
)
_HOUSES = (None, "Commons", "Lords")
_STATUSES = ("answered", "unanswered", "holding", "withdrawn", "corrected")


class StaleState(Exception):
    """The state or the cache lacks what the fast path needs: take the full path."""


_JOINED = ("paths", "ids", "keys")  # EditState's lists kept as one string each
# What an edit changes, kept in NOW_FILE rather than with the archive's shape.
_NOW = ("sizes", "mtimes", "digests", "member_sizes", "fingerprint", "result")
_SEPARATOR = "\0"


@dataclass
class EditState:
    """What a build leaves for the next one's fast path (see the module docstring).

    Questions are numbered newest first; lists hold numbers (`array('i')`), and each
    member, topic and the UIN index are pickled apart (unpickled when an edit shows them),
    so loading the state costs milliseconds, not the seconds a whole model of 60,000
    questions would.
    """

    code: str  # the generator's code fingerprint (cache.code_fingerprint)
    settings: str  # incremental.settings_fingerprint: config, theme, content folder
    paths: list[str]  # every content file, relative to the content folder
    sizes: array[int]  # each one's size and mtime (incremental.content_stamps)
    mtimes: array[int]
    file_question: array[int]  # each one's question number, or -1
    file_keys: dict[str, str]  # build-cache keys of the other files (plain pages)
    ids: list[str]
    keys: list[str]  # build-cache key of each question's parsed file
    digests: bytearray  # 16 bytes a question: the content hash page keys use
    department_of: array[int]
    departments: list[tuple[str, str, array[int]]]  # name, slug, questions
    members: list[bytes]  # pickled: key, name, slug, id, asked, answered, top departments
    asker: array[int]  # member number or -1
    answerer: array[int]
    topics: list[bytes]  # pickled: name, slug, questions, subtopics (name, slug, questions,
    # topic slug, has a page)
    topic: array[int]
    subtopic: array[int]  # number within its topic's subtopics, or -1
    years: list[tuple[int, int, list[tuple[int, array[int]]]]]  # year, count, months
    groups: dict[int, tuple[tuple[str, int], ...]]  # grouped UINs and questions (-1: none)
    by_uin: bytes  # pickled: UIN -> question numbers
    house: array[int]  # index in _HOUSES
    status: array[int]  # index in _STATUSES
    answered: array[int]  # answered_on as an ordinal, 0 for none
    figures: dict[str, Figures]
    pages: tuple[Page, ...]
    fingerprint: str = ""  # the inputs fingerprint of the site it describes
    result: Any = None  # that build's BuildResult
    version: int = VERSION
    token: str = ""  # names this shape in NOW_FILE; "" until saved
    # The gzip members' sizes of each download file the last fast build made (so the next
    # one cuts the unchanged members from the output's file instead of recalling them)
    member_sizes: dict[str, list[int]] = field(default_factory=dict, repr=False)
    index: dict[str, int] = field(default_factory=dict, repr=False)  # id -> number, not kept
    unpickled: dict[Any, Any] = field(default_factory=dict, repr=False)  # not kept

    def __getstate__(self) -> dict[str, Any]:
        """What is pickled: the shape (not what `_NOW` names, kept in NOW_FILE), each long
        list of strings as one string (pickling 4 x 60,000 strings one at a time, each
        memoised, took a tenth of an edit's time)."""
        kept = {name: value for name, value in self.__dict__.items() if name not in _NOW}
        kept["index"], kept["unpickled"] = {}, {}
        for name in _JOINED:
            values = kept[name]
            joined = _SEPARATOR.join(values)
            if values and joined.count(_SEPARATOR) == len(values) - 1:
                kept[name] = (_SEPARATOR, joined)
        return kept

    def __setstate__(self, kept: dict[str, Any]) -> None:
        for name in _JOINED:
            value = kept.get(name)
            if isinstance(value, tuple):
                kept[name] = value[1].split(value[0])
        self.__dict__.update(kept)

    def member(self, n: int) -> tuple[str, str, str, int | None, array[int], array[int], Any]:
        return self._unpickled(("member", n), self.members[n])  # type: ignore[no-any-return]

    def topic_row(self, n: int) -> tuple[str, str, array[int], list[Any]]:
        return self._unpickled(("topic", n), self.topics[n])  # type: ignore[no-any-return]

    def uins(self) -> dict[str, tuple[int, ...]]:
        return self._unpickled("uins", self.by_uin)  # type: ignore[no-any-return]

    def _unpickled(self, key: Any, data: bytes) -> Any:
        if key not in self.unpickled:
            self.unpickled[key] = pickle.loads(data)
        return self.unpickled[key]

    def number(self, qid: str) -> int:
        if not self.index:
            self.index = dict(zip(self.ids, range(len(self.ids)), strict=True))
        return self.index[qid]

    def digest_of(self, number: int) -> bytes:
        return bytes(self.digests[16 * number : 16 * number + 16])


# Recording ------------------------------------------------------------------------------


def make_state(
    archive: Archive,
    browse: Browse,
    figures: dict[str, Figures],
    digests: Mapping[str, bytes],
    sources: Mapping[str, str],
    stamps: ContentStamps,
    code: str,
    settings: str,
) -> EditState | None:
    """The state of a full build's model; None when a question has no content hash."""
    questions = archive.questions
    ids = [q.id for q in questions]
    number = {qid: n for n, qid in enumerate(ids)}
    try:
        blob = bytearray(b"".join([digests[qid] for qid in ids]))
        keys = [sources[qid] for qid in ids]
    except KeyError:
        return None
    # A cache key ends with "\0" and the file's path (load.load_archive).
    question_of_path = {key.partition("\0")[2]: n for n, key in enumerate(keys)}
    paths = stamps.paths
    file_question = array("i", [question_of_path.get(p, -1) for p in paths])
    file_keys = {
        path: sources.get("\0" + path, "")
        for path, n in zip(paths, file_question, strict=True)
        if n < 0
    }

    def numbers(items: Iterable[Question]) -> array[int]:
        return array("i", [number[q.id] for q in items])

    departments = [(d.name, d.slug, numbers(d.questions)) for d in archive.departments]
    department_number = {d.name: n for n, d in enumerate(archive.departments)}
    department_of = array("i", [department_number[q.department] for q in questions])
    members = [
        _pickled((
            m.key, m.name, m.slug, m.member_id, numbers(m.asked), numbers(m.answered),
            tuple((department_number[d.name], count) for d, count in m.top_departments),
        ))
        for m in browse.members
    ]  # fmt: skip
    member_number = {m.key: n for n, m in enumerate(browse.members)}
    topics = []
    topic_of = array("i", [0]) * len(ids)
    subtopic_of = array("i", [-1]) * len(ids)
    for t_number, topic in enumerate(browse.topics):
        subtopics = []
        for s_number, sub in enumerate(topic.subtopics):
            subtopics.append(
                (sub.name, sub.slug, numbers(sub.questions), sub.topic_slug, sub.has_page)
            )
            for q in sub.questions:
                subtopic_of[number[q.id]] = s_number
        for q in topic.questions:
            topic_of[number[q.id]] = t_number
        topics.append(_pickled((topic.name, topic.slug, numbers(topic.questions), subtopics)))
    years = [
        (y.year, y.count, [(m.month, numbers(m.questions)) for m in y.months]) for y in browse.years
    ]
    groups = {
        number[qid]: tuple((g.uin, number[g.question.id] if g.question else -1) for g in links)
        for qid, links in browse.groups.items()
    }
    return EditState(
        code=code,
        settings=settings,
        paths=paths,
        sizes=stamps.sizes,
        mtimes=stamps.mtimes,
        file_question=file_question,
        file_keys=file_keys,
        ids=ids,
        keys=keys,
        digests=blob,
        department_of=department_of,
        departments=departments,
        members=members,
        asker=array("i", [_member(browse.asker_of, member_number, q) for q in questions]),
        answerer=array("i", [_member(browse.answerer_of, member_number, q) for q in questions]),
        topics=topics,
        topic=topic_of,
        subtopic=subtopic_of,
        years=years,
        groups=groups,
        by_uin=_pickled(
            {uin: tuple(number[q.id] for q in qs) for uin, qs in archive.by_uin.items()}
        ),
        house=array("b", [_HOUSES.index(q.house) for q in questions]),
        status=array("b", [_STATUSES.index(q.status) for q in questions]),
        answered=array("i", [q.answered_on.toordinal() if q.answered_on else 0 for q in questions]),
        figures=dict(figures),
        pages=archive.pages,
    )


def _pickled(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _member(of: Mapping[str, Member], number: Mapping[str, int], question: Question) -> int:
    member = of.get(question.id)
    return -1 if member is None else number[member.key]


def save_state(folder: Path, state: EditState, fingerprint: str, result: Any) -> None:
    """Keep the state for the next build, in two files each written whole and renamed into
    place: the archive's shape (`STATE_FILE`, 16 MB at 60,000 questions), written only when
    the state was made by a full build, and what an edit changes (`NOW_FILE`: the stamps,
    content hashes, download members' sizes, fingerprint and result), which names the shape
    it goes with (`EditState.token`), written last."""
    state.fingerprint = fingerprint
    state.result = result
    state.index = {}
    state.unpickled = {}
    if not state.token:
        state.token = os.urandom(16).hex()
        _write(folder / STATE_FILE, state)
    now = {name: getattr(state, name) for name in _NOW}
    _write(folder / NOW_FILE, {"token": state.token, **now})


def _write(path: Path, value: Any) -> None:
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    with open(partial, "wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(partial, path)


def forget_state(folder: Path) -> None:
    (folder / NOW_FILE).unlink(missing_ok=True)
    (folder / STATE_FILE).unlink(missing_ok=True)


def load_state(folder: Path) -> EditState | None:
    """The state, or None when there is none or it cannot be read (a damaged cache, or a
    shape and a `NOW_FILE` not written together)."""
    try:
        with open(folder / STATE_FILE, "rb") as handle:
            state = pickle.load(handle)
        with open(folder / NOW_FILE, "rb") as handle:
            now = pickle.load(handle)
    except Exception:  # whatever a damaged file raises, the full path follows
        return None
    if not isinstance(state, EditState) or getattr(state, "version", None) != VERSION:
        return None
    if not isinstance(now, dict) or not state.token or now.get("token") != state.token:
        return None
    try:
        for name in _NOW:
            setattr(state, name, now[name])
    except KeyError:
        return None
    return state


# Finding the edits ----------------------------------------------------------------------


@dataclass
class Plan:
    """The edits of a build that can take the fast path."""

    state: EditState
    edited: dict[int, Question]  # question number -> its new version
    parsed: list[tuple[str, str, bytes, bytes]]  # new build-cache rows (edited or touched)
    stamps: ContentStamps  # the content files' stamps now


def plan_edits(
    content: Path, config: SiteConfig, out: Path, cache: BuildCache, stamps: ContentStamps
) -> Plan | None:
    """The fast path's plan when every change since the site in `out` is a content-only
    edit of a question; None otherwise (or when anything it needs is missing)."""
    state = load_state(cache.folder)
    if state is None or not stamps.paths:
        return None
    record = cache.get_meta(SITE_KEY + str(out.resolve()))
    if (
        state.code != cache.get_meta("code")
        or not isinstance(record, dict)
        or record.get("fingerprint") != state.fingerprint
        or record.get("identity") != folder_identity(out)
        or len(stamps.paths) != len(state.paths)
        or state.settings != settings_fingerprint(config, content)
    ):
        return None
    now = _in_order(stamps, state.paths)
    if now is None:
        return None  # a file removed (and so, the counts being equal, another added)
    changed = [
        (state.paths[number], number)
        for number in _differences(state.sizes, now.sizes) | _differences(state.mtimes, now.mtimes)
    ]
    if len(changed) > MAX_EDITS:
        return None
    changed.sort(key=lambda item: item[1])
    keys = {path: _file_key(state, number) for path, number in changed}
    known = cache.parsed_entries(keys.values())
    plan = Plan(state, {}, [], now)
    for path, number in changed:
        if not _plan_file(plan, content, path, keys[path], state.file_question[number], known):
            cache.store_parsed(plan.parsed)  # what was parsed here is not parsed again
            return None
    return plan


def _in_order(stamps: ContentStamps, paths: list[str]) -> ContentStamps | None:
    """`stamps` in the order of `paths` (the order the state recorded, which the walk
    gives again unless a folder's names changed); None when they are other files."""
    if stamps.paths == paths:
        return stamps
    number = stamps.numbers()
    try:
        order = [number[path] for path in paths]
    except KeyError:
        return None
    return ContentStamps(
        list(paths),
        array("q", [stamps.sizes[n] for n in order]),
        array("q", [stamps.mtimes[n] for n in order]),
    )


def _differences(old: array[int], new: array[int]) -> set[int]:
    """The positions where two arrays of equal length differ (compared a block of 1,024
    at a time: an edit changes a few of 60,000)."""
    found: set[int] = set()
    for start in range(0, len(new), 1024):
        stop = start + 1024
        if old[start:stop] != new[start:stop]:
            found.update(n for n in range(start, min(stop, len(new))) if old[n] != new[n])
    return found


def _file_key(state: EditState, number: int) -> str:
    question = state.file_question[number]
    return state.keys[question] if question >= 0 else state.file_keys[state.paths[number]]


def _plan_file(
    plan: Plan,
    content: Path,
    relative: str,
    key: str,
    number: int,
    known: Mapping[str, tuple[str, bytes, bytes]],
) -> bool:
    """Add one changed file (question `number`, -1 for none) to the plan; False when it
    needs the full path."""
    entry = known.get(key)
    if number < 0 or entry is None:
        return False
    path = content / relative
    try:
        raw = path.read_bytes()
    except OSError:
        return False
    if digest(raw) == entry[1]:  # touched, not changed
        info = path.stat()
        plan.parsed.append((key, f"{info.st_size}:{info.st_mtime_ns}", entry[1], entry[2]))
        return True
    display = key.split("\0", 1)[0]
    try:
        item, row = _load_file(path, relative, display, key, keep=True)
    except ArchiveError:
        return False  # the full path reports it
    if row is None:
        return False
    plan.parsed.append(row)
    old = pickle.loads(entry[2])
    if not isinstance(item, Question) or not content_only(old, item):
        return False
    plan.edited[number] = item
    return True


def content_only(old: Question, new: Question) -> bool:
    """Whether `new` lists and counts where `old` did (see CONTENT_FIELDS)."""
    for name in Question.__dataclass_fields__:
        if name not in CONTENT_FIELDS and getattr(old, name) != getattr(new, name):
            return False
    return split_heading(old.title) == split_heading(new.title)


# The model, loaded as read --------------------------------------------------------------


class QuestionStore:
    """Questions by number, unpickled from the build cache when first asked for."""

    def __init__(self, cache: BuildCache, state: EditState, fresh: Mapping[int, Question]):
        self.cache = cache
        self.keys = state.keys
        self.loaded: dict[int, Question] = dict(fresh)

    def get(self, number: int) -> Question:
        found = self.loaded.get(number)
        return found if found is not None else self.many([number])[0]

    def many(self, numbers: Sequence[int]) -> list[Question]:
        loaded = self.loaded
        missing = [n for n in numbers if n not in loaded]
        if missing:
            rows = self.cache.parsed_entries(self.keys[n] for n in missing)
            for n in missing:
                row = rows.get(self.keys[n])
                if row is None:
                    raise StaleState(f"question {n} is not in the build cache")
                question = pickle.loads(row[2])
                if not isinstance(question, Question):
                    raise StaleState(f"question {n} is not a question in the build cache")
                loaded[n] = question
        return [loaded[n] for n in numbers]


class Lazy(Sequence[Question]):
    """A list of questions by number, loaded only where it is read (a page's slice, a
    feed's newest, a count needs none)."""

    PIECE = 64

    def __init__(self, store: QuestionStore, numbers: Sequence[int]):
        self.store = store
        self.numbers = numbers

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self.store.many(self.numbers[index]))
        return self.store.get(self.numbers[index])

    def __iter__(self) -> Iterator[Question]:
        for start in range(0, len(self.numbers), self.PIECE):
            yield from self.store.many(self.numbers[start : start + self.PIECE])


class Computed(Mapping[str, Any]):
    """A mapping whose values are made (once) when looked up; `size` is what len says."""

    def __init__(self, make: Callable[[str], Any], size: int):
        self.make = make
        self.size = size
        self.made: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        if key not in self.made:
            self.made[key] = self.make(key)
        return self.made[key]

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[str]:
        raise StaleState("a whole mapping was read on the fast path")


class Model:
    """The parts of the archive and browse model an edit's pages read, made on demand."""

    def __init__(self, state: EditState, store: QuestionStore):
        self.state = state
        self.store = store
        self.departments = tuple(
            Department(name, slug, cast(Any, Lazy(store, numbers)))
            for name, slug, numbers in state.departments
        )
        self._members: dict[int, Member] = {}
        self._topics: dict[int, Topic] = {}
        self.archive = Archive(
            questions=cast(Any, Lazy(store, range(len(state.ids)))),
            departments=self.departments,
            pages=state.pages,
            department_of=cast(Any, Computed(self._department_of, len(state.ids))),
            by_uin=cast(Any, Computed(self._by_uin, 1)),
        )

    def _department_of(self, qid: str) -> Department:
        return self.departments[self.state.department_of[self._number(qid)]]

    def _number(self, qid: str) -> int:
        try:
            return self.state.number(qid)
        except KeyError:
            raise KeyError(qid) from None

    def _by_uin(self, uin: str) -> tuple[Question, ...]:
        numbers = self.state.uins().get(uin)
        if numbers is None:
            raise KeyError(uin)
        return tuple(self.store.many(numbers))

    def member(self, n: int) -> Member:
        if n not in self._members:
            key, name, slug, member_id, asked, answered, top = self.state.member(n)
            self._members[n] = Member(
                key, name, slug, member_id,
                cast(Any, Lazy(self.store, asked)), cast(Any, Lazy(self.store, answered)),
                tuple((self.departments[d], count) for d, count in top),
            )  # fmt: skip
        return self._members[n]

    def topic(self, n: int) -> Topic:
        if n not in self._topics:
            name, slug, numbers, subtopics = self.state.topic_row(n)
            subs = tuple(
                Subtopic(s_name, s_slug, cast(Any, Lazy(self.store, s_numbers)), t_slug, page)
                for s_name, s_slug, s_numbers, t_slug, page in subtopics
            )
            self._topics[n] = Topic(name, slug, cast(Any, Lazy(self.store, numbers)), subs)
        return self._topics[n]

    def year(self, year: int) -> Year:
        for number, count, months in self.state.years:
            if number == year:
                found = tuple(
                    Month(year, month, cast(Any, Lazy(self.store, numbers)))
                    for month, numbers in months
                )
                return Year(year, found, count)
        raise StaleState(f"no year {year} in the state")

    def browse(self, edited: Iterable[int]) -> Browse:
        """A browse model whose lists hold the members, topics and years of `edited`."""
        state = self.state
        members = sorted({m for n in edited for m in (state.asker[n], state.answerer[n]) if m >= 0})
        topics = sorted({state.topic[n] for n in edited})
        years = sorted(
            {date.fromordinal(state.answered[n]).year for n in edited if state.answered[n]}
        )
        size = len(state.ids)

        def role(of: array[int]) -> Callable[[str], Member | None]:
            def member(qid: str) -> Member | None:
                n = of[self._number(qid)]
                return None if n < 0 else self.member(n)

            return member

        return Browse(
            members=tuple(self.member(n) for n in members),
            topics=tuple(self.topic(n) for n in topics),
            years=tuple(self.year(y) for y in reversed(years)),
            asker_of=cast(Any, _Optional(role(state.asker), size)),
            answerer_of=cast(Any, _Optional(role(state.answerer), size)),
            topic_of=cast(Any, Computed(self._topic_of, size)),
            groups=cast(Any, _Optional(self._groups, size)),
        )

    def _topic_of(self, qid: str) -> tuple[Topic, Subtopic | None]:
        n = self._number(qid)
        topic = self.topic(self.state.topic[n])
        sub = self.state.subtopic[n]
        return topic, (topic.subtopics[sub] if sub >= 0 else None)

    def _groups(self, qid: str) -> tuple[GroupLink, ...] | None:
        links = self.state.groups.get(self._number(qid))
        if links is None:
            return None
        return tuple(GroupLink(uin, self.store.get(n) if n >= 0 else None) for uin, n in links)


class _Optional(Computed):
    """A Computed mapping where a made value of None means the key is absent."""

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if value is None:
            raise KeyError(key)
        return value


# What an edit changes -------------------------------------------------------------------


@dataclass
class Dependents:
    """The pages (by address), departments and months that show the edited questions."""

    questions: set[int] = field(default_factory=set)  # whose pages are made
    pages: set[str] = field(default_factory=set)
    departments: set[int] = field(default_factory=set)
    months: set[tuple[int, int]] = field(default_factory=set)


def dependents(state: EditState, edited: Iterable[int], config: SiteConfig) -> Dependents:
    """Everything that shows an edited question (see the module docstring)."""
    per_page = config.per_page
    found = Dependents()

    def listed(first: str, numbers: Sequence[int], n: int) -> int:
        position = numbers.index(n)
        found.pages.add(Renderer.listing_path(first, position // per_page + 1))
        return position

    for n in edited:
        d = state.department_of[n]
        _name, d_slug, siblings = state.departments[d]
        found.departments.add(d)
        position = listed(f"departments/{d_slug}/", siblings, n)
        found.questions.update(siblings[max(0, position - 1) : position + 2])
        for m in {state.asker[n], state.answerer[n]} - {-1}:
            _key, _name, m_slug, _id, asked, answered, _top = state.member(m)
            for role, numbers in (("asked", asked), ("answered", answered)):
                shown = n in numbers and listed(f"members/{m_slug}/{role}/", numbers, n)
                if n in numbers and shown < MEMBER_PREVIEW:
                    found.pages.add(f"members/{m_slug}/")
        _t_name, t_slug, in_topic, subtopics = state.topic_row(state.topic[n])
        listed(f"topics/{t_slug}/", in_topic, n)
        sub = state.subtopic[n]
        if sub >= 0 and subtopics[sub][4]:
            _s_name, s_slug, in_sub, _t, _page = subtopics[sub]
            listed(f"topics/{t_slug}/{s_slug}/", in_sub, n)
        if state.answered[n]:
            day = date.fromordinal(state.answered[n])
            for year, _count, months in state.years:
                for month, numbers in months:
                    if year == day.year and month == day.month:
                        found.months.add((year, month))
                        listed(f"answered/{year}/{month:02d}/", numbers, n)
        if n < config.latest_count:
            found.pages.add("")
    for n in found.questions:
        found.pages.add(f"questions/{state.ids[n]}/")
    return found


# The fast build -------------------------------------------------------------------------


class _Row(NamedTuple):
    """What the search index reads of every question besides the few it re-tokenises."""

    id: str
    department: str
    house: str | None
    answered_on: date | None
    status: str


class _SearchQuestions(Sequence[Any]):
    """The archive's questions as the search index reads them: every one's filters when
    iterated, a whole question (loaded) only when indexed."""

    def __init__(
        self,
        state: EditState,
        store: QuestionStore,
        prefetch: Callable[[Sequence[int]], None] = lambda _numbers: None,
    ):
        self.state = state
        self.store = store
        self.prefetch = prefetch  # questions (by number) and their answers, read at once
        self._rows: list[_Row] | None = None

    def __len__(self) -> int:
        return len(self.state.ids)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            raise StaleState("the search index sliced the archive")
        return self.store.get(range(len(self.state.ids))[index])

    def rows(self) -> list[_Row]:
        """Every question's filters, column by column (60,000 rows in tens of milliseconds)."""
        if self._rows is None:
            state = self.state
            names = [name for name, _slug, _numbers in state.departments]
            days = {n: date.fromordinal(n) for n in set(state.answered) if n}
            days[0] = cast(Any, None)
            columns = (
                state.ids,
                [names[d] for d in state.department_of],
                [_HOUSES[h] for h in state.house],
                [days[n] for n in state.answered],
                [_STATUSES[s] for s in state.status],
            )
            self._rows = list(map(_Row._make, zip(*columns, strict=True)))
        return self._rows

    def __iter__(self) -> Iterator[_Row]:
        return iter(self.rows())

    def search_columns(self) -> tuple[list[str], list[tuple[str, str, str, str, str]]]:
        """The ids and the filters by key (oldest first), as search_incremental's Index
        makes them from every question's row (search_incremental._facets; equal filters of
        the same answer day are one tuple), from the state's columns without a row each."""
        state = self.state
        made: dict[tuple[int, int, int, int], tuple[str, str, str, str, str]] = {}
        facets = []
        columns = (state.department_of, state.house, state.answered, state.status)
        for found in zip(*(reversed(column) for column in columns), strict=True):
            facet = made.get(found)
            if facet is None:
                name, slug, _numbers = state.departments[found[0]]
                year = str(date.fromordinal(found[2]).year) if found[2] else ""
                house = _HOUSES[found[1]] or ""
                facet = made[found] = (name, slug, house, year, _STATUSES[found[3]])
            facets.append(facet)
        return state.ids[::-1], facets

    def __reversed__(self) -> Iterator[_Row]:
        return reversed(self.rows())


@dataclass
class FastResult:
    """What the fast path made: the build's result, and the state for the next build."""

    result: Any
    state: EditState
    made: list[str]


def fast_build(
    plan: Plan,
    config: SiteConfig,
    out: Path,
    cache: BuildCache,
    fingerprint: str,
) -> FastResult:
    """Make the files that show the plan's edits and swap the site in; raises StaleState
    (before the output is touched) when the cache lacks something it needs."""
    state = plan.state
    cache.store_parsed(plan.parsed)
    state.sizes, state.mtimes = plan.stamps.sizes, plan.stamps.mtimes
    if not plan.edited:  # files touched, none changed: the site stays as it is
        cache.commit()
        return FastResult(state.result, state, [])
    for number in plan.edited:
        value = next(row[3] for row in plan.parsed if row[0] == state.keys[number])
        state.digests[16 * number : 16 * number + 16] = digest(value)
    store = QuestionStore(cache, state, plan.edited)
    model = Model(state, store)
    found = dependents(state, plan.edited, config)
    theme = find_theme(config)
    browse = model.browse(plan.edited)
    full = {state.ids[n] for n in range(min(FEED_SIZE, len(state.ids)))}
    for _name, _slug, numbers in state.departments:
        full.update(state.ids[n] for n in numbers[:FEED_SIZE])  # as feeds.full_content_ids
    renderer = Renderer(config, model.archive, theme, browse, state.figures, frozenset(full))
    renderer.cache_templates(cache.folder / "templates")
    prefetch = _answers(renderer, model, cache, plan.edited)
    renderer.only = frozenset(found.pages)
    base = base_key([cache.get_meta("code"), *renderer.base_key_parts()], theme.source_dirs)
    digests = _all_digests(state)
    keys = PageKeys(base, digests)
    made: dict[str, bytes] = {}
    for path, data in _pages(renderer, model, browse, found):
        if data is not UNCHANGED:
            made[path] = data.encode("utf-8")
    edited_ids = {q.id for q in plan.edited.values()}
    departments = replace(
        model.archive, departments=tuple(model.departments[d] for d in sorted(found.departments))
    )
    for path, inputs, make_feed in feed_parts(
        config, departments, browse, renderer.extracts, renderer.feed_contents
    ):
        if any(q.id in edited_ids for q in inputs["questions"]):
            made[path] = make_feed().encode("utf-8")
    prepared = mirror_folder(out, cache)
    if prepared is None:
        raise StaleState("the output has no record to build on")
    folder, record = prepared
    try:
        downloads = _Downloads(out, record.files, state.member_sizes, set(plan.edited))
        for d in sorted(found.departments):
            made.update(_department_downloads(model, d, cache, keys, config, downloads))
        made[archive_path()] = _archive_download(state, store, cache, keys, config, downloads)
        files = FileWriter(folder, record.files, record.sizes)
        changes: dict[str, tuple[bytes, int] | None] = {}
        for path, payload in made.items():
            changes[path] = (files.write(path, payload), len(payload))
        search = SearchStore(cache.folder, str(cache.get_meta("code")))
        try:
            searched = write_search_index(
                _search_archive(state, store, model, prefetch),
                renderer.fragments,
                digests,
                search,
                files,
                out,
            )
        except BaseException:
            search.abandon()
            raise
        search.close()
        index_files = {path for path, _hash, _size, _key in searched}
        stale = [p for p in record.under(f"{SEARCH_DIR}/") if p not in index_files]
        for path in [p for p in stale if _in_index(p)]:
            (folder / path).unlink(missing_ok=True)  # a chunk the update replaced
            changes[path] = None
        for path, file_hash, size, _key in searched:
            changes[path] = (file_hash, size)
        recorded = record_changes(cache, folder, record, changes, made)
        swap_in(folder, out)
    except BaseException:
        if folder != spare_folder(out):
            shutil.rmtree(folder, ignore_errors=True)
        raise
    result = replace(
        state.result, files=recorded.count, bytes=recorded.size, seconds=0.0, warnings=()
    )
    return FastResult(result, state, sorted(made))


def _in_index(path: str) -> bool:
    """Whether a file of the site is one of the search index's (not the search page)."""
    return path.startswith(f"{SEARCH_DIR}/") and not path.endswith(".html")


def _answers(
    renderer: Renderer, model: Model, cache: BuildCache, edited: Mapping[int, Question]
) -> Callable[[Sequence[int]], None]:
    """The renderer's answers, extracts and feed contents, each made when first read; and
    a function loading many questions' answers at once."""
    answers = renderer.answers
    store = model.store
    new = {}
    for question in edited.values():
        html_hash = answer_key(question.answer)
        new[question.id] = answer_fragment(answers, question.answer)
        cache.store_fragments([(html_hash, new[question.id].html, new[question.id].text)])

    def fragment(qid: str) -> Fragment:
        if qid in new:
            return new[qid]
        question = store.get(model.state.number(qid))
        html_hash = answer_key(question.answer)
        found = cache.some_fragments([html_hash]).get(html_hash)
        return Fragment(*found) if found else answer_fragment(answers, question.answer)

    fragments = Computed(fragment, len(model.state.ids))

    def summary(qid: str) -> str:
        made = fragments[qid]
        text = made.text if made.html else store.get(model.state.number(qid)).question
        return extract(text, renderer.config.extract_length)

    full = renderer._feed_content_ids

    def content(qid: str) -> str:
        if qid not in full:
            raise KeyError(qid)
        return renderer.link_references(store.get(model.state.number(qid)), fragments[qid].html)

    def prefetch(numbers: Sequence[int]) -> None:
        """Load these questions and their answers' HTML in a few queries, not two each (the
        search index asks for the 256 rows of a shard one at a time)."""
        by_hash: dict[bytes, list[str]] = {}
        for question in store.many(numbers):
            if question.id not in new and question.id not in fragments.made:
                answer = answer_key(question.answer)
                by_hash.setdefault(answer, []).append(question.id)
        for html_hash, found in cache.some_fragments(by_hash).items():
            for qid in by_hash[html_hash]:
                fragments.made[qid] = Fragment(*found)

    renderer.fragments = fragments
    renderer.extracts = cast(Any, Computed(summary, len(model.state.ids)))
    renderer.feed_contents = cast(Any, _Optional(_or_none(content), len(full)))
    return prefetch


def _or_none(make: Callable[[str], str]) -> Callable[[str], str | None]:
    def made(key: str) -> str | None:
        try:
            return make(key)
        except KeyError:
            return None

    return made


def _pages(
    renderer: Renderer,
    model: Model,
    browse: Browse,
    found: Dependents,
) -> Iterator[tuple[str, str]]:
    """The pages that show the edited questions, made by the renderer's own methods."""
    store = model.store
    for n in sorted(found.questions):
        yield renderer.question_page(store.get(n))
    for d in sorted(found.departments):
        for page in renderer.department_pages(model.departments[d]):
            yield page
    pages = BrowsePages(renderer, browse)
    for member in browse.members:
        for page in pages.member_pages(member):
            yield page
    for topic in browse.topics:
        for page in pages.topic_pages(topic):
            yield page
    for year in browse.years:
        for month in year.months:
            if (year.year, month.month) in found.months:
                for page in pages.month_pages(year, month):
                    yield page
    if "" in found.pages:
        yield renderer.home_page()


@dataclass
class _Downloads:
    """Download files made of gzip members, where an edit changes only the members holding
    an edited question: every other member is cut from the output's file (when it is the
    file recorded, by its hash, and the sizes of its members are known from the fast build
    that made it) rather than recalled from the build cache one by one (120 members, 16 MB,
    for the archive download at 60,000 questions)."""

    out: Path
    hashes: Mapping[str, bytes]  # the output's files, as recorded
    sizes: dict[str, list[int]]  # EditState.member_sizes, brought up to date here
    edited: set[int]  # the edited questions' numbers

    def file(self, path: str, count: int, changed: set[int], make: Callable[[int], bytes]) -> bytes:
        """The file of `count` members, those numbered in `changed` made by `make`."""
        old = self._members(path, count)
        members = [
            old[number] if old is not None and number not in changed else make(number)
            for number in range(count)
        ]
        self.sizes[path] = [len(member) for member in members]
        return b"".join(members)

    def _members(self, path: str, count: int) -> list[memoryview] | None:
        sizes = self.sizes.get(path)
        expected = self.hashes.get(path)
        if sizes is None or len(sizes) != count or expected is None:
            return None
        try:
            data = (self.out / path).read_bytes()
        except OSError:
            return None
        if len(data) != sum(sizes) or digest(data) != expected:
            return None
        view = memoryview(data)
        starts = [0, *accumulate(sizes)]
        return [view[start:stop] for start, stop in pairwise(starts)]


def _archive_download(
    state: EditState,
    store: QuestionStore,
    cache: BuildCache,
    keys: PageKeys,
    config: SiteConfig,
    downloads: _Downloads,
) -> bytes:
    """The archive download: each gzip member from the build cache by its key (as
    incremental.ArchiveMembers keeps them), made again where its questions changed."""
    count = len(state.ids)

    def member(number: int) -> bytes:
        numbers = range(number * ARCHIVE_MEMBER, min((number + 1) * ARCHIVE_MEMBER, count))
        key = keys.of_ids(
            "archive-member", str(number), "questions", [state.ids[n] for n in numbers]
        )
        name = MEMBER_KEY + key.hex() if key is not None else None
        data = cache.get_meta(name) if name is not None else None
        if not isinstance(data, bytes):
            data = archive_member(number, tuple(store.many(numbers)), config)
            if name is not None:
                cache.set_meta(name, data)
        return data

    changed = {n // ARCHIVE_MEMBER for n in downloads.edited}
    return downloads.file(
        archive_path(), len(range(0, max(count, 1), ARCHIVE_MEMBER)), changed, member
    )


def _department_downloads(
    model: Model,
    d: int,
    cache: BuildCache,
    keys: PageKeys,
    config: SiteConfig,
    downloads: _Downloads,
) -> dict[str, bytes]:
    """A department's two downloads, member by member as downloads.department_downloads
    makes them, each recalled from the build cache (as incremental.ArchiveMembers keeps
    them) or made again where its questions changed."""
    state = model.state
    department = model.departments[d]
    name, _slug, numbers = state.departments[d]
    count = len(numbers)
    changed = {
        position // DOWNLOAD_MEMBER
        for position, number in enumerate(numbers)
        if number in downloads.edited
    }
    files = {}
    for kind, path in department_paths(department).items():

        def member(number: int, kind: str = kind, path: str = path) -> bytes:
            start = number * DOWNLOAD_MEMBER
            chunk = numbers[start : start + DOWNLOAD_MEMBER]
            member = member_name(path, number, count, name)
            ids = [state.ids[n] for n in chunk]
            key = keys.of_ids("download-member", member, "questions", ids)
            meta = f"{DOWNLOAD_KEY}{path}\0{key.hex()}" if key is not None else None
            data = cache.get_meta(meta) if meta is not None else None
            if not isinstance(data, bytes):
                questions = tuple(model.store.many(chunk))
                data = department_member(kind, department, count, start, questions, config)
                if meta is not None:
                    cache.set_meta(meta, data)
            return data

        members = len(range(0, count, DOWNLOAD_MEMBER))
        files[path] = downloads.file(path, members, changed, member)
    return files


def _search_archive(
    state: EditState,
    store: QuestionStore,
    model: Model,
    prefetch: Callable[[Sequence[int]], None],
) -> Archive:
    """The archive as write_search_index reads it, without loading every question (its
    `department_of` made for the questions looked up)."""
    return replace(model.archive, questions=cast(Any, _SearchQuestions(state, store, prefetch)))


def _all_digests(state: EditState) -> dict[str, bytes]:
    """Question id -> content hash, for every question (what the search index compares)."""
    blob = bytes(state.digests)
    return dict(zip(state.ids, [blob[i : i + 16] for i in range(0, len(blob), 16)], strict=True))
