"""`answers serve`: serves the site under the base path and rebuilds when content changes."""

import urllib.request
from pathlib import Path

from tests.serving import fetch, wait_for


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


def test_pages_get_the_reload_script_but_the_built_site_does_not(
    served: tuple[Path, str],
) -> None:
    site, base = served
    status, html = fetch(base + "/archive/questions/hl-2023-11-20-hl1300/")
    assert status == 200
    assert html.count('new EventSource("/__answers__/reload?since=') == 1
    # after everything the page shows (the published pages leave out the optional </body>)
    assert html.index("/__answers__/reload") > html.index("</footer>")
    assert "Page not found" in fetch(base + "/archive/missing/")[1]
    assert "/__answers__/reload" in fetch(base + "/archive/missing/")[1]
    assert "/__answers__/" not in fetch(base + "/archive/static/style.css")[1]
    for path in (site / "_site").rglob("*"):
        if path.is_file():
            assert b"__answers__" not in path.read_bytes(), path


def test_reload_stream_announces_the_next_build(served: tuple[Path, str]) -> None:
    site, base = served
    html = fetch(base + "/archive/")[1]
    version = html.split("/__answers__/reload?since=")[1].split('"')[0]
    with urllib.request.urlopen(f"{base}/__answers__/reload?since={version}", timeout=60) as events:
        assert events.headers["Content-Type"] == "text/event-stream"
        path = site / "content/questions/lords/2023/hl-2023-11-20-hl1300.md"
        path.write_text(path.read_text().replace("Economy: Growth", "Economy: Output"))
        assert events.readline().decode() == f"data: {int(version) + 1}\n"
    # A page served before a build finished is told at once that it is out of date.
    with urllib.request.urlopen(f"{base}/__answers__/reload?since=0", timeout=10) as events:
        assert events.readline().decode().startswith("data: ")
