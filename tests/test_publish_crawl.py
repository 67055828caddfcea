"""A built site works wherever GitHub Pages puts it: under /repo/ and at a domain root.

Each site is served on 127.0.0.1 the way Pages serves it (404.html for any missing address)
and crawled from the home page, robots.txt, the sitemap and a missing deep address.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from generator.build import BuildOptions, build
from tests.crawl import CrawlReport, crawl, serve_site, unreached_pages

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE = FIXTURES / "pages-site"
PROJECT_URL = "https://user.github.io/repo/"
DOMAIN_URL = "https://archive.example.org/"


def build_fixture(out: Path, base_url: str, fixture: Path = FIXTURE) -> Path:
    build(
        BuildOptions(
            content=fixture / "content",
            cache=False,  # a fixture built in place: no .cache/ in it
            config=fixture / "site.yaml",
            config_required=True,
            out=out,
            base_url=base_url,
            quiet=True,
        )
    )
    return out


@pytest.fixture(scope="module")
def project_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture(tmp_path_factory.mktemp("project") / "_site", PROJECT_URL)


@pytest.fixture(scope="module")
def project_crawl(project_site: Path) -> CrawlReport:
    with serve_site(project_site, "/repo/") as root:
        return crawl(root, public_url=PROJECT_URL)


def test_project_site_has_no_broken_link_under_its_subpath(project_crawl: CrawlReport) -> None:
    assert project_crawl.problems == []


def test_project_crawl_reaches_every_page_asset_and_site_file(
    project_site: Path, project_crawl: CrawlReport
) -> None:
    assert unreached_pages(project_site, project_crawl) == []
    paths = {url.split("/repo/", 1)[1] for url in project_crawl.pages}
    assert {"sitemap.xml", "robots.txt", "404.html", "about/", "guides/citing/"} <= paths
    assert any(p.startswith("static/style.css?v=") for p in paths)
    assert "departments/department-for-education/page/2/" in paths
    # Canonical links and sitemap entries were mapped from the public URL and fetched.
    assert project_crawl.fragments_checked >= 3
    assert any("parliament.uk" in url for url in project_crawl.external)


def test_every_asset_and_data_file_is_reached_by_the_crawl(
    project_site: Path, project_crawl: CrawlReport
) -> None:
    """Scripts, styles, images and data (such as a search index) are all linked from pages,
    so the crawl proves they load under /repo/. A file only a script knows about must be
    named in a data-* attribute of the page (see tests/crawl.py)."""
    reached = {url.split("/repo/", 1)[1].split("?")[0] for url in project_crawl.pages}
    kinds = {".css", ".js", ".json", ".svg", ".png", ".jpg", ".woff2", ".xml", ".txt"}
    files = [
        p.relative_to(project_site).as_posix()
        for p in project_site.rglob("*")
        if p.is_file() and p.suffix in kinds
    ]
    assert files
    assert [f for f in files if f not in reached] == []


def test_the_foundation_fixture_archive_also_crawls_clean_under_a_subpath(
    tmp_path: Path,
) -> None:
    url = "https://example.github.io/archive/"
    site = build_fixture(tmp_path / "_site", url, FIXTURES / "archive")
    with serve_site(site, "/archive/") as root:
        report = crawl(root, public_url=url)
    assert report.problems == []
    assert unreached_pages(site, report) == []


def test_the_preview_server_serves_the_site_as_pages_will(tmp_path: Path) -> None:
    """`make serve` (`answers serve`) previews a project site under its /repo/ path."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "generator", "serve", "--port", str(port)]
    command += ["--content", str(FIXTURE / "content"), "--config", str(FIXTURE / "site.yaml")]
    command += ["--out", str(tmp_path / "_site"), "--quiet", "--no-cache"]  # fixture in place
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        root = f"http://127.0.0.1:{port}/repo/"
        for _ in range(150):
            try:
                urlopen(root, timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        report = crawl(root, public_url=PROJECT_URL)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert report.problems == []
    assert unreached_pages(tmp_path / "_site", report) == []


@pytest.mark.parametrize("public_url", [DOMAIN_URL, ""])
def test_site_at_a_domain_root_has_no_broken_link(tmp_path: Path, public_url: str) -> None:
    site = build_fixture(tmp_path / "_site", public_url)
    with serve_site(site, "/") as root:
        report = crawl(root, public_url=public_url)
    assert report.problems == []
    assert unreached_pages(site, report) == []


def test_a_site_built_for_the_root_breaks_under_a_subpath(tmp_path: Path) -> None:
    """The crawl catches links that ignore the subpath (the bug base_url exists to prevent)."""
    site = build_fixture(tmp_path / "_site", DOMAIN_URL)
    with serve_site(site, "/repo/") as root:
        report = crawl(root, public_url="https://user.github.io/repo/")
    assert any("/static/style.css" in p and "HTTP 404" in p for p in report.problems)
    assert any(p.startswith(root.removesuffix("repo/") + "departments/") for p in report.problems)


def test_crawler_reports_missing_pages_anchors_and_orphans(tmp_path: Path) -> None:
    site = build_fixture(tmp_path / "_site", PROJECT_URL)
    shutil.rmtree(site / "guides" / "citing")  # linked from the about page
    about = site / "about" / "index.html"
    about.write_text(about.read_text().replace("<main id=content ", "<main id=main "))
    orphan = site / "orphan" / "index.html"
    orphan.parent.mkdir()
    orphan.write_text("<!doctype html><title>x</title><p>nobody links here</p>")
    (site / "sitemap.xml").unlink()
    with serve_site(site, "/repo/") as root:
        report = crawl(root, public_url=PROJECT_URL)
    text = "\n".join(report.problems)
    assert f"{root}guides/citing/: HTTP 404" in text
    assert f"{root}sitemap.xml: HTTP 404, expected 200 (linked from {root}robots.txt)" in text
    assert "no element with id 'content'" in text
    assert unreached_pages(site, report) == ["orphan/index.html"]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("href", "src", "action") and v]


def test_404_page_links_work_from_any_depth_under_the_subpath(project_site: Path) -> None:
    with serve_site(project_site, "/repo/") as root:
        with pytest.raises(HTTPError) as missing:
            urlopen(root + "deep/down/no/such/page.html")
        body = missing.value.read().decode()
        assert missing.value.code == 404
    assert "Page not found" in body
    parser = _Links()
    parser.feed(body)
    internal = [u for u in parser.urls if not u.startswith(("https://www.parliament.uk/", "#"))]
    assert internal, "the 404 page links back into the site"
    # Root-relative with the base path (or absolute under base_url): no relative links,
    # which would resolve against whatever missing address the visitor typed.
    assert all(u.startswith(("/repo/", PROJECT_URL)) for u in internal), internal
