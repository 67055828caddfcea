"""Crash safety of `answers import` and `answers fetch`: SIGKILL at random moments (fixed seed).

After every kill each content file present is whole, byte for byte the file an uninterrupted run
writes; a rerun then finishes the job: same files, same bytes, no duplicates.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakeapi import FakeApi, make_records, serve
from tests.hostile.counts import record

KILLS = 20
SEED = 88


def _records(count: int) -> list[dict[str, Any]]:
    records = make_records(count)
    for number, item in enumerate(records):
        item["dateAnswered"] = f"2021-10-{number % 26 + 5:02d}T00:00:00"
    return records


def _content(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*.md"))
        if p.is_file()
    }


def _kill_then_finish(command: list[str], content: Path, cwd: Path, seed: int) -> dict[str, int]:
    """Run `command` to completion once for reference, then kill it KILLS times and rerun."""
    reference_dir = cwd / "reference"
    started = time.monotonic()
    subprocess.run([*command, "--content", str(reference_dir)], cwd=cwd, check=True,
                   capture_output=True)  # fmt: skip
    full = time.monotonic() - started
    reference = _content(reference_dir)
    assert len(reference) >= 40
    rng = random.Random(seed)
    partial = 0
    for _ in range(KILLS):
        process = subprocess.Popen(
            [*command, "--content", str(content)], cwd=cwd,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(rng.uniform(0.2, full))
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = _content(content)
        assert all(reference.get(name) == data for name, data in now.items()), "partial file"
        partial += 0 < len(now) < len(reference)
    subprocess.run([*command, "--content", str(content)], cwd=cwd, check=True,
                   capture_output=True)  # fmt: skip
    final = _content(content)
    assert final == reference
    assert not [p for p in content.rglob("*") if p.name.endswith((".tmp", ".imported"))]
    return {"kills": KILLS, "partial": partial}


def test_killed_import_is_whole_and_a_rerun_finishes(tmp_path: Path) -> None:
    source = tmp_path / "api.json"
    source.write_text(
        json.dumps({"totalResults": 150, "results": [{"value": r} for r in _records(150)]}),
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "generator", "import", "--quiet", str(source)]
    seen = _kill_then_finish(command, tmp_path / "content", tmp_path, SEED)
    record("import kills survived", seen["kills"])
    print(f"import: {seen}")


@pytest.fixture
def big_api() -> Iterator[FakeApi]:
    with serve(FakeApi(_records(60))) as running:
        yield running


def test_killed_fetch_is_whole_and_a_rerun_finishes(big_api: FakeApi, tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "generator", "fetch", "--quiet", "--api", big_api.url,
        "--answered-from", "2021-10-01", "--answered-to", "2021-10-31",
        "--rate", "0", "--take", "10",
    ]  # fmt: skip
    seen = _kill_then_finish(command, tmp_path / "content", tmp_path, SEED + 1)
    record("fetch kills survived", seen["kills"])
    print(f"fetch: {seen}")
