"""End-to-end: the browse fixture built through the real build, page by page type."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.browser_support import BROWSE_FIXTURE
from tests.pagetext import quoted
from tests.sitebuild import build_site, copy_archive, tree_bytes


def entries(html: str) -> int:
    """How many question-list entries `html` holds (list items opening on a linked title)."""
    return len(re.findall(r'<li>\s*<h[23]><a href="[^"]*/questions/', html))


GOLDEN = Path(__file__).parent / "golden"


def page(site: Path, path: str) -> str:
    return quoted((site / path).read_text(encoding="utf-8"))


def main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_members_index(browse_site: Path) -> None:
    html = main(page(browse_site, "members/index.html"))
    assert "12 members of the Commons and the Lords" in html
    assert re.search(
        r'<a href="/pq/members/zoe-degaard/">Zoë Ødegaard</a><td class="number">3'
        r'<td class="number">0\s*<',
        html,
    )
    assert '<a href="/pq/members/member-5000/">Member 5000</a>' in html
    names = re.findall(r'<a href="/pq/members/[^"]+/">([^<]+)</a>', html)
    assert names == sorted(names, key=str.casefold)


def test_member_page(browse_site: Path) -> None:
    html = main(page(browse_site, "members/david-johnston-4761/index.html"))
    assert "<h1>David Johnston</h1>" in html
    assert "Asked 0 questions; answered 4." in html
    assert 'id="asked-heading"' not in html  # nothing asked: no empty section
    assert entries(html) == 4
    assert 'href="/pq/members/david-johnston-4761/answered/">All 4 questions answered' in html


def paragraphs_per_entry(html: str) -> list[int]:
    """For each entry of the page's question list, its paragraphs (facts, then any extract)."""
    listing = html.split('<ol class="question-list">', 1)[1].split("</ol>", 1)[0]
    return [entry.count("<p>") for entry in listing.split("<li>")[1:]]


def test_member_lists_are_paginated(browse_site: Path) -> None:
    first = main(page(browse_site, "members/rhys-ap-gwilym/asked/index.html"))
    third = main(page(browse_site, "members/rhys-ap-gwilym/asked/page/3/index.html"))
    assert "6 questions, newest first; page 1 of 3." in first
    assert entries(first) == 2 and entries(third) == 2
    # The asker's own list does not repeat their name on every entry; answerers' lists do.
    assert "asked by" not in first.split("</h1>", 1)[1]
    answered = main(page(browse_site, "members/david-johnston-4761/answered/index.html"))
    assert " · asked by " in answered
    assert "Prisons: Staff" in third and "9 October 2023" not in third
    # Compact lists: the department instead of an extract (department lists keep extracts).
    assert set(paragraphs_per_entry(third)) == {1} and " · Ministry of Justice" in third
    department = page(browse_site, "departments/ministry-of-justice/index.html")
    assert set(paragraphs_per_entry(department)) == {2}
    assert not (browse_site / "members/rhys-ap-gwilym/answered").exists()
    assert not (browse_site / "members/rhys-ap-gwilym/asked/page/4").exists()


def test_member_departments_asked_most(browse_site: Path) -> None:
    html = main(page(browse_site, "members/rhys-ap-gwilym/index.html"))
    section = html[html.index("Departments asked most") :]
    assert re.search(
        r'<a href="/pq/departments/ministry-of-justice/">Ministry of Justice</a> '
        r'<span class="count">3 questions</span>',
        section,
    )


def test_topics(browse_site: Path) -> None:
    index = main(page(browse_site, "topics/index.html"))
    assert "10 topics." in index
    assert '<a href="/pq/topics/schools/">Schools</a> <span class="count">3</span>' in index
    topic = main(page(browse_site, "topics/schools/index.html"))
    assert "<h1>Schools</h1>" in topic
    assert (
        '<a href="/pq/topics/schools/special-educational-needs/">Special Educational Needs</a>'
        in topic
    )
    # A one-question subtopic has no page of its own: it links straight to its question.
    assert (
        '<a href="/pq/questions/hc-2024-03-04-6000/">Page</a> <span class="count">1</span>' in topic
    )
    assert "page 1 of 2" in topic
    sub = main(page(browse_site, "topics/schools/special-educational-needs/index.html"))
    assert "<h1>Schools: Special Educational Needs</h1>" in sub
    assert entries(sub) == 2
    assert "Subtopics" not in sub
    assert (browse_site / "topics/schools/page/2/index.html").is_file()
    assert not (browse_site / "topics/schools/page-2").exists()
    # A subtopic holding all of its topic's questions would repeat the topic page.
    nhs = main(page(browse_site, "topics/nhs/index.html"))
    assert '<li>Dental Services <span class="count">2</span><' in nhs  # no link, no page
    assert not (browse_site / "topics/nhs/dental-services").exists()
    assert (browse_site / "topics/prisons/staff/index.html").is_file()


def test_question_links_to_its_topic_members_and_month(browse_site: Path) -> None:
    html = main(page(browse_site, "questions/hc-2023-10-02-1200/index.html"))
    assert '<a href="/pq/topics/local-government/">Local Government</a>' in html
    assert '<a href="/pq/topics/local-government/">Local Government</a> \u203a Children<' in html
    sen = main(page(browse_site, "questions/hc-2023-11-14-2154/index.html"))
    assert '\u203a <a href="/pq/topics/schools/special-educational-needs/">' in sen
    assert '<a href="/pq/members/rhys-ap-gwilym/">Rhys ap Gwilym</a>' in html
    assert '<a href="/pq/members/david-johnston-4761/">David Johnston</a>' in html
    assert '<a href="/pq/answered/2023/10/"><time datetime="2023-10-09">' in html
    unnamed = main(page(browse_site, "questions/hc-2023-09-04-100/index.html"))
    assert '<a href="/pq/members/member-5000/">Member 5000</a>' in unnamed


def test_date_archives(browse_site: Path) -> None:
    index = main(page(browse_site, "answered/index.html"))
    years = re.findall(r'<h2 id="year-(\d{4})">', index)
    assert years == ["2024", "2023", "2022"]
    assert '<a href="/pq/answered/2023/11/">November</a> <span class="count">3</span>' in index
    year = main(page(browse_site, "answered/2023/index.html"))
    assert "7 answers in 2023." in year
    counts = re.findall(r'(\w+ 2023)</a><td class="number">(\d+)\s*<', year)
    assert counts == [
        ("September 2023", "2"), ("October 2023", "1"), ("November 2023", "3"),
        ("December 2023", "1"),
    ]  # fmt: skip
    month = main(page(browse_site, "answered/2023/11/index.html"))
    assert "<h1>Answered in November 2023</h1>" in month
    assert "3 answers, newest first; page 1 of 2." in month
    assert (browse_site / "answered/2023/11/page/2/index.html").is_file()
    assert not (browse_site / "answered/2023/01").exists()


def test_references_in_answers_are_linked(browse_site: Path) -> None:
    html = main(page(browse_site, "questions/hc-2023-11-14-2155/index.html"))
    assert (
        '<a class="reference" href="/pq/questions/hc-2023-11-14-2154/">Answer of 21 November '
        "2023 to Question 2154</a>"
    ) in html
    dental = main(page(browse_site, "questions/hc-2024-01-20-5000/index.html"))
    assert '<a class="reference" href="/pq/questions/hc-2024-01-08-146306/">PQ 146306</a>' in dental
    assert "PQ 999999 is not in this archive" in dental
    assert "<script" not in dental and "alert" not in dental


def test_grouped_questions_both_ways(browse_site: Path) -> None:
    first = main(page(browse_site, "questions/hc-2023-11-14-2154/index.html"))
    second = main(page(browse_site, "questions/hc-2023-11-14-2155/index.html"))
    assert '<a href="/pq/questions/hc-2023-11-14-2155/">Question 2155</a>' in first
    assert '<a href="/pq/questions/hc-2023-11-14-2154/">Question 2154</a>' in second
    lords = main(page(browse_site, "questions/hl-2024-01-10-hl2000/index.html"))
    assert 'Question HL2001 <span class="aside">(not in this archive)</span>' in lords


def test_corrected_answer_shows_both_texts(browse_site: Path) -> None:
    html = main(page(browse_site, "questions/hc-2023-10-02-1200/index.html"))
    corrected = html.index("<strong>£150 million</strong>")
    original = html.index("<strong>£200 million</strong>")
    assert corrected < html.index("Original answer, before the correction") < original
    assert 'corrected on <time datetime="2023-10-20">20 October 2023</time>' in html


def test_open_graph_and_json_ld(browse_site: Path) -> None:
    html = page(browse_site, "questions/hc-2023-11-14-2154/index.html")
    assert '<meta property="og:type" content="article">' in html
    assert (
        '<meta property="og:url" content="https://example.org/pq/questions/hc-2023-11-14-2154/">'
        in html
    )
    # og:site_name carries the site's name, so og:title is the page's own title
    assert '<meta property="og:site_name" content="Browse Fixture">' in html
    assert (
        '<meta property="og:title" content="Schools: Special Educational Needs'
        ' \u2013 Department for Education">' in html
    )
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html).group(1)
    )  # type: ignore[union-attr]
    assert data["@type"] == "Question"
    assert data["author"] == {"@type": "Person", "name": "Siân Gwenllian"}
    assert data["dateCreated"] == "2023-11-14"
    assert data["acceptedAnswer"]["@type"] == "Answer"
    assert data["acceptedAnswer"]["dateCreated"] == "2023-11-21"
    assert data["acceptedAnswer"]["author"]["name"] == "David Johnston"
    assert data["url"] == "https://example.org/pq/questions/hc-2023-11-14-2154/"
    # the texts are on the page itself; the head does not repeat them
    assert "text" not in data and "text" not in data["acceptedAnswer"]
    assert "QAPage" not in html
    unanswered = page(browse_site, "questions/hc-2024-02-01-4100/index.html")
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', unanswered).group(1)
    )  # type: ignore[union-attr]
    assert data["answerCount"] == 0 and "acceptedAnswer" not in data
    listing = page(browse_site, "topics/index.html")
    assert '<meta property="og:type" content="website">' in listing
    assert "application/ld+json" not in listing


def test_json_ld_cannot_close_its_script(tmp_path: Path) -> None:
    site = copy_archive(tmp_path, BROWSE_FIXTURE)
    target = site / "content/questions/commons/hc-2024-01-08-146306.md"
    text = target.read_text(encoding="utf-8")
    target.write_text(
        text.replace("There were", "</script><script>alert(1)</script> &amp; There were"),
        encoding="utf-8",
    )
    out, _ = build_site(site)
    html = page(out, "questions/hc-2024-01-08-146306/index.html")
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html)
    assert script is not None and "<" not in script.group(1)
    assert html.count("<script") == 1


def test_department_page_figures(browse_site: Path) -> None:
    html = main(page(browse_site, "departments/department-for-education/index.html"))
    assert "<dt>Median days to answer<dd>7<dd " in html
    assert '<dt>Answered by the date due<dd>60% <span class="aside">(3 of 5)</span><dd ' in html
    assert "<dt>Holding answers<dd>1<dd " in html
    assert '<svg viewBox="0 0 640 160" role="img" aria-labelledby="per-month-title"' in html
    assert html.count('<rect class="bar"') == 23
    assert '<tr><td>November 2023<td class="number">3<tr>' in html
    assert "Of answered questions with a date due for answer" in html
    later = main(page(browse_site, "departments/department-for-education/page/2/index.html"))
    assert "<svg" not in later


def test_departments_index_compares_the_figures(browse_site: Path) -> None:
    html = page(browse_site, "departments/index.html")
    assert re.search(r'<script src="/pq/static/sort-table.js\?v=\w+" defer></script>', html)
    # Rows and cells end where the next begins (their end tags are optional and left out).
    rows = re.findall(r"<tr>\s*<td><a [^>]+>([^<]+)</a>(.*?)(?=<tr>|</tbody>)", main(html), re.S)
    cells = {
        name: [c.strip() for c in re.findall(r"<td[^>]*>([^<]*)", rest)] for name, rest in rows
    }
    assert cells["Department for Education"][:5] == ["7", "6", "7", "60%", "1"]
    assert cells["Cabinet Office"][:5] == ["1", "0", "—", "—", "0"]
    assert cells["HM Treasury"][:5] == ["2", "1", "20", "0%", "0"]


def test_home_links_to_every_way_in(browse_site: Path) -> None:
    html = page(browse_site, "index.html")
    for path in ("members/", "topics/", "answered/", "feeds/all.xml", "downloads/archive.jsonl.gz"):
        assert f'href="/pq/{path}"' in html


def test_same_input_same_bytes(tmp_path: Path, browse_site: Path) -> None:
    again, _ = build_site(copy_archive(tmp_path, BROWSE_FIXTURE))
    assert tree_bytes(again) == tree_bytes(browse_site)


@pytest.mark.parametrize(
    ("golden", "path"),
    [
        ("member.html", "members/sian-gwenllian-4981/index.html"),
        ("member-feed.xml", "feeds/members/sian-gwenllian-4981.xml"),
    ],
)
def test_matches_golden_file(browse_site: Path, golden: str, path: str) -> None:
    """Regenerate with UPDATE_GOLDEN=1 (see tests/test_golden.py) and review the diff."""
    built = (browse_site / path).read_text(encoding="utf-8")
    expected = GOLDEN / golden
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(built, encoding="utf-8")
    assert built == expected.read_text(encoding="utf-8")


def test_progress_count_matches_the_pages_rendered(tmp_path: Path) -> None:
    from generator.config import load_config
    from generator.load import load_archive
    from generator.render import Renderer, find_theme

    config = load_config(BROWSE_FIXTURE / "site.yaml")
    renderer = Renderer(config, load_archive(BROWSE_FIXTURE / "content"), find_theme(config))
    assert sum(1 for _ in renderer.render_all()) == renderer.expected_pages() == 87
