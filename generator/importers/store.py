"""Writing imported questions into content/, safely and idempotently.

A hidden manifest (`content/.imports.json`; the loader ignores names starting with '.')
records, for every file an import wrote, the hash of exactly what it wrote and which source
record it came from. That tells three cases apart on re-import: the file is as we left it
(safe to update), it was edited by hand (a conflict: keep it, put the new version beside it),
or the path already belongs to a different source record (a clash: give this one another id).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path, PurePosixPath

from generator.content_files import (
    question_path,
    question_to_text,
    remove_stale_temporaries,
    write_text_atomic,
)
from generator.errors import ArchiveError, Problem
from generator.frontmatter import FrontMatterError, parse_document
from generator.load import question_from_document
from generator.model import Question

MANIFEST = ".imports.json"
CONFLICT_SUFFIX = ".imported"


class Outcome(Enum):
    IMPORTED = "imported"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFLICT = "conflicts"


@dataclass
class Summary:
    """Counts for the closing line, and every problem, warning and conflict to report."""

    counts: dict[str, int] = field(
        default_factory=lambda: {o.value: 0 for o in Outcome} | {"failed": 0}
    )
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome.value] += 1

    def fail(self, error: ArchiveError) -> None:
        self.counts["failed"] += 1
        self.problems.extend(error.problems)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def line(self) -> str:
        return ", ".join(f"{count} {name}" for name, count in self.counts.items())

    def exit_code(self) -> int:
        """1 when anything failed; 3 when only conflicts need a person; else 0."""
        if self.counts["failed"]:
            return 1
        return 3 if self.counts[Outcome.CONFLICT.value] else 0


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ImportStore:
    """Puts questions into one content folder; `save()` writes the manifest."""

    def __init__(self, content: Path, *, force: bool = False) -> None:
        self.content = content
        self.force = force
        remove_stale_temporaries(content)
        self.manifest_path = content / MANIFEST
        self.entries: dict[str, dict[str, str]] = _read_manifest(self.manifest_path)
        self.claimed: dict[str, str] = {}
        self.dirty = False

    def put(self, question: Question, key: str, where: str, summary: Summary) -> Outcome:
        """Write one question (validated as the loader would read it) and count the outcome."""
        question = self._unclash(question, key)
        relative = question_path(question).as_posix()
        text = question_to_text(question)
        outcome = self._write(relative, text, key, where, summary)
        self.claimed[relative] = key
        summary.add(outcome)
        return outcome

    def _unclash(self, question: Question, key: str) -> Question:
        """A different record already owns this path (same heading, same day): add a suffix."""
        relative = question_path(question).as_posix()
        owner = self.claimed.get(relative) or self.entries.get(relative, {}).get("key")
        if owner is None or owner == key or question.api_id is not None:
            return question
        suffix = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
        return replace(question, id=f"{question.id[: 100 - 9]}-{suffix}")

    def _write(self, relative: str, text: str, key: str, where: str, summary: Summary) -> Outcome:
        path = self.content / PurePosixPath(relative)
        side = path.with_name(path.name + CONFLICT_SUFFIX)
        try:
            current = path.read_text(encoding="utf-8") if path.exists() else None
        except (OSError, UnicodeDecodeError):
            current = ""
        if current == text:
            self._record(relative, text, key)
            side.unlink(missing_ok=True)
            return Outcome.UNCHANGED
        _validate(text, relative, where)  # only what is about to be written needs checking
        known = self.entries.get(relative, {}).get("sha256")
        if current is not None and not self.force and known != digest(current):
            write_text_atomic(side, text)
            why = "was edited since it was imported" if known else "was not written by an import"
            summary.conflicts.append(
                f"{path}: {why}; kept it, and wrote the imported version to {side.name} "
                f"(from {where}); compare them, or re-run with --force to overwrite"
            )
            return Outcome.CONFLICT
        write_text_atomic(path, text)
        self._record(relative, text, key)
        side.unlink(missing_ok=True)
        return Outcome.IMPORTED if current is None else Outcome.UPDATED

    def _record(self, relative: str, text: str, key: str) -> None:
        entry = {"key": key, "sha256": digest(text)}
        if self.entries.get(relative) != entry:
            self.entries[relative] = entry
            self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        text = json.dumps({"files": self.entries, "version": 1}, indent=1, sort_keys=True)
        write_text_atomic(self.manifest_path, text + "\n")
        self.dirty = False


def _read_manifest(path: Path) -> dict[str, dict[str, str]]:
    """The manifest's entries; a missing or unreadable one is empty (every file then counts
    as not written by an import, so nothing is overwritten without --force)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {
        k: v
        for k, v in files.items()
        if isinstance(v, dict) and all(isinstance(v.get(n), str) for n in ("key", "sha256"))
    }


def _validate(text: str, relative: str, where: str) -> None:
    """Read the text back as the loader will, so an import never writes a file a build rejects."""
    try:
        document = parse_document(text, require_front_matter=True)
        question_from_document(document, Path(relative), relative)
    except FrontMatterError as exc:
        raise ArchiveError([Problem(where, None, str(exc))]) from None
    except ArchiveError as exc:
        messages = "; ".join(p.message for p in exc.problems)
        raise ArchiveError([Problem(where, None, messages)]) from None
