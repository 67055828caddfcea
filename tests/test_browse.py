"""The browsing model: members, topics, months and grouped questions, computed once."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from generator.browse import Browse, build_browse, split_heading
from generator.load import load_archive
from generator.model import Archive, Question, build_archive
from tests.browser_support import BROWSE_FIXTURE


@pytest.fixture(scope="module")
def archive() -> Archive:
    return load_archive(BROWSE_FIXTURE / "content")


@pytest.fixture(scope="module")
def browse(archive: Archive) -> Browse:
    return build_browse(archive)


def question(qid: str, **fields: object) -> Question:
    values: dict[str, object] = {
        "title": "Topic: Sub", "department": "Dept", "asked_on": date(2024, 1, 1),
        "question": "Q?", "house": "Commons",
    }  # fmt: skip
    values.update(fields)
    return Question(id=qid, **values)  # type: ignore[arg-type]


def archive_of(*questions: Question) -> Archive:
    return build_archive(list(questions), [], {q.department: "dept" for q in questions})


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Local Government: Children", ("Local Government", "Children")),
        ("Taxation", ("Taxation", None)),
        ("NHS: Dental Services: Children", ("NHS", "Dental Services: Children")),
        ("Schools:", ("Schools", None)),
        (": odd", (": odd", "odd")),
        ("Untitled question (UIN 2392)", ("Untitled questions", None)),
        ("Untitled question to HM Treasury", ("Untitled questions", None)),
    ],
)
def test_split_heading(title: str, expected: tuple[str, str | None]) -> None:
    assert split_heading(title) == expected


def test_members_merge_a_name_with_the_id_given_elsewhere(browse: Browse) -> None:
    sian = next(m for m in browse.members if m.name == "Siân Gwenllian")
    assert sian.member_id == 4981
    assert sian.slug == "sian-gwenllian-4981"
    # hc-2023-11-14-2155 names her without an id; it still belongs to her page.
    assert [q.id for q in sian.asked] == [
        "hc-2024-03-04-6000", "hc-2023-11-14-2155", "hc-2023-11-14-2154",
    ]  # fmt: skip
    assert sian.answered == ()


def test_member_known_only_by_id_and_non_ascii_slugs(browse: Browse) -> None:
    slugs = {m.name: m.slug for m in browse.members}
    assert slugs["Member 5000"] == "member-5000"
    assert slugs["Zoë Ødegaard"] == "zoe-degaard"
    assert slugs["Lord Ó Maonlaí"] == "lord-o-maonlai"
    assert len(set(slugs.values())) == len(slugs)


def test_asked_and_answered_are_separate_and_newest_first(browse: Browse) -> None:
    johnston = next(m for m in browse.members if m.name == "David Johnston")
    assert johnston.asked == ()
    assert [q.id for q in johnston.answered] == [
        "hc-2023-12-01-4001", "hc-2023-11-14-2155", "hc-2023-11-14-2154", "hc-2023-10-02-1200",
    ]  # fmt: skip
    assert browse.answerer_of["hc-2023-12-01-4001"] is johnston


def test_departments_asked_most(browse: Browse) -> None:
    rhys = next(m for m in browse.members if m.name == "Rhys ap Gwilym")
    counts = [(d.name, n) for d, n in rhys.top_departments]
    assert counts == [
        ("Ministry of Justice", 3),
        ("Department for Education", 1),
        ("Department of Health and Social Care", 1),
        ("HM Treasury", 1),
    ]


def test_same_name_without_ids_is_one_member_and_clashing_slugs_are_numbered() -> None:
    a = question("a", asked_by="Jo Bloggs")
    b = question("b", asked_by="Jo Bloggs", asked_on=date(2024, 2, 1))
    c = question("c", asked_by="Jo  Bloggs")  # a different spelling: a different member
    members = build_browse(archive_of(a, b, c)).members
    assert sorted((m.name, m.slug, len(m.asked)) for m in members) == [
        ("Jo  Bloggs", "jo-bloggs", 1),
        ("Jo Bloggs", "jo-bloggs-2", 2),
    ]


def test_topics_and_subtopics(browse: Browse) -> None:
    topics = {t.name: t for t in browse.topics}
    assert sorted(topics) == [
        "Children", "Civil Service", "Economy", "Local Government", "NHS", "Prisons",
        "Pupils", "Schools", "Taxation", "Teachers",
    ]  # fmt: skip
    schools = topics["Schools"]
    assert len(schools.questions) == 3
    assert [(s.name, s.slug, len(s.questions), s.has_page) for s in schools.subtopics] == [
        ("Page", "page-2", 1, False),  # 'page' is kept for pagination: /topics/schools/page/2/
        ("Special Educational Needs", "special-educational-needs", 2, True),
    ]
    assert schools.subtopics[0].link_path == "questions/hc-2024-03-04-6000/"
    (dental,) = topics["NHS"].subtopics
    assert (dental.has_page, dental.link_path) == (False, "topics/nhs/")
    assert topics["Taxation"].subtopics == ()
    topic, subtopic = browse.topic_of["hc-2023-10-02-1200"]
    assert (topic.name, subtopic and subtopic.name) == ("Local Government", "Children")
    assert subtopic is not None and subtopic.url_path == "topics/local-government/children/"


def test_topic_names_ignore_case_and_use_the_usual_spelling() -> None:
    a = question("a", title="Schools: Meals")
    b = question("b", title="schools: Meals", asked_on=date(2024, 2, 1))
    c = question("c", title="Schools: meals", asked_on=date(2024, 3, 1))
    (topic,) = build_browse(archive_of(a, b, c)).topics
    assert topic.name == "Schools" and len(topic.questions) == 3
    assert [(s.name, len(s.questions)) for s in topic.subtopics] == [("Meals", 3)]


def test_years_and_months(browse: Browse) -> None:
    assert [y.year for y in browse.years] == [2024, 2023, 2022]
    year_2023 = browse.years[1]
    assert [(m.month, len(m.questions)) for m in year_2023.months] == [
        (9, 2), (10, 1), (11, 3), (12, 1),
    ]  # fmt: skip
    assert year_2023.count == 7
    november = year_2023.months[2]
    assert november.url_path == "answered/2023/11/"
    assert [q.answered_on for q in november.questions] == sorted(
        (q.answered_on for q in november.questions), reverse=True
    )


def test_unanswered_and_withdrawn_are_not_in_the_date_archive(browse: Browse) -> None:
    dated = {q.id for y in browse.years for m in y.months for q in m.questions}
    assert "hc-2024-02-01-4100" not in dated
    assert "hc-2023-10-05-1300" not in dated
    assert "hc-2023-11-14-2154" in dated


def test_grouped_questions_link_both_ways(browse: Browse) -> None:
    forward = browse.groups["hc-2023-11-14-2154"]
    backward = browse.groups["hc-2023-11-14-2155"]  # its own file names no group
    assert [(g.uin, g.question and g.question.id) for g in forward] == [
        ("2155", "hc-2023-11-14-2155")
    ]
    assert [(g.uin, g.question and g.question.id) for g in backward] == [
        ("2154", "hc-2023-11-14-2154")
    ]
    assert [(g.uin, g.question) for g in browse.groups["hl-2024-01-10-hl2000"]] == [
        ("HL2001", None)
    ]


def test_grouping_stays_within_a_house() -> None:
    commons = question("c", uin="10", grouped_with=("20",))
    lords = question("l", uin="20", house="Lords")
    groups = build_browse(archive_of(commons, lords)).groups
    assert [(g.uin, g.question) for g in groups["c"]] == [("20", None)]
    assert "l" not in groups


def test_many_questions_are_grouped_exactly() -> None:
    """2,000 questions by 2 members under 3 topics: every question lands in its lists."""
    questions = [
        question(f"q{i}", asked_by=f"M{i % 2}", title=f"T{i % 3}: S", uin=str(i))
        for i in range(2000)
    ]
    browse = build_browse(archive_of(*questions))
    assert sorted(len(m.asked) for m in browse.members) == [1000, 1000]
    assert sorted(len(t.questions) for t in browse.topics) == [666, 667, 667]


def test_replacing_a_question_changes_its_member(archive: Archive) -> None:
    changed = [
        replace(q, asked_by="New Member", asked_by_id=None) if q.id == "hc-2023-11-14-2155" else q
        for q in archive.questions
    ]
    browse = build_browse(build_archive(changed, [], {q.department: "d" for q in changed}))
    assert browse.asker_of["hc-2023-11-14-2155"].name == "New Member"
