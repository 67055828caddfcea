"""Downloads for reuse: each department's questions as CSV and JSON, the archive as JSON Lines.

Records carry the content fields as stored (the answer as its Markdown/HTML source) plus
the question's full URL, so a download can be cited and joined back to the site.

Every file is gzip-compressed (no timestamp in the header keeps the bytes reproducible):
answers compress about sixfold, and uncompressed they would be the largest part of the site
(about 200 MB for a year of 60,000 questions, against GitHub Pages' 1 GB limit; the whole
archive as one file would near its 100 MB limit per file). The compressor is libdeflate
(the `deflate` package), not zlib, at its default level 6: 40 % of the CPU time of its
level 8 and a quarter of zlib's gzip -9, for files 2 to 3.3 % larger than level 8's
(BENCHMARKS.md, "Round 9 (dl9)"); compression is the largest single cost of a cold
build's downloads.

The archive download is a series of gzip members, one per `ARCHIVE_MEMBER` questions
(a gzip file may hold several; every reader decompresses them as one stream), so a build
that changes one question recompresses one member and reuses the others from the cache.
Department downloads are made the same way, one member per `DOWNLOAD_MEMBER` questions
(the first also holds the CSV's header or the JSON's opening, the last the JSON's close):
a department of 8,000 questions is about 25 MB of text, half a second of compression to remake.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any

import deflate

from generator.config import SiteConfig
from generator.model import Archive, Department, Question

COLUMNS = (
    "id", "url", "house", "uin", "api_id", "title", "department", "asked_by", "asked_by_id",
    "asked_on", "due_on", "answered_by", "answered_by_id", "answered_on", "status",
    "holding_on", "corrected_on", "grouped_with", "question", "answer", "original_answer",
    "original_department", "attachments", "source",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Questions per gzip member. An edit recompresses the members holding the question, so a
# member's size is what an edit pays; each member starts its compression afresh, so smaller
# members make larger files. 200: at 10,000 synthetic questions the downloads are 1.8 % larger
# than with 500 (7.74 against 7.61 MB; 100 would be 4.6 %), and an edit at 60,000 makes
# 2.5 times less of them again (BENCHMARKS.md, "Build speed", the lead's round 6).
ARCHIVE_MEMBER = 200  # questions per gzip member of the archive download
DOWNLOAD_MEMBER = 200  # questions per gzip member of a department's download


def archive_path() -> str:
    return "downloads/archive.jsonl.gz"


def department_paths(department: Department) -> dict[str, str]:
    base = f"downloads/departments/{department.slug}"
    return {"csv": f"{base}.csv.gz", "json": f"{base}.json.gz"}


# libdeflate's level: 6, its default. Every member of the downloads of 10,000 synthetic
# questions (44.8 MB of text): level 8 (round 8's, the cheapest no larger than zlib's
# gzip -9) 1.09 CPU-s for 7.70 MB, 7 0.64 s for 7.79 MB, 6 0.46 s for 7.96 MB, 5 0.35 s for
# 8.22 MB. 6 saves 0.6 CPU-s per 10,000 questions (0.4 s on the real archive's 14,544) for
# 26 bytes more per question (12 on the real one; 0.3 % of the site); a step below 6 costs
# as many bytes again for a sixth of the time (BENCHMARKS.md, "Round 9 (dl9)").
COMPRESS_LEVEL = 6


def compress(text: str) -> bytes:
    """One gzip member of `text` in UTF-8. libdeflate writes no timestamp or file name and
    its output depends only on its version (pinned) and level: the same text always gives
    the same bytes."""
    return bytes(deflate.gzip_compress(text.encode("utf-8"), COMPRESS_LEVEL))


def record(question: Question, config: SiteConfig) -> dict[str, Any]:
    """One question as plain JSON types, keys in COLUMNS order (tests/test_downloads.py)."""
    return {
        "id": question.id,
        "url": config.absolute_url(question.url_path),
        "house": question.house,
        "uin": question.uin,
        "api_id": question.api_id,
        "title": question.title,
        "department": question.department,
        "asked_by": question.asked_by,
        "asked_by_id": question.asked_by_id,
        "asked_on": question.asked_on.isoformat(),
        "due_on": _iso(question.due_on),
        "answered_by": question.answered_by,
        "answered_by_id": question.answered_by_id,
        "answered_on": _iso(question.answered_on),
        "status": question.status,
        "holding_on": _iso(question.holding_on),
        "corrected_on": _iso(question.corrected_on),
        "grouped_with": list(question.grouped_with),
        "question": question.question,
        "answer": question.answer,
        "original_answer": question.original_answer,
        "original_department": question.original_department,
        "attachments": [{"title": a.title, "url": a.url} for a in question.attachments],
        "source": question.source,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _cell(value: Any) -> str:
    """A CSV cell; text a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, list):
        text = "; ".join(
            f"{item['title']} <{item['url']}>" if isinstance(item, dict) else str(item)
            for item in value
        )
    else:
        text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def department_csv(department: Department, config: SiteConfig) -> str:
    """The CSV download's text, all of it, as one member would hold it (`department_downloads`
    makes the file member by member)."""
    return _csv_rows(0, department.questions, config)


def csv_line(cells: Iterable[str]) -> str:
    """One CSV row as `csv.writer(lineterminator="\r\n")` writes it (tests/test_downloads.py
    compares the two): a cell is quoted when it holds a comma, a quote or a line break, its
    quotes doubled. The csv module scans every character in a loop of its own; `in` and
    `replace` scan in C, four times faster on answers' long cells."""
    return ",".join([_quoted(cell) for cell in cells]) + "\r\n"


def _quoted(cell: str) -> str:
    if '"' in cell:
        return '"' + cell.replace('"', '""') + '"'
    if "," in cell or "\n" in cell or "\r" in cell:
        return '"' + cell + '"'
    return cell


def department_json(department: Department, config: SiteConfig) -> str:
    return "".join(department_json_pieces(department, config))


def department_json_pieces(department: Department, config: SiteConfig) -> Iterator[str]:
    """The JSON download's text in pieces, each question's record made only when it is
    written: all of it, as one member would hold it (see `department_csv_pieces`)."""
    document = {
        "department": department.name,
        "url": config.absolute_url(department.url_path),
        "count": len(department.questions),
        "questions": _Records(department.questions, config),
    }
    yield from indented_json(document)
    yield "\n"


class _Records(Sequence[dict[str, Any]]):
    """The questions' download records, made one at a time as they are read."""

    def __init__(self, questions: Sequence[Question], config: SiteConfig):
        self.questions = questions
        self.config = config

    def __len__(self) -> int:
        return len(self.questions)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [record(q, self.config) for q in self.questions[index]]
        return record(self.questions[index], self.config)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (record(q, self.config) for q in self.questions)


# `json.dumps(value, ensure_ascii=False)`, without making an encoder at every call as
# `json.dumps` does for any argument but the defaults.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def indented_json(value: Any, level: int = 0) -> Iterator[str]:
    """`json.dumps(value, ensure_ascii=False, indent=1)` in pieces, byte for byte (string keys).

    The standard library formats indented JSON in pure Python, call by call; here only the
    layout is Python and every string and number goes to its C encoder, several times faster
    on the department downloads (tests/test_downloads.py compares the two)."""
    if isinstance(value, dict) and value:
        inner = "\n" + " " * (level + 1)
        yield "{"
        for number, (key, item) in enumerate(value.items()):
            yield ("," if number else "") + inner + _ENCODE(str(key)) + ": "
            yield from indented_json(item, level + 1)
        yield "\n" + " " * level + "}"
    elif isinstance(value, list | tuple | _Records) and value:
        inner = "\n" + " " * (level + 1)
        yield "["
        for number, item in enumerate(value):
            yield ("," if number else "") + inner
            yield from indented_json(item, level + 1)
        yield "\n" + " " * level + "]"
    else:
        yield _ENCODE(value)


# What comes before each value of a record indented as a department's JSON lists it (in the
# "questions" list, at depth 2), key by key in COLUMNS order.
_RECORD_KEYS = tuple(
    ("{" if number == 0 else ",") + "\n   " + _ENCODE(key) + ": "
    for number, key in enumerate(COLUMNS)
)


# The C encoder with the line break and indentation of a record's keys as its item
# separator: a record without lists, laid out as `indented_json` lays it at depth 2, but
# for its braces' own line breaks. (`JSONEncoder` uses its C encoder only without `indent`.)
_ENCODE_FLAT = json.JSONEncoder(ensure_ascii=False, separators=(",\n   ", ": ")).encode


def indented_record(row: dict[str, Any]) -> str:
    """`"".join(indented_json(row, 2))` for a `record`, in one piece: a record whose two
    lists are empty (most: they are printed `[]` on the key's line) is one call of the C
    encoder; otherwise only the lists go through `indented_json`, and the rest is one join
    (tests/test_downloads.py compares both ways with `indented_json`)."""
    if not (row["grouped_with"] or row["attachments"]):
        return "{\n   " + _ENCODE_FLAT(row)[1:-1] + "\n  }"
    parts = []
    for prefix, value in zip(_RECORD_KEYS, row.values(), strict=True):
        parts.append(prefix)
        parts.append(
            "".join(indented_json(value, 3))
            if value and isinstance(value, list | dict)
            else _json_value(value)
        )
    parts.append("\n  }")
    return "".join(parts)


def _json_value(value: Any) -> str:
    """`_ENCODE(value)`, with null written here: the encoder's way to it costs five times a
    string's (a record holds several)."""
    return "null" if value is None else _ENCODE(value)


def archive_jsonl(questions: Sequence[Question], config: SiteConfig) -> Iterator[str]:
    for question in questions:
        yield _ENCODE(record(question, config)) + "\n"


def archive_chunks(archive: Archive) -> list[tuple[Question, ...]]:
    """The questions of each gzip member of the archive download, newest first."""
    questions = archive.questions
    return [
        questions[start : start + ARCHIVE_MEMBER]
        for start in range(0, len(questions), ARCHIVE_MEMBER)
    ]


def archive_member(number: int, questions: tuple[Question, ...], config: SiteConfig) -> bytes:
    """One gzip member of the archive download (`number` lets a cache tell members apart)."""
    return compress("".join(archive_jsonl(questions, config)))


MakeMember = Callable[[int, tuple[Question, ...], SiteConfig], bytes]
# A department download's member: (name, its questions, how to make it) -> its bytes, made
# or recalled from a cache; the name tells apart what the bytes depend on besides the
# questions (see `member_name`).
CachedMember = Callable[[str, tuple[Question, ...], Callable[[], bytes]], bytes]


def make_member(name: str, questions: tuple[Question, ...], make: Callable[[], bytes]) -> bytes:
    return make()


def member_name(path: str, number: int, count: int, department: str) -> str:
    """What a department member's bytes depend on besides its questions and the config:
    the file, the member's place, the department's size (the JSON's count, where the list
    ends) and its name (the JSON's opening)."""
    return f"{path}\0{number}\0{count}\0{department}"


def department_downloads(
    department: Department,
    config: SiteConfig,
    cached: CachedMember = make_member,
    kinds: Sequence[str] = ("csv", "json"),
) -> dict[str, bytes]:
    """A department's downloads of `kinds` by kind, made together gzip member by member:
    the CSV and JSON members of the same questions share their records (`record` is a
    third of the text's cost), and only a chunk's records are held at a time."""
    paths = department_paths(department)
    questions = department.questions
    count = len(questions)
    members: dict[str, list[bytes]] = {kind: [] for kind in kinds}
    for number, start in enumerate(range(0, count, DOWNLOAD_MEMBER)):
        chunk = tuple(questions[start : start + DOWNLOAD_MEMBER])
        records = functools.cache(partial(_records, chunk, config))  # made once, for both
        for kind in kinds:
            name = member_name(paths[kind], number, count, department.name)
            make = partial(_member_of, kind, department, count, start, records, config)
            members[kind].append(cached(name, chunk, make))
    return {kind: b"".join(made) for kind, made in members.items()}


def department_member(
    kind: str,
    department: Department,
    count: int,
    start: int,
    chunk: Sequence[Question],
    config: SiteConfig,
) -> bytes:
    """The gzip member of a department's download holding `chunk` (from `start`)."""
    return _member_of(kind, department, count, start, partial(_records, chunk, config), config)


def _records(chunk: Sequence[Question], config: SiteConfig) -> list[dict[str, Any]]:
    return [record(q, config) for q in chunk]


def _member_of(
    kind: str,
    department: Department,
    count: int,
    start: int,
    records: Callable[[], list[dict[str, Any]]],
    config: SiteConfig,
) -> bytes:
    if kind == "csv":
        return compress(_csv_text(start, records()))
    return compress("".join(_json_text(department, count, start, records(), config)))


def _csv_rows(start: int, chunk: Sequence[Question], config: SiteConfig) -> str:
    return _csv_text(start, _records(chunk, config))


def _csv_text(start: int, records: Iterable[dict[str, Any]]) -> str:
    rows = [csv_line([_cell(value) for value in row.values()]) for row in records]
    return (csv_line(COLUMNS) if start == 0 else "") + "".join(rows)


def _json_records(
    department: Department, count: int, start: int, chunk: Sequence[Question], config: SiteConfig
) -> Iterator[str]:
    """`department_json_pieces`' text from record `start` on (tests/test_downloads.py)."""
    return _json_text(department, count, start, _records(chunk, config), config)


def _json_text(
    department: Department,
    count: int,
    start: int,
    records: Sequence[dict[str, Any]],
    config: SiteConfig,
) -> Iterator[str]:
    if start == 0:
        yield "{\n " + _ENCODE("department") + ": " + _ENCODE(department.name)
        yield ",\n " + _ENCODE("url") + ": " + _ENCODE(config.absolute_url(department.url_path))
        yield ",\n " + _ENCODE("count") + ": " + _ENCODE(count)
        yield ",\n " + _ENCODE("questions") + ": ["
    for number, row in enumerate(records, start):
        yield ("," if number else "") + "\n  "
        yield indented_record(row)
    if start + len(records) == count:
        yield "\n ]\n}\n"


DownloadPart = tuple[str, dict[str, Any], Callable[[], bytes]]


def archive_download(archive: Archive, config: SiteConfig, member: MakeMember) -> bytes:
    chunks = archive_chunks(archive) or [()]
    return b"".join(member(number, chunk, config) for number, chunk in enumerate(chunks))


def download_parts(
    archive: Archive,
    config: SiteConfig,
    member: MakeMember = archive_member,
    cached: CachedMember = make_member,
) -> Iterator[DownloadPart]:
    """Each download as (path, the questions it holds, how to make it), so an unchanged one
    (same questions, same config) is skipped; `member` makes (or recalls) each gzip member
    of the archive download, `cached` each of a department's."""
    for department in archive.departments:
        paths = department_paths(department)
        inputs = {"department": department}
        both = _Together(department, config, cached)
        for kind in ("csv", "json"):
            yield paths[kind], inputs, partial(both.take, kind)
    yield (
        archive_path(),
        {"questions": archive.questions},
        partial(archive_download, archive, config, member),
    )


class _Together:
    """A department's two downloads for `download_parts`: the CSV's make makes the JSON too
    (`department_downloads`), kept until its own make takes it (a department's JSON
    compressed, a few MB at most); the JSON alone when the CSV was not made."""

    def __init__(self, department: Department, config: SiteConfig, cached: CachedMember):
        self.department = department
        self.config = config
        self.cached = cached
        self.made: dict[str, bytes] = {}

    def take(self, kind: str) -> bytes:
        if kind not in self.made:
            kinds = ("csv", "json") if kind == "csv" else (kind,)
            self.made = department_downloads(self.department, self.config, self.cached, kinds)
        return self.made.pop(kind)
