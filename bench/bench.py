"""`make bench`: build times, peak memory and output size on synthetic archives of given sizes.

For each size N: `answers synth N` writes a content folder in a scratch directory, then
`answers build` runs three times in fresh processes: cold (no `_site/`, no `.cache/`), again
with nothing changed, and again after one question's file is edited. Each build's wall time
and the peak resident memory of its largest process (`os.wait4`, the same figure as
`/usr/bin/time -v`) are recorded, with the bytes per question of the finished `_site/`.

When `hugo` is on PATH the same content is converted to Hugo's front matter in a scratch
site with a minimal layout (one page per question plus a page per department) and built cold
and again unchanged, as a side-by-side reference. When ../shared/realdata is present it is
imported with the project's importer and built the same way.

    .venv/bin/python bench/bench.py [--sizes 1000 10000 60000] [--no-hugo] [--no-realdata]

Sizes up to 200000 are accepted (the memory curve of issue 5); the default stops at 60000.
Prints a Markdown table for BENCHMARKS.md. Nothing here is part of `make test`.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.load import load_archive  # noqa: E402
from generator.yamltext import HAS_LIBYAML  # noqa: E402

DEFAULT_SIZES = (1000, 10_000, 60_000)
ALLOWED_SIZES = range(1, 200_001)
REALDATA = ROOT.parent / "shared" / "realdata"
CONFIG = "title: Benchmark archive\nbase_url: https://bench.example/archive/\n"
HUGO_CONFIG = """baseURL = "https://bench.example/archive/"
title = "Benchmark archive"
disableKinds = ["RSS", "sitemap", "robotsTXT", "404"]
paginate = 20
[taxonomies]
department = "departments"
[markup.goldmark.renderer]
unsafe = true
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>{{ .Title }}</title>"
        '</head><body>{{ block "main" . }}{{ end }}</body></html>\n'
    ),
    "_default/single.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Params.question }}</p>'
        '<p>{{ range .Params.departments }}{{ . }}{{ end }}, {{ .Date.Format "2 January 2006" }}'
        "</p>{{ .Content }}{{ end }}\n"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}'
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n'
    ),
    "_default/terms.html": (
        '{{ define "main" }}<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="'
        '{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>'
        "{{ end }}\n"
    ),
    "index.html": '{{ define "main" }}<h1>{{ .Site.Title }}</h1>{{ end }}\n',
}


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float


@dataclass(frozen=True)
class Row:
    label: str
    questions: int
    synth: float | None
    cold: Run
    unchanged: Run
    edited: Run
    site_bytes: int
    hugo_cold: Run | None = None
    hugo_unchanged: Run | None = None
    hugo_bytes: int | None = None


def timed(command: list[str], cwd: Path) -> Run:
    """Wall time and peak RSS (largest process, as /usr/bin/time -v) of one command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{errors.decode()}")
    return Run(seconds, usage.ru_maxrss / 1024)


def note(what: str, run: Run) -> Run:
    """Each figure on stderr as soon as it is measured, so a long run that is stopped keeps them."""
    print(f"  {what}: {run.seconds:.1f} s, peak {run.peak_mb:.0f} MB", file=sys.stderr, flush=True)
    return run


def answers(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def tree_size(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def edit_one(content: Path) -> Path:
    """Append a sentence to one answer, as an editor would (a new mtime and new bytes)."""
    files = sorted((content / "questions").rglob("*.md"))
    path = files[len(files) // 2]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n\nEdited for the benchmark.\n", encoding="utf-8")
    return path


def build_three_ways(site: Path) -> tuple[Run, Run, Run, int]:
    command = answers(
        "build", "--content", "content", "--out", "_site", "--config", "site.yaml", "--quiet"
    )
    for stale in ("_site", ".cache"):
        shutil.rmtree(site / stale, ignore_errors=True)
    cold = note(f"{site.name}: cold build", timed(command, site))
    unchanged = note(f"{site.name}: rebuild, no change", timed(command, site))
    edit_one(site / "content")
    edited = note(f"{site.name}: rebuild, one edit", timed(command, site))
    return cold, unchanged, edited, tree_size(site / "_site")


def hugo_site(content: Path, target: Path) -> None:
    """The same questions as a Hugo site: YAML front matter Hugo understands, minimal layout."""
    (target / "content" / "questions").mkdir(parents=True)
    (target / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        path = target / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for question in load_archive(content).questions:
        front = {
            "title": question.title,
            "date": (question.answered_on or question.asked_on).isoformat(),
            "departments": [question.department],
            "question": question.question,
            "slug": question.id,
        }
        header = yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
        text = f"---\n{header}---\n{question.answer}\n"
        (target / "content" / "questions" / f"{question.id}.md").write_text(text, encoding="utf-8")


def hugo_runs(content: Path, scratch: Path) -> tuple[Run, Run, int]:
    site = scratch / "hugo"
    # In a child process: Linux counts a parent's peak memory at fork into its children's
    # peaks, so this process must never hold an archive while it measures builds.
    subprocess.run([sys.executable, __file__, "--hugo-site", str(content), str(site)], check=True)
    command = ["hugo", "--quiet", "--source", str(site), "--destination", str(site / "public")]
    cold = note(f"{content.parent.name}: Hugo cold", timed(command, site))
    unchanged = note(f"{content.parent.name}: Hugo again", timed(command, site))
    return cold, unchanged, tree_size(site / "public")


def bench_size(count: int, scratch: Path, seed: int, hugo: bool) -> Row:
    site = scratch / f"synth-{count}"
    site.mkdir()
    (site / "site.yaml").write_text(CONFIG, encoding="utf-8")
    synth = timed(
        answers("synth", str(count), "--out", "content", "--seed", str(seed), "--quiet"), site
    )
    hugo_figures = (
        hugo_runs(site / "content", scratch / f"h{count}") if hugo else (None, None, None)
    )
    cold, unchanged, edited, size = build_three_ways(site)
    # Kept until the whole run ends: this file system (ext4 without a journal) makes every
    # file created in the minute after a large delete cost several times the system time,
    # which would be charged to the next size's builds and Hugo's (BENCHMARKS.md, round 9).
    label = f"synthetic {count:,}"
    return Row(label, count, synth.seconds, cold, unchanged, edited, size, *hugo_figures)


def bench_realdata(data: Path, scratch: Path, hugo: bool) -> Row:
    site = scratch / "realdata"
    site.mkdir()
    (site / "site.yaml").write_text(CONFIG, encoding="utf-8")
    timed(answers("import", str(data), "--content", "content", "--quiet"), site)
    count = len(list((site / "content").rglob("*.md")))
    hugo_figures = hugo_runs(site / "content", scratch / "hreal") if hugo else (None, None, None)
    cold, unchanged, edited, size = build_three_ways(site)
    return Row("realdata (imported)", count, None, cold, unchanged, edited, size, *hugo_figures)


def table(rows: list[Row]) -> str:
    def run(value: Run | None) -> str:
        return f"{value.seconds:.1f} s" if value else "-"

    def peak(value: Run | None) -> str:
        return f"{value.peak_mb:.0f} MB" if value else "-"

    lines = [
        "| archive | questions | synth | cold build | peak memory | rebuild, no change | "
        "rebuild, one edit | _site/ per question | Hugo cold | Hugo peak | Hugo rebuild |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.label} | {row.questions:,} | {f'{row.synth:.1f} s' if row.synth else '-'} "
            f"| {run(row.cold)} | {peak(row.cold)} | {run(row.unchanged)} | {run(row.edited)} "
            f"| {row.site_bytes / row.questions / 1024:.1f} KB | {run(row.hugo_cold)} "
            f"| {peak(row.hugo_cold)} | {run(row.hugo_unchanged)} |"
        )
    return "\n".join(lines)


def size(text: str) -> int:
    value = int(text)
    if value not in ALLOWED_SIZES:
        raise argparse.ArgumentTypeError(f"sizes run from 1 to 200000, got {value}")
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=size, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-hugo", action="store_true", help="skip the Hugo comparison")
    parser.add_argument("--realdata", type=Path, default=REALDATA)
    parser.add_argument("--no-realdata", action="store_true")
    parser.add_argument("--hugo-site", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hugo_site:
        hugo_site(*args.hugo_site)
        return 0
    hugo = not args.no_hugo and shutil.which("hugo") is not None
    load = os.getloadavg()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.platform()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} cores, load average "
        f"{load[0]:.1f}, PyYAML C loader: {'yes' if HAS_LIBYAML else 'NO'}"
    )
    if not hugo:
        print("hugo: " + ("skipped (--no-hugo)" if args.no_hugo else "not on PATH, no comparison"))
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="answers-bench-") as scratch:
        for count in args.sizes:
            rows.append(bench_size(count, Path(scratch), args.seed, hugo))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
        if not args.no_realdata and args.realdata.is_dir():
            rows.append(bench_realdata(args.realdata, Path(scratch), hugo))
        elif not args.no_realdata:
            print(f"realdata: none at {args.realdata}, skipped")
    print()
    print(table(rows))
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this script itself: {own:.0f} MB (a floor under every figure)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
