"""No escaping the output folder: hostile ids, slugs and file names are refused or made safe."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.errors import ArchiveError
from tests.hostile.counts import record
from tests.sitebuild import MINIMAL_QUESTION, build_site, copy_archive

HOSTILE_NAMES = [
    "../..",
    "../../escaped",
    "/tmp/absolute",
    "/etc/passwd",
    "a/../../b",
    "..\\..\\windows",
    "C:\\Windows\\evil",
    "nul\x00byte",
    "x" * 300,
    "CON",
    "con",
    "NUL.txt",
    "nul.txt",
    "com1",
    "LPT9.md",
    "aux.tar.gz",
    "\uff0e\uff0e\uff0f\uff0e\uff0e\uff0fetc",  # fullwidth dots and solidus
    "\u2024\u2024/\u2024\u2024",  # one dot leaders
    "\u2215etc\u2215passwd",  # division slash
    ".hidden",
    "trailing.",
    "~root",
    "$HOME",
    "%2e%2e%2f",
    "\u202eevil",  # right-to-left override
    "-",
]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\x00", "\\0") + '"'


def _with_field(field: str, value: str) -> str:
    """MINIMAL_QUESTION with `field` set to `value` (replacing the line when it exists)."""
    lines = [line for line in MINIMAL_QUESTION.split("\n") if not line.startswith(f"{field}:")]
    lines.insert(1, f"{field}: {_quote(value)}")
    return "\n".join(lines)


def _everything_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def _check_contained(tmp_path: Path, site: Path, before: set[str]) -> None:
    """Nothing new anywhere around the site except inside _site/ (and leftovers none)."""
    after = _everything_under(tmp_path)
    own = ("site/_site", "site/.cache", "site/._site.spare")  # the site and the build's cache
    new = {p for p in after - before if not p.startswith(own)}
    assert new == set(), new
    for path in (site / "_site").rglob("*"):
        assert path.resolve().is_relative_to((site / "_site").resolve())
        assert not path.is_symlink()


@pytest.mark.parametrize("field", ["id", "department", "asked_by", "answered_by", "title"])
def test_hostile_values_in_path_fields(field: str, tmp_path: Path) -> None:
    site = copy_archive(tmp_path)
    questions = site / "content" / "questions"
    for number, name in enumerate(HOSTILE_NAMES):
        text = _with_field(field, name)
        (questions / f"hostile-{number}.md").write_text(text, encoding="utf-8")
    before = _everything_under(tmp_path)
    outcome = "built"
    try:
        build_site(site)
    except ArchiveError as exc:
        outcome = "refused"
        for problem in exc.problems:
            assert problem.path.endswith(".md") and problem.line, problem
    record("hostile path names tried", len(HOSTILE_NAMES))
    if field == "id":
        assert outcome == "refused"
    else:
        assert outcome == "built"  # free text: made safe by slugging, never refused
    _check_contained(tmp_path, site, before)


@pytest.mark.parametrize(
    "name",
    [n for n in HOSTILE_NAMES if "/" not in n and "\x00" not in n and len(n) < 200]
    + ["x" * 250, "CON.md", "nul.md", "\uff0e\uff0e.md"],
)
def test_hostile_file_names(name: str, tmp_path: Path) -> None:
    """Question file names become ids when no `id` is given: unsafe ones are refused clearly."""
    site = copy_archive(tmp_path)
    file_name = name if name.endswith(".md") else f"{name}.md"
    path = site / "content" / "questions" / file_name
    path.write_text(MINIMAL_QUESTION, encoding="utf-8")
    before = _everything_under(tmp_path)
    try:
        build_site(site)
    except ArchiveError as exc:
        assert any(p.path.endswith(file_name) for p in exc.problems), exc.problems
    record("hostile file names tried", 1)
    _check_contained(tmp_path, site, before)


def test_out_of_tree_symlink_in_content_is_not_followed_into_output(tmp_path: Path) -> None:
    """A content folder symlinked elsewhere is read, but nothing is written through it."""
    site = copy_archive(tmp_path)
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "q.md").write_text(MINIMAL_QUESTION, encoding="utf-8")
    os.symlink(secret, site / "content" / "questions" / "linked")
    before = _everything_under(tmp_path)
    build_site(site)
    _check_contained(tmp_path, site, before)
    assert sorted(p.name for p in secret.iterdir()) == ["q.md"]
