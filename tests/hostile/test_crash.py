"""Crash safety: SIGKILL `answers build` at random moments; _site/ is always whole, old or new.

The random moments come from a fixed seed, so CI runs are the same every time.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile.counts import record
from tests.sitebuild import FIXTURES, build_site, copy_archive, tree_bytes

KILLS = 20
SEED = 8


def _answers(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def _edit(site: Path) -> None:
    """A change that alters many pages: a new question in a new department."""
    path = site / "content" / "questions" / "new-one.md"
    path.write_text(
        "---\ntitle: New Question\ndepartment: Cabinet Office\nasked_on: 2023-12-20\n"
        "answered_on: 2023-12-21\n"
        "question: To ask whether this build was whole.\n---\nIt was.\n",
        encoding="utf-8",
    )


def _leftovers(site: Path) -> list[str]:
    """Staging folders of killed builds (the incremental build's `._site.spare` is kept)."""
    return [p.name for p in site.iterdir() if ".building-" in p.name or ".old-" in p.name]


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], ...]:
    root = tmp_path_factory.mktemp("refs")
    site = copy_archive(root, FIXTURES / "archive")
    old, _ = build_site(site, root / "old")
    _edit(site)
    new, _ = build_site(site, root / "new")
    return tree_bytes(old), tree_bytes(new)


def test_sigkill_during_build_leaves_old_or_new_site(
    tmp_path: Path, references: tuple[dict[str, bytes], ...]
) -> None:
    old, new = references
    site = copy_archive(tmp_path, FIXTURES / "archive")
    build_site(site)
    out = site / "_site"
    rng = random.Random(SEED)
    started = time.monotonic()
    command = _answers("build", "--quiet")
    subprocess.run(command, cwd=site, check=True)
    full = time.monotonic() - started
    _edit(site)
    seen = {"old": 0, "new": 0}
    for _ in range(KILLS):
        process = subprocess.Popen(command, cwd=site)
        time.sleep(rng.uniform(0, full * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        tree = tree_bytes(out)
        assert tree in (old, new), "a killed build left a mixed or partial site"
        seen["old" if tree == old else "new"] += 1
        if tree == new:  # go back to the old site so later kills can catch a swap again
            shutil.rmtree(out)
            (site / "content" / "questions" / "new-one.md").rename(tmp_path / "held.md")
            subprocess.run(command, cwd=site, check=True)
            (tmp_path / "held.md").rename(site / "content" / "questions" / "new-one.md")
        record("build kills survived", 1)
    leftovers = _leftovers(site)
    subprocess.run(command, cwd=site, check=True)
    assert tree_bytes(out) == new
    assert _leftovers(site) == []
    assert seen["old"] > 0, seen
    print(f"kills: {KILLS}, left old site: {seen['old']}, new: {seen['new']}; {leftovers}")
