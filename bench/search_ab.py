"""A/B of search page scripts, interleaved in one run, for a noisy machine.

    .venv/bin/python bench/search_ab.py SITE {http1,h2} A.js B.js[=MANIFEST] [...] [--rounds N]

SITE is a built `_site/` (e.g. from bench/search_bench.py --work). For each of the
benchmark's cold queries, each variant in turn: a fresh browser context whose
`static/search.js` is the variant's file, `/search/` opened, the query submitted (cold),
then submitted 3 more times (warm, median). Interleaving puts every variant under the same
load. Prints the medians of the page's measures per variant.

`B.js=MANIFEST` also serves `SITE/search/MANIFEST` as the variant's `search/manifest.json`:
two index formats compared on one site holding both (their content-named files do not
collide; the old `docs/<n>.json` and the new `docs/<bucket>-<n>.json` neither).
"""

from __future__ import annotations

import argparse
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
    parser.add_argument("scripts", nargs="+", help="SCRIPT.js or SCRIPT.js=MANIFEST")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    variants: dict[str, tuple[str, str | None]] = {}
    for spec in args.scripts:
        script, _, manifest = spec.partition("=")
        body = (args.site / "search" / manifest).read_text() if manifest else None
        variants[Path(script).name] = (Path(script).read_text(), body)
    measured: dict[str, list[tuple[dict[str, float], float]]] = {name: [] for name in variants}
    with server_process(args.site, args.protocol) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for _ in range(args.rounds):
            for query in COLD_QUERIES:
                for name, (body, manifest) in variants.items():
                    context = browser.new_context(ignore_https_errors=True)
                    context.route("**/static/search.js*", serving(body))
                    if manifest is not None:
                        context.route(
                            "**/search/manifest.json", serving(manifest, "application/json")
                        )
                    page = context.new_page()
                    page.goto(base + "/search/")
                    page.wait_for_selector("#search.search-ready")
                    cold: dict[str, float] = page.evaluate(LUNR_QUERY, query)
                    warm = [page.evaluate(LUNR_QUERY, query)["ms"] for _ in range(3)]
                    measured[name].append((cold, statistics.median(warm)))
                    context.close()
        browser.close()
    for name, rows in measured.items():

        def median(key: str, rows: Any = rows) -> float:
            return float(statistics.median(cold[key] for cold, _warm in rows))

        print(
            f"{name}: cold {median('ms'):.0f} ms, first 10 shown {median('screen_ms'):.0f} ms, "
            f"results known {median('found_ms'):.0f} ms, "
            f"warm {statistics.median(w for _c, w in rows):.1f} ms (n={len(rows)})"
        )


if __name__ == "__main__":
    main()
