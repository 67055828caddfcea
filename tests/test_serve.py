"""`answers serve`: serves the site under the base path and rebuilds when content changes."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sitebuild import copy_archive


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def wait_for(condition: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():  # type: ignore[operator]
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    site = copy_archive(tmp_path)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", str(port)],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: fetch(base + "/archive/")[0] == 200)
        yield site, base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serves_under_the_base_path(served: tuple[Path, str]) -> None:
    _, base = served
    status, html = fetch(base + "/archive/questions/hc-2023-11-14-2154/")
    assert status == 200
    assert "Schools: Special Educational Needs" in html
    status, html = fetch(base + "/archive/no/such/page/")
    assert status == 404
    assert "Page not found" in html
    assert fetch(base + "/questions/hc-2023-11-14-2154/")[0] == 404


def test_rebuilds_when_content_changes(served: tuple[Path, str]) -> None:
    site, base = served
    path = site / "content/questions/lords/2023/hl-2023-11-20-hl1300.md"
    path.write_text(path.read_text().replace("Economy: Growth", "Economy: Productivity"))
    url = base + "/archive/questions/hl-2023-11-20-hl1300/"
    wait_for(lambda: "Economy: Productivity" in fetch(url)[1])
