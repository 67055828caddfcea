"""Search benchmark: index build time and size, bytes before the first result, query time.

    .venv/bin/python bench/search_bench.py [--sizes 1000 10000] [--work DIR]

For each size it writes a synthetic archive, builds the whole site with `answers build`'s
code, measures the search index build in a fresh process (time and peak memory), the
files under `_site/search/` (raw and gzip -9, as a static host would compress them), and,
in headless Chromium against a loopback server, the time from opening
`/search/?q=<two words>` to the first rendered result, the bytes the page fetched before
it, and the time lunr.js takes per query once the index is loaded. Prints a Markdown
table for BENCHMARKS.md.

SYNTHETIC CONTENT: until `answers synth` (issue 5) lands, the archive is generated here:
words drawn with Zipf-like weights from tests/fixtures/search-words.txt, answer lengths
between 40 and 320 words, 24 departments, both Houses, every status. It is a stand-in for
real text, not a model of it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.build import BuildOptions, build  # noqa: E402
from generator.load import load_archive  # noqa: E402
from generator.search import build_index, gzip_size, search_records, to_json_bytes  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, serve_folder  # noqa: E402
from tests.synthetic import write_synthetic_archive  # noqa: E402

QUERIES = [
    "school funding", "hospital waiting", "housing", "defence procurement", "tax*", "uin:1001*",
    "+energy -nuclear", "title:school*", "hospitl~1", "2023", "local authorities",
]  # fmt: skip
FIRST_QUERY = "school funding"


def peak_memory_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux keeps ru_maxrss
    across exec, so a child started from the (large) benchmark process would report the
    parent's size."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def measure_index_build(content: Path) -> dict[str, float]:
    """Run in a fresh process so its peak memory is the index build's own."""
    archive = load_archive(content)
    base_mb = peak_memory_mb()
    started = time.perf_counter()
    records = search_records(archive)
    recorded = time.perf_counter()
    data = to_json_bytes(build_index(records).serialize())
    finished = time.perf_counter()
    return {
        "records_s": recorded - started,
        "index_s": finished - recorded,
        "total_s": finished - started,
        "peak_mb": peak_memory_mb(),
        "after_load_mb": base_mb,
        "index_bytes": len(data),
    }


BROWSER_FIRST_RESULT = """() => {
  const entries = performance.getEntriesByType("resource")
    .concat(performance.getEntriesByType("navigation"));
  return {
    first_result_ms: window.__firstResult,
    bytes: entries.reduce((sum, e) => sum + (e.encodedBodySize || 0), 0),
    files: entries.map((e) => e.name.replace(location.origin, "")).sort(),
  };
}"""

BROWSER_QUERIES = """async (queries) => {
  const start = performance.now();
  const text = await (await fetch("../search/index.json")).text();
  const fetched = performance.now();
  const data = JSON.parse(text);
  const parsed = performance.now();
  const index = lunr.Index.load(data);
  const loaded = performance.now();
  const times = {};
  for (const q of queries) {
    const runs = [];
    let hits = 0;
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      hits = index.search(q).length;
      runs.push(performance.now() - t0);
    }
    runs.sort((a, b) => a - b);
    times[q] = {median_ms: runs[3], hits: hits};
  }
  return {fetch_ms: fetched - start, parse_ms: parsed - fetched, load_ms: loaded - parsed,
          queries: times};
}"""

MARK_FIRST_RESULT = """new MutationObserver((_, observer) => {
  if (document.querySelector("#results .result")) {
    window.__firstResult = performance.now(); observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});"""


def measure_browser(site: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with serve_folder(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        cold = []
        for _ in range(3):
            context = browser.new_context()
            page = context.new_page()
            page.add_init_script(MARK_FIRST_RESULT)
            page.goto(f"{base}/search/?q={FIRST_QUERY.replace(' ', '+')}")
            page.wait_for_selector("#results .result", timeout=120_000)
            page.wait_for_function("window.__firstResult !== undefined")
            cold.append(page.evaluate(BROWSER_FIRST_RESULT))
            context.close()
        page = browser.new_page()
        page.goto(f"{base}/search/")
        page.wait_for_selector("#search.search-ready", timeout=120_000)
        queries = page.evaluate(BROWSER_QUERIES, QUERIES)
        browser.close()
    first = sorted(cold, key=lambda r: r["first_result_ms"])[1]
    return {"first": first, "queries": queries}


def measure(size: int, work: Path) -> dict[str, Any]:
    folder = work / f"synth-{size}"
    content = write_synthetic_archive(size, folder)
    started = time.perf_counter()
    build(
        BuildOptions(content=content, out=folder / "_site", config=folder / "none.yaml", quiet=True)
    )
    site_s = time.perf_counter() - started
    child = subprocess.run(
        [sys.executable, __file__, "--index-only", str(content)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    index_build = json.loads(child.stdout)
    site = folder / "_site"
    files = {
        name: (site / "search" / name).read_bytes() for name in ("index.json", "documents.json")
    }
    browser = measure_browser(site)
    fetched = [site / f.split("?")[0].lstrip("/") for f in browser["first"]["files"]]
    fetched = [p / "index.html" if p.is_dir() else p for p in fetched]
    return {
        "size": size,
        "site_build_s": site_s,
        "index_build": index_build,
        "files": {n: {"raw": len(b), "gzip": gzip_size(b)} for n, b in files.items()},
        "first_result": {
            "ms": browser["first"]["first_result_ms"],
            "raw_bytes": sum(p.stat().st_size for p in fetched),
            "gzip_bytes": sum(gzip_size(p.read_bytes()) for p in fetched),
            "files": browser["first"]["files"],
        },
        "browser": browser["queries"],
    }


def report(results: list[dict[str, Any]]) -> str:
    def mb(n: float) -> str:
        return f"{n / 1e6:.1f} MB"

    rows = [
        "| questions | index build (peak memory) | index.json raw / gzip "
        "| documents.json raw / gzip | downloaded before first result raw / gzip "
        "| first result | index load in browser "
        "| query (median) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        b, f, first, q = r["index_build"], r["files"], r["first_result"], r["browser"]
        medians = [v["median_ms"] for v in q["queries"].values()]
        rows.append(
            f"| {r['size']:,} | {b['total_s']:.1f} s ({b['peak_mb']:.0f} MB) "
            f"| {mb(f['index.json']['raw'])} / {mb(f['index.json']['gzip'])} "
            f"| {mb(f['documents.json']['raw'])} / {mb(f['documents.json']['gzip'])} "
            f"| {mb(first['raw_bytes'])} / {mb(first['gzip_bytes'])} "
            f"| {first['ms']:.0f} ms "
            f"| {q['parse_ms'] + q['load_ms']:.0f} ms "
            f"(parse {q['parse_ms']:.0f} + load {q['load_ms']:.0f}) "
            f"| {statistics.median(medians):.1f} ms (max {max(medians):.1f}) |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--work", type=Path, help="keep the synthetic sites here")
    parser.add_argument("--index-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.index_only:
        print(json.dumps(measure_index_build(args.index_only)))
        return
    with tempfile.TemporaryDirectory() as temporary:
        work = args.work or Path(temporary)
        results = []
        for size in args.sizes:
            result = measure(size, work)
            print(json.dumps(result, indent=1), file=sys.stderr)
            results.append(result)
    print(report(results))


if __name__ == "__main__":
    main()
