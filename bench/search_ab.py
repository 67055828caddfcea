"""A/B of search pages, interleaved in one run, for a noisy machine.

    .venv/bin/python bench/search_ab.py SITE {http1,h2} VARIANT [VARIANT ...] [--rounds N]

A VARIANT is either a folder (a whole built `_site/`, served by a server of its own, the
page as the benchmark sees it: nothing intercepted), or `A.js` / `B.js=MANIFEST`: SITE with
its `static/search.js` replaced by that file through Playwright's request interception
(`B.js=MANIFEST` also serves `SITE/search/MANIFEST` as the variant's
`search/manifest.json`: two index formats compared on one site holding both). Interception
sends every request of the page through the driver, which delays each by several
milliseconds (25 ms median between a fetch being started and sent, against 10 ms without,
at load 5; round 7 of BENCHMARKS.md): compare script variants with each other, and use
folders (hard-linked copies of a site with the files that differ replaced) to compare
with the benchmark's figures.

SITE is a built `_site/` (e.g. from bench/search_bench.py --work). For each of the
benchmark's cold queries, each variant in turn (the order alternating from query to
query): a fresh browser context, `/search/` opened, the query submitted (cold), then
submitted 3 more times (warm, median). Interleaving puts every variant under the same
load. Prints the medians of the page's measures per variant, and the paired ratio of each
variant's cold time to the first variant's (the median over the queries and rounds).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Route

ROOT = Path(__file__).resolve().parent.parent  # bench/ itself is on the path: a script's folder
sys.path.insert(0, str(ROOT))

from search_bench import COLD_QUERIES, LUNR_QUERY, server_process  # noqa: E402

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def serving(body: str, content_type: str = "text/javascript") -> Callable[[Route], None]:
    """A route handler answering with this body (one argument: Playwright passes the
    request too to a handler that takes two)."""

    def serve(route: Route) -> None:
        route.fulfill(body=body, content_type=content_type)

    return serve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("protocol", choices=["http1", "h2"])
    parser.add_argument("variants", nargs="+", help="SITE_FOLDER, SCRIPT.js or SCRIPT.js=MANIFEST")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    # name -> (folder served, script body or None, manifest body or None)
    variants: dict[str, tuple[Path, str | None, str | None]] = {}
    for spec in args.variants:
        if Path(spec).is_dir():
            variants[spec] = (Path(spec), None, None)
            continue
        script, _, manifest = spec.partition("=")
        body = (args.site / "search" / manifest).read_text() if manifest else None
        variants[Path(script).name] = (args.site, Path(script).read_text(), body)
    measured: dict[str, list[tuple[dict[str, float], float]]] = {name: [] for name in variants}
    loads = [os.getloadavg()[0]]
    with contextlib.ExitStack() as servers, sync_playwright() as p:
        bases = {
            folder: servers.enter_context(server_process(folder, args.protocol))
            for folder in {folder for folder, _script, _manifest in variants.values()}
        }
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for round_number in range(args.rounds):
            for number, query in enumerate(COLD_QUERIES):
                names = list(variants)
                if (round_number + number) % 2:
                    names.reverse()
                for name in names:
                    folder, body, manifest = variants[name]
                    context = browser.new_context(ignore_https_errors=True)
                    if body is not None:
                        context.route("**/static/search.js*", serving(body))
                    if manifest is not None:
                        context.route(
                            "**/search/manifest.json", serving(manifest, "application/json")
                        )
                    page = context.new_page()
                    page.goto(bases[folder] + "/search/")
                    page.wait_for_selector("#search.search-ready")
                    cold: dict[str, float] = page.evaluate(LUNR_QUERY, query)
                    warm = [page.evaluate(LUNR_QUERY, query)["ms"] for _ in range(3)]
                    measured[name].append((cold, statistics.median(warm)))
                    context.close()
            loads.append(os.getloadavg()[0])
        browser.close()
    print(f"load average {min(loads):.1f} to {max(loads):.1f}")
    first = next(iter(measured.values()))
    for name, rows in measured.items():

        def median(key: str, rows: Any = rows) -> float:
            return float(statistics.median(cold[key] for cold, _warm in rows))

        pairs = zip(rows, first, strict=True)
        paired = statistics.median(a["ms"] / b["ms"] for (a, _), (b, _) in pairs)
        print(
            f"{name}: cold {median('ms'):.0f} ms, first 10 shown {median('screen_ms'):.0f} ms, "
            f"results known {median('found_ms'):.0f} ms, "
            f"requests {median('requests'):.0f}, "
            f"warm {statistics.median(w for _c, w in rows):.1f} ms, "
            f"paired {paired:.2f} (n={len(rows)})"
        )


if __name__ == "__main__":
    main()
