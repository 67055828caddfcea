"""Downloads: department CSV and JSON, the whole archive as JSON Lines."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import generator.downloads
from generator.config import SiteConfig
from generator.downloads import (
    COLUMNS,
    archive_jsonl,
    compress,
    csv_line,
    department_csv,
    department_json,
    department_member,
    department_paths,
    download_parts,
    indented_json,
    indented_record,
    record,
)
from generator.load import load_archive
from generator.model import Attachment, Department, Question
from tests.pagetext import quoted
from tests.sitebuild import FIXTURE_ARCHIVE


def unzip(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8")


def test_department_csv_has_every_question_and_column(browse_site: Path) -> None:
    text = unzip(browse_site / "downloads/departments/department-for-education.csv.gz")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 7
    by_id = {row["id"]: row for row in rows}
    sen = by_id["hc-2023-11-14-2154"]
    assert sen["asked_by"] == "Siân Gwenllian" and sen["asked_by_id"] == "4981"
    assert sen["url"] == "https://example.org/pq/questions/hc-2023-11-14-2154/"
    assert sen["grouped_with"] == "2155"
    assert "| 2022 | 49.2%" in sen["answer"]
    corrected = by_id["hc-2023-10-02-1200"]
    assert corrected["status"] == "corrected" and corrected["corrected_on"] == "2023-10-20"
    assert corrected["original_answer"] == "Local authorities receive **£200 million** in 2023-24."
    assert corrected["attachments"] == (
        "Funding by authority <https://questions-statements.parliament.uk/attachments/1200.xlsx>"
    )
    assert by_id["hc-2024-02-01-4100"]["answered_on"] == ""


def test_department_json(browse_site: Path) -> None:
    data = json.loads(unzip(browse_site / "downloads/departments/hm-treasury.json.gz"))
    assert data["department"] == "HM Treasury"
    assert data["url"] == "https://example.org/pq/departments/hm-treasury/"
    assert data["count"] == 2 == len(data["questions"])
    growth = data["questions"][0]
    assert list(growth) == list(COLUMNS)
    assert growth["asked_by"] == "Lord Ó Maonlaí"
    assert growth["grouped_with"] == ["HL2001"]
    assert growth["asked_by_id"] is None
    assert data["questions"][1]["status"] == "withdrawn"


def test_archive_json_lines(browse_site: Path) -> None:
    lines = unzip(browse_site / "downloads/archive.jsonl.gz").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(list((browse_site / "questions").glob("*/index.html"))) == 15
    assert records[0]["id"] == "hc-2024-03-04-6000"  # newest first, as the site lists them
    assert {r["house"] for r in records} == {"Commons", "Lords"}
    assert all(r["url"].endswith(f"/questions/{r['id']}/") for r in records)


def test_department_pages_offer_their_downloads(browse_site: Path) -> None:
    html = quoted((browse_site / "departments/hm-treasury/index.html").read_text(encoding="utf-8"))
    assert 'href="/pq/downloads/departments/hm-treasury.csv.gz" download' in html
    assert 'href="/pq/downloads/departments/hm-treasury.json.gz" download' in html
    home = quoted((browse_site / "index.html").read_text(encoding="utf-8"))
    assert 'href="/pq/downloads/archive.jsonl.gz" download' in home


def test_downloads_are_reproducible_gzip(browse_site: Path) -> None:
    data = (browse_site / "downloads/archive.jsonl.gz").read_bytes()
    assert data[:2] == b"\x1f\x8b"
    assert data[4:8] == b"\x00\x00\x00\x00"  # no timestamp: same content, same bytes


def test_csv_cells_that_a_spreadsheet_would_run_are_defused() -> None:
    question = Question(
        id="x", title="=HYPERLINK(\"http://evil\")", department="D", asked_on=date(2024, 1, 1),
        question="+1", answer="- a list item\n- another", asked_by="@someone",
    )  # fmt: skip
    text = department_csv(Department("D", "d", (question,)), SiteConfig())
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["title"] == '\'=HYPERLINK("http://evil")'
    assert row["question"] == "'+1"
    assert row["asked_by"] == "'@someone"
    assert row["answer"].startswith("'- a list item")


_JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_JSON_VALUES)
def test_indented_json_is_the_standard_librarys(value: object) -> None:
    assert "".join(indented_json(value)) == json.dumps(value, ensure_ascii=False, indent=1)


def test_department_json_is_the_standard_librarys_layout() -> None:
    archive = load_archive(FIXTURE_ARCHIVE / "content")
    config = SiteConfig(base_url="https://example.org/archive/")
    for department in archive.departments:
        text = department_json(department, config)
        assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n"


def test_small_department_downloads_are_one_gzip_member_of_their_text(browse_site: Path) -> None:
    """Under DOWNLOAD_MEMBER questions, a download is one member: the one-shot gzip."""
    files = sorted((browse_site / "downloads/departments").glob("*.gz"))
    assert len(files) > 4
    for path in files:
        assert path.read_bytes() == compress(unzip(path))


_CSV_TEXT = st.text(alphabet=st.sampled_from("ab ,\"\r\n\t'=;é"), max_size=12)


@given(st.lists(_CSV_TEXT, min_size=2, max_size=6))
def test_csv_line_is_the_csv_modules(cells: list[str]) -> None:
    """The downloads' own CSV quoting gives csv.writer's bytes (every row has 24 cells; a
    row of one empty cell, which csv.writer quotes, never occurs)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    assert csv_line(cells) == buffer.getvalue()


@given(
    st.lists(_CSV_TEXT, max_size=3),
    st.lists(st.tuples(_CSV_TEXT, _CSV_TEXT), max_size=3),
    st.none() | _CSV_TEXT,
)
def test_indented_record_is_indented_json_of_the_record(
    grouped: list[str], attachments: list[tuple[str, str]], asked_by: str | None
) -> None:
    question = Question(
        id="q", title='A "title"\n', department="D", asked_on=date(2024, 1, 1),
        question="Why?", answer="Because, \u2013 so.", asked_by=asked_by,
        grouped_with=tuple(grouped),
        attachments=tuple(Attachment(title, url) for title, url in attachments),
    )  # fmt: skip
    row = record(question, SiteConfig(base_url="https://example.org/archive/"))
    assert indented_record(row) == "".join(indented_json(row, 2))


def test_compressed_members_are_reproducible_and_hold_their_text() -> None:
    text = "id,answer\r\n" + "".join(f"{n},an answer \u00e9 number {n}\r\n" for n in range(500))
    data = compress(text)
    assert data == compress(text)  # the same text, the same bytes
    assert gzip.decompress(data + compress("more")).decode("utf-8") == text + "more"


def test_archive_lines_are_json_dumps_of_each_record() -> None:
    archive = load_archive(FIXTURE_ARCHIVE / "content")
    config = SiteConfig(base_url="https://example.org/archive/")
    lines = list(archive_jsonl(archive.questions, config))
    expected = [json.dumps(record(q, config), ensure_ascii=False) + "\n" for q in archive.questions]
    assert lines == expected


def test_department_downloads_made_together_are_each_made_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`download_parts` makes a department's CSV and JSON together, member by member, one
    record a question for both: the bytes are each member made alone (`department_member`,
    as an edit makes it), and their text is the whole download's."""
    monkeypatch.setattr(generator.downloads, "DOWNLOAD_MEMBER", 2)
    archive = load_archive(FIXTURE_ARCHIVE / "content")
    config = SiteConfig(base_url="https://example.org/archive/")
    made = {path: make() for path, _inputs, make in download_parts(archive, config)}
    records = 0
    counted = generator.downloads.record

    def count(question: Question, config: SiteConfig) -> dict[str, object]:
        nonlocal records
        records += 1
        return counted(question, config)

    monkeypatch.setattr(generator.downloads, "record", count)
    again = {path: make() for path, _inputs, make in download_parts(archive, config)}
    assert again == made
    assert records == 2 * len(archive.questions)  # the departments' downloads, then the archive
    departments = [d for d in archive.departments if len(d.questions) > 2]
    assert departments
    for department in departments:
        questions, count_ = department.questions, len(department.questions)
        for kind, path in department_paths(department).items():
            alone = b"".join(
                department_member(
                    kind, department, count_, start, questions[start : start + 2], config
                )
                for start in range(0, count_, 2)
            )
            assert made[path] == alone
        paths = department_paths(department)
        assert gzip.decompress(made[paths["csv"]]).decode() == department_csv(department, config)
        assert gzip.decompress(made[paths["json"]]).decode() == department_json(department, config)


def test_a_departments_json_alone_is_made_without_its_csv(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the CSV is not made again (the file in place is reusable), the JSON's make makes
    only the JSON members."""
    archive = load_archive(FIXTURE_ARCHIVE / "content")
    config = SiteConfig(base_url="https://example.org/archive/")
    names: list[str] = []

    def cached(name: str, questions: tuple[Question, ...], make: Callable[[], bytes]) -> bytes:
        names.append(name.split("\0")[0])
        return make()

    department = archive.departments[0]
    paths = department_paths(department)
    parts = {path: make for path, _inputs, make in download_parts(archive, config, cached=cached)}
    data = parts[paths["json"]]()
    assert gzip.decompress(data).decode() == department_json(department, config)
    assert names and set(names) == {paths["json"]}
