"""Every page type in real headless Chromium: axe-core (light and dark), no horizontal
scroll at 375 and 1280 px, keyboard use, print style, the sortable table; and the Nu HTML
checker over every page of the built site."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser_support import nu_errors

PAGE_TYPES = {
    "home": "",
    "question answered": "questions/hc-2023-11-14-2154/",
    "question corrected": "questions/hc-2023-10-02-1200/",
    "question holding": "questions/hc-2023-12-01-4001/",
    "question withdrawn": "questions/hc-2023-10-05-1300/",
    "question unanswered": "questions/hc-2024-02-01-4100/",
    "question lords": "questions/hl-2024-01-10-hl2000/",
    "departments": "departments/",
    "department": "departments/department-for-education/",
    "department page 2": "departments/department-for-education/page/2/",
    "members": "members/",
    "member": "members/sian-gwenllian-4981/",
    "member asked page 2": "members/rhys-ap-gwilym/asked/page/2/",
    "topics": "topics/",
    "topic": "topics/schools/",
    "subtopic": "topics/schools/special-educational-needs/",
    "answered": "answered/",
    "year": "answered/2023/",
    "month": "answered/2023/11/",
    "plain page": "about/",
    "not found": "404.html",
}
AXE = Axe()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", sorted(PAGE_TYPES))
def test_axe_finds_no_violations(page: Page, browse_site_url: str, name: str, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
    page.goto(browse_site_url + PAGE_TYPES[name])
    for details in page.locator("details").all():
        details.evaluate("element => { element.open = true; }")  # check hidden content too
    result = AXE.run(page)
    assert result.violations_count == 0, result.generate_report()


def test_dark_mode_changes_the_colours(page: Page, browse_site_url: str) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        page.goto(browse_site_url + PAGE_TYPES["department"])
        colours[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert colours == {"light": "rgb(255, 255, 255)", "dark": "rgb(20, 22, 21)"}


@pytest.mark.parametrize("width", [375, 1280])
def test_no_horizontal_scroll(page: Page, browse_site_url: str, width: int, tmp_path: Path) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    for name, path in sorted(PAGE_TYPES.items()):
        page.goto(browse_site_url + path)
        shot = tmp_path / f"{name.replace(' ', '-')}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 0
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"


def test_keyboard_skip_link_and_focus_outline(page: Page, browse_site_url: str) -> None:
    page.goto(browse_site_url + PAGE_TYPES["question answered"])
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    page.keyboard.press("Tab")  # the first link in the content: the breadcrumb home link
    focused = page.evaluate(
        "[document.activeElement.textContent.trim(), "
        "getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == ["Home", "solid"]


def test_keyboard_reaches_member_and_reference_links(page: Page, browse_site_url: str) -> None:
    page.goto(browse_site_url + "questions/hc-2023-11-14-2155/")
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.getAttribute('href') || ''"))
    assert "/pq/members/sian-gwenllian-4981/" in reached
    assert "/pq/questions/hc-2023-11-14-2154/" in reached


def test_sortable_table_by_keyboard(page: Page, browse_site_url: str) -> None:
    page.goto(browse_site_url + "departments/")
    names = page.locator("table.sortable tbody tr td:first-child")
    assert names.all_text_contents()[0] == "Cabinet Office"
    median = page.get_by_role("button", name="Median days to answer")
    median.focus()
    page.keyboard.press("Enter")
    header = page.locator("th", has=median)
    expect(header).to_have_attribute("aria-sort", "ascending")
    values = page.locator("table.sortable tbody tr td:nth-child(4)").all_text_contents()
    numbers = [float(v) for v in values if v != "—"]
    assert numbers == sorted(numbers) and values[-1] == "—"  # no figure sorts last
    page.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-sort", "descending")
    values = page.locator("table.sortable tbody tr td:nth-child(4)").all_text_contents()
    numbers = [float(v) for v in values if v != "—"]
    assert numbers == sorted(numbers, reverse=True)


def test_table_is_complete_without_javascript(browser, browse_site_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(browse_site_url + "departments/")
    assert page.locator("table.sortable tbody tr").count() == 5
    assert page.locator(".sort-button").count() == 0
    context.close()


def test_print_style_for_question_pages(page: Page, browse_site_url: str) -> None:
    page.goto(browse_site_url + PAGE_TYPES["question corrected"])
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".breadcrumbs")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.locator(".answer-body").first).to_be_visible()
    expect(page.locator(".original-answer")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    page.emulate_media(media="screen")
    expect(page.locator(".site-header")).to_be_visible()


def test_nu_html_checker_reports_no_errors(browse_site: Path) -> None:
    pages = sorted(browse_site.rglob("*.html"))
    assert len(pages) > 80
    assert nu_errors(pages) == ""


def test_nu_html_checker_catches_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text("<!doctype html><html lang=en><title>x</title><p><div></span>")
    assert "error" in nu_errors([broken]).lower()


def test_axe_catches_low_contrast_in_dark_mode(page: Page) -> None:
    """The check above can fail: a colour that is fine in light mode fails in dark mode."""
    page.emulate_media(color_scheme="dark")
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title><style>'
        "@media (prefers-color-scheme: dark) { body { background: #111; color: #333; } }"
        "</style></head><body><main><h1>Heading</h1><p>Some text</p></main></body></html>"
    )
    ids = {v["id"] for v in AXE.run(page).response["violations"]}
    assert "color-contrast" in ids


def test_pages_make_no_external_requests(page: Page, browse_site_url: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in PAGE_TYPES.values():
        page.goto(browse_site_url + path)
    assert requested
    assert all(url.startswith(browse_site_url) for url in requested), requested
    assert any("/static/sort-table.js?v=" in url for url in requested)
