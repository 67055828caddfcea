"""What the main process makes while the workers render question pages, each part timed alone.

    python bench/main_share.py --content DIR [--config FILE] [--repeat 3]

Loads the archive and prepares the renderer as a cold build does (answers rendered, page
keys on, an empty record of earlier pages), then times in this one process (CPU seconds,
best of `--repeat`, the page keys' remembered hashes forgotten before each run): the
feeds' text, their page keys, the downloads (text and compression, every file made whole
as the build makes it), and the pages besides the question, member and topic pages
(`Renderer.other_pages(lists=False)`: departments, home, months and the other indexes),
keys included. These are the main process's share of a cold build (build._write_pages);
BENCHMARKS.md ("Round 9 (dl9)") records them. Last, apart from the total, the side task a
worker runs beside the question pages: the members' and topics' pages and their indexes
(`Renderer.list_pages()`), keys included, not written. Nothing here is part of `make test`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive_options import archive_options  # noqa: E402

from generator.browse import build_browse  # noqa: E402
from generator.cache import digest  # noqa: E402
from generator.downloads import download_parts  # noqa: E402
from generator.feeds import feed_parts  # noqa: E402
from generator.figures import department_figures  # noqa: E402
from generator.fingerprint import PageKeys, base_key  # noqa: E402
from generator.load import load_archive  # noqa: E402
from generator.render import Renderer, find_theme  # noqa: E402


def best(repeat: int, fresh: Callable[[], object], work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        fresh()
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    args, config = archive_options(__doc__.split("\n\n")[0], repeat=3)
    archive = load_archive(args.content)
    theme = find_theme(config)
    browse = build_browse(archive)
    renderer = Renderer(config, archive, theme, browse, department_figures(archive))
    renderer.prepare_answers()
    digests = {q.id: digest(q.answer.encode("utf-8")) for q in archive.questions}
    base = base_key(renderer.base_key_parts(), theme.source_dirs)

    def fresh_keys() -> None:
        """New page keys, which remember no hash yet (as in a build's main process)."""
        renderer.use_page_keys(PageKeys(base, digests), {})

    def feeds() -> list[tuple[str, dict[str, object], Callable[[], str]]]:
        return list(feed_parts(config, archive, browse, renderer.extracts, renderer.feed_contents))

    steps: list[tuple[str, Callable[[], object]]] = [
        ("feeds' text", lambda: [make() for _path, _inputs, make in feeds()]),
        ("feeds' page keys", lambda: [renderer.reusable("feed", p, i) for p, i, _ in feeds()]),
        (
            "downloads, compressed",
            lambda: [make() for _, _, make in download_parts(archive, config)],
        ),
        ("other pages, keys included", lambda: list(renderer.other_pages(lists=False))),
    ]
    print(f"{len(archive.questions):,} questions\n\n| step | CPU |\n| --- | ---: |")
    total = 0.0
    for label, work in steps:
        seconds = best(args.repeat, fresh_keys, work)
        total += seconds
        print(f"| {label} | {seconds:.2f} s |", flush=True)
    print(f"| **all** | **{total:.2f} s** |")
    lists = best(args.repeat, fresh_keys, lambda: list(renderer.list_pages()))
    print(f"| members' and topics' pages (a worker's side task), keys included | {lists:.2f} s |")


if __name__ == "__main__":
    main()
