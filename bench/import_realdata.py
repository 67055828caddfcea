"""Benchmark: import all of ../shared/realdata (14,544 real API records) into a fresh folder.

Reports wall time and peak memory for a first import, a re-import (everything unchanged),
and loading the result as a build would; exits non-zero if any record failed or if the
re-import changed anything. Not part of `make test`: it needs the shared data set.

    .venv/bin/python bench/import_realdata.py [--data ../shared/realdata] [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from generator.importers.run import ImportOptions, run_import
from generator.importers.store import Summary
from generator.load import load_archive

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "realdata"


def peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_import(data: Path, content: Path) -> tuple[Summary, float]:
    start = time.perf_counter()
    summary = run_import(ImportOptions(paths=(data,), content=content, quiet=True))
    return summary, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--keep", type=Path, help="import into this folder and keep it")
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"no data at {args.data}: pass --data", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        content = args.keep or Path(scratch) / "content"
        base = peak_mb()
        first, first_seconds = timed_import(args.data, content)
        first_peak = peak_mb()
        again, again_seconds = timed_import(args.data, content)
        start = time.perf_counter()
        archive = load_archive(content)
        load_seconds = time.perf_counter() - start
        files = len(list(content.rglob("*.md")))
    records = first.total
    print(f"records: {records} in {args.data}")
    print(f"first import:  {first.line()}")
    print(f"  {first_seconds:.1f} s ({records / first_seconds:.0f} records/s), "
          f"peak RSS {first_peak:.0f} MB (interpreter and modules: {base:.0f} MB)")  # fmt: skip
    print(f"  warnings (text looking cut short; realdata is whole, so these would be false "
          f"alarms): {len(first.warnings)}")  # fmt: skip
    print(f"re-import:     {again.line()}")
    print(f"  {again_seconds:.1f} s")
    print(f"load as a build would: {len(archive.questions)} questions in {load_seconds:.1f} s")
    print(f"files: {files}; peak RSS overall {peak_mb():.0f} MB")
    for problem in first.problems[:20]:
        print(problem, file=sys.stderr)
    ok = (
        first.counts["failed"] == 0
        and again.counts["unchanged"] == records
        and len(archive.questions) == records
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
