"""`answers serve` in a real browser: an open page reloads itself after a rebuild."""

from pathlib import Path

from playwright.sync_api import Page, expect


def test_open_page_reloads_with_the_edited_text(page: Page, served: tuple[Path, str]) -> None:
    site, base = served
    page.goto(base + "/archive/questions/hl-2023-11-20-hl1300/")
    heading = page.locator("h1")
    expect(heading).to_have_text("Economy: Growth")
    # A mark that only survives while the page is not reloaded.
    page.evaluate("window.notReloaded = true")
    # The page is listening before the edit, so the rebuild cannot be missed.
    page.wait_for_function("window.answersReload.readyState === EventSource.OPEN")
    path = site / "content/questions/lords/2023/hl-2023-11-20-hl1300.md"
    path.write_text(path.read_text().replace("Economy: Growth", "Economy: Productivity"))
    expect(heading).to_have_text("Economy: Productivity", timeout=60_000)
    assert page.evaluate("window.notReloaded") is None
    assert page.url == base + "/archive/questions/hl-2023-11-20-hl1300/"
