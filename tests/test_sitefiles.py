"""Hosting files (sitemap.xml, robots.txt, .nojekyll, CNAME) and the size budget."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.cli import main
from generator.config import SiteConfig, load_config, parse_size
from generator.errors import ArchiveError
from generator.load import load_archive
from generator.markup import rebase_links
from generator.sitefiles import human_size, last_changed, sitemap_entries, sitemap_files
from tests.pagetext import quoted

FIXTURE = Path(__file__).parent / "fixtures" / "pages-site"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "https://user.github.io/repo/"


def copy_fixture(tmp_path: Path, extra_config: str = "") -> Path:
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    if extra_config:
        with (site / "site.yaml").open("a") as config:
            config.write(extra_config)
    return site


def build_site(site: Path, out: Path, base_url: str | None = None) -> Path:
    build(
        BuildOptions(
            content=site / "content",
            cache=False,  # a fixture built in place: no .cache/ in it
            config=site / "site.yaml",
            config_required=True,
            out=out,
            base_url=base_url,
            quiet=True,
        )
    )
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(FIXTURE, tmp_path_factory.mktemp("built") / "_site")


def sitemap(site: Path) -> dict[str, str | None]:
    root = ET.parse(site / "sitemap.xml").getroot()
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    return {
        u.findtext("s:loc", namespaces=NS) or "": u.findtext("s:lastmod", namespaces=NS)
        for u in root.findall("s:url", NS)
    }


def test_sitemap_lists_every_page_once_with_its_canonical_url(built: Path) -> None:
    pages = sorted(p.relative_to(built).as_posix() for p in built.rglob("*.html"))
    expected = {
        BASE + p.removesuffix("index.html") for p in pages if p != "404.html"
    }  # 404.html is served for missing addresses, not a page to index
    entries = sitemap(built)
    assert set(entries) == expected
    assert len(entries) == len(pages) - 1
    for loc in entries:
        html = (built / loc.removeprefix(BASE) / "index.html").read_text()
        assert f'<link rel="canonical" href="{loc}">' in html
        assert "noindex" not in html  # a page kept out of search engines is kept out here too


def test_sitemap_lastmod_comes_from_content_dates(built: Path) -> None:
    entries = sitemap(built)
    # corrected 2024-04-02 after being answered 2024-02-09
    assert entries[BASE + "questions/2024-02-01-teacher-recruitment/"] == "2024-04-02"
    # a holding answer on 2024-05-28
    assert entries[BASE + "questions/2024-05-20-bus-services/"] == "2024-05-28"
    # unanswered: the day it was asked
    assert entries[BASE + "questions/2024-06-10-railways-accessibility/"] == "2024-06-10"
    # every listing page of a department: its newest question
    assert entries[BASE + "departments/department-for-education/"] == "2024-04-02"
    assert entries[BASE + "departments/department-for-education/page/2/"] == "2024-04-02"
    # home and the departments index: the newest date in the archive
    assert entries[BASE] == entries[BASE + "departments/"] == "2024-06-10"
    # a site page has no content date, so no lastmod rather than a made-up one
    assert entries[BASE + "about/"] is None
    assert entries[BASE + "guides/citing/"] is None


def test_site_files_are_the_same_bytes_on_every_build(tmp_path: Path, built: Path) -> None:
    again = build_site(FIXTURE, tmp_path / "again")
    for name in ("sitemap.xml", "robots.txt", ".nojekyll"):
        assert (again / name).read_bytes() == (built / name).read_bytes()
    digest = hashlib.sha256((built / "sitemap.xml").read_bytes()).hexdigest()
    (again / "sitemap.xml").unlink()
    rebuilt = build_site(FIXTURE, tmp_path / "again")
    assert hashlib.sha256((rebuilt / "sitemap.xml").read_bytes()).hexdigest() == digest


def test_robots_txt_allows_everything_and_points_to_the_sitemap(built: Path) -> None:
    assert (built / "robots.txt").read_text() == (
        f"User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n"
    )
    assert (built / ".nojekyll").read_bytes() == b""
    assert not (built / "CNAME").exists()


def test_without_base_url_there_is_no_sitemap(tmp_path: Path) -> None:
    """A sitemap needs absolute URLs: without base_url none is written, and robots.txt
    does not point to one."""
    site = build_site(FIXTURE, tmp_path / "_site", base_url="")
    assert not (site / "sitemap.xml").exists()
    assert "Sitemap" not in (site / "robots.txt").read_text()
    assert (site / ".nojekyll").exists()


def _entries() -> tuple[SiteConfig, list[tuple[str, date | None]]]:
    archive = load_archive(FIXTURE / "content")
    config = SiteConfig(base_url=BASE)
    written = [f"questions/{q.id}/index.html" for q in archive.questions]
    return config, sitemap_entries(config, archive, written)


def _index_locs(index_xml: str | bytes) -> list[str | None]:
    index = ET.fromstring(index_xml)
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    return [s.findtext("s:loc", namespaces=NS) for s in index]


def _gunzip(data: str | bytes) -> bytes:
    assert isinstance(data, bytes)
    return gzip.decompress(data)


def test_large_sitemaps_are_compressed_parts_under_an_index() -> None:
    config, entries = _entries()
    files = dict(sitemap_files(config, entries, limit=2, plain_limit=2))
    parts = [f"sitemaps/{n}.xml.gz" for n in (1, 2, 3)]
    assert sorted(files) == ["sitemap.xml", *parts]
    assert _index_locs(files["sitemap.xml"]) == [BASE + part for part in parts]
    locs = [
        u.findtext("s:loc", namespaces=NS)
        for part in parts
        for u in ET.fromstring(_gunzip(files[part]))
    ]
    assert locs == [loc for loc, _ in entries] and len(locs) == 5
    # No timestamp in the gzip header: the same entries give the same bytes.
    assert dict(sitemap_files(config, entries, limit=2, plain_limit=2)) == files


def test_a_sitemap_past_the_plain_limit_is_one_compressed_part() -> None:
    config, entries = _entries()
    assert list(dict(sitemap_files(config, entries, plain_limit=len(entries)))) == ["sitemap.xml"]
    files = dict(sitemap_files(config, entries, plain_limit=len(entries) - 1))
    assert _index_locs(files["sitemap.xml"]) == [f"{BASE}sitemaps/1.xml.gz"]
    part = ET.fromstring(_gunzip(files["sitemaps/1.xml.gz"]))
    assert [u.findtext("s:loc", namespaces=NS) for u in part] == [loc for loc, _ in entries]


def test_last_changed_is_the_newest_recorded_date() -> None:
    archive = load_archive(FIXTURE / "content")
    dates = {q.id: last_changed(q) for q in archive.questions}
    assert dates["2024-02-01-teacher-recruitment"] == date(2024, 4, 2)
    assert dates["2024-03-04-school-transport"] == date(2024, 3, 11)


def test_cname_is_written_for_a_custom_domain(tmp_path: Path) -> None:
    site = copy_fixture(tmp_path, "cname: Archive.Example.org\n")
    (site / "site.yaml").write_text(
        (site / "site.yaml").read_text().replace(BASE, "https://archive.example.org/")
    )
    out = build_site(site, tmp_path / "_site")
    assert (out / "CNAME").read_text() == "archive.example.org\n"
    assert "Sitemap: https://archive.example.org/sitemap.xml" in (out / "robots.txt").read_text()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://archive.example.org/", "expected a domain name such as archive.example.org"),
        ("archive.example.org/repo", "expected a domain name"),
        ("not a domain", "expected a domain name"),
        ("12", "expected a domain name"),
    ],
)
def test_a_bad_cname_is_an_error_naming_the_line(tmp_path: Path, value: str, message: str) -> None:
    site = copy_fixture(tmp_path, f"cname: '{value}'\n")
    line = len((site / "site.yaml").read_text().splitlines())
    with pytest.raises(ArchiveError) as error:
        load_config(site / "site.yaml")
    [problem] = error.value.problems
    assert problem.line == line
    assert f"cname: {message}" in problem.message


def test_cname_and_a_different_base_url_is_an_error(tmp_path: Path) -> None:
    site = copy_fixture(tmp_path, "cname: archive.example.org\n")
    with pytest.raises(ArchiveError) as error:
        load_config(site / "site.yaml")
    assert "set base_url to that" in str(error.value)
    assert "https://archive.example.org/" in str(error.value)


@pytest.mark.parametrize(
    ("value", "size"),
    [
        (1000, 1000),
        ("1 GB", 10**9),
        ("600MB", 600 * 10**6),
        ("1.5 gb", 1_500_000_000),
        ("2 GiB", 2 * 2**30),
        ("512 KiB", 512 * 1024),
        ("750", 750),
    ],
)
def test_size_budget_accepts_bytes_and_units(value: int | str, size: int) -> None:
    assert parse_size(value) == size


@pytest.mark.parametrize("value", ["lots", "1 GBs", "-5 MB", "", "1e9"])
def test_size_budget_rejects_other_values(tmp_path: Path, value: str) -> None:
    site = copy_fixture(tmp_path, f"size_budget: '{value}'\n")
    with pytest.raises(ArchiveError) as error:
        load_config(site / "site.yaml")
    assert "size_budget:" in str(error.value)


def test_default_size_budget_is_one_gigabyte() -> None:
    assert SiteConfig().size_budget == 10**9


def test_build_warns_when_the_site_passes_its_size_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = copy_fixture(tmp_path, "size_budget: 20 KB\n")
    monkeypatch.chdir(site)
    assert main(["build", "--out", str(tmp_path / "_site")]) == 0
    err = capsys.readouterr().err
    size = sum(p.stat().st_size for p in (tmp_path / "_site").rglob("*") if p.is_file())
    assert size > 20_000
    assert f"_site/ is {size / 1e3:.0f} kB, over the size budget of 20 kB" in err
    assert "GitHub Pages refuses sites over 1 GB" in err
    assert (tmp_path / "_site" / "index.html").exists()  # a warning: the site is still built


def test_build_is_quiet_under_its_size_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = copy_fixture(tmp_path, "size_budget: 10 MB\n")
    monkeypatch.chdir(site)
    assert main(["build", "--out", str(tmp_path / "_site")]) == 0
    assert "size budget" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("size", "text"),
    [(1_234_000_000, "1.23 GB"), (640_500_000, "640.5 MB"), (20_000, "20 kB")],
)
def test_sizes_are_shown_in_decimal_units(size: int, text: str) -> None:
    assert human_size(size) == text


def test_root_relative_links_in_site_pages_follow_the_base_path() -> None:
    html = '<a href="/departments/">d</a> <a href="//cdn.example/x">c</a> <a href="rel/">r</a>'
    assert rebase_links(html, "/repo/") == (
        '<a href="/repo/departments/">d</a> <a href="//cdn.example/x">c</a> <a href="rel/">r</a>'
    )
    assert rebase_links(html, "/") == html


def test_site_page_links_are_rebased_in_the_built_site(built: Path) -> None:
    about = quoted((built / "about" / "index.html").read_text())
    assert 'href="/repo/departments/"' in about
    assert 'href="/repo/questions/2024-03-04-school-transport/#answer-heading"' in about
    assert 'href="/departments/"' not in about


def test_sitemap_urls_are_percent_encoded_when_needed() -> None:
    archive = load_archive(FIXTURE / "content")
    written = ["index.html", "notes/a b/index.html", "notes/é/index.html", "404.html"]
    locs = [loc for loc, _ in sitemap_entries(SiteConfig(base_url=BASE), archive, written)]
    assert locs == [BASE, BASE + "notes/a%20b/", BASE + "notes/%C3%A9/"]
