"""Shared helpers for the importer tests: fixture paths and reading imported content."""

from __future__ import annotations

from pathlib import Path

from generator.frontmatter import parse_document
from generator.importers.run import ImportOptions, run_import
from generator.importers.store import Summary

FIXTURES = Path(__file__).parent / "fixtures" / "importers"
PAGES = FIXTURES / "pages"
API = FIXTURES / "api"
REPO = Path(__file__).parent.parent
SEED_FILE = REPO / "content/questions/commons/2021/2021-10-15-local-government-children.md"


def import_into(content: Path, *paths: Path, **options: object) -> Summary:
    return run_import(
        ImportOptions(paths=tuple(paths), content=content, quiet=True, **options)  # type: ignore[arg-type]
    )


def front(path: Path) -> tuple[dict[str, object], str]:
    document = parse_document(path.read_text(encoding="utf-8"), require_front_matter=True)
    return dict(document.fields), document.body.strip("\n")


def question_files(content: Path) -> list[Path]:
    return sorted((content / "questions").rglob("*.md"))
