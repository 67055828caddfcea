"""`make demo` and `make bench`: the commands they run, and the demo's synth-and-build path."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.prefix)


def make(*args: str) -> subprocess.CompletedProcess[str]:
    """make in the project, with this interpreter's venv taken as installed (never pip)."""
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), f"VENV={VENV}",
         "-o", f"{VENV}/.installed", *args],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_demo_dry_run_synthesises_2000_questions_into_demo_and_serves_them() -> None:
    result = make("-n", "-B", "demo")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"{VENV}/bin/answers synth 2000 --out _demo/content --seed 1" in lines
    assert any(
        line.startswith(f"{VENV}/bin/answers serve --content _demo/content --out _demo/site")
        for line in lines
    )
    assert "_demo/" in (ROOT / ".gitignore").read_text().splitlines()


def test_demo_site_synthesises_and_builds(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    result = make("demo-site", f"DEMO_DIR={demo}", "DEMO_COUNT=40")
    assert result.returncode == 0, result.stderr
    questions = list((demo / "content" / "questions").rglob("*.md"))
    assert len(questions) == 40
    pages = list((demo / "site" / "questions").glob("*/index.html"))
    assert len(pages) == 40
    assert (demo / "site" / "search" / "manifest.json").is_file()
    # Run again: the content is kept (it is only made when missing) and the site rebuilt.
    before = {p: p.read_bytes() for p in questions}
    assert make("demo-site", f"DEMO_DIR={demo}", "DEMO_COUNT=40").returncode == 0
    assert {p: p.read_bytes() for p in questions} == before


def test_bench_dry_run_takes_the_sizes() -> None:
    result = make("-n", "bench", "SIZES=1000 10000")
    assert f"{VENV}/bin/python bench/bench.py --sizes 1000 10000" in result.stdout.splitlines()
    assert "--sizes 1000 10000 60000" in make("-n", "bench").stdout


def test_bench_runs_a_small_size_and_prints_the_table() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench/bench.py"), "--sizes", "30", "--no-hugo",
         "--no-realdata"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "PyYAML C loader: yes" in result.stdout
    rows = [line for line in result.stdout.splitlines() if line.startswith("| synthetic 30 |")]
    assert len(rows) == 2  # as it goes, and in the final table
    cells = [cell.strip() for cell in rows[-1].strip("|").split("|")]
    assert cells[1] == "30"
    assert all(cells[i].endswith(" s") for i in (2, 3, 5, 6))
    assert cells[4].endswith(" MB") and cells[7].endswith(" KB")
    assert cells[8:] == ["-", "-", "-"]  # no Hugo


def test_bench_refuses_sizes_out_of_range() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench/bench.py"), "--sizes", "300000"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "sizes run from 1 to 200000, got 300000" in result.stderr
