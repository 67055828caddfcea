"""A link crawler for built sites, served on 127.0.0.1 the way GitHub Pages serves them.

Reusable by every test that adds a page type: build a site into a folder, then

    with serve_site(site_dir, "/repo/") as root:        # http://127.0.0.1:PORT/repo/
        report = crawl(root, public_url="https://user.github.io/repo/")
    assert report.problems == []
    assert unreached_pages(site_dir, report) == []

What is followed, from the home page, `robots.txt`, `sitemap.xml` and a missing deep address
(which must answer with the site's 404 page, whose links must work from any depth):

- in HTML: `href`, `src`, `srcset`, `action`, `poster`, the `og:url`, `og:image` and
  `twitter:image` metas, and any `data-*` attribute whose value is a URL of the site (so a
  script's fetch URL, such as a search index, is checked when the page names it in a data
  attribute); fragments are checked against the `id`s (and `<a name>`s) of the target page;
- in CSS: `url(...)` and `@import`;
- in XML: every sitemap `<loc>` and every Atom `<link href>` (feeds and their entries),
  gzip-compressed sitemap parts (`.xml.gz`) included;
  in robots.txt (a seed): `Sitemap:` lines;
- in JSON: the URLs in a top-level `"files"` list (such as `search/files.json`, which lists
  the search index's chunk and document files for crawlers, since only a script knows them).

Absolute URLs under `public_url` (canonical links, sitemap entries, Open Graph URLs) are
mapped onto the local server, so they are checked too; any other URL on the public host
is mapped as well and so fails if it leaves the site's path. Other origins are external
and only counted. A link that answers anything but 200, or redirects, is a problem.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

MISSING = "no/such/page/here/"
_URL_ATTRIBUTES = {"href", "src", "action", "poster"}
_URL_METAS = {"og:url", "og:image", "twitter:image"}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


class _Handler(SimpleHTTPRequestHandler):
    """Static files under a path prefix; anything else is 404 with the site's 404.html."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        path = urlsplit(path).path
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / ".outside-the-prefix" / "missing")
        return super().translate_path("/" + path[len(self.prefix) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # http.server's default of 5 drops connections under a crawl
    daemon_threads = True


@contextmanager
def serve_site(site_dir: Path, prefix: str = "/") -> Iterator[str]:
    """Serve `site_dir` at http://127.0.0.1:PORT{prefix}, on loopback only; yields that URL."""
    handler = type("Handler", (_Handler,), {"prefix": prefix})
    server = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(site_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


class _PageParser(HTMLParser):
    def __init__(self, site_paths: tuple[str, ...]):
        super().__init__(convert_charrefs=True)
        self.site_paths = site_paths
        self.links: list[str] = []
        self.anchors: set[str] = set()
        self.css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            fields = dict(attrs)
            if (fields.get("property") or fields.get("name")) in _URL_METAS and fields["content"]:
                self.links.append(fields["content"])
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.anchors.add(value)
            elif name in _URL_ATTRIBUTES:
                self.links.append(value.strip())
            elif name == "srcset":
                self.links += [part.split()[0] for part in value.split(",") if part.strip()]
            elif name.startswith("data-") and value.startswith(self.site_paths):
                self.links.append(value)
            elif name == "style":
                self.css.append(value)
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.css.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False


@dataclass
class CrawlReport:
    """What the crawl saw: local URLs fetched with their status, and every problem found."""

    fetched: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    external: set[str] = field(default_factory=set)
    fragments_checked: int = 0
    root_path: str = "/"

    @property
    def pages(self) -> set[str]:
        return {url for url, status in self.fetched.items() if status == 200}


@dataclass
class _Fetched:
    status: int
    content_type: str
    body: bytes
    redirected_to: str | None


def _fetch(url: str) -> _Fetched:
    request = urllib.request.Request(url, headers={"User-Agent": "answer-archive-test-crawler"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            final = response.geturl()
            return _Fetched(
                response.status,
                response.headers.get_content_type(),
                response.read(),
                final if final != url else None,
            )
    except urllib.error.HTTPError as error:
        return _Fetched(error.code, error.headers.get_content_type(), error.read(), None)


def _links_in(fetched: _Fetched, site_paths: tuple[str, ...]) -> tuple[list[str], set[str]]:
    """The links a response makes, and the fragment targets it offers."""
    if fetched.content_type in ("application/gzip", "application/x-gzip"):
        # A compressed sitemap part (`sitemaps/N.xml.gz`) links like its XML; other gzip
        # files (the downloads) link nowhere.
        body = gzip.decompress(fetched.body)
        if not body.startswith(b"<?xml"):
            return [], set()
        fetched = _Fetched(fetched.status, "application/xml", body, None)
    text = fetched.body.decode("utf-8", errors="replace")
    kind = fetched.content_type
    if kind == "text/html":
        parser = _PageParser(site_paths)
        parser.feed(text)
        css_links = [m.group(1) or m.group(2) for c in parser.css for m in _CSS_URL.finditer(c)]
        return parser.links + css_links, parser.anchors
    if kind == "text/css":
        return [m.group(1) or m.group(2) for m in _CSS_URL.finditer(text)], set()
    if kind in ("text/xml", "application/xml", "application/atom+xml", "application/rss+xml"):
        tree = ET.fromstring(fetched.body)
        locs = [el.text.strip() for el in tree.iter() if el.tag.endswith("loc") and el.text]
        hrefs = [el.get("href", "") for el in tree.iter() if el.tag.endswith("}link")]
        return locs + [h for h in hrefs if h], set()
    if kind == "application/json":
        data = json.loads(text)
        return list(data.get("files", [])) if isinstance(data, dict) else [], set()
    if kind == "text/plain":
        lines = [line.split(":", 1) for line in text.splitlines() if ":" in line]
        return [value.strip() for key, value in lines if key.strip().lower() == "sitemap"], set()
    return [], set()


class _Crawl:
    def __init__(self, root: str, public_url: str):
        self.root = root
        self.public_url = public_url or root
        self.public = urlsplit(self.public_url)
        local = urlsplit(root)
        self.local_origin = f"{local.scheme}://{local.netloc}"
        self.site_paths = (self.public.path or "/", self.public_url)
        self.report = CrawlReport()
        self.anchors: dict[str, set[str]] = {}
        self.wanted_fragments: list[tuple[str, str, str]] = []  # (source, url, fragment)

    def localise(self, url: str) -> str | None:
        """The local URL to fetch for a link, or None for a link to another site."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return None
        if parts.netloc == self.public.netloc and parts.scheme == self.public.scheme:
            return self.local_origin + url[len(f"{parts.scheme}://{parts.netloc}") :]
        if url.startswith(self.local_origin + "/"):
            return url
        return None

    def links_of(self, source: str, fetched: _Fetched) -> set[str]:
        links, anchors = _links_in(fetched, self.site_paths)
        self.anchors[source] = anchors
        found = set()
        for link in links:
            if link.startswith(("mailto:", "tel:", "javascript:", "data:")):
                continue
            absolute = urljoin(source, link)
            local = self.localise(absolute)
            if local is None:
                self.report.external.add(absolute)
                continue
            target, fragment = urldefrag(local)
            if fragment:
                self.wanted_fragments.append((source, target, unquote(fragment)))
            found.add(target)
        return found

    def visit(self, url: str) -> tuple[str, _Fetched]:
        fetched = _fetch(url)
        self.report.fetched[url] = fetched.status
        return url, fetched

    def check(self, url: str, fetched: _Fetched, referrer: str, expected: int = 200) -> bool:
        """Record a problem unless the response is the expected status, unredirected."""
        if fetched.redirected_to:
            problem = f"redirects to {fetched.redirected_to}"
        elif fetched.status != expected:
            problem = f"HTTP {fetched.status}, expected {expected}"
        else:
            return True
        self.report.problems.append(f"{url}: {problem} (linked from {referrer})")
        return False

    def run(self, seeds: list[str], missing: str) -> CrawlReport:
        _, not_found = self.visit(missing)
        self.check(missing, not_found, "the crawl: a missing page", expected=404)
        referrers = {url: "the crawl's seeds" for url in seeds}
        for target in self.links_of(missing, not_found):
            referrers.setdefault(target, f"the 404 page served at {missing}")
        frontier = set(referrers)
        with ThreadPoolExecutor(max_workers=8) as pool:
            while frontier:
                batch = sorted(frontier - self.report.fetched.keys())
                frontier = set()
                for url, fetched in pool.map(self.visit, batch):
                    if not self.check(url, fetched, referrers[url]):
                        continue
                    for target in self.links_of(url, fetched):
                        referrers.setdefault(target, url)
                        frontier.add(target)
        self._check_fragments()
        return self.report

    def _check_fragments(self) -> None:
        for source, target, fragment in sorted(set(self.wanted_fragments)):
            self.report.fragments_checked += 1
            if fragment == "top" or target not in self.anchors:
                continue  # '#top' is the top of any page; a missing target is reported already
            if fragment not in self.anchors[target]:
                self.report.problems.append(
                    f"{source}: no element with id {fragment!r} in {target}"
                )


def crawl(root: str, *, public_url: str = "") -> CrawlReport:
    """Crawl a served site from `root` (its home page); see the module docstring."""
    report = _Crawl(root, public_url).run(
        [root, urljoin(root, "robots.txt")], urljoin(root, MISSING)
    )
    report.root_path = urlsplit(root).path
    return report


def unreached_pages(site_dir: Path, report: CrawlReport) -> list[str]:
    """HTML files in the site that the crawl never fetched (orphans, or missed by the crawl)."""
    prefix = report.root_path
    reached = {urlsplit(url).path[len(prefix) :] for url in report.pages}
    unreached = []
    for path in sorted(site_dir.rglob("*.html")):
        relative = path.relative_to(site_dir).as_posix()
        address = relative[: -len("index.html")] if relative.endswith("index.html") else relative
        if relative != "404.html" and address not in reached:
            unreached.append(relative)
    return unreached
