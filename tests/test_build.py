"""End-to-end builds of the fixture archive."""

import gc
import multiprocessing
import re
from multiprocessing.pool import Pool
from pathlib import Path

import pytest

import generator.build
import generator.render
import generator.workers
from generator.cache import BuildCache, answer_key
from generator.errors import ArchiveError
from generator.load import load_archive
from generator.markup import AnswerRenderer, Fragment, answer_fragment
from tests.pagetext import quoted
from tests.sitebuild import (
    MINIMAL_QUESTION,
    build_site,
    copy_archive,
    tree_bytes,
    write_question,
)


def entries(html: str) -> int:
    """How many question-list entries `html` holds (list items opening on a linked title)."""
    return len(re.findall(r'<li>\s*<h[23]><a href="[^"]*/questions/', html))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out, _ = build_site(copy_archive(tmp_path_factory.mktemp("build")))
    return out


def page(site: Path, path: str) -> str:
    return quoted((site / path).read_text(encoding="utf-8"))


def test_every_page_is_written(site: Path) -> None:
    files = set(tree_bytes(site))
    questions = {f for f in files if f.startswith("questions/")}
    assert len(questions) == 8
    assert all(f.endswith("/index.html") for f in questions)
    assert {
        "index.html",
        "404.html",
        "about/index.html",
        "departments/index.html",
        "departments/department-for-education/index.html",
        "departments/department-for-education/page/2/index.html",
        "departments/department-for-education/page/3/index.html",
        "departments/department-for-transport/index.html",
        "departments/hm-treasury/index.html",
        "static/style.css",
    } <= files
    assert "departments/department-for-education/page/4/index.html" not in files


def test_question_page_shows_every_fact(site: Path) -> None:
    html = page(site, "questions/hc-2023-11-14-2154/index.html")
    assert "<h1>Schools: Special Educational Needs</h1>" in html
    assert "House of Commons" in html
    assert "<dd>2154<dt>" in html  # the optional </dd> is left out
    assert '<dd><a href="/archive/members/sian-gwenllian-4981/">Siân Gwenllian</a><dt>' in html
    assert '<time datetime="2023-11-14">14 November 2023</time>' in html
    assert '<time datetime="2023-11-21">21 November 2023</time>' in html
    assert '<dd><a href="/archive/members/david-johnston-4761/">David Johnston</a><dt>' in html
    assert "how many Education, Health and Care plan assessments" in html
    assert re.search(r"<td>66,055\s*<", html)
    assert 'href="https://questions-statements.parliament.uk/written-questions/detail/' in html
    assert (
        "“Schools: Special Educational Needs”, House of Commons written question 2154, asked by "
        "Siân Gwenllian on 14 November 2023, answered by David Johnston (Department for "
        "Education) on 21 November 2023. Fixture Archive, "
        "https://example.github.io/archive/questions/hc-2023-11-14-2154/"
    ) in html


def test_links_honour_the_base_path(site: Path) -> None:
    html = page(site, "questions/hc-2023-11-14-2154/index.html")
    links = re.findall(r'(?:href|src|action)="([^"]+)"', html)
    internal = [link for link in links if not link.startswith("http")]
    assert internal
    assert all(link.startswith("/archive/") or link.startswith("#") for link in internal)
    assert '<link rel="canonical" href="https://example.github.io/archive/questions/' in html


def test_breadcrumbs_and_neighbours(site: Path) -> None:
    html = page(site, "questions/hc-2023-11-14-2154/index.html")
    crumbs = html.split('<nav class="breadcrumbs" aria-label="Breadcrumb">', 1)[1]
    crumbs = crumbs.split("</nav>", 1)[0]
    # Home, Departments, then the page's department; the page itself is its h1
    assert crumbs.count("<li>") == 3
    assert crumbs.endswith(
        '<li><a href="/archive/departments/department-for-education/">'
        "Department for Education</a></ol>"
    )
    assert "Schools: Special Educational Needs" not in crumbs
    assert 'href="/archive/questions/hc-2023-11-14-2155/" rel="prev"' in html
    assert 'href="/archive/questions/hc-2023-12-04-4100/" rel="next"' in html


def test_grouped_questions_link_both_ways(site: Path) -> None:
    first = page(site, "questions/hc-2023-11-14-2154/index.html")
    second = page(site, "questions/hc-2023-11-14-2155/index.html")
    assert '<a href="/archive/questions/hc-2023-11-14-2155/">Question 2155</a>' in first
    assert '<a href="/archive/questions/hc-2023-11-14-2154/">Question 2154</a>' in second


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("hc-2023-12-01-4001", ["badge-holding", "Holding answer", "6 December 2023"]),
        ("hc-2023-10-02-1200", ["badge-corrected", "Original answer, before the correction",
                                "The Department gave £200 million", "Pothole funding"]),
        ("hc-2023-10-05-1300", ["badge-withdrawn", "This question was withdrawn"]),
        ("hc-2023-12-04-4100", ["Awaiting answer", "This question has not been answered yet."]),
    ],
)  # fmt: skip
def test_status_badges(site: Path, question: str, expected: list[str]) -> None:
    html = page(site, f"questions/{question}/index.html")
    for text in expected:
        assert text in html


def test_lords_question_with_raw_html_is_sanitised(site: Path) -> None:
    html = page(site, "questions/hl-2023-11-01-hl1234/index.html")
    assert "House of Lords" in html
    assert "<strong>£36 million</strong>" in html
    assert re.search(r"<li>More placements near home.\s*<", html)
    assert "<em>emphasis</em>" in html
    assert "alert" not in html and "onerror" not in html
    # The only script is the page's own JSON-LD, built from escaped JSON.
    assert html.lower().count("<script") == html.count('<script type="application/ld+json">') == 1
    assert re.search(
        r"<p>And what steps they are taking to increase foster carer numbers.\s*<", html
    )


def test_department_pages_paginate_newest_first(site: Path) -> None:
    first = page(site, "departments/department-for-education/index.html")
    second = page(site, "departments/department-for-education/page/2/index.html")
    assert "5 questions, newest first; page 1 of 3" in first
    assert first.index("Pupils: Absence") < first.index("Teachers: Recruitment")
    assert "Schools: Special Educational Needs" in second
    assert 'href="/archive/departments/department-for-education/page/2/" rel="next"' in first
    assert 'href="/archive/departments/department-for-education/" rel="prev"' in second
    assert "The number of EHC plans issued within 20 weeks is published annually" in second


def test_departments_index_and_home(site: Path) -> None:
    index = page(site, "departments/index.html")
    assert re.search(r"Department for Education</a>\s*<td class=\"number\">5\s*<", index)
    home = page(site, "index.html")
    assert "Latest answers" in home
    assert entries(home) == 5
    assert 'action="/archive/search/"' in home
    assert "Search 8 questions and answers" in home


def test_about_and_404(site: Path) -> None:
    about = page(site, "about/index.html")
    assert "<h1>About the fixture</h1>" in about
    assert about.count("<h1>") == 1
    assert '<a href="/archive/about/">About the fixture</a>' in page(site, "index.html")
    missing = page(site, "404.html")
    assert "Page not found" in missing
    assert 'href="/archive/static/style.css?v=' in missing


def test_accessibility_landmarks_on_every_page(site: Path) -> None:
    for path in site.rglob("*.html"):
        html = quoted(path.read_text(encoding="utf-8"))
        assert '<html lang="en-GB">' in html
        assert '<a class="skip-link" href="#content">' in html
        assert '<main id="content"' in html
        assert html.count("<h1") == 1, path
        assert '<meta name="viewport"' in html
        assert not re.search(r'(?:href|src)="(?:https?:)?//[^"]*\.(?:css|js|woff2?)', html)


def test_same_input_same_bytes(tmp_path: Path, site: Path) -> None:
    again, _ = build_site(copy_archive(tmp_path))
    assert tree_bytes(again) == tree_bytes(site)


def test_failed_build_leaves_the_previous_site_untouched(tmp_path: Path) -> None:
    archive = copy_archive(tmp_path)
    out, _ = build_site(archive)
    before = tree_bytes(out)
    write_question(archive / "content", "bad.md", "---\ntitle: [unclosed\n---\n")
    with pytest.raises(ArchiveError):
        build_site(archive)
    assert tree_bytes(out) == before
    kept = {".cache", "._site.spare"}  # the build cache and the previous site (docs/cli.md)
    assert {p.name for p in out.parent.iterdir() if p.name.startswith(".")} <= kept


def test_a_failure_while_the_search_index_is_being_written_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search index's worker starts before the rest of the build's preparation (see
    `workers.Started`): when that preparation fails, the worker is stopped before its
    folder is deleted, the previous site is untouched and nothing is left beside it; the
    same build, not failing, writes what a build in one process writes."""
    monkeypatch.setattr(generator.workers, "MIN_PARALLEL", 1)
    site = copy_archive(tmp_path)
    out, _ = build_site(site, jobs=2)
    before = tree_bytes(out)
    assert before == tree_bytes(build_site(site, tmp_path / "one", jobs=1, cache=False)[0])
    started: list[int] = []

    def fail(*args: object) -> object:
        started.extend(p.pid for p in multiprocessing.active_children())
        raise RuntimeError("stage failed")

    monkeypatch.setattr(generator.build, "department_figures", fail)
    write_question(site / "content", "new.md", MINIMAL_QUESTION)
    with pytest.raises(RuntimeError, match="stage failed"):
        build_site(site, jobs=2, clean=True)
    assert started  # the index's worker was running
    assert multiprocessing.active_children() == []
    assert tree_bytes(out) == before
    assert {p.name for p in out.parent.iterdir() if p.name.startswith(".")} <= {".cache"}


def test_rebuild_removes_pages_of_deleted_questions(tmp_path: Path) -> None:
    archive = copy_archive(tmp_path)
    out, _ = build_site(archive)
    assert (out / "questions/hl-2023-11-20-hl1300/index.html").exists()
    (archive / "content/questions/lords/2023/hl-2023-11-20-hl1300.md").unlink()
    build_site(archive)
    assert not (out / "questions/hl-2023-11-20-hl1300").exists()
    assert not (out / "departments/hm-treasury").exists()


def test_site_template_overrides_the_theme(tmp_path: Path) -> None:
    archive = copy_archive(tmp_path)
    (archive / "templates").mkdir()
    (archive / "templates" / "404.html").write_text(
        '{% extends "base.html" %}'
        "{% block content %}<h1>Lost at {{ site.title }}</h1>{% endblock %}"
    )
    out, _ = build_site(archive)
    assert "<h1>Lost at Fixture Archive</h1>" in page(out, "404.html")


def test_unknown_theme_is_an_error(tmp_path: Path) -> None:
    archive = copy_archive(tmp_path)
    with (archive / "site.yaml").open("a") as config:
        config.write("theme: nosuch\n")
    with pytest.raises(ArchiveError, match="theme: no theme named 'nosuch'"):
        build_site(archive)


def test_domain_root_base_url(tmp_path: Path) -> None:
    out, _ = build_site(copy_archive(tmp_path), base_url="https://archive.example.org/")
    html = page(out, "questions/hc-2023-11-14-2154/index.html")
    assert 'href="/departments/department-for-education/"' in html
    assert (
        '<link rel="canonical" href="https://archive.example.org/questions/hc-2023-11-14-2154/">'
        in html
    )


def test_workers_are_forked_with_the_model_out_of_the_collector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages' workers are forked with the model frozen (`gc.freeze`: no pass of the
    cycle collector walks it, in the main process or in a worker), and a build leaves
    nothing frozen (`answers serve` builds again and again: old models must be freed), also
    when it fails."""
    monkeypatch.setattr(generator.workers, "MIN_PARALLEL", 1)
    forked: list[int] = []
    make_pool = generator.workers._pool

    def pool(jobs: int) -> Pool:
        forked.append(gc.get_freeze_count())
        return make_pool(jobs)

    monkeypatch.setattr(generator.workers, "_pool", pool)
    site = copy_archive(tmp_path)
    before = gc.get_freeze_count()
    _, result = build_site(site, jobs=2)
    assert gc.get_freeze_count() == before
    assert forked and forked[-1] > before + 20 * result.questions
    write_question(site / "content", "broken.md", "---\ntitle: [\n---\n")
    with pytest.raises(ArchiveError):
        build_site(site, jobs=2)
    assert gc.get_freeze_count() == before


def test_answers_are_kept_in_the_cache_and_not_rendered_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build stores every answer's HTML in the cache (while its workers finish); a
    later full build, after an edit that parses a file again, renders no answer whose
    Markdown is unchanged, and writes what a build without the cache writes."""
    site = copy_archive(tmp_path)
    build_site(site)
    cache = BuildCache(site / ".cache")
    try:
        stored = cache.fragment_hashes()
    finally:
        cache.close()
    questions = load_archive(site / "content").questions
    assert {answer_key(q.answer) for q in questions} == stored
    rendered: list[str] = []

    def counted(answers: AnswerRenderer, text: str) -> Fragment:
        rendered.append(text)
        return answer_fragment(answers, text)

    monkeypatch.setattr(generator.workers, "answer_fragment", counted)
    monkeypatch.setattr(generator.render, "answer_fragment", counted)
    edited = next((site / "content" / "questions").rglob("*.md"))
    text = edited.read_text(encoding="utf-8")
    assert "\ntitle: '" in text
    edited.write_text(text.replace("\ntitle: '", "\ntitle: 'Retitled ", 1), encoding="utf-8")
    out, _ = build_site(site)
    assert rendered == []
    fresh, _ = build_site(site, tmp_path / "fresh", cache=False)
    assert tree_bytes(out) == tree_bytes(fresh)
