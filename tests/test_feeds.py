"""Atom 1.0 feeds: structure, newest 50, stable entry ids, alternate links from pages."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import given
from hypothesis import strategies as st

import generator.feeds
import generator.sitefiles
from generator.config import SiteConfig
from generator.feeds import (
    _NAMESPACE,
    _NOT_XML,
    FEED_SIZE,
    FeedLink,
    FeedWriter,
    _text,
    _updated,
    attribute,
    entry_id,
    name_uuid,
    newest_of,
)
from generator.model import Question
from tests.browser_support import BROWSE_FIXTURE
from tests.sitebuild import build_site, copy_archive

ATOM = "{http://www.w3.org/2005/Atom}"


def parse(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{ATOM}entry")


def every_feed(site: Path) -> list[Path]:
    return sorted((site / "feeds").rglob("*.xml"))


def test_one_feed_for_the_archive_and_each_department_member_and_topic(browse_site: Path) -> None:
    names = {p.relative_to(browse_site / "feeds").as_posix() for p in every_feed(browse_site)}
    assert "all.xml" in names
    assert "departments/cabinet-office.xml" in names
    assert "members/sian-gwenllian-4981.xml" in names
    assert "members/member-5000.xml" in names
    assert "topics/local-government.xml" in names
    assert len([n for n in names if n.startswith("members/")]) == len(
        list((browse_site / "members").glob("*/index.html"))
    )
    assert len([n for n in names if n.startswith("topics/")]) == 10


def test_every_feed_has_the_atom_required_elements(browse_site: Path) -> None:
    for path in every_feed(browse_site):
        feed = parse(path)
        assert feed.tag == f"{ATOM}feed", path
        for name in ("id", "title", "updated", "author"):
            assert feed.find(f"{ATOM}{name}") is not None, (path, name)
        rels = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
        assert rels["self"] == "https://example.org/pq/" + path.relative_to(browse_site).as_posix()
        assert rels["alternate"].startswith("https://example.org/pq/")
        found = entries(feed)
        assert 1 <= len(found) <= FEED_SIZE, path
        ids = [e.findtext(f"{ATOM}id") for e in found]
        assert len(set(ids)) == len(ids)
        for entry in found:
            for name in ("id", "title", "updated", "summary"):
                assert entry.findtext(f"{ATOM}{name}"), (path, name)
            # published only where a correction made it differ from updated
            published = entry.findtext(f"{ATOM}published")
            assert published is None or published < (entry.findtext(f"{ATOM}updated") or "")
            # the entry's page: a link without rel is rel="alternate" (RFC 4287 4.2.7.2)
            (link,) = entry.findall(f"{ATOM}link")
            assert link.get("rel") is None
            assert (link.get("href") or "").startswith("https://example.org/pq/questions/")
        updated = [e.findtext(f"{ATOM}updated") or "" for e in found]
        assert feed.findtext(f"{ATOM}updated") == max(updated)


def test_published_is_written_only_where_a_correction_makes_it_differ(browse_site: Path) -> None:
    corrected = "https://example.org/pq/questions/hc-2023-10-02-1200/"
    feed = parse(browse_site / "feeds/departments/department-for-education.xml")
    by_link = {e.find(f"{ATOM}link").get("href"): e for e in entries(feed)}  # type: ignore[union-attr]
    entry = by_link[corrected]
    assert entry.findtext(f"{ATOM}published") == "2023-10-09T00:00:00Z"  # answered
    assert entry.findtext(f"{ATOM}updated") == "2023-10-20T00:00:00Z"  # corrected
    others = [e for link, e in by_link.items() if link != corrected]
    assert others and all(e.find(f"{ATOM}published") is None for e in others)


def test_archive_feed_is_newest_first_with_full_answers(browse_site: Path) -> None:
    feed = parse(browse_site / "feeds/all.xml")
    found = entries(feed)
    assert len(found) == 15
    published = [e.findtext(f"{ATOM}published") or e.findtext(f"{ATOM}updated") for e in found]
    assert published == sorted(published, reverse=True)
    first = found[0]
    assert first.findtext(f"{ATOM}title") == "Schools: Page"  # answered 11 March 2024
    answered = next(
        e
        for e in found
        if e.find(f"{ATOM}link[@href='https://example.org/pq/questions/hc-2023-11-14-2154/']")
        is not None
    )
    content = answered.find(f"{ATOM}content")
    assert content is not None and content.get("type") == "html"
    assert "<table>" in (content.text or "")
    assert (content.text or "").startswith("<h2>Question</h2><p>To ask the Secretary of State")
    unanswered = next(e for e in found if "hl-2024-03-01-hl3000" in ET.tostring(e, "unicode"))
    assert "<p>Not answered yet.</p>" in (unanswered.findtext(f"{ATOM}content") or "")


def test_member_and_topic_feeds_carry_summaries_only(browse_site: Path) -> None:
    for name in ("members/rhys-ap-gwilym.xml", "topics/schools.xml"):
        found = entries(parse(browse_site / "feeds" / name))
        assert all(e.find(f"{ATOM}content") is None for e in found)
    rhys = entries(parse(browse_site / "feeds/members/rhys-ap-gwilym.xml"))
    assert len(rhys) == 6


def test_member_feed_merges_asked_and_answered() -> None:
    config = SiteConfig(base_url="https://x.test/")
    asked = Question(id="a", title="A", department="D", asked_on=date(2024, 1, 1), question="?")
    answered = Question(
        id="b", title="B", department="D", asked_on=date(2024, 1, 2), question="?",
        answered_on=date(2024, 1, 5),
    )  # fmt: skip
    assert [q.id for q in newest_of((asked,), (answered, asked))] == ["b", "a"]
    _, text = FeedWriter(config, {}).feed(FeedLink("T", "feeds/t.xml"), "", [answered, asked])
    assert [e.findtext(f"{ATOM}title") for e in entries(ET.fromstring(text))] == ["B", "A"]


def test_only_the_newest_fifty() -> None:
    config = SiteConfig(base_url="https://x.test/")
    start = date(2024, 1, 1)
    questions = [
        Question(
            id=f"q{i}",
            title=f"Q{i}",
            department="D",
            question="?",
            asked_on=start + timedelta(days=100 - i),
        )
        for i in range(60)
    ]
    _, text = FeedWriter(config, {}).feed(FeedLink("T", "feeds/t.xml"), "", questions)
    titles = [e.findtext(f"{ATOM}title") for e in entries(ET.fromstring(text))]
    assert titles == [f"Q{i}" for i in range(50)]


def test_entry_ids_are_stable_and_independent_of_base_url(tmp_path: Path) -> None:
    site = copy_archive(tmp_path, BROWSE_FIXTURE)
    first, _ = build_site(site, tmp_path / "one")
    second, _ = build_site(site, tmp_path / "two", base_url="https://mirror.example/")
    ids_one = [e.findtext(f"{ATOM}id") for e in entries(parse(first / "feeds/all.xml"))]
    ids_two = [e.findtext(f"{ATOM}id") for e in entries(parse(second / "feeds/all.xml"))]
    assert ids_one == ids_two
    newest = Question(
        id="hc-2024-03-04-6000", title="", department="", asked_on=date(2024, 1, 1), question=""
    )
    assert ids_one[0] == entry_id(newest)
    links = [
        e.find(f"{ATOM}link").get("href")  # type: ignore[union-attr]
        for e in entries(parse(second / "feeds/all.xml"))
    ]
    assert all(link.startswith("https://mirror.example/questions/") for link in links)


def test_same_question_same_entry_id_in_every_feed(browse_site: Path) -> None:
    target = "https://example.org/pq/questions/hc-2023-11-14-2154/"
    ids = set()
    for path in every_feed(browse_site):
        for entry in entries(parse(path)):
            link = entry.find(f"{ATOM}link")
            if link is not None and link.get("href") == target:
                ids.add(entry.findtext(f"{ATOM}id"))
    assert len(ids) == 1


def test_entry_id_is_a_uuid_urn_derived_from_the_question_id() -> None:
    one = Question(id="x", title="T", department="D", asked_on=date(2024, 1, 1), question="?")
    same = Question(id="x", title="Other", department="E", asked_on=date(2020, 1, 1), question="!")
    other = Question(id="y", title="T", department="D", asked_on=date(2024, 1, 1), question="?")
    assert entry_id(one) == entry_id(same) != entry_id(other)
    assert entry_id(one).startswith("urn:uuid:")


@pytest.mark.parametrize(
    ("page", "feed"),
    [
        ("index.html", None),
        ("departments/hm-treasury/index.html", "feeds/departments/hm-treasury.xml"),
        ("members/zoe-degaard/index.html", "feeds/members/zoe-degaard.xml"),
        ("members/zoe-degaard/asked/index.html", "feeds/members/zoe-degaard.xml"),
        ("topics/nhs/index.html", "feeds/topics/nhs.xml"),
        ("topics/prisons/staff/index.html", "feeds/topics/prisons.xml"),
    ],
)
def test_pages_link_their_feeds(browse_site: Path, page: str, feed: str | None) -> None:
    html = (browse_site / page).read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/pq/feeds/all.xml">' in html
    if feed:
        assert f'href="/pq/{feed}">' in html
        assert (browse_site / feed).is_file()


def test_control_characters_never_reach_the_xml() -> None:
    config = SiteConfig(base_url="https://x.test/")
    bad = Question(
        id="x", title="Bad\x01 <title> & co", department="D\x0b", asked_on=date(2024, 1, 1),
        question="?",
    )  # fmt: skip
    _, text = FeedWriter(config, {"x": "sum\x00mary"}).feed(FeedLink("T", "f.xml"), "", [bad])
    entry = entries(ET.fromstring(text))[0]
    assert entry.findtext(f"{ATOM}title") == "Bad <title> & co"
    assert entry.findtext(f"{ATOM}summary") == "summary"


@given(st.text())
def test_name_uuid_is_uuid5(name: str) -> None:
    assert name_uuid(name) == str(uuid.uuid5(_NAMESPACE, name))


_MARKUP_TEXT = st.text(alphabet=st.sampled_from("ab &<>\"'\n\r\t\x01\x0b\ufffe\u00e9"))


@given(_MARKUP_TEXT)
def test_attribute_is_quoteattr(value: str) -> None:
    assert attribute(value) == quoteattr(value)


@given(_MARKUP_TEXT)
def test_the_feeds_own_escapes_are_saxutils(value: str) -> None:
    assert generator.feeds.quoteattr(value) == quoteattr(value)
    assert generator.feeds.escape(value) == escape(value)
    assert generator.sitefiles._escape(value) == escape(value)


@given(_MARKUP_TEXT)
def test_text_is_escape_without_what_xml_forbids(value: str) -> None:
    assert _text(value) == escape(_NOT_XML.sub("", value))


_DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1))


@given(_DAYS, st.none() | _DAYS, st.none() | _DAYS)
def test_updated_is_the_latest_date(
    asked: date, answered: date | None, corrected: date | None
) -> None:
    question = Question(
        id="x", title="T", department="D", asked_on=asked, question="?",
        answered_on=answered, corrected_on=corrected,
    )  # fmt: skip
    assert _updated(question) == max(d for d in (asked, answered, corrected) if d)


def test_an_entry_with_content_is_the_entry_without_it_plus_its_content() -> None:
    """Made first or after the summary entry, the full entry is the same; parsed, it has the
    summary entry's elements then the content."""
    config = SiteConfig(base_url="https://x.test/")
    question = Question(
        id="x", title="T & <t>", department="D", asked_on=date(2024, 1, 1), question="Why?",
        answered_on=date(2024, 1, 9), corrected_on=date(2024, 2, 1), asked_by="A. Member",
    )  # fmt: skip
    alone = FeedWriter(config, {"x": "A summary"}).entry(question, "<p>Because & so.</p>")
    writer = FeedWriter(config, {"x": "A summary"})
    summary = writer.entry(question, None)
    assert writer.entry(question, "<p>Because & so.</p>") == alone
    full, short = ET.fromstring(alone), ET.fromstring(summary)
    assert [ET.tostring(e) for e in full][:-1] == [ET.tostring(e) for e in short]
    assert full[-1].tag == "content"
    assert full[-1].text == "<h2>Question</h2><p>Why?</p><h2>Answer</h2><p>Because & so.</p>"
