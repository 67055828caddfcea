"""`answers import`: files and folders of question pages and API JSON into content/.

Each file is read on its own and each record is imported on its own, so one bad record is
reported (as `path[:record or line]: message`) and counted while the rest still import.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generator.errors import ArchiveError, Problem
from generator.importers import api
from generator.importers.page import parse_page
from generator.importers.progress import Progress
from generator.importers.store import ImportStore, Outcome, Summary
from generator.markup import AnswerRenderer
from generator.model import Question

FORMATS = ("auto", "page", "api")
# In a folder, only these are imported (a README beside the data is not a question page).
FOLDER_SUFFIXES = (".txt", ".json", ".json.gz", ".gz")


@dataclass(frozen=True)
class ImportOptions:
    paths: tuple[Path, ...]
    content: Path = Path("content")
    format: str = "auto"
    force: bool = False
    asked_on: date | None = None
    quiet: bool = False


class Importer:
    """One import run: a store, a summary and a reporter shared by every file."""

    def __init__(self, store: ImportStore, progress: Progress) -> None:
        self.store = store
        self.progress = progress
        self.summary = Summary()
        self.renderer = AnswerRenderer()

    def put(self, question: Question, key: str, where: str, warnings: tuple[str, ...] = ()) -> None:
        try:
            outcome = self.store.put(question, key, where, self.summary)
        except ArchiveError as exc:
            self.failed(exc)
            return
        for warning in warnings:
            self.summary.warnings.append(f"{where}: {warning}")
            self.progress.message(f"warning: {where}: {warning}")
        if outcome is Outcome.CONFLICT:
            self.progress.message(f"conflict: {self.summary.conflicts[-1]}")
        self.progress.update(self.summary)

    def failed(self, error: ArchiveError) -> None:
        self.summary.fail(error)
        for problem in error.problems:
            self.progress.message(str(problem))
        self.progress.update(self.summary)

    def api_records(self, records: Iterator[api.Record], *, from_list: bool = True) -> None:
        for record in records:
            try:
                question, warnings = api.question_from_record(
                    record.value, record.where, renderer=self.renderer, from_list=from_list
                )
            except ArchiveError as exc:
                self.failed(exc)
                continue
            self.put(question, api_key(question), record.where, tuple(warnings))

    def page(self, path: Path, where: str, asked_on: date | None) -> None:
        try:
            text = path.read_bytes().decode("utf-8")
            question = parse_page(text, where, asked_on=asked_on)
        except UnicodeDecodeError as exc:
            self.failed(ArchiveError([Problem(where, None, f"not UTF-8 text: {exc.reason}")]))
            return
        except ArchiveError as exc:
            self.failed(exc)
            return
        self.put(question, page_key(question), where)


def api_key(question: Question) -> str:
    """What makes two records the same question: the API id, else house, date and UIN."""
    if question.api_id is not None:
        return f"api:{question.api_id}"
    return f"uin:{question.house}:{question.asked_on.isoformat()}:{question.uin}"


def page_key(question: Question) -> str:
    """A page has no id of its own: the day and the question's words identify it."""
    words = " ".join(question.question.split())
    return f"page:{question.asked_on.isoformat()}:{hashlib.sha1(words.encode()).hexdigest()[:16]}"


def run_import(options: ImportOptions) -> Summary:
    store = ImportStore(options.content, force=options.force)
    progress = Progress("importing", quiet=options.quiet)
    importer = Importer(store, progress)
    try:
        for path in _files(options.paths, importer):
            where = str(path)
            kind = options.format if options.format != "auto" else detect(path)
            if kind == "api":
                try:
                    importer.api_records(api.read_records(path, where))
                except ArchiveError as exc:
                    importer.failed(exc)
            else:
                importer.page(path, where, options.asked_on)
    finally:
        store.save()
        progress.finish()
    return importer.summary


def detect(path: Path) -> str:
    """API JSON (plain or gzip) or a plain-text page, by the file's first bytes."""
    try:
        with path.open("rb") as stream:
            head = stream.read(64)
    except OSError:
        return "page"
    if head[:2] == b"\x1f\x8b" or head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return "api"
    return "page"


def _files(paths: tuple[Path, ...], importer: Importer) -> Iterator[Path]:
    """Files as given, and the .txt/.json/.json.gz files under each folder (sorted, hidden
    ones skipped)."""
    for path in paths:
        if path.is_file():
            yield path
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and name.lower().endswith(FOLDER_SUFFIXES):
                        yield Path(root) / name
        else:
            importer.failed(ArchiveError([Problem(str(path), None, "no such file or folder")]))
