"""The search page in a real browser: typing, filters, the URL, history, keyboard, errors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from generator.build import BuildOptions, build
from tests.conftest import SEARCH_ARCHIVE, serve_folder

TITLES = "#results .result-title a"


@pytest.fixture()
def problems(page: Page) -> Iterator[list[str]]:
    """Console errors and uncaught exceptions; every test here ends with none."""
    seen: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            seen.append(f"console {message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen.append(f"page error: {error}"))
    yield seen
    assert seen == []


@pytest.fixture()
def search(page: Page, search_url: str, problems: list[str]) -> Page:
    page.goto(search_url + "/search/")
    page.wait_for_selector("#search.search-ready")
    return page


def titles(page: Page) -> list[str]:
    return page.locator(TITLES).all_text_contents()


def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_typing_shows_the_right_first_result(search: Page) -> None:
    search.locator("#search-q").press_sequentially("HL1234", delay=20)
    expect(search.locator(TITLES).first).to_have_text("Teachers: Recruitment")
    expect(search.locator("#search-status")).to_have_text("1 result for “HL1234”.")
    first = search.locator(TITLES).first
    assert first.get_attribute("href") == "/questions/2022-05-10-teacher-recruitment/"
    meta = search.locator("#results .result .meta").first.text_content() or ""
    assert "Department for Education" in meta
    assert "Answered 24 May 2022" in meta
    assert "asked by Baroness Blower" in meta
    assert query_of(search) == {"q": ["HL1234"]}


def test_matches_are_highlighted_in_the_snippet(search: Page) -> None:
    search.fill("#search-q", "£51.3 billion")
    search.press("#search-q", "Enter")
    expect(search.locator(TITLES).first).to_have_text("Local Government: Children")
    marks = search.locator("#results .result").first.locator("mark").all_text_contents()
    assert marks == ["£51.3", "billion"]
    search.fill("#search-q", "children's")
    search.press("#search-q", "Enter")
    expect(search.locator(TITLES)).to_have_count(3)
    hospice = search.locator("#results .result", has_text="Hospices: Finance")
    assert hospice.locator("mark").all_text_contents() == ["Children's", "children\u2019s"]
    # Punctuation next to a matched word is not highlighted.
    search.fill("#search-q", "funding 2023-24")
    search.press("#search-q", "Enter")
    expect(search.locator(TITLES).first).to_have_text("Special Educational Needs: Funding")
    marks = search.locator("#results .result").first.locator("mark").all_text_contents()
    assert marks == ["funding", "2023", "24", "funding"]


def test_page_fits_a_phone_screen(page: Page, search_url: str, problems: list[str]) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(search_url + "/search/?q=children")
    expect(page.locator(TITLES)).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_filters_combine_with_and_without_a_query(search: Page) -> None:
    search.select_option("#filter-department", "department-for-education")
    expect(search.locator(TITLES)).to_have_count(4)
    # Empty query: newest first.
    assert titles(search)[0] == "Schools: Buildings"
    search.select_option("#filter-house", "Lords")
    expect(search.locator(TITLES)).to_have_text(["Teachers: Recruitment"])
    search.select_option("#filter-house", "")
    search.select_option("#filter-year", "2022")
    expect(search.locator(TITLES)).to_have_count(2)
    search.select_option("#filter-year", "")
    search.fill("#search-q", "funding")
    search.press("#search-q", "Enter")
    expect(search.locator(TITLES)).to_have_text(["Special Educational Needs: Funding"])
    search.select_option("#filter-status", "holding")
    expect(search.locator("#search-status")).to_contain_text("No results")
    assert query_of(search) == {
        "q": ["funding"],
        "department": ["department-for-education"],
        "status": ["holding"],
    }


def test_reloading_the_url_gives_the_same_results(
    page: Page, search_url: str, problems: list[str]
) -> None:
    page.goto(search_url + "/search/?q=children&house=Lords")
    expect(page.locator(TITLES)).to_have_text(["Hospices: Finance"])
    assert page.input_value("#search-q") == "children"
    assert page.input_value("#filter-house") == "Lords"
    page.select_option("#filter-house", "")
    expect(page.locator(TITLES)).to_have_count(3)
    before = titles(page)
    page.reload()
    expect(page.locator(TITLES)).to_have_count(3)
    assert titles(page) == before
    assert page.input_value("#search-q") == "children"


def test_back_and_forward_restore_searches(search: Page) -> None:
    search.fill("#search-q", "hotels")
    search.press("#search-q", "Enter")
    expect(search.locator(TITLES)).to_have_text(["Asylum: Hotels"])
    search.fill("#search-q", "HL5678")
    search.press("#search-q", "Enter")
    expect(search.locator(TITLES)).to_have_text(["Defence: Procurement"])
    search.select_option("#filter-house", "Commons")
    expect(search.locator(TITLES)).to_have_count(0)
    search.go_back()
    expect(search.locator(TITLES)).to_have_text(["Defence: Procurement"])
    assert search.input_value("#filter-house") == ""
    search.go_back()
    expect(search.locator(TITLES)).to_have_text(["Asylum: Hotels"])
    assert search.input_value("#search-q") == "hotels"
    search.go_forward()
    expect(search.locator(TITLES)).to_have_text(["Defence: Procurement"])
    assert search.input_value("#search-q") == "HL5678"


def test_the_address_follows_a_search_once_its_results_are_shown(search: Page) -> None:
    """The history entry is added after the results are drawn (so the browser's own work
    for it does not compete with the query), and a search replaced before its results
    came hands its entry on: two quick submits make one entry, for the second."""
    entries = search.evaluate("history.length")
    search.evaluate(
        """() => new MutationObserver((_, observer) => {
          if (!document.querySelector("#results .result")) return;
          window.addressAtFirstResult = location.search;
          observer.disconnect();
        }).observe(document.getElementById("results"), {childList: true, subtree: true})"""
    )
    search.evaluate(
        """() => {
          const input = document.getElementById("search-q");
          const form = document.getElementById("search-form");
          input.value = "hotels"; form.requestSubmit();
          input.value = "children"; form.requestSubmit();
        }"""
    )
    expect(search.locator(TITLES)).to_have_count(3)
    assert search.evaluate("window.addressAtFirstResult") == ""
    expect(search).to_have_url(re.compile(r"/search/\?q=children$"))
    assert search.evaluate("history.length") == entries + 1


def test_keyboard_navigation(search: Page) -> None:
    search.locator("#search-q").press_sequentially("children", delay=20)
    expect(search.locator(TITLES)).to_have_count(3)
    links = search.locator(TITLES)
    search.keyboard.press("ArrowDown")
    expect(links.nth(0)).to_be_focused()
    search.keyboard.press("ArrowDown")
    expect(links.nth(1)).to_be_focused()
    search.keyboard.press("ArrowUp")
    expect(links.nth(0)).to_be_focused()
    search.keyboard.press("ArrowUp")
    expect(search.locator("#search-q")).to_be_focused()
    search.keyboard.press("ArrowDown")
    search.keyboard.press("ArrowDown")
    search.keyboard.press("Escape")
    expect(search.locator("#search-q")).to_be_focused()
    # Tab order follows the page: the box, its button, then the filters.
    search.keyboard.press("Tab")
    expect(search.locator("#search-form button[type=submit]")).to_be_focused()
    search.keyboard.press("Tab")
    expect(search.locator("#filter-department")).to_be_focused()
    search.locator("#search-q").focus()
    search.keyboard.press("ArrowDown")
    search.keyboard.press("Enter")
    search.wait_for_url("**/questions/2023-11-20-mental-health-children/")


def test_unparseable_query_gets_a_friendly_message(search: Page) -> None:
    for query in ("title:", "nosuchfield:x", "children~", "+"):
        search.fill("#search-q", query)
        search.press("#search-q", "Enter")
        expect(search.locator("#search-status.search-problem")).to_contain_text(
            "That search could not be understood ("
        )
        expect(search.locator(TITLES)).to_have_count(0)
    search.fill("#search-q", "children")
    search.press("#search-q", "Enter")
    expect(search.locator(TITLES)).to_have_count(3)
    expect(search.locator(".search-problem")).to_have_count(0)


def test_a_query_downloads_only_the_chunks_of_its_terms(
    page: Page, search_url: str, search_site: Path, problems: list[str]
) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url.split("/search/", 1)[-1]))
    page.goto(search_url + "/search/?q=hotels")
    expect(page.locator(TITLES)).to_have_text(["Asylum: Hotels"])
    manifest = json.loads((search_site / "search" / "manifest.json").read_text())
    data = [name for name in fetched if name.endswith(".json")]
    chunks = {name for _first, name in manifest["chunks"]}
    assert len(chunks) >= 2
    # The manifest, the chunk holding "hotel", the document shard of the one result: never
    # the term list, the facets or the other chunks.
    assert data[0] == "manifest.json"
    assert len([n for n in data if n in chunks]) == 1
    assert not [n for n in data if n.startswith(("terms/", "facets/"))]
    assert len([n for n in data if n.startswith("docs/")]) == 1
    # A filter needs the facets; a fuzzy term needs the term list.
    page.select_option("#filter-house", "Lords")
    expect(page.locator("#search-status")).to_contain_text("No results")
    page.fill("#search-q", "schol~1")
    page.press("#search-q", "Enter")
    expect(page.locator("#search-status")).to_contain_text("No results")
    assert [n for n in fetched if n.startswith("facets/")] == [manifest["facets"]]
    assert [n for n in fetched if n.startswith("terms/")] == [manifest["terms"]]


def test_more_results_on_demand(search: Page) -> None:
    search.evaluate("document.getElementById('search').dataset.pageSize = '5'")
    search.select_option("#filter-status", "answered")
    expect(search.locator(TITLES)).to_have_count(5)
    expect(search.locator("#search-status")).to_have_text("9 results (filtered); showing 5.")
    search.click("#more-results")
    expect(search.locator(TITLES)).to_have_count(9)
    expect(search.locator(TITLES).nth(5)).to_be_focused()
    expect(search.locator("#more-results")).to_be_hidden()
    expect(search.locator("#search-status")).to_have_text("9 results (filtered).")


def test_header_search_box_leads_to_results(
    page: Page, search_url: str, problems: list[str]
) -> None:
    page.goto(search_url + "/departments/")
    box = page.get_by_role("search").get_by_label("Search questions and answers")
    box.fill("hotels")
    box.press("Enter")
    page.wait_for_url("**/search/?q=hotels")
    expect(page.locator(TITLES)).to_have_text(["Asylum: Hotels"])


def test_search_page_is_accessible_with_results(search: Page) -> None:
    search.fill("#search-q", "children")
    search.press("#search-q", "Enter")
    expect(search.locator(TITLES)).to_have_count(3)
    search.click(".search-help summary")
    result = Axe().run(search)
    assert result.violations_count == 0, result.generate_report()


def test_without_javascript_the_page_links_to_departments(
    browser: Browser, search_url: str
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(search_url + "/search/?q=children")
    expect(page.get_by_text("Search runs in your browser and needs JavaScript")).to_be_visible()
    expect(page.locator("#results")).to_be_empty()
    link = page.get_by_role("link", name="Ministry of Defence")
    expect(link).to_be_visible()
    assert link.get_attribute("href") == "/departments/ministry-of-defence/"
    context.close()


def test_fallback_is_hidden_when_search_works(search: Page) -> None:
    expect(search.locator("#search-unavailable")).to_be_hidden()


def test_index_that_fails_to_load_is_explained(page: Page, search_url: str) -> None:
    page.route("**/search/manifest.json", lambda route: route.fulfill(status=404, body="gone"))
    page.goto(search_url + "/search/?q=children")
    expect(page.locator("#search-status")).to_contain_text("Search could not be loaded (HTTP 404")
    expect(page.locator("#search-unavailable")).to_be_visible()


def test_search_works_under_a_project_subpath(
    page: Page, tmp_path_factory: pytest.TempPathFactory, problems: list[str]
) -> None:
    """A GitHub project site lives under /<repo>/: the index, documents and links follow."""
    root = tmp_path_factory.mktemp("subpath")
    build(
        BuildOptions(
            content=SEARCH_ARCHIVE / "content",
            out=root / "archive",
            cache=False,  # a fixture built in place: no .cache/ in it
            config=SEARCH_ARCHIVE / "site.yaml",
            base_url="https://example.org/archive/",
            quiet=True,
        )
    )
    with serve_folder(root) as base:
        page.goto(base + "/archive/search/?q=HL1234")
        link = page.locator(TITLES).first
        expect(link).to_have_text("Teachers: Recruitment")
        assert link.get_attribute("href") == "/archive/questions/2022-05-10-teacher-recruitment/"
        link.click()
        expect(page.locator("h1")).to_have_text("Teachers: Recruitment")


def test_an_archive_without_questions_has_a_working_search_page(
    page: Page, tmp_path: Path, problems: list[str]
) -> None:
    (tmp_path / "content" / "questions").mkdir(parents=True)
    (tmp_path / "content" / "about.md").write_text("# About\n\nNo questions yet.\n")
    out = tmp_path / "_site"
    build(
        BuildOptions(
            content=tmp_path / "content", out=out, config=tmp_path / "none.yaml", quiet=True
        )
    )
    manifest = json.loads((out / "search" / "manifest.json").read_text())
    assert (manifest["count"], manifest["chunks"]) == (0, [])
    with serve_folder(out) as base:
        page.goto(base + "/search/?q=children")
        expect(page.locator("#search-status")).to_contain_text("No results for “children”.")
        expect(page.locator("label[for=search-q]")).to_have_text("Search 0 questions and answers")
