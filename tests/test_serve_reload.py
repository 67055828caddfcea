"""`answers serve` in a real browser: an open page reloads itself after a rebuild."""

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.sitebuild import copy_archive
from tests.test_serve import fetch, free_port, wait_for


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    site = copy_archive(tmp_path)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", str(port)],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: fetch(base + "/archive/")[0] == 200)
        yield site, base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_open_page_reloads_with_the_edited_text(page: Page, serving: tuple[Path, str]) -> None:
    site, base = serving
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
