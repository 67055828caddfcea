"""Site files for hosting: sitemap.xml, robots.txt, .nojekyll and CNAME, and the size budget.

They are made from the model and the list of pages written, never from the clock, so the
same content gives the same bytes: a page's `lastmod` is the newest date of the content it
shows, not the time of the build.
"""

from __future__ import annotations

import gzip
import html
import os
import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote

from generator.config import SiteConfig
from generator.model import Archive, Question

SITEMAP = "sitemap.xml"
SITEMAP_LIMIT = 50_000  # URLs per sitemap file, the protocol's limit
# Up to this many URLs, sitemap.xml is one plain file anyone can read; past it, an index of
# gzip-compressed parts (the protocol allows both): a year's sitemap is about 9 MB plain and
# a tenth of that compressed.
PLAIN_SITEMAP_LIMIT = 5_000
NOT_IN_SITEMAP = frozenset({"404.html"})
_XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_URL_SAFE = re.compile(r"^[A-Za-z0-9._~/-]*$")


def _escape(text: str) -> str:
    """`xml.sax.saxutils.escape` (&, < and >), which is `html.escape` without quotes; that
    module is not imported, as it brings urllib.request, http.client and email with it."""
    return html.escape(text, quote=False)


def last_changed(question: Question) -> date:
    """The newest date a question records: asked, answered, given a holding answer, corrected."""
    latest = question.asked_on
    for when in (question.answered_on, question.holding_on, question.corrected_on):
        if when is not None and when > latest:
            latest = when
    return latest


def content_dates(archive: Archive) -> dict[str, date | None]:
    """lastmod by URL path prefix: a page takes the date of the longest prefix of its path.

    Question pages take their own dates and a department's pages (all of its listing pages)
    its newest question; plain content pages carry no date, so they get none. Every other
    generated page (home, indexes, and page types added later) lists archive content, so it
    falls back to the newest date in the archive.
    """
    changed = {q.url_path: last_changed(q) for q in archive.questions}
    dates: dict[str, date | None] = {"": max(changed.values(), default=None)}
    for department in archive.departments:
        dates[department.url_path] = max(changed[q.url_path] for q in department.questions)
    dates.update(changed)
    for page in archive.pages:
        dates[page.url_path] = None
    return dates


def url_path(written: str) -> str:
    """The address of a written HTML file: 'a/b/index.html' is served as 'a/b/'."""
    if written == "index.html":
        return ""
    return written[: -len("index.html")] if written.endswith("/index.html") else written


def _lastmod(path: str, dates: dict[str, date | None]) -> date | None:
    prefix = path
    while prefix not in dates:
        prefix = prefix.rstrip("/").rpartition("/")[0]
        prefix = prefix + "/" if prefix else ""
    return dates[prefix]


def sitemap_entries(
    config: SiteConfig, archive: Archive, written: Iterable[str]
) -> list[tuple[str, date | None]]:
    """(canonical URL, lastmod) for every HTML page written, in a sorted order."""
    dates = content_dates(archive)
    paths = sorted(url_path(p) for p in written if p.endswith(".html") and p not in NOT_IN_SITEMAP)
    return [(config.absolute_url(_quote(p)), _lastmod(p, dates)) for p in paths]


def _quote(path: str) -> str:
    """Percent-encode a path for a URL; the usual slug paths need nothing, so skip the work."""
    return path if _URL_SAFE.match(path) else quote(path, safe="/")


def _urlset(entries: list[tuple[str, date | None]]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{_XMLNS}">']
    for loc, lastmod in entries:
        modified = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{_escape(loc)}</loc>{modified}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def _sitemap_index(
    config: SiteConfig, parts: list[tuple[str, list[tuple[str, date | None]]]]
) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{_XMLNS}">']
    for path, chunk in parts:
        dates = [d for _, d in chunk if d]
        modified = f"<lastmod>{max(dates).isoformat()}</lastmod>" if dates else ""
        lines.append(
            f"<sitemap><loc>{_escape(config.absolute_url(path))}</loc>{modified}</sitemap>"
        )
    lines.append("</sitemapindex>")
    return "\n".join(lines) + "\n"


def sitemap_files(
    config: SiteConfig,
    entries: list[tuple[str, date | None]],
    limit: int = SITEMAP_LIMIT,
    plain_limit: int = PLAIN_SITEMAP_LIMIT,
) -> Iterator[tuple[str, str | bytes]]:
    """One plain sitemap.xml for a small site; past `plain_limit` URLs, an index of
    `sitemaps/N.xml.gz` parts of up to `limit` URLs each (gzip without a timestamp, so the
    same entries give the same bytes)."""
    if len(entries) <= min(limit, plain_limit):
        yield SITEMAP, _urlset(entries)
        return
    chunks = [entries[i : i + limit] for i in range(0, len(entries), limit)]
    parts = [(f"sitemaps/{number}.xml.gz", chunk) for number, chunk in enumerate(chunks, start=1)]
    yield SITEMAP, _sitemap_index(config, parts)
    for path, chunk in parts:
        yield path, gzip.compress(_urlset(chunk).encode("utf-8"), compresslevel=9, mtime=0)


def robots_txt(config: SiteConfig) -> str:
    """Everything may be crawled; the sitemap needs an absolute URL, so only with base_url."""
    lines = ["User-agent: *", "Allow: /"]
    if config.base_url:
        lines += ["", f"Sitemap: {config.absolute_url(SITEMAP)}"]
    return "\n".join(lines) + "\n"


def site_files(
    config: SiteConfig, archive: Archive, written: Iterable[str]
) -> Iterator[tuple[str, str | bytes]]:
    """The hosting files for `_site/`, as (path, text) pairs; call after every page is written.

    `.nojekyll` stops GitHub Pages' Jekyll from hiding files when the site is published
    from a branch; `CNAME` names the custom domain. The sitemap lists absolute URLs, which
    exist only when base_url is set.
    """
    yield ".nojekyll", ""
    yield "robots.txt", robots_txt(config)
    if config.cname:
        yield "CNAME", config.cname + "\n"
    if config.base_url:
        yield from sitemap_files(config, sitemap_entries(config, archive, written))


def folder_size(folder: Path) -> int:
    """Bytes of every file under `folder`, as GitHub Pages counts a site's size."""
    total = 0
    pending = [str(folder)]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
    return total


def human_size(size: int) -> str:
    """Decimal units, as GitHub states its limits: '1.20 GB', '640.5 MB', '20 kB'."""
    if size >= 10**9:
        return f"{size / 1e9:.2f} GB"
    return f"{size / 1e6:.1f} MB" if size >= 10**6 else f"{size / 1e3:.0f} kB"


def budget_warning(folder: Path, size: int, budget: int) -> str | None:
    """A warning when the site is larger than its budget (GitHub Pages refuses sites over 1 GB)."""
    if size <= budget:
        return None
    return (
        f"warning: {folder}/ is {human_size(size)}, over the size budget of "
        f"{human_size(budget)} (size_budget in site.yaml); GitHub Pages refuses sites over 1 GB"
    )
