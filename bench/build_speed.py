"""Build speed: cold, no-change and one-edit builds of an archive, each checked against a cold one.

    python bench/build_speed.py --content DIR [--config FILE] [--work DIR] [--edits 2]
        [--no-reference] [--edit retitle|answer]

Copies the archive (content folder and config) into a work folder, then runs the real
`answers build` as a separate process for each step, timing it and reading its peak memory
(`/usr/bin/time -v` when present): a cold build with the cache, a build with nothing
changed, and `--edits` builds each after editing one question: retitling it (a new heading,
so a new topic: the full incremental path) or, with `--edit answer`, appending a sentence
to its answer (a content-only edit: the fast path of generator/edits.py). Finally it builds the
same content from scratch with `--no-cache` into another folder and fails unless both trees
are byte-identical. Prints a Markdown table for BENCHMARKS.md ("Build speed").
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIME = Path("/usr/bin/time")


def run(site: Path, *options: str) -> tuple[float, int | None, float | None]:
    """Wall seconds, peak RSS (kB) and CPU seconds (user + system, all processes) of one
    `answers build`; None where unknown. CPU time says more than wall time on a machine
    other work is loading."""
    command = [sys.executable, "-m", "generator", "build", "--config", "site.yaml", "--quiet"]
    command += options
    if TIME.exists():
        command = [str(TIME), "-v", *command]
    started = time.monotonic()
    with subprocess.Popen(
        command, cwd=site, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_env()
    ) as process:
        peaks, stderr = process_peaks(process)
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise SystemExit(f"build failed:\n{stderr}")
    if peaks:
        shown = ", ".join(f"{kb / 1024:.0f}" for kb in peaks)
        print(f"  peak RSS by process, in the order they started (MB): {shown}", file=sys.stderr)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    cpu = re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", stderr)
    return (
        seconds,
        int(peak.group(1)) if peak else None,
        sum(float(t) for t in cpu) if len(cpu) == 2 else None,
    )


def process_peaks(process: subprocess.Popen[str]) -> tuple[list[int], str]:
    """Each process's peak RSS (kB, `VmHWM`), the build's and every worker's, in the order
    they were first seen, by polling /proc every 50 ms until `process` ends, and its stderr
    (read meanwhile so the build never blocks on it). No peaks where there is no /proc. A worker
    forked from the build starts with the build's resident heap, so these say which process
    holds the peak and how much of it it inherited."""
    seen: dict[int, int] = {}
    errors: list[str] = []
    stream = process.stderr
    assert stream is not None
    reader = threading.Thread(target=lambda: errors.append(stream.read()), daemon=True)
    reader.start()
    while process.poll() is None:
        pending = [process.pid]
        while pending:
            pid = pending.pop()
            pending.extend(_children(pid))
            peak = _high_water(pid)
            if peak is not None:
                seen[pid] = max(peak, seen.get(pid, 0))
        time.sleep(0.05)
    reader.join()
    if TIME.exists():
        seen.pop(process.pid, None)  # /usr/bin/time itself
    return list(seen.values()), "".join(errors)


def _children(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(child) for child in children.split()]
    except OSError:
        return []


def _high_water(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found.group(1)) if found else None


def _env() -> dict[str, str]:
    """The builds' environment: the generator on the path and, as in a reader's own
    installation, Python keeping compiled modules (a PYTHONDONTWRITEBYTECODE=1 set for this
    machine's sessions would make every build compile the generator again, about 0.2 s of
    each edit's time)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def retitle(site: Path, number: int) -> Path:
    """Change the title of one question file (the same one each time)."""
    path = sorted((site / "content").rglob("*.md"))[-1]
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title: .*$", f"title: 'Edited: Title {number}'", text, count=1)
    path.write_text(text, encoding="utf-8")
    return path


def append_to_answer(site: Path, number: int) -> Path:
    """Append a sentence to one question's answer (the same one each time)."""
    path = sorted((site / "content").rglob("*.md"))[-1]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n\nEdited ({number}).\n", encoding="utf-8")
    return path


EDITS = {"retitle": (retitle, "retitled"), "answer": (append_to_answer, "answer edited")}


def same_tree(a: Path, b: Path) -> bool:
    compare = filecmp.dircmp(a, b)
    pending = [compare]
    while pending:
        current = pending.pop()
        if current.left_only or current.right_only or current.funny_files:
            return False
        _, mismatch, errors = filecmp.cmpfiles(
            current.left, current.right, current.common_files, shallow=False
        )
        if mismatch or errors:
            return False
        pending.extend(current.subdirs.values())
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, required=True)
    parser.add_argument("--config", type=Path, default=None, help="site.yaml to use")
    parser.add_argument("--work", type=Path, default=Path("_bench_build_speed"))
    parser.add_argument("--edits", type=int, default=2)
    parser.add_argument("--edit", choices=sorted(EDITS), default="retitle", help="the edit made")
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="skip the --no-cache build and the comparison (for sizes where it takes too long)",
    )
    args = parser.parse_args()
    site = args.work.resolve()
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    shutil.copytree(args.content, site / "content")
    config = site / "site.yaml"
    if args.config:
        shutil.copy(args.config, config)
    else:
        config.write_text("title: Build speed\nbase_url: https://example.org/\n", encoding="utf-8")
    questions = sum(1 for _ in (site / "content").rglob("*.md"))
    rows = [("cold build (cache empty)", *run(site))]
    rows.append(("no change", *run(site)))
    edit, label = EDITS[args.edit]
    for number in range(1, args.edits + 1):
        edit(site, number)
        rows.append((f"one question {label} ({number})", *run(site)))
    identical = None
    if not args.no_reference:
        reference = run(site, "--no-cache", "--out", "ref")
        rows.append(("cold build, --no-cache (reference)", *reference))
        identical = same_tree(site / "_site", site / "ref")
    print(f"{questions:,} content files; cached output identical to --no-cache: {identical}\n")
    print("| build | wall time | CPU time | peak memory (RSS) |\n| --- | ---: | ---: | ---: |")
    for label, seconds, peak, cpu in rows:
        memory = f"{peak / 1024:.0f} MB" if peak else "-"
        used = f"{cpu:.2f} s" if cpu is not None else "-"
        print(f"| {label} | {seconds:.2f} s | {used} | {memory} |")
    return 1 if identical is False else 0


if __name__ == "__main__":
    raise SystemExit(main())
