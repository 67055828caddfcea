"""Writing content files: the one serialisation of a Question that importers use.

Field order and quoting are fixed so that importing the same source twice gives the same
bytes, and so that diffs of an archive under version control stay small.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from generator.model import Question

FIELD_ORDER = (
    "id", "title", "house", "uin", "api_id", "department", "original_department",
    "asked_by", "asked_by_id", "asked_on", "due_on", "question", "answered_by",
    "answered_by_id", "answered_on", "status", "holding_on", "corrected_on",
    "grouped_with", "attachments", "source", "original_answer", "truncated",
)  # fmt: skip

_Dumper: Any = yaml.CSafeDumper if getattr(yaml, "__with_libyaml__", False) else yaml.SafeDumper


def default_status(question: Question) -> str:
    return "answered" if question.answer.strip() else "unanswered"


def front_matter_fields(question: Question) -> dict[str, Any]:
    """The fields worth writing: empty ones and a status equal to the default are left out."""
    fields: dict[str, Any] = {}
    for name in FIELD_ORDER:
        value = getattr(question, name)
        if value is None or value is False or value == () or value == "":
            continue
        if name == "status" and value == default_status(question):
            continue
        if name == "grouped_with":
            value = list(value)
        elif name == "attachments":
            value = [{"title": a.title, "url": a.url} for a in value]
        fields[name] = value
    return fields


def question_to_text(question: Question) -> str:
    fields = front_matter_fields(question)
    front = yaml.dump(
        fields, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000_000
    )
    body = question.answer.strip("\n")
    return f"---\n{front}---\n{body}\n" if body else f"---\n{front}---\n"


def write_text_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and a rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_stale_temporaries(folder: Path) -> None:
    """Delete the temporary files of a write that was killed before its rename.

    Imports into one content folder do not run concurrently, so any such file is debris.
    """
    if folder.is_dir():
        for path in folder.rglob(".*.tmp"):
            if path.is_file():
                path.unlink()


def question_path(question: Question) -> Path:
    """Where a question lives under `content/`: questions/<house>/<year>/<id>.md."""
    house = (question.house or "unknown").lower()
    return Path("questions") / house / str(question.asked_on.year) / f"{question.id}.md"
