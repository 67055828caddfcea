"""Rendering stage: the model becomes pages, as (output path, HTML) pairs.

Everything a template shows is computed here once (lists, counts, extracts, neighbours);
templates only lay it out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jinja2

from generator.config import SiteConfig
from generator.errors import ArchiveError, Problem
from generator.markup import AnswerRenderer, extract, plain_text, rebase_links
from generator.model import Archive, Department, Question
from generator.search import search_facets

PROJECT_THEMES = Path(__file__).resolve().parent.parent / "themes"
HOUSE_NAMES = {"Commons": "House of Commons", "Lords": "House of Lords"}


def long_date(value: date | None) -> str:
    """'20 October 2021', the way the parliamentary sites write dates."""
    return f"{value.day} {value:%B %Y}" if value else ""


@dataclass(frozen=True)
class Theme:
    template_dirs: tuple[Path, ...]  # highest priority first
    static_dirs: tuple[Path, ...]  # lowest priority first: later ones override


def find_theme(config: SiteConfig) -> Theme:
    """Site templates override the chosen theme, which overrides the default theme."""
    chosen = [config.site_root / "themes" / config.theme, PROJECT_THEMES / config.theme]
    theme_dir = next((d for d in chosen if (d / "templates").is_dir()), None)
    if theme_dir is None:
        raise ArchiveError(
            [Problem("site.yaml", None, f"theme: no theme named {config.theme!r} in themes/")]
        )
    layers = [config.site_root, theme_dir, PROJECT_THEMES / "default"]
    unique = list(dict.fromkeys(p.resolve() for p in layers))
    return Theme(
        template_dirs=tuple(p / "templates" for p in unique if (p / "templates").is_dir()),
        static_dirs=tuple(reversed([p / "static" for p in unique if (p / "static").is_dir()])),
    )


class Renderer:
    def __init__(self, config: SiteConfig, archive: Archive, theme: Theme):
        self.config = config
        self.archive = archive
        self.answers = AnswerRenderer()
        self.extracts: dict[str, str] = {}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["long_date"] = long_date
        self.env.globals.update(
            site=config,
            url=self.url,
            abs_url=config.absolute_url,
            asset=self._asset_urls(theme),
            house_name=HOUSE_NAMES,
            nav_pages=[(p.title, p.url_path) for p in archive.pages if "/" not in p.slug],
        )

    def url(self, path: str = "") -> str:
        """A root-relative link that works at a domain root and under a project subpath."""
        return self.config.base_path + path.lstrip("/")

    def _asset_urls(self, theme: Theme) -> dict[str, str]:
        """Static files with a content hash in the query, so browsers may cache them for long."""
        urls: dict[str, str] = {}
        for folder in theme.static_dirs:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    name = path.relative_to(folder).as_posix()
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
                    urls[name] = f"{self.url('static/' + name)}?v={digest}"
        return urls

    def _page(self, template: str, path: str, **context: Any) -> tuple[str, str]:
        html = self.env.get_template(template).render(canonical=path, **context)
        return f"{path}index.html" if path.endswith("/") or not path else path, html

    def render_all(self) -> Iterator[tuple[str, str]]:
        for question in self.archive.questions:
            yield self.question_page(question)
        for department in self.archive.departments:
            yield from self.department_pages(department)
        yield self._page("departments.html", "departments/", departments=self.department_rows())
        yield self.home_page()
        for page in self.archive.pages:
            body = rebase_links(self.answers.to_html(page.body), self.config.base_path)
            yield self._page("page.html", page.url_path, page=page, body=body)
        yield self._page("404.html", "404.html")
        yield self.search_page()

    def question_page(self, question: Question) -> tuple[str, str]:
        answer_html = self.answers.to_html(question.answer)
        summary = plain_text(answer_html) if answer_html else question.question
        self.extracts[question.id] = extract(summary, self.config.extract_length)
        older, newer = self.archive.neighbours(question)
        return self._page(
            "question.html",
            question.url_path,
            q=question,
            answer_html=answer_html,
            original_answer_html=self.answers.to_html(question.original_answer or ""),
            department=self.archive.department_of[question.id],
            older=older,
            newer=newer,
            grouped=self.grouped_links(question),
            citation=self.citation(question),
        )

    def grouped_links(self, question: Question) -> list[tuple[str, str | None]]:
        """Each grouped UIN with a link when exactly that question is in the archive."""
        links = []
        for uin in question.grouped_with:
            matches = [
                q
                for q in self.archive.by_uin.get(uin, ())
                if q.house == question.house and q.id != question.id
            ]
            links.append((uin, self.url(matches[0].url_path) if len(matches) == 1 else None))
        return links

    def citation(self, question: Question) -> str:
        parts = [f"“{question.title}”"]
        house = HOUSE_NAMES.get(question.house or "", "UK Parliament")
        parts.append(f"{house} written question {question.uin}" if question.uin else house)
        asked = f"asked by {question.asked_by} " if question.asked_by else "asked "
        parts.append(f"{asked}on {long_date(question.asked_on)}")
        if question.answered_on:
            by = f" by {question.answered_by}" if question.answered_by else ""
            parts.append(
                f"answered{by} ({question.department}) on {long_date(question.answered_on)}"
            )
        cite = ", ".join(parts)
        return f"{cite}. {self.config.title}, {self.config.absolute_url(question.url_path)}"

    def department_pages(self, department: Department) -> Iterator[tuple[str, str]]:
        per_page = self.config.per_page
        chunks = [
            department.questions[i : i + per_page]
            for i in range(0, len(department.questions), per_page)
        ]
        for number, chunk in enumerate(chunks, start=1):
            yield self._page(
                "department.html",
                self.listing_path(department.url_path, number),
                department=department,
                entries=[(q, self.extracts[q.id]) for q in chunk],
                pagination=self.pagination(department.url_path, number, len(chunks)),
            )

    @staticmethod
    def listing_path(first: str, number: int) -> str:
        return first if number == 1 else f"{first}page/{number}/"

    def pagination(self, first: str, number: int, count: int) -> dict[str, Any]:
        def link(n: int) -> str:
            return self.url(self.listing_path(first, n))

        return {
            "number": number,
            "count": count,
            "previous": link(number - 1) if number > 1 else None,
            "next": link(number + 1) if number < count else None,
            "pages": [(n, link(n)) for n in range(1, count + 1)],
        }

    def department_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "department": d,
                "count": len(d.questions),
                "latest": d.questions[0].sort_date,
            }
            for d in self.archive.departments
        ]

    def search_page(self) -> tuple[str, str]:
        """The search page; its filter options are counted here, its results in the browser."""
        return self._page(
            "search.html",
            "search/",
            facets=search_facets(self.archive),
            question_count=len(self.archive.questions),
        )

    def home_page(self) -> tuple[str, str]:
        latest = self.archive.questions[: self.config.latest_count]
        return self._page(
            "index.html",
            "",
            latest=[(q, self.extracts[q.id]) for q in latest],
            departments=self.department_rows(),
            question_count=len(self.archive.questions),
        )
