"""The crawler itself, on small hand-written sites: what it follows and what it reports."""

from __future__ import annotations

import gzip
from pathlib import Path

from tests.crawl import crawl, serve_site, unreached_pages

PUBLIC = "https://user.github.io/repo/"


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head><title>t</title>{head}</head><body>{body}</body></html>"


def test_follows_every_kind_of_link_and_reports_each_broken_one(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "robots.txt": f"User-agent: *\nSitemap: {PUBLIC}sitemap.xml\n",
            "sitemap.xml": (
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{PUBLIC}</loc></url><url><loc>{PUBLIC}from-sitemap/</loc></url>"
                f"<url><loc>{PUBLIC}gone-sitemap/</loc></url></urlset>"
            ),
            "404.html": page('<a href="/repo/">home</a> <a href="/repo/gone-404/">x</a>'),
            "index.html": page(
                '<a href="a/#part">a</a> <img src="/repo/img.svg" srcset="/repo/img.svg 1x, '
                '/repo/gone-2x.svg 2x"> <div data-index="/repo/data.json"></div>'
                '<form action="/repo/gone-form/"></form> <a href="#missing">m</a>'
                '<a href="https://elsewhere.example/">e</a> <a href="mailto:x@example.org">m</a>'
                '<a href="/outside-the-prefix/">o</a> <a href="a">no slash</a>',
                head=f'<link rel="stylesheet" href="s.css"><meta property="og:url" '
                f'content="{PUBLIC}gone-og/"><link rel="alternate" href="feed.atom">',
            ),
            "a/index.html": page('<h2 id="part">part</h2>'),
            "from-sitemap/index.html": page("only in the sitemap"),
            "orphan.html": page("nobody links here"),
            "img.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
            "data.json": "{}",
            "s.css": "body { background: url('/repo/gone-bg.png') } @import 'more.css';",
            "more.css": "p {}",
            "feed.atom": (
                '<feed xmlns="http://www.w3.org/2005/Atom">'
                f'<link href="{PUBLIC}"/><entry><link href="{PUBLIC}gone-entry/"/></entry></feed>'
            ),
        },
    )
    with serve_site(site, "/repo/") as root:
        report = crawl(root, public_url=PUBLIC)
    broken = sorted(p.split(": ", 1)[0].removeprefix(root) for p in report.problems)
    assert broken == sorted(
        [
            "gone-2x.svg",
            "gone-404/",
            "gone-bg.png",
            "gone-entry/",
            "gone-form/",
            "gone-og/",
            "gone-sitemap/",
            root.removesuffix("repo/") + "outside-the-prefix/",
            "a",  # a folder without its slash: a redirect, not the canonical address
            "",  # '#missing' on the home page
        ]
    )
    assert any("no element with id 'missing'" in p for p in report.problems)
    assert any("redirects to" in p for p in report.problems)
    assert f"{root}more.css" in report.pages and f"{root}data.json" in report.pages
    assert f"{root}from-sitemap/" in report.pages
    assert report.external == {"https://elsewhere.example/"}
    assert unreached_pages(site, report) == ["orphan.html"]


def test_follows_compressed_sitemap_parts_under_an_index(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "robots.txt": f"User-agent: *\nSitemap: {PUBLIC}sitemap.xml\n",
            "sitemap.xml": (
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{PUBLIC}sitemaps/1.xml.gz</loc></sitemap></sitemapindex>"
            ),
            "404.html": page('<a href="/repo/">home</a>'),
            "index.html": page("home"),
            "from-part/index.html": page("only in the compressed part"),
        },
    )
    part = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{PUBLIC}from-part/</loc></url><url><loc>{PUBLIC}gone-part/</loc></url>"
        "</urlset>"
    )
    (site / "sitemaps").mkdir()
    (site / "sitemaps" / "1.xml.gz").write_bytes(gzip.compress(part.encode()))
    with serve_site(site, "/repo/") as root:
        report = crawl(root, public_url=PUBLIC)
    assert f"{root}from-part/" in report.pages
    assert [p.split(": ", 1)[0] for p in report.problems] == [f"{root}gone-part/"]
    assert unreached_pages(site, report) == []


def test_a_clean_site_has_no_problems_and_the_404_page_is_checked(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "robots.txt": "User-agent: *\n",
            "404.html": page('<a href="/">home</a>'),
            "index.html": page('<a href="b/#x">b</a> <a href="#top">top</a>'),
            "b/index.html": page('<p id="x">x</p><a href="/">home</a>'),
        },
    )
    with serve_site(site) as root:
        report = crawl(root)
    assert report.problems == []
    assert report.fetched[root + "no/such/page/here/"] == 404
    assert report.fragments_checked == 2
    (site / "404.html").unlink()
    with serve_site(site) as root:
        report = crawl(root)
    assert report.problems == []  # a plain 404 still answers 404; nothing else is linked
