"""No script injection: every XSS vector in every shown field, every page type, in Chromium.

Each vector from vectors.txt becomes one question carrying it in its title, department,
asker and answerer names, question text, answer (as Markdown and as raw HTML), attachment
title and URL and source URL; the site title carries one too. The built pages are scanned for
event-handler attributes and script URLs, then opened in headless Chromium (served on
127.0.0.1) watching for dialogs, page errors, console errors and requests to other origins.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Page

from tests.browser_support import serve
from tests.hostile.counts import record
from tests.sitebuild import build_site

VECTORS = [
    line
    for line in (Path(__file__).parent / "vectors.txt").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
]
CANARY = "zebracanary"  # a word every hostile question contains, so a search lists them all
SITE_TITLE = "</title><script>alert(1)</script>{{ 7*7 }}<img src=x onerror=alert(1)>"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "background",
                  "poster", "srcset", "srcdoc"}  # fmt: skip
_SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)


def _question(number: int, vector: str) -> str:
    text = json.dumps  # a JSON string is a valid YAML double-quoted scalar
    fields = {
        "id": f"hostile-{number:03d}",
        "title": f"{vector} {number}",
        "department": f"{vector} Department {number}",
        "asked_on": "2024-01-10",
        "answered_on": "2024-02-12",
        "asked_by": f"{vector} Asker {number}",
        "answered_by": f"{vector} Minister {number}",
        "question": f"To ask {CANARY} {vector}",
    }
    lines = [f"{key}: {text(value)}" for key, value in fields.items()]
    lines += [
        "attachments:",
        f"  - title: {text(vector)}",
        f"    url: {text('https://ok.example/file?v=' + vector)}",
        f"source: {text('https://ok.example/q?v=' + vector)}",
    ]
    body = f"Markdown: {vector}\n\n*{vector}*\n\n<div>{vector}</div>\n\n{vector}\n"
    return "---\n" + "\n".join(lines) + "\n---\n" + body


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("xss") / "site"
    questions = site / "content" / "questions"
    questions.mkdir(parents=True)
    for number, vector in enumerate(VECTORS):
        (questions / f"hostile-{number:03d}.md").write_text(
            _question(number, vector), encoding="utf-8"
        )
    (site / "content" / "about.md").write_text(f"# About\n\n{VECTORS[0]}\n", encoding="utf-8")
    (site / "site.yaml").write_text(
        f"title: {json.dumps(SITE_TITLE)}\ndescription: {json.dumps(VECTORS[8])}\n"
        "base_url: https://example.org/pq/\n",
        encoding="utf-8",
    )
    out, _ = build_site(site)
    record("xss vectors tried", len(VECTORS))
    return out


@pytest.fixture(scope="module")
def hostile_url(hostile_site: Path) -> Iterator[str]:
    yield from serve(hostile_site)


class _Scanner(HTMLParser):
    """Collects every event-handler attribute and script URL in a document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            cleaned = re.sub(r"[\x00-\x20]", "", value or "")
            if name in URL_ATTRIBUTES and _SCRIPT_URL.match(cleaned):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ("script", "iframe", "object", "embed", "base", "form") and not self._theme(
            tag, dict(attrs)
        ):
            self.found.append(f"<{tag}>")

    @staticmethod
    def _theme(tag: str, attrs: dict[str, str | None]) -> bool:
        """The theme's own scripts (static/*.js, JSON-LD) and search forms."""
        if tag == "script":
            src = attrs.get("src") or ""
            return "/static/" in src or attrs.get("type") == "application/ld+json"
        return tag == "form" and (attrs.get("role") == "search")


def _scan(html: str) -> list[str]:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.found


def test_output_has_no_handlers_or_script_urls(hostile_site: Path) -> None:
    problems: list[str] = []
    counts = {"html": 0, "xml": 0, "json": 0}
    for path in sorted(hostile_site.rglob("*")):
        if path.is_relative_to(hostile_site / "static") or not path.is_file():
            continue
        name = path.relative_to(hostile_site).as_posix()
        if path.suffix == ".html":
            counts["html"] += 1
            problems += [f"{name}: {p}" for p in _scan(path.read_text(encoding="utf-8"))]
        elif path.suffix == ".xml":
            counts["xml"] += 1
            for element in ET.parse(path).iter():
                for key, value in element.attrib.items():
                    url = key in ("href", "src", "uri") and _SCRIPT_URL.match(value)
                    if url or key.startswith("on"):
                        problems.append(f"{name}: attribute {key}={value!r}")
                if element.text and element.attrib.get("type") == "html":  # HTML in a feed
                    problems += [f"{name}: {p}" for p in _scan(element.text)]
        elif path.suffix == ".json":
            counts["json"] += 1
            json.loads(path.read_text(encoding="utf-8"))  # well-formed, whatever it carries
    print(f"scanned {counts}")
    assert counts["html"] > len(VECTORS) * 3
    assert problems == []


def _page_types(site: Path) -> list[str]:
    """One or two pages of every kind: the first files under each top-level folder."""
    chosen: dict[str, list[str]] = {}
    for path in sorted(site.rglob("index.html")):
        parts = path.relative_to(site).parts
        key = "/".join(parts[:2]) if parts[0] in ("answered",) else parts[0]
        chosen.setdefault(key, [])
        if len(chosen[key]) < 2:
            chosen[key].append(path.relative_to(site).parent.as_posix() + "/")
    pages = sorted(
        url.removeprefix("./") if url != "./" else "" for urls in chosen.values() for url in urls
    )
    return [*pages, "404.html", f"search/?q={quote(CANARY)}"]


def test_no_script_runs_in_the_browser(hostile_site: Path, hostile_url: str, page: Page) -> None:
    dialogs: list[str] = []
    errors: list[str] = []
    foreign: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    def watch(request: object) -> None:
        url = getattr(request, "url", "")
        scheme = urlsplit(url).scheme
        if scheme not in ("data", "blob", "about") and urlsplit(url).hostname != "127.0.0.1":
            foreign.append(url)

    page.on("request", watch)
    visited = _page_types(hostile_site)
    kinds = {url.split("/")[0] or "home" for url in visited}
    for url in visited:
        page.goto(hostile_url + url)
        if "?q=" in url:
            page.wait_for_function("document.querySelectorAll('#results li').length > 0")
            assert page.locator("#results li").count() >= 10
        for link in page.locator("a[href^='#'], details").all()[:3]:
            link.focus()
        page.mouse.move(200, 200)
        assert page.evaluate("window.__pwned") is None, url
    record("page types opened in chromium", len(kinds))
    print(f"opened {len(visited)} pages of {len(kinds)} kinds: {sorted(kinds)}")
    for needed in ("questions", "departments", "members", "topics", "answered", "search", "about",
                   "404.html", "home"):  # fmt: skip
        assert any(k.startswith(needed) for k in kinds), (needed, kinds)
    assert dialogs == []
    assert errors == []
    assert foreign == []


def test_vector_count() -> None:
    assert len(VECTORS) >= 60
    assert shutil.which("chromium") or Path("/usr/bin/chromium").exists()
