"""Shared test fixtures."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from generator.build import BuildOptions, build

FIXTURES = Path(__file__).parent / "fixtures"

# --- Browser tests: Debian's Chromium driven by Playwright, sites served on loopback -----------
# Playwright must never download a browser: pytest-playwright's launch arguments are extended
# with the system Chromium (see /work/shared/RECIPES.md, section 1).

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _LoopbackServer(ThreadingHTTPServer):
    request_queue_size = 1024  # http.server's backlog of 5 drops parallel browser requests
    daemon_threads = True


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 (a free port) for as long as the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = _LoopbackServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- Search: the search fixture archive, built once per session ---------------------------------

SEARCH_ARCHIVE = FIXTURES / "search-archive"


@pytest.fixture(scope="session")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search") / "_site"
    build(
        BuildOptions(
            content=SEARCH_ARCHIVE / "content",
            out=out,
            cache=False,  # a fixture built in place: no .cache/ in it
            config=SEARCH_ARCHIVE / "site.yaml",
            config_required=True,
            quiet=True,
        )
    )
    return out


@pytest.fixture(scope="session")
def search_url(search_site: Path) -> Iterator[str]:
    with serve_folder(search_site) as base:
        yield base


# --- Browsing pages and quality checks (issue 7): the browse fixture built once, served -------
from tests.browser_support import browse_site, browse_site_url  # noqa: E402, F401
from tests.serving import served  # noqa: E402, F401
