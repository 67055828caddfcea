"""Shared helpers: build a fixture archive into a temporary folder through the real CLI path."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from generator.build import BuildOptions, BuildResult, build

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_ARCHIVE = FIXTURES / "archive"


def copy_archive(tmp_path: Path, source: Path = FIXTURE_ARCHIVE) -> Path:
    """A writable copy of a fixture archive (site.yaml + content/), so tests may edit it."""
    target = tmp_path / "site"
    shutil.copytree(source, target)
    return target


def build_site(site: Path, out: Path | None = None, **options: object) -> tuple[Path, BuildResult]:
    out = out or site / "_site"
    # The build cache goes beside the output (site/.cache for a copied archive, as the CLI
    # does), never into a fixture folder that is built in place.
    options.setdefault("cache_dir", out.parent / ".cache")
    result = build(
        BuildOptions(
            content=site / "content",
            out=out,
            config=site / "site.yaml",
            quiet=True,
            **options,  # type: ignore[arg-type]
        )
    )
    return out, result


def write_question(content: Path, name: str, text: str) -> Path:
    path = content / "questions" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes, for comparing whole sites."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


MINIMAL_QUESTION = """---
title: 'Health: Waiting Lists'
department: Department of Health and Social Care
asked_on: 2024-01-10
question: To ask the Secretary of State for Health and Social Care, how long patients wait.
---
Waiting times are published monthly.
"""


def answers(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the `answers` command in a fresh interpreter, as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
