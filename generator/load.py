"""Loading stage: read every content file, validate it, and build the archive model.

Everything is read and checked before anything is written, and every problem is collected,
so one run reports all of them as `path:line: message`.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Container, Iterator, Sequence
from datetime import date
from functools import partial
from pathlib import Path, PurePath, PurePosixPath
from stat import S_ISDIR, S_ISREG
from typing import Any
from urllib.parse import urlsplit

from generator.cache import BuildCache, answer_key, digest, stamp
from generator.errors import ArchiveError, Problem, did_you_mean
from generator.frontmatter import Document, FrontMatterError, parse_document
from generator.markup import Fragment
from generator.model import HOUSES, STATUSES, Archive, Attachment, Page, Question, build_archive
from generator.slugs import id_problem, slugify, unique_slugs
from generator.workers import answer_html, map_in_ranges, parallel

QUESTIONS_DIR = "questions"
RESERVED_PAGE_SLUGS = {
    "questions", "departments", "search", "static", "members", "topics", "answered",
    "feeds", "downloads", "index", "404", "page",
}  # fmt: skip
REQUIRED = ("title", "department", "asked_on", "question")


class FieldError(ValueError):
    """A field's value is not what the format allows; the message says what was expected."""


def _text(value: Any) -> str:
    if type(value) is str:  # nearly always: the checks below, for anything else
        text = value.strip()
        if text:
            return text
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise FieldError(f"expected text, got {_kind(value)}")
    text = str(value).strip()
    if not text:
        raise FieldError("expected text, got an empty value")
    return text


def _date(value: Any) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise FieldError(f"expected a date like 2021-10-15, got {value!r}")


def _integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise FieldError(f"expected a whole number, got {value!r}")


def _url(value: Any) -> str:
    text = _text(value)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FieldError(f"expected an http or https URL, got {text!r}")
    return text


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = _text(value)
        if text not in options:
            raise FieldError(
                f"expected one of {', '.join(options)}, got {text!r}{did_you_mean(text, options)}"
            )
        return text

    return check


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldError(f"expected true or false, got {value!r}")
    return value


def _uins(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise FieldError(f"expected a list of UINs, got {_kind(value)}")
    return tuple(_text(item) for item in value)


def _attachments(value: Any) -> tuple[Attachment, ...]:
    if not isinstance(value, list):
        raise FieldError(f"expected a list of {{title, url}}, got {_kind(value)}")
    found = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict) or set(item) != {"title", "url"}:
            raise FieldError(f"attachment {number}: expected exactly the keys title and url")
        found.append(Attachment(_text(item["title"]), _url(item["url"])))
    return tuple(found)


def _identifier(value: Any) -> str:
    text = _text(value)
    problem = id_problem(text)
    if problem:
        raise FieldError(problem)
    return text


def _kind(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", bool: "true/false", type(None): "nothing"}
    return names.get(type(value), type(value).__name__)


QUESTION_FIELDS: dict[str, Callable[[Any], Any]] = {
    "id": _identifier,
    "title": _text,
    "department": _text,
    "asked_on": _date,
    "question": _text,
    "house": _choice(HOUSES),
    "uin": _text,
    "api_id": _integer,
    "asked_by": _text,
    "asked_by_id": _integer,
    "answered_by": _text,
    "answered_by_id": _integer,
    "answered_on": _date,
    "due_on": _date,
    "status": _choice(STATUSES),
    "grouped_with": _uins,
    "corrected_on": _date,
    "holding_on": _date,
    "attachments": _attachments,
    "source": _url,
    "original_department": _text,
    "original_answer": _text,
    "truncated": _flag,
}
PAGE_FIELDS: dict[str, Callable[[Any], Any]] = {"title": _text}
# Parsed files are stored in the cache this many at a time: holding every file's pickle
# until the end (about 3 KB a question) would raise the build's peak memory, which every
# worker forked later inherits.
STORE_BATCH = 1000


def load_archive(
    content_dir: Path,
    cache: BuildCache | None = None,
    digests: dict[str, bytes] | None = None,
    jobs: int = 1,
    sources: dict[str, str] | None = None,
    answers: dict[bytes, Fragment] | None = None,
    answer_keys: dict[str, bytes] | None = None,
) -> Archive:
    """Read and validate everything under `content_dir`; raise ArchiveError listing all problems.

    With a cache, a file whose size and mtime (or else whose bytes) are those of an earlier
    build is not parsed again: its validated question or page comes from the cache, and
    `digests` (if given) receives a hash of each question's content (id -> hash), which
    decides whether a page showing it must be rendered again. Files to parse are parsed
    by `jobs` worker processes when there are many. `sources` (if given) receives each
    question's cache key by its id, and each other content file's by "\0" and its path
    relative to `content_dir` (what generator/edits.py keeps to load single questions
    later). A key ends with "\0" and the file's relative path, so a question's path is
    not stored apart: at 60,000 questions those strings were megabytes more in the heap
    every worker is forked from. `answers` (if given) receives, by answer key, the HTML of
    each answer parsed here that the cache does not hold, rendered by the process that
    parsed it: one pass of the workers over the files, not a second pool of them after
    (see `incremental.answer_fragments`, which takes them). `answer_keys` (if given, with
    `answers`) receives each parsed question's answer key by its id, hashed by the worker
    that parsed it (`answer_fragments` would hash every answer again, in the main process
    on one core: 0.15 s at 60,000 questions).
    """
    if not content_dir.is_dir():
        raise ArchiveError([Problem(str(content_dir), None, "content folder not found")])
    questions: list[Question] = []
    pages: list[Page] = []
    problems: list[Problem] = []
    known = cache.parsed_files() if cache else {}
    fresh: list[tuple[str, str, bytes, bytes]] = []
    show = _shown_as(content_dir)
    files = [
        (path, relative, display, f"{display}\0{relative}")
        for path, relative, link in _content_files(content_dir)
        for display in [show(path, relative, link)]
    ]
    cached = [_load_cached(f[0], f[3], known, fresh) if cache else None for f in files]
    to_parse = [f for f, hit in zip(files, cached, strict=True) if hit is None]
    send = parallel(len(to_parse), jobs)
    skip: Container[bytes] | None = None  # render no answer
    if answers is not None:
        skip = cache.fragment_hashes() if cache is not None and to_parse else ()
    parse = partial(_parse_files, keep=cache is not None, send=send, skip_answers=skip)
    parsed = map_in_ranges(parse, to_parse, jobs)
    for file, hit in zip(files, cached, strict=True):
        if hit is None:
            outcome = next(parsed)
            if isinstance(outcome, list):
                problems.extend(outcome)
                continue
            item, hashed, entry, answer = _unpack(outcome)
            if answer is not None and answers is not None and answer[1] is not None:
                answers[answer[0]] = Fragment(answer[1], answer[2] or "")
            if entry is not None:
                fresh.append(entry)
                if cache and len(fresh) >= STORE_BATCH:
                    cache.store_parsed(fresh)
                    fresh.clear()
        else:
            item, pickled = hit
            hashed = digest(pickled) if isinstance(item, Question) else None
            answer = None
        if isinstance(item, Question):
            questions.append(item)
            if answer is not None and answer_keys is not None:
                answer_keys[item.id] = answer[0]
            if sources is not None:
                sources[item.id] = file[3]
            if digests is not None and hashed is not None:
                digests[item.id] = hashed
        else:
            pages.append(item)
            if sources is not None:
                sources["\0" + file[1]] = file[3]
    parsed.close()  # every result taken: the workers can go
    if cache:
        cache.store_parsed(fresh)
    problems.extend(_duplicates(questions, "id", lambda q: q.id))
    problems.extend(_duplicates(pages, "page address", lambda p: p.slug))
    if problems:
        raise ArchiveError(problems)
    department_slugs = unique_slugs([q.department for q in questions])
    return build_archive(questions, pages, department_slugs)


def _content_files(content_dir: Path) -> Iterator[tuple[str, str, bool]]:
    """Every Markdown file, in a sorted order so builds do not depend on the disk's order:
    its path, its path relative to `content_dir` with `/` between folders, and whether it
    is a symbolic link. Strings made by joining, as `Path` would write them: a `Path` and
    its `relative_to` cost about 20 µs a file, in the main process before any worker
    starts (0.2 s at 10,000 files). The folders are walked as `os.walk` walks them (linked
    and hidden folders not entered, a folder that cannot be listed skipped), with the
    listing's own entries: whether a file is a link comes with them, where an `lstat` of
    each file cost 0.3 s at 60,000."""
    top = os.fspath(content_dir)  # as `str(Path)` writes it: no `./`, no trailing `/`
    base = "" if top == "." else top.rstrip("/") + "/"
    return _walk(top, base, "")


def _walk(root: str, base: str, folder: str) -> Iterator[tuple[str, str, bool]]:
    """`_content_files` of the folder `root` (`folder` under the content folder, with `/`)."""
    try:
        with os.scandir(root) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.endswith(".md") and not name.startswith("."):
            yield base + folder + name, folder + name, entry.is_symlink()
    for entry in entries:
        if not entry.name.startswith(".") and _is_folder(entry) and not entry.is_symlink():
            yield from _walk(entry.path, base, f"{folder}{entry.name}/")


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _shown_as(content_dir: Path) -> Callable[[str, str, bool], str]:
    """How a file is named in messages (and cache keys): its real path relative to the
    working folder, else its path. `_content_files` enters no linked folder, so only a
    linked file (`link`, as `_content_files` says) needs resolving (a stat of each parent
    folder per file costs about 0.1 ms, a second at 10,000 files); the others are the
    content folder's real path joined with their relative path."""
    cwd = Path.cwd().resolve()
    real_content = content_dir.resolve()
    try:
        under = str(real_content.relative_to(cwd))
    except ValueError:
        under = None
    prefix = "" if under == "." else f"{under}/"

    def show(path: str, relative: str, link: bool) -> str:
        if link:
            try:
                return str(Path(path).resolve().relative_to(cwd))
            except ValueError:
                return path
        return path if under is None else prefix + relative

    return show


def _load_cached(
    path: str,
    key: str,
    known: dict[str, tuple[str, bytes, bytes]],
    fresh: list[tuple[str, str, bytes, bytes]],
) -> tuple[Question | Page, bytes] | None:
    """The cached parse of an unchanged file (and its pickle), or None if it must be parsed."""
    entry = known.get(key)
    if entry is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not S_ISREG(info.st_mode):
        return None
    file_stamp = stamp(info)
    if file_stamp != entry[0]:
        try:
            with open(path, "rb") as file:
                raw = file.read()
        except OSError:
            return None
        if digest(raw) != entry[1]:
            return None
        fresh.append((key, file_stamp, entry[1], entry[2]))  # touched, not changed
    item: Question | Page = pickle.loads(entry[2])
    return item, entry[2]


ContentFile = tuple[str, str, str, str]  # path, relative to content/ (with /), display, key
CacheEntry = tuple[str, str, bytes, bytes]  # key, stamp, digest of the bytes, pickle
# An answer's key (`cache.answer_key`), HTML and text (None when the cache holds them).
Answer = tuple[bytes, str | None, str | None]
# A parsed file: the item (None when only its pickle was sent from a worker), its pickle
# when kept for the cache or sent, a question's content hash (its pickle's digest, made
# where it was pickled: in a worker, not in the main process after), its cache entry, and
# its answer when rendered; or the file's problems.
Outcome = tuple[
    Question | Page | None, bytes | None, bytes | None, CacheEntry | None, Answer | None
]
Parsed = Outcome | list[Problem]


def _parse_files(
    files: Sequence[ContentFile], keep: bool, send: bool, skip_answers: Container[bytes] | None
) -> list[Parsed]:
    """Parse each file; `keep`: pickle it for the cache; `send`: this runs in a worker, so
    return the pickle alone (it crosses to the main process once, not twice). Unless
    `skip_answers` is None, also render each question's answer whose key is not in it."""
    outcomes: list[Parsed] = []
    for path, relative, display, key in files:
        try:
            item, entry = _load_file(path, relative, display, key, keep or send)
        except ArchiveError as exc:
            outcomes.append(list(exc.problems))
            continue
        pickled = entry[3] if entry is not None else None
        hashed = (
            digest(pickled) if keep and pickled is not None and type(item) is Question else None
        )
        answer: Answer | None = None
        if skip_answers is not None and type(item) is Question:
            answer_hash = answer_key(item.answer)
            answer = (answer_hash, None, None)
            if answer_hash not in skip_answers:
                fragment = answer_html(item.answer)
                answer = (answer_hash, fragment.html, fragment.text)
        sent = None if send else item
        outcomes.append((sent, pickled, hashed, entry if keep else None, answer))
    return outcomes


def _unpack(
    outcome: Outcome,
) -> tuple[Question | Page, bytes | None, CacheEntry | None, Answer | None]:
    item, pickled, hashed, entry, answer = outcome
    if item is None:
        assert pickled is not None
        item = pickle.loads(pickled)
    return item, hashed, entry, answer


def _load_file(
    path: str | Path, relative: str, display: str, key: str, keep: bool
) -> tuple[Question | Page, CacheEntry | None]:
    """One content file (`relative`: its path under the content folder, with `/`)."""
    is_question = relative.partition("/")[0] == QUESTIONS_DIR
    raw, before = _read_bytes(path, display)
    document = _read(raw, display, is_question=is_question)
    item: Question | Page = (
        question_from_document(document, relative, display)
        if is_question
        else _page_from_document(document, relative, display)
    )
    if not keep:
        return item, None
    value = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    return item, (key, stamp(before), digest(raw), value)


_READ_FLAGS = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK  # a FIFO opened does not block


def _read_bytes(path: str | Path, display: str) -> tuple[bytes, os.stat_result]:
    """The file's bytes, and its status as it was before they were read (its cache stamp).

    Four system calls (open, fstat, read, close): a `stat` first and a buffered file object
    made nine, 17 us a file against 7. A FIFO or a device is opened without blocking and
    refused unread, as is a folder named *.md."""
    try:
        handle = os.open(path, _READ_FLAGS)
    except OSError as exc:
        raise ArchiveError([Problem(display, None, f"cannot read file: {exc.strerror}")]) from None
    try:
        info = os.fstat(handle)
        if not S_ISREG(info.st_mode):
            message = "is a folder, not a file" if S_ISDIR(info.st_mode) else "not a regular file"
            raise ArchiveError([Problem(display, None, message)])
        return _read_all(handle, info.st_size), info
    except OSError as exc:
        raise ArchiveError([Problem(display, None, f"cannot read file: {exc.strerror}")]) from None
    finally:
        os.close(handle)


def _read_all(handle: int, size: int) -> bytes:
    """Everything left in an open regular file expected to hold `size` bytes (one read
    unless it has grown since)."""
    data = os.read(handle, size + 1)
    if len(data) <= size:
        return data  # a short read of a regular file: its end
    chunks = [data]
    while chunk := os.read(handle, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _read(raw: bytes, display: str, *, is_question: bool) -> Document:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        raise ArchiveError([Problem(display, line, message)]) from None
    if is_question and not text.strip():
        raise ArchiveError([Problem(display, 1, "empty file: expected front matter")])
    try:
        return parse_document(text, require_front_matter=is_question)
    except FrontMatterError as exc:
        raise ArchiveError([Problem(display, exc.line, str(exc))]) from None


def _check_fields(
    document: Document, display: str, spec: dict[str, Callable[[Any], Any]]
) -> tuple[dict[str, Any], list[Problem]]:
    values: dict[str, Any] = {}
    problems = []
    for key, raw in document.fields.items():
        check = spec.get(key)
        if check is None:
            message = f"{key}: unknown field{did_you_mean(key, spec)}"
            problems.append(Problem(display, document.line(key), message))
            continue
        if raw is None:
            continue
        try:
            values[key] = check(raw)
        except FieldError as exc:
            problems.append(Problem(display, document.line(key), f"{key}: {exc}"))
    return values, problems


def question_from_document(document: Document, relative: PurePath | str, display: str) -> Question:
    values, problems = _check_fields(document, display, QUESTION_FIELDS)
    for key in REQUIRED:
        if key not in document.fields or document.fields[key] is None:
            problems.append(Problem(display, 1, f"{key}: required field is missing"))
    if "id" not in document.fields:
        values["id"] = slugify(PurePosixPath(relative).stem)
        if not values["id"]:
            problems.append(Problem(display, 1, "id: cannot derive an id from the file name"))
    answer = document.body.strip("\n")
    values.setdefault("status", "answered" if answer.strip() else "unanswered")
    problems.extend(_status_problems(values, answer, document, display))
    if problems:
        raise ArchiveError(problems)
    return Question(answer=answer, source_path=display, **values)


def _status_problems(
    values: dict[str, Any], answer: str, document: Document, display: str
) -> list[Problem]:
    status = values.get("status")
    line = document.line("status")
    if status in ("answered", "corrected") and not answer.strip():
        return [
            Problem(display, line, f"status: '{status}' needs an answer below the front matter")
        ]
    if status == "unanswered" and answer.strip():
        return [Problem(display, line, "status: 'unanswered' but the file has an answer")]
    asked, answered = values.get("asked_on"), values.get("answered_on")
    if asked and answered and answered < asked:
        return [Problem(display, document.line("answered_on"), "answered_on: before asked_on")]
    return []


def _page_from_document(document: Document, relative: str, display: str) -> Page:
    values, problems = _check_fields(document, display, PAGE_FIELDS)
    segments = [slugify(part) for part in PurePosixPath(relative).with_suffix("").parts]
    slug = "/".join(segments)
    if not all(segments):
        problems.append(Problem(display, None, "cannot make a page address from this file name"))
    elif segments[0] in RESERVED_PAGE_SLUGS:
        problems.append(
            Problem(display, None, f"the address /{slug}/ is reserved for the archive's own pages")
        )
    if problems:
        raise ArchiveError(problems)
    title = (
        values.get("title")
        or _first_heading(document.body)
        or segments[-1].replace("-", " ").capitalize()
    )
    return Page(slug=slug, title=title, body=document.body, source_path=display)


def _first_heading(body: str) -> str | None:
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return None


def _duplicates(items: list[Any], what: str, key: Callable[[Any], str]) -> list[Problem]:
    seen: dict[str, Any] = {}
    problems = []
    for item in items:
        # Compare case-insensitively: 'A' and 'a' would collide on macOS and Windows disks.
        folded = key(item).casefold()
        if folded in seen:
            first = seen[folded]
            problems.append(
                Problem(
                    item.source_path,
                    None,
                    f"duplicate {what} '{key(item)}' (also used by {first.source_path})",
                )
            )
        else:
            seen[folded] = item
    return problems
