"""The Written Questions API importer: response shapes, fields, status, answer HTML."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from generator.errors import ArchiveError
from generator.importers.api import question_from_record, read_records
from generator.importers.htmlmd import answer_to_markdown
from generator.markup import AnswerRenderer, plain_text
from tests.importhelp import API, front, import_into


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = tmp_path_factory.mktemp("api") / "content"
    summary = import_into(
        content, API / "answers.json", API / "single.json", API / "bare-list.json"
    )
    assert summary.counts["failed"] == 0
    assert summary.counts["imported"] == 10
    return content


def fields(content: Path, house: str, year: int, api_id: int) -> dict[str, object]:
    return front(content / "questions" / house / str(year) / f"{api_id}.md")[0]


def body(content: Path, house: str, year: int, api_id: int) -> str:
    return front(content / "questions" / house / str(year) / f"{api_id}.md")[1]


def test_list_single_and_bare_list_responses_all_import(imported: Path) -> None:
    assert fields(imported, "commons", 2024, 1724413)["title"] == "Public Appointments"
    assert fields(imported, "lords", 2025, 1800001)["uin"] == "HL1234"
    assert fields(imported, "commons", 2025, 1800002)["title"] == "Prisons: Drugs"


def test_gzip_file_gives_the_same_records(tmp_path: Path) -> None:
    packed = tmp_path / "answers.json.gz"
    packed.write_bytes(gzip.compress((API / "answers.json").read_bytes()))
    plain = [r.value for r in read_records(API / "answers.json", "a")]
    assert [r.value for r in read_records(packed, "b")] == plain


def test_fields_members_and_source(imported: Path) -> None:
    found = fields(imported, "commons", 2024, 1724413)
    assert found["id"] == "1724413" and found["api_id"] == 1724413
    assert found["house"] == "Commons" and found["uin"] == "2392"
    assert found["asked_by"] == "Zoë Fraser-Öpik" and found["asked_by_id"] == 4495
    assert found["answered_by"] == "Daniel Zeichner" and found["answered_by_id"] == 4382
    assert str(found["asked_on"]) == "2024-07-30" and str(found["due_on"]) == "2024-09-02"
    assert str(found["answered_on"]) == "2024-10-04"
    assert found["source"] == (
        "https://questions-statements.parliament.uk/written-questions/detail/2024-07-30/2392"
    )
    assert "status" not in found  # answered is the default


def test_member_ids_kept_when_names_are_missing(imported: Path) -> None:
    found = fields(imported, "commons", 2024, 1728303)
    assert "asked_by" not in found and found["asked_by_id"] == 4495
    assert "answered_by" not in found and found["answered_by_id"] == 4382


def test_answer_html_becomes_markdown(imported: Path) -> None:
    assert body(imported, "commons", 2024, 1724413) == (
        "The Secretary of State has made **no** Direct Ministerial Appointments.\n\n"
        "The rules are set out in the [Governance Code](https://www.gov.uk/government/"
        "publications/governance-code-for-public-appointments); they cover:\n\n"
        "- open competition;\n- *fair* and transparent process.\n\n"
        "Costs rose by 5\\*2 = 10% \\[estimated\\] on snake\\_case budgets & more."
    )


def test_tables_stay_sanitised_html(imported: Path) -> None:
    text = body(imported, "commons", 2024, 1728303)
    assert text.startswith('The figures are:\n\n<table><tbody><tr><td colspan="2">')
    assert text.endswith("</table>\n\n\\*Held centrally from April 2020 onwards.")


@pytest.mark.parametrize(
    ("year", "api_id", "status", "extra"),
    [
        (2024, 1741435, "holding", {"holding_on": "2024-11-18"}),
        (2024, 1725706, "corrected", {"corrected_on": "2024-09-11"}),
        (2024, 1730001, "withdrawn", {}),
        (2026, 1881331, "unanswered", {}),
    ],
)
def test_status_from_the_flags(
    imported: Path, year: int, api_id: int, status: str, extra: dict[str, str]
) -> None:
    found = fields(imported, "commons", year, api_id)
    default = "answered" if body(imported, "commons", year, api_id) else "unanswered"
    assert found.get("status", default) == status
    for name, value in extra.items():
        assert str(found[name]) == value


def test_correction_keeps_the_original_answer(imported: Path) -> None:
    found = fields(imported, "commons", 2024, 1725706)
    assert found["original_answer"] == "The UK will consider joining the Global Alliance."
    assert body(imported, "commons", 2024, 1725706) == (
        "The UK will join the Global Alliance against Hunger and Poverty."
    )
    assert found["department"] == "Foreign, Commonwealth and Development Office"
    assert found["original_department"] == "Foreign, Commonwealth & Development Office"


def test_missing_heading_gets_a_marked_title_and_treasury_one_spelling(imported: Path) -> None:
    found = fields(imported, "commons", 2026, 1881331)
    assert found["title"] == "Untitled question (UIN 113022)"
    assert found["department"] == "HM Treasury" and found["original_department"] == "Treasury"
    assert body(imported, "commons", 2026, 1881331) == ""


def test_grouped_questions_and_attachments(imported: Path) -> None:
    assert fields(imported, "commons", 2024, 1720001)["grouped_with"] == ["2164"]
    found = fields(imported, "commons", 2024, 1720002)
    assert found["grouped_with"] == ["2163"]
    assert found["attachments"] == [
        {
            "title": "Bus routes table",
            "url": "https://questions-statements.parliament.uk/api/writtenquestions/attachment/1",
        }
    ]


def test_list_endpoint_truncation_is_detected_and_marked(tmp_path: Path) -> None:
    summary = import_into(tmp_path, API / "list-truncated.json")
    assert summary.counts["imported"] == 1
    assert summary.warnings and "cut short" in summary.warnings[0]
    assert "record 1 (id 1900001)" in summary.warnings[0]
    assert fields(tmp_path, "commons", 2026, 1900001)["truncated"] is True


def test_whole_text_from_the_single_endpoint_is_not_marked_truncated() -> None:
    record = json.loads((API / "list-truncated.json").read_text())["results"][0]["value"]
    question, warnings = question_from_record(record, "x", from_list=False)
    assert not question.truncated and not warnings


def test_id_without_api_id_is_house_date_and_uin() -> None:
    record = json.loads((API / "bare-list.json").read_text())[0]
    del record["id"]
    question, _ = question_from_record(record, "x")
    assert question.id == "commons-2025-01-06-5005"
    del record["uin"]
    question, _ = question_from_record(record, "x")
    assert question.id == "2025-01-06-prisons-drugs"


def test_bad_records_are_reported_and_the_rest_imported(tmp_path: Path) -> None:
    summary = import_into(tmp_path, API / "some-bad.json", API / "broken.json")
    assert summary.counts["imported"] == 1 and summary.counts["failed"] == 3
    messages = [str(p) for p in summary.problems]
    assert any(
        m.endswith("some-bad.json:record 2 (id 1800004): dateTabled: not a date "
                   "(day is out of range for month): '2025-02-31T00:00:00'")
        for m in messages
    )  # fmt: skip
    assert any(
        m.endswith("some-bad.json:record 3 (id 1800005): answeringBodyName: required field "
                   "is missing or empty")
        for m in messages
    )  # fmt: skip
    assert any("broken.json:3: not valid JSON" in m for m in messages)
    assert summary.exit_code() == 1


def test_a_file_that_is_no_api_response_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"items": []}')
    with pytest.raises(ArchiveError, match="no 'results' or 'value'"):
        list(read_records(path, str(path)))


@pytest.mark.parametrize(
    "html",
    [
        "<p>One</p><p>Two &amp; <em>three</em></p>",
        "Loose text <b>bold</b><br>next line",
        "<ol start='3'><li>c<ul><li>nested</li></ul></li><li>d</li></ol>",
        "<p>A <a href='https://example.org/a_(b)'>link</a> and <sup>2</sup>.</p>",
        "<blockquote><p>Quoted</p></blockquote><h2>Heading</h2>",
        "<p>Odd <span style='x'>span</span> &lt;tag&gt; *stars* _under_ [box] #1</p>",
        "<table><tr><td>cell *</td></tr></table><p>after</p>",
        "<div><p>in a div</p></div><script>alert(1)</script>",
    ],
)
def test_converted_answers_keep_every_word_and_link(html: str) -> None:
    renderer = AnswerRenderer()
    converted = answer_to_markdown(html, renderer)
    rendered = renderer.to_html(converted)
    assert plain_text(rendered).replace(" ", "") == plain_text(
        html.replace("<script>alert(1)</script>", "")
    ).replace(" ", "")
    assert ("<table>" in html) == ("<table>" in rendered)


def test_truncated_field_must_be_true_or_false(tmp_path: Path) -> None:
    from generator.load import load_archive

    path = tmp_path / "questions" / "q.md"
    path.parent.mkdir(parents=True)
    path.write_text(
        "---\ntitle: T\ndepartment: D\nasked_on: 2024-01-02\nquestion: Q?\ntruncated: 3\n---\n"
    )
    with pytest.raises(ArchiveError, match=r"q\.md:6: truncated: expected true or false, got 3"):
        load_archive(tmp_path)
    path.write_text(path.read_text().replace("truncated: 3", "truncated: true"))
    assert load_archive(tmp_path).questions[0].truncated is True
