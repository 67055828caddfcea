"""`answers serve`: build, serve the output on loopback, rebuild when sources change.

The site is served under the path of `base_url`, exactly as it will be published, so a
project site (`/repo/`) is previewed with the same links it will have on GitHub Pages.
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

from generator.build import BuildOptions, BuildResult, build
from generator.config import load_config
from generator.errors import ArchiveError
from generator.render import PROJECT_THEMES


class SiteHandler(SimpleHTTPRequestHandler):
    base_path = "/"
    not_found_page: Path | None = None

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
        super().do_GET()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
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
        print(summary(build(options), options.out), flush=True)
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
