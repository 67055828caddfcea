"""The build: config -> load -> model -> render -> write, orchestrated in one place."""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from generator.browse import build_browse
from generator.config import load_config
from generator.downloads import render_downloads
from generator.feeds import render_feeds
from generator.figures import department_figures
from generator.load import load_archive
from generator.render import Renderer, find_theme
from generator.search import search_files
from generator.sitefiles import budget_warning, folder_size, site_files
from generator.write import (
    SiteWriter,
    check_output_folder,
    publish,
    remove_leftovers,
    staging_folder,
)


@dataclass(frozen=True)
class BuildOptions:
    content: Path = Path("content")
    out: Path = Path("_site")
    config: Path = Path("site.yaml")
    config_required: bool = False
    base_url: str | None = None
    quiet: bool = False


@dataclass(frozen=True)
class BuildResult:
    pages: int
    questions: int
    departments: int
    files: int
    bytes: int
    seconds: float
    warnings: tuple[str, ...] = ()


class Progress:
    """Counts on stderr, at most a few times a second, so long builds show they are alive."""

    def __init__(self, total: int, enabled: bool):
        self.total = total
        self.enabled = enabled and total >= 500
        self.last = 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if self.enabled and (now - self.last > 0.5 or done == self.total):
            self.last = now
            print(f"\rrendering pages: {done}/{self.total}", end="", file=sys.stderr, flush=True)
            if done == self.total:
                print(file=sys.stderr)


def build(options: BuildOptions) -> BuildResult:
    """Build the whole site; on any error the previous output folder is left untouched."""
    started = time.monotonic()
    config = load_config(
        options.config, required=options.config_required, base_url=options.base_url
    )
    archive = load_archive(options.content)
    theme = find_theme(config)
    check_output_folder(options.out, [options.content, options.config, Path.cwd()])
    remove_leftovers(options.out)
    browse = build_browse(archive)
    renderer = Renderer(config, archive, theme, browse, department_figures(archive))
    staging = staging_folder(options.out)
    try:
        writer = SiteWriter(staging)
        expected = renderer.expected_pages()
        progress = Progress(expected, enabled=not options.quiet)
        pages = 0
        for path, html in renderer.render_all():
            writer.write(path, html)
            pages += 1
            progress.update(pages)
        feeds = render_feeds(config, archive, browse, renderer.extracts, renderer.feed_contents)
        for path, text in feeds:
            writer.write(path, text)
        for path, data in render_downloads(archive, config):
            writer.write(path, data)
        if progress.enabled:
            print(f"building the search index: {len(archive.questions)} questions", file=sys.stderr)
        for path, data in search_files(archive):
            writer.write(path, data)
        for folder in theme.static_dirs:
            writer.copy_tree(folder, "static")
        for path, text in site_files(config, archive, sorted(writer.written)):
            writer.write(path, text)
        publish(staging, options.out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    over_budget = budget_warning(options.out, folder_size(options.out), config.size_budget)
    return BuildResult(
        pages=pages,
        questions=len(archive.questions),
        departments=len(archive.departments),
        files=len(writer.written),
        bytes=writer.bytes_written,
        seconds=time.monotonic() - started,
        warnings=tuple(w for w in [over_budget] if w),
    )
