"""Search benchmark: the chunked index against lunr.py's monolithic one, and Pagefind.

    .venv/bin/python bench/search_bench.py [--sizes 10000 60000] [--realdata ../shared/realdata]
                                           [--work DIR] [--no-pagefind] [--light]
                                           [--reuse] [--no-index-builds]
                                           [--protocols http1 h2]

For each archive (synthetic archives of the given sizes, and the real questions of
`--realdata` imported with the importer, as bench/import_realdata.py does) it builds the
whole site with `answers build`'s code and measures:

- index build, each in a fresh process (time and peak memory, VmHWM): the chunked index
  (`search_records` + `chunked_files`, what the build runs) and lunr.py's monolithic index
  over the same records (`build_index` + JSON), and their ratio;
- the files under `_site/search/` (count, raw and gzip -9 bytes);
- in headless Chromium against a loopback server: the bytes fetched before the first
  result of `/search/?q=<two words>` (every file: HTML, CSS, JS, manifest, chunks, shards;
  gzip -9 as a static host serves text) and the time from navigation to that result;
  "cold query": a fresh browser context opens `/search/`, then a two-word query is
  submitted and the time from the query to its rendered results is read from the page's
  own `answers-search` performance measure (chunks and shards not yet fetched), with
  `answers-search-found` (results known: chunks fetched and scored) and
  `answers-search-screen` (the first 10 shown) beside it; median, p90 and max over 15
  queries, and the requests each made; "warm": the same query submitted again on that
  page (chunks and shards fetched, scoring and rendering done again), median of 5;
- each browser figure once per protocol of `--protocols` (bench/static_server.js, Node,
  gzip as static hosts send it, the search and Pagefind files compressed before it starts,
  as a host's cache holds them): HTTP/1.1 (six connections per host) and HTTP/2 over
  TLS with a throwaway self-signed certificate (as GitHub Pages, Netlify and Cloudflare
  Pages serve: every request at once on one connection);
- Pagefind (`pip install 'pagefind[bin]'`, a benchmark-only dependency) indexing the same
  built site's question pages, and the same measures through its JS API (search, then the
  data of the first 20 results, rendered as a list). Pagefind requires every word of a
  query (lunr needs any), so its result lists are shorter.

Prints a Markdown table for BENCHMARKS.md; the full figures go to stderr as JSON.
Synthetic content is `answers synth N` (generator/synth.py, seed 0: realistic questions
modelled on the real data).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.build import BuildOptions, build  # noqa: E402
from generator.config import load_config  # noqa: E402
from generator.load import load_archive  # noqa: E402
from generator.render import Renderer, find_theme  # noqa: E402
from generator.search import build_index, search_files, search_records, to_json_bytes  # noqa: E402
from generator.search_chunks import chunked_files  # noqa: E402
from generator.synth import write_archive  # noqa: E402
from generator.write import SiteWriter  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

DEFAULT_REALDATA = ROOT.parent / "shared" / "realdata"
STATIC_SERVER = Path(__file__).with_name("static_server.js")
FIRST_QUERY = "school funding"
COLD_QUERIES = [
    "school funding", "hospital waiting", "energy prices", "housing benefit",
    "local authorities", "defence spending", "mental health", "prison officers",
    "universal credit", "climate change", "police numbers", "bus services",
    "nuclear weapons", "social care", "train fares",
]  # fmt: skip
PAGE_SIZE = 20


def peak_memory_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux keeps ru_maxrss
    across exec, so a child started from the (large) benchmark process would report the
    parent's size."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def measure_index_build(content: Path, kind: str) -> dict[str, float]:
    """Run in a fresh process so its peak memory is the index build's own."""
    archive = load_archive(content)
    base_mb = peak_memory_mb()
    started = time.perf_counter()
    records = search_records(archive)
    recorded = time.perf_counter()
    if kind == "chunked":
        size = sum(len(data) for _path, data in chunked_files(records))
    else:
        size = len(to_json_bytes(build_index(records).serialize()))
    finished = time.perf_counter()
    return {
        "records_s": recorded - started,
        "index_s": finished - recorded,
        "total_s": finished - started,
        "peak_mb": peak_memory_mb(),
        "after_load_mb": base_mb,
        "bytes": size,
    }


def earlier_index_build(content: Path, kind: str) -> dict[str, float] | None:
    """An index build measured ahead in its own process (`--index-only KIND CONTENT >
    index-KIND.json` beside the content, `index-KIND.running` while it runs), so a long
    lunr.py build can run alongside the site build."""
    result, running = (content.parent / f"index-{kind}.{x}" for x in ("json", "running"))
    while running.exists():
        time.sleep(5)
    if result.exists() and result.read_text().strip():
        measured: dict[str, float] = json.loads(result.read_text())
        return measured
    return None


def index_build_in_child(content: Path, kind: str) -> dict[str, float]:
    child = subprocess.run(
        [sys.executable, __file__, "--index-only", kind, str(content)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(child.stdout)
    return result


def served_size(path: Path) -> int:
    """Bytes a static host sends: gzip -9 for text, as is for already compressed files."""
    data = path.read_bytes()
    return min(len(data), len(gzip.compress(data, compresslevel=9, mtime=0)))


MARK_FIRST_RESULT = """new MutationObserver((_, observer) => {
  if (document.querySelector("#results .result, #pf-results li")) {
    window.__firstResult = performance.now(); observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});"""

COUNT_RESULTS = """() => document.querySelectorAll("#results .result, #pf-results li").length"""

LUNR_QUERY = """async (query) => {
  performance.clearMeasures();
  const before = performance.getEntriesByType("resource").length;
  document.getElementById("search-q").value = query;
  document.getElementById("search-form").requestSubmit();
  while (!performance.getEntriesByName("answers-search").length) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  // A search page without the finer measures (before round 2) gives the whole time.
  const measured = (name, otherwise) => {
    const found = performance.getEntriesByName(name);
    return found.length ? found[0].duration : otherwise;
  };
  const ms = measured("answers-search");
  return {ms: ms, screen_ms: measured("answers-search-screen", ms),
          found_ms: measured("answers-search-found", ms),
          requests: performance.getEntriesByType("resource").length - before};
}"""

PAGEFIND_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pagefind benchmark</title>
<link rel="icon" href="data:,"></head><body><ol id="pf-results"></ol>
<script type="module">
let pagefind = null;
window.pfQuery = async (query) => {
  const start = performance.now();
  if (!pagefind) pagefind = await import("/pagefind/pagefind.js");
  const search = await pagefind.search(query);
  const data = await Promise.all(search.results.slice(0, PAGE_SIZE).map((r) => r.data()));
  const list = document.getElementById("pf-results");
  list.textContent = "";
  for (const d of data) {
    const item = document.createElement("li");
    item.textContent = d.meta.title + ": " + d.excerpt.replace(/<[^>]*>/g, "");
    list.appendChild(item);
  }
  // Pagefind requires every word: a query may find nothing, and is still answered.
  if (window.__firstResult === undefined) window.__firstResult = performance.now();
  return {ms: performance.now() - start};
};
const q = new URLSearchParams(location.search).get("q");
if (q) window.pfQuery(q);
</script></body></html>
""".replace("PAGE_SIZE", str(PAGE_SIZE))


def fetched_bytes(site: Path, urls: list[str]) -> tuple[int, int, list[str]]:
    paths = []
    for url in urls:
        path = site / unquote(urlsplit(url).path).lstrip("/")
        paths.append(path / "index.html" if path.is_dir() else path)
    return (
        sum(p.stat().st_size for p in paths),
        sum(served_size(p) for p in paths),
        sorted(p.relative_to(site).as_posix() for p in paths),
    )


@contextmanager
def server_process(site: Path, protocol: str) -> Iterator[str]:
    """Serve the site from another process, so the browser driver in this one does not
    slow the server down (a Python thread here would share this process's GIL): Node's
    http or http2 module (bench/static_server.js), gzip as a static host sends it (the
    files a query fetches compressed ahead, not on a cold query's first request).
    "h2" is HTTP/2 over TLS with a throwaway self-signed certificate, as static hosts
    (GitHub Pages, Netlify, Cloudflare Pages) serve; "http1" is HTTP/1.1, where a browser
    opens at most six connections to a host. Without Node, Python's threaded server
    (HTTP/1.1, keep-alive, no gzip)."""
    node = shutil.which("node")
    with tempfile.TemporaryDirectory() as certificates:
        if node:
            command = [node, str(STATIC_SERVER), str(site)]
            if protocol == "h2":
                command += ["--h2", certificates]
        else:
            command = [sys.executable, __file__, "--serve", str(site)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            yield process.stdout.readline().strip()
        finally:
            process.terminate()
            process.wait()


class _StaticHandler(SimpleHTTPRequestHandler):
    """Keep-alive and no Nagle delay: closer to a real static host than http.server's
    defaults (HTTP/1.0, a new connection per file)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _StaticServer(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True


def serve_forever(site: Path) -> None:
    server = _StaticServer(("127.0.0.1", 0), partial(_StaticHandler, directory=str(site)))
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": statistics.median(ordered),
        "p90": ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))],
        "min": ordered[0],
        "max": ordered[-1],
    }


def measure_browser(site: Path, pagefind: bool, protocol: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    results: dict[str, Any] = {"protocol": protocol}
    with server_process(site, protocol) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

        def new_context() -> Any:
            # The certificate of the h2 server is self-signed, made for this run.
            return browser.new_context(ignore_https_errors=True)

        def first_result(url: str) -> dict[str, Any]:
            context = new_context()
            # Every request, workers' too (Pagefind fetches from a web worker, which the
            # page's own resource timing does not see), up to the first result.
            requested: list[str] = []
            context.on("request", lambda request: requested.append(request.url))
            page = context.new_page()
            page.add_init_script(MARK_FIRST_RESULT)
            page.goto(url)
            page.wait_for_function("window.__firstResult !== undefined", timeout=120_000)
            ms = page.evaluate("window.__firstResult")
            count = page.evaluate(COUNT_RESULTS)
            raw, served, files = fetched_bytes(site, [u for u in requested if u.startswith(base)])
            context.close()
            return {"ms": ms, "raw_bytes": raw, "gzip_bytes": served, "files": files,
                    "results_shown": count}  # fmt: skip

        def queries(start: str, ready: str, run: str) -> dict[str, Any]:
            cold: list[dict[str, float]] = []
            warm: list[dict[str, float]] = []
            for query in COLD_QUERIES:
                context = new_context()
                page = context.new_page()
                page.goto(base + start)
                page.wait_for_function(ready, timeout=120_000)
                cold.append(page.evaluate(run, query))
                again = [page.evaluate(run, query) for _ in range(5)]
                warm.append(min(again, key=lambda r: abs(r["ms"] - statistics.median(
                    x["ms"] for x in again))))  # fmt: skip
                context.close()
            return {
                "cold_ms": statistics.median(r["ms"] for r in cold),
                "warm_ms": statistics.median(r["ms"] for r in warm),
                "cold": {key: percentiles([r[key] for r in cold]) for key in cold[0]},
                "warm": {key: percentiles([r[key] for r in warm]) for key in warm[0]},
                "cold_all": cold,
                "warm_all": warm,
            }

        q = FIRST_QUERY.replace(" ", "+")
        firsts = [first_result(f"{base}/search/?q={q}") for _ in range(3)]
        results["lunr"] = {
            "first": sorted(firsts, key=lambda r: r["ms"])[1],
            **queries("/search/", "document.querySelector('#search.search-ready')", LUNR_QUERY),
        }
        if pagefind:
            firsts = [first_result(f"{base}/pagefind-bench.html?q={q}") for _ in range(3)]
            results["pagefind"] = {
                "first": sorted(firsts, key=lambda r: r["ms"])[1],
                **queries("/pagefind-bench.html", "window.pfQuery !== undefined", "window.pfQuery"),
            }
        browser.close()
    return results


def run_pagefind(site: Path) -> dict[str, Any]:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--glob", "questions/**/*.html",
         "--output-subdir", "pagefind", "--quiet"],
        check=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    (site / "pagefind-bench.html").write_text(PAGEFIND_PAGE)
    files = [p for p in (site / "pagefind").rglob("*") if p.is_file()]
    return {
        "index_s": seconds,
        "files": len(files),
        "raw_bytes": sum(p.stat().st_size for p in files),
    }


def import_realdata(data: Path, folder: Path) -> Path:
    from generator.importers.run import ImportOptions, run_import

    content = folder / "content"
    run_import(ImportOptions(paths=(data,), content=content, quiet=True))
    return content


def build_search_site(content: Path, site: Path) -> None:
    """Only what search needs: question pages (for Pagefind), the search page, static
    files and the search index; the full build's browsing pages, feeds and downloads are
    left out, to keep a benchmark at 60,000 questions within its time."""
    config = load_config(Path("none.yaml"), required=False, base_url=None)
    archive = load_archive(content)
    renderer = Renderer(config, archive, find_theme(config))
    writer = SiteWriter(site)
    for question in archive.questions:
        writer.write(*renderer.question_page(question))
    writer.write(*renderer.search_page())
    for path, data in search_files(archive):
        writer.write(path, data)
    for folder in find_theme(config).static_dirs:
        writer.copy_tree(folder, "static")


def measure(name: str, content: Path, folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    pagefind, light = not args.no_pagefind, args.light
    site = folder / "_site"
    started = time.perf_counter()
    if light:
        build_search_site(content, site)
    else:
        build(BuildOptions(content=content, out=site, config=folder / "none.yaml", quiet=True))
    site_s = time.perf_counter() - started
    chunked = monolithic = None
    if not args.no_index_builds:
        chunked = index_build_in_child(content, "chunked")
        monolithic = index_build_in_child(content, "monolithic")
    (folder / "builds.json").write_text(json.dumps([site_s, chunked, monolithic]))
    return measure_site(name, content, folder, pagefind, args.protocols)


def measure_site(
    name: str, content: Path, folder: Path, pagefind: bool, protocols: list[str]
) -> dict[str, Any]:
    """The browser and Pagefind figures of a built site (and its recorded build figures)."""
    site = folder / "_site"
    builds = folder / "builds.json"
    site_s, chunked, monolithic = json.loads(builds.read_text()) if builds.exists() else [None] * 3
    search_files = [p for p in (site / "search").rglob("*") if p.is_file()]
    result: dict[str, Any] = {
        "name": name,
        "questions": len(list((content / "questions").rglob("*.md"))),
        "site_build_s": site_s,
        "chunked": chunked,
        "monolithic": monolithic,
        "search_files": {
            "count": len(search_files),
            "raw": sum(p.stat().st_size for p in search_files),
            "gzip": sum(served_size(p) for p in search_files),
            "manifest_gzip": served_size(site / "search" / "manifest.json"),
        },
    }
    if pagefind:
        recorded = folder / "pagefind.json"
        if not recorded.exists() or not (site / "pagefind").is_dir():
            recorded.write_text(json.dumps(run_pagefind(site)))
        result["pagefind_index"] = json.loads(recorded.read_text())
    result["browser"] = {each: measure_browser(site, pagefind, each) for each in protocols}
    return result


def report(results: list[dict[str, Any]]) -> str:
    """Two Markdown tables: the index and downloads, then query times per protocol."""
    return build_table(results) + "\n\n" + query_table(results)


def kb(n: float) -> str:
    return f"{n / 1000:.0f} KB"


def build_table(results: list[dict[str, Any]]) -> str:
    rows = [
        "| archive | index build: chunked / lunr.py (ratio) | peak memory: chunked / lunr.py "
        "| search files (gzip) | downloaded before first result (gzip, files) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in results:
        c, m, f = r["chunked"], r["monolithic"], r["search_files"]
        first = next(iter(r["browser"].values()))["lunr"]["first"]
        builds = memory = "not measured"
        if c and m:
            ratio = m["total_s"] / c["total_s"]
            builds = f"{c['total_s']:.1f} s / {m['total_s']:.1f} s ({ratio:.1f}x)"
            memory = f"{c['peak_mb']:.0f} MB / {m['peak_mb']:.0f} MB"
        rows.append(
            f"| {r['name']} ({r['questions']:,} questions) | {builds} | {memory} "
            f"| {f['count']:,} files, {f['gzip'] / 1e6:.1f} MB "
            f"| {kb(first['gzip_bytes'])} ({len(first['files'])} files) |"
        )
    return "\n".join(rows)


def query_table(results: list[dict[str, Any]]) -> str:
    rows = [
        "| archive | served over | first result from navigation | cold: whole page median "
        "(p90, max) | cold: first 10 shown | cold: results known (chunks fetched, scored) "
        "| requests per cold query | warm median (p90) "
        "| Pagefind: first result / cold median (p90) / warm |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        for protocol, b in r["browser"].items():
            lunr, pf = b["lunr"], "not run"
            cold, warm = lunr["cold"], lunr["warm"]
            if "pagefind" in b:
                p = b["pagefind"]
                pf = (
                    f"{p['first']['ms']:.0f} ms / {p['cold']['ms']['median']:.0f} ms "
                    f"({p['cold']['ms']['p90']:.0f}) / {p['warm']['ms']['median']:.1f} ms"
                )
            rows.append(
                f"| {r['name']} | {'HTTP/2' if protocol == 'h2' else 'HTTP/1.1'} "
                f"| {lunr['first']['ms']:.0f} ms "
                f"| {cold['ms']['median']:.0f} ms ({cold['ms']['p90']:.0f}, "
                f"{cold['ms']['max']:.0f}) "
                f"| {cold['screen_ms']['median']:.0f} ms "
                f"| {cold['found_ms']['median']:.0f} ms "
                f"| {cold['requests']['median']:.0f} "
                f"| {warm['ms']['median']:.1f} ms ({warm['ms']['p90']:.1f}) | {pf} |"
            )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10000, 60000])
    parser.add_argument("--realdata", type=Path, nargs="?", const=DEFAULT_REALDATA)
    parser.add_argument("--work", type=Path, help="keep the sites here")
    parser.add_argument("--no-pagefind", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="measure sites already in --work")
    parser.add_argument("--light", action="store_true", help="build only what search needs")
    parser.add_argument(
        "--no-index-builds", action="store_true", help="skip timing the index builds"
    )
    parser.add_argument(
        "--protocols", nargs="+", choices=["http1", "h2"], default=["http1", "h2"],
        help="serve the site over HTTP/1.1, HTTP/2 (TLS), or each in turn",
    )  # fmt: skip
    parser.add_argument("--index-only", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_forever(args.serve)
    if args.index_only:
        kind, content = args.index_only[0], Path(args.index_only[1])
        print(json.dumps(earlier_index_build(content, kind) or measure_index_build(content, kind)))
        return
    with tempfile.TemporaryDirectory() as temporary:
        work = args.work or Path(temporary)
        results = []
        datasets: list[tuple[str, int | Path]] = [(f"synthetic {n:,}", n) for n in args.sizes]
        if args.realdata:
            datasets.append(("realdata", args.realdata))
        for name, source in datasets:
            folder = work / name.replace(" ", "-").replace(",", "")
            if args.reuse and (folder / "_site").is_dir():
                result = measure_site(
                    name, folder / "content", folder, not args.no_pagefind, args.protocols
                )
                print(json.dumps(result, indent=1), file=sys.stderr, flush=True)
                results.append(result)
                continue
            shutil.rmtree(folder, ignore_errors=True)
            if isinstance(source, int):
                content = folder / "content"
                write_archive(content, source)
            else:
                content = import_realdata(source, folder)
            result = measure(name, content, folder, args)
            print(json.dumps(result, indent=1), file=sys.stderr, flush=True)
            results.append(result)
    print(report(results))


if __name__ == "__main__":
    main()
