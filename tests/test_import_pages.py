"""The plain-text question-page importer: every shape the monitoring site's pages come in."""

from __future__ import annotations

from datetime import date

import pytest

from generator.content_files import question_to_text
from generator.errors import ArchiveError
from generator.importers.common import house_of, parse_day
from generator.importers.departments import normalise
from generator.importers.page import parse_page
from tests.importhelp import PAGES, SEED_FILE


def page(name: str, **options: object) -> str:
    path = PAGES / name
    return question_to_text(parse_page(path.read_text(encoding="utf-8"), str(path), **options))  # type: ignore[arg-type]


def test_seed_page_gives_the_shipped_content_file_byte_for_byte() -> None:
    assert page("seed.txt") == SEED_FILE.read_text(encoding="utf-8")


def test_seed_loader_text_and_answerer_block_stay_out_of_the_answer() -> None:
    text = page("seed.txt")
    assert "Reticulating" not in text
    assert "Portrait" not in text
    assert text.count("Will Quince") == 1


def test_extra_blank_lines_runs_of_spaces_bare_question_line_and_cut_loader_text() -> None:
    text = page("spaced.txt")
    assert "title: 'Schools: Buildings'" in text
    assert "asked_on: 2022-03-01\n" in text
    assert "answered_on: 2022-03-22\n" in text
    assert (
        "question: To ask the Secretary of State for Education, what assessment he has made "
        "of school buildings.\n" in text
    )
    assert text.endswith("---\nThe condition of school buildings is monitored.\n")
    assert "Question\n" not in text and "Reticulating" not in text


def test_lords_question_role_line_lists_and_urls() -> None:
    text = page("lords-lists.txt")
    assert "house: Lords\n" in text
    assert "department: HM Treasury\n" in text and "original_department" not in text
    assert "answered_on: 2023-06-23\n" in text
    assert "Whip" not in text  # the member's current post is not the answer
    assert "- £1.4 billion in 2022;\n- £1.0 billion in 2021.\n" in text
    assert "- a. receipts from UK banks;\n- b. receipts from foreign banks.\n" in text
    assert "See <https://www.gov.uk/government/statistics/bank-levy-statistics> (table 1)." in text


def test_role_line_without_an_answer_date_is_not_taken_for_the_answer() -> None:
    text = page("role-no-date.txt")
    assert "answered_by: Robin Walker\n" in text
    assert "Minister of State" not in text
    assert text.endswith("---\nIn 2021, 35,000 teachers were recruited.\n")


def test_markdown_characters_in_answers_are_escaped_and_department_spelling_kept() -> None:
    text = page("role-markup.txt")
    assert "department: Department for Digital, Culture, Media and Sport\n" in text
    assert "original_department: Department for Digital, Culture, Media & Sport\n" in text
    assert "\\# 1. Standards apply to all public sector &lt;websites> & apps." in text
    assert "\\> Guidance is published." in text
    assert "Minister of State (Home Office)" not in text


def test_condensed_page_needs_a_date_and_gets_a_marked_fallback_title() -> None:
    with pytest.raises(ArchiveError, match=r"condensed.txt:1: .*--asked-on"):
        page("condensed.txt")
    text = page("condensed.txt", asked_on=date(2023, 9, 4))
    assert "title: Untitled question to Department for Education\n" in text
    assert "asked_on: 2023-09-04\n" in text
    assert "answered_by" not in text and "answered_on" not in text
    assert (
        "question: To ask the Secretary of State for Education, how many schools have RAAC.\n"
        in text
    )
    assert text.endswith(
        "---\nMy Department has identified 231 schools with RAAC.\n\n"
        "We publish the list at <https://www.gov.uk/government/publications/raac>.\n"
    )


def test_impossible_date_is_reported_with_its_line() -> None:
    with pytest.raises(ArchiveError) as caught:
        page("bad-date.txt")
    assert str(caught.value).endswith("bad-date.txt:3: no such day: '30th February 2022'")


def test_text_that_is_not_a_question_page_is_an_error() -> None:
    with pytest.raises(ArchiveError, match=r"not-a-page\.txt:1: no .Question to the"):
        page("not-a-page.txt")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1st January 2021", date(2021, 1, 1)),
        ("22nd February 2022", date(2022, 2, 22)),
        ("23rd March 2023", date(2023, 3, 23)),
        ("31st december 2024", date(2024, 12, 31)),
        ("4 July 2025", date(2025, 7, 4)),
    ],
)
def test_ordinal_dates(text: str, expected: date) -> None:
    assert parse_day(text) == expected


@pytest.mark.parametrize("text", ["32nd May 2021", "1st Smarch 2021", "2021-05-01", ""])
def test_bad_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_day(text)


@pytest.mark.parametrize(
    ("question", "house"),
    [
        ("To ask the Secretary of State for Education, what ...", "Commons"),
        ("To ask the Chancellor of the Exchequer, what ...", "Commons"),
        ("To ask His Majesty's Government what ...", "Lords"),
        ("To ask Her Majesty\u2019s Government whether ...", "Lords"),
        ("What is the plan?", None),
    ],
)
def test_house_from_question_wording(question: str, house: str | None) -> None:
    assert house_of(question) == house


@pytest.mark.parametrize(
    ("given", "name", "original"),
    [
        ("the HM Treasury", "HM Treasury", None),
        ("Treasury", "HM Treasury", "Treasury"),
        ("Department for Levelling Up, Housing & Communities",
         "Department for Levelling Up, Housing and Communities",
         "Department for Levelling Up, Housing & Communities"),
        ("Department  for   Education", "Department for Education", None),
    ],
)  # fmt: skip
def test_department_names_are_normalised(given: str, name: str, original: str | None) -> None:
    assert normalise(given) == (name, original)


def test_sentences_that_look_like_markers_stay_in_the_answer() -> None:
    text = "\n".join(
        [
            "Question to the Cabinet Office:",
            "To ask the Minister for the Cabinet Office, whether he will publish the report.",
            "Answered by a written statement on 5 May, as the House was told.",
            "This question was answered on 20th October 2021 in part, and now in full.",
        ]
    )
    question = parse_page(text, "p.txt", asked_on=date(2021, 10, 1))
    assert question.answered_by is None and question.answered_on is None
    assert question.answer == (
        "Answered by a written statement on 5 May, as the House was told.\n\n"
        "This question was answered on 20th October 2021 in part, and now in full."
    )


def test_answerer_named_on_the_answered_by_line() -> None:
    text = "\n".join(
        [
            "Question to the Cabinet Office:",
            "To ask the Minister for the Cabinet Office, whether he will publish the report.",
            "Answered by Mr. J. Smith",
            "Answered on 3rd November 2021",
            "Yes.",
        ]
    )
    question = parse_page(text, "p.txt", asked_on=date(2021, 10, 1))
    assert question.answered_by == "Mr. J. Smith"
    assert question.answered_on == date(2021, 11, 3)
    assert question.answer == "Yes."
