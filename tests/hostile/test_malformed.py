"""Broken content files: `path:line: message`, exit 1, no traceback, previous `_site/` kept.

Tests run as root, for whom chmod 000 does not stop reading; the unreadable file is therefore
a FIFO named like a content file, which `open` cannot read as a regular file would be read
(the loader must refuse it rather than block), plus a monkeypatched `os.open` raising
PermissionError, which is what a real unreadable file gives a normal user.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from tests.hostile.counts import record
from tests.sitebuild import MINIMAL_QUESTION, build_site, copy_archive, tree_bytes

GOOD = MINIMAL_QUESTION
Q = "content/questions/broken.md"


def _text(text: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return make


def _bytes(data: bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_bytes(data)

    return make


def _directory(path: Path) -> None:
    path.mkdir()
    (path / "inner.txt").write_text("not markdown", encoding="utf-8")


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _duplicate(path: Path) -> None:
    text = GOOD.replace("---\ntitle", "---\nid: same-id\ntitle", 1)
    path.write_text(text, encoding="utf-8")
    (path.parent / "other.md").write_text(text, encoding="utf-8")


# name -> (how to make the broken file at Q, the line the message must name or None)
CORPUS: dict[str, tuple[Callable[[Path], None], int | None]] = {
    "truncated yaml": (_text("---\ntitle: 'Roads\ndepartment: x\n"), 1),
    "unclosed quote": (_text(GOOD.replace("'Health: Waiting Lists'", "'Health")), None),
    "tab indentation": (_text(GOOD.replace("department:", "\tdepartment:")), 3),
    "title is a list": (_text(GOOD.replace("title: 'Health: Waiting Lists'", "title: [a, b]")), 2),
    "title is a mapping": (
        _text(GOOD.replace("title: 'Health: Waiting Lists'", "title: {a: 1}")),
        2,
    ),
    "title is true": (_text(GOOD.replace("title: 'Health: Waiting Lists'", "title: true")), 2),
    "impossible date": (_text(GOOD.replace("2024-01-10", "2024-02-30")), 4),
    "date is text": (_text(GOOD.replace("2024-01-10", "last tuesday")), 4),
    "date with time": (_text(GOOD.replace("2024-01-10", "2024-01-10 10:00:00")), 4),
    "missing question": (_text(GOOD.replace("question: To ask", "questio: To ask")), None),
    "missing title": (_text(GOOD.replace("title: 'Health: Waiting Lists'\n", "")), None),
    "unknown field": (_text(GOOD.replace("---\ntitle", "---\ncolour: red\ntitle", 1)), 2),
    "field twice": (_text(GOOD.replace("---\ntitle", "---\ntitle: x\ntitle", 1)), None),
    "duplicate ids": (_duplicate, None),
    "bad id": (_text(GOOD.replace("---\ntitle", "---\nid: ../../etc\ntitle", 1)), 2),
    "bom then garbage": (_bytes(b"\xef\xbb\xbfno front matter\n"), 1),
    "crlf unclosed": (_bytes(b"---\r\ntitle: x\r\n"), 1),
    "crlf bad date": (
        _bytes(GOOD.replace("2024-01-10", "2024-13-01").replace("\n", "\r\n").encode()),
        4,
    ),
    "latin-1 bytes": (_bytes(GOOD.replace("wait.", "wait \u00a3.").encode("latin-1")), 5),
    "nul byte": (_bytes(GOOD.encode().replace(b"monthly", b"month\x00ly")), 7),
    "empty file": (_bytes(b""), 1),
    "only whitespace": (_bytes(b"\n \n\t\n"), 1),
    "front matter a list": (_text("---\n- a\n- b\n---\nbody\n"), 2),
    "front matter scalar": (_text("---\njust text\n---\nbody\n"), 2),
    "yaml anchor bomb": (_text("---\na: &a [x, x]\nb: &b [*a, *a]\ntitle: *b\n---\n"), None),
    "attachment javascript": (
        _text(
            GOOD.replace(
                "---\ntitle",
                "---\nattachments:\n  - title: x\n    url: javascript:alert(1)\ntitle",
                1,
            )
        ),
        2,
    ),
    "source data url": (
        _text(GOOD.replace("---\ntitle", "---\nsource: data:text/html,x\ntitle", 1)),
        2,
    ),
    "10 MB answer with bad date": (
        _text(GOOD.replace("2024-01-10", "2024-01-32") + ("word " * 2_000_000)),
        4,
    ),
    "directory named .md": (_directory, None),
    "fifo named .md": (_fifo, None),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    site = copy_archive(tmp_path_factory.mktemp("malformed"))
    out, _ = build_site(site)
    return site, tree_bytes(out)


def _run(
    site: Path, capsys: pytest.CaptureFixture[str], *extra: str, cache: bool = True
) -> tuple[int, str]:
    code = main(
        [
            *extra,
            "build",
            "--content",
            str(site / "content"),
            "--out",
            str(site / "_site"),
            "--config",
            str(site / "site.yaml"),
            "--quiet",
            *([] if cache else ["--no-cache"]),
        ]
    )
    captured = capsys.readouterr()
    return code, captured.err + captured.out


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_broken_file_is_reported_and_site_kept(
    name: str,
    built: tuple[Path, dict[str, bytes]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site, before = built
    monkeypatch.chdir(site)
    make, line = CORPUS[name]
    target = site / Q
    make(target)
    try:
        code, output = _run(site, capsys)
    finally:
        for path in (target, target.parent / "other.md"):
            if path.is_dir():
                for child in path.iterdir():
                    child.unlink()
                path.rmdir()
            elif path.exists() or path.is_fifo():
                path.unlink()
    record("broken files tried", 1)
    assert code == 1, output
    assert "Traceback" not in output
    assert "internal error" not in output
    expected = f"{Q}:{line}: " if line else f"{Q}:"
    if name == "duplicate ids":  # reported on the second file, naming the first
        expected = f"content/questions/other.md: duplicate id 'same-id' (also used by {Q})"
    assert expected in output, output
    assert tree_bytes(site / "_site") == before


def test_unreadable_file_as_for_a_normal_user(
    built: tuple[Path, dict[str, bytes]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Root can read a chmod 000 file, so PermissionError is raised where reading happens."""
    site, before = built
    monkeypatch.chdir(site)
    target = site / Q
    target.write_text(GOOD, encoding="utf-8")
    real = os.open

    def refuse(file: Any, flags: int, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(file).endswith("broken.md") and not flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)  # what the loader reads with
    try:
        code, output = _run(site, capsys)
    finally:
        target.unlink()
    record("broken files tried", 1)
    assert code == 1
    assert f"{Q}:" in output and "Permission denied" in output
    assert "Traceback" not in output
    assert tree_bytes(site / "_site") == before


def test_internal_error_shows_traceback_only_with_debug(
    built: tuple[Path, dict[str, bytes]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site, before = built
    monkeypatch.chdir(site)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("generator.build.build_browse", boom)
    code, output = _run(site, capsys, cache=False)  # unchanged input: the cache would skip it
    assert code == 70 and "Traceback" not in output and "--debug" in output
    with pytest.raises(RuntimeError):
        _run(site, capsys, "--debug", cache=False)
    assert tree_bytes(site / "_site") == before


def test_corpus_size() -> None:
    assert len(CORPUS) + 1 >= 30
