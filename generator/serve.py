"""`answers serve`: build, serve the output on loopback, rebuild when sources change.

The site is served under the path of `base_url`, exactly as it will be published, so a
project site (`/repo/`) is previewed with the same links it will have on GitHub Pages.

Open pages reload themselves after a rebuild: every HTML response carries a small script,
added here as it is sent (never written into the output folder), that listens for
Server-Sent Events on `/__answers__/reload`; the server answers that stream as soon as the
build version differs from the one the page was served with.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from generator.build import BuildOptions, BuildResult, build
from generator.config import load_config
from generator.errors import ArchiveError
from generator.render import PROJECT_THEMES

RELOAD_PATH = "/__answers__/reload"
KEEPALIVE_SECONDS = 15.0


class LiveReload:
    """The number of finished builds, and a way to wait until it changes."""

    def __init__(self) -> None:
        self.version = 0
        self._changed = threading.Condition()

    def bump(self) -> None:
        with self._changed:
            self.version += 1
            self._changed.notify_all()

    def wait_past(self, version: int, timeout: float) -> int:
        """The current version, as soon as it differs from `version` (or after `timeout`)."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != version, timeout)
            return self.version


def reload_script(version: int) -> bytes:
    """Reloads the page when the server says a newer build exists (EventSource reconnects)."""
    return (
        "<script>/* added by answers serve, not part of the site */"
        f'(window.answersReload=new EventSource("{RELOAD_PATH}?since={version}"))'
        ".onmessage=function(){location.reload()};</script>"
    ).encode()


def with_reload(html: bytes, version: int) -> bytes:
    end = html.rfind(b"</body>")
    script = reload_script(version)
    return html[:end] + script + html[end:] if end >= 0 else html + script


class SiteHandler(SimpleHTTPRequestHandler):
    base_path = "/"
    not_found_page: Path | None = None
    live = LiveReload()

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.base_path):
            return str(Path(self.directory) / ".outside-base-path" / "missing")
        return super().translate_path("/" + path[len(self.base_path) :])

    def do_GET(self) -> None:
        if self.path in ("/", "") and self.base_path != "/":
            self.send_response(302)
            self.send_header("Location", self.base_path)
            self.end_headers()
            return
        address = urlsplit(self.path)
        if address.path == RELOAD_PATH:
            self._reload_events(address.query)
            return
        page = self._html_file(address.path)
        if page is None:
            super().do_GET()
            return
        self._send_html(200, page.read_bytes())

    def _html_file(self, path: str) -> Path | None:
        """The HTML file a request names, when it is one (a folder with a slash: its index)."""
        target = Path(self.translate_path(path))
        if target.is_dir() and path.endswith("/"):
            target = target / "index.html"
        return target if target.suffix == ".html" and target.is_file() else None

    def _send_html(self, code: int, body: bytes) -> None:
        body = with_reload(body, self.live.version)
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _reload_events(self, query: str) -> None:
        """A Server-Sent Events stream that sends one event once the build version moves on."""
        since = parse_qs(query).get("since", ["-1"])[0]
        version = int(since) if since.lstrip("-").isdigit() else -1
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            while True:
                current = self.live.wait_past(version, KEEPALIVE_SECONDS)
                if current != version:
                    self.wfile.write(f"data: {current}\n\n".encode())
                    self.wfile.flush()
                    return
                self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except OSError:
            return  # the page went away

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            self._send_html(404, page.read_bytes())
            return
        super().send_error(code, message, explain)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def watched_mtimes(options: BuildOptions) -> dict[str, float]:
    """Modification times of everything a build reads."""
    site_root = options.config.parent
    roots = [options.content, options.config, PROJECT_THEMES]
    roots += [site_root / name for name in ("templates", "themes", "static")]
    times: dict[str, float] = {}
    for root in roots:
        paths = [root] if root.is_file() else (root.rglob("*") if root.is_dir() else [])
        for path in paths:
            try:
                times[str(path)] = path.stat().st_mtime
            except OSError:
                continue
    return times


def _rebuild(options: BuildOptions, summary: Callable[[BuildResult, Path], str]) -> None:
    try:
        result = build(options)
        print(summary(result, options.out), flush=True)
        if not result.unchanged:  # open pages already show this site
            SiteHandler.live.bump()
    except ArchiveError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("build failed; still serving the previous site", file=sys.stderr, flush=True)


def _watch(options: BuildOptions, summary: Callable[[BuildResult, Path], str]) -> None:
    seen = watched_mtimes(options)
    while True:
        time.sleep(0.5)
        now = watched_mtimes(options)
        if now != seen:
            seen = now
            _rebuild(options, summary)


def serve(
    options: BuildOptions, *, host: str, port: int, summary: Callable[[BuildResult, Path], str]
) -> int:
    _rebuild(options, summary)
    config = load_config(
        options.config, required=options.config_required, base_url=options.base_url
    )
    handler = functools.partial(SiteHandler, directory=str(options.out.resolve()))
    SiteHandler.base_path = config.base_path
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=_watch, args=(options, summary), daemon=True).start()
    print(f"serving {options.out}/ at http://{host}:{port}{config.base_path} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
