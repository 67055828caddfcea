"""Property tests: whatever the input, an importer imports it or raises ArchiveError."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import ArchiveError
from generator.importers.api import question_from_record, read_records
from generator.importers.htmlmd import answer_to_markdown
from generator.importers.mdtext import paragraph
from generator.importers.page import parse_page
from generator.importers.store import ImportStore, Summary
from generator.load import load_archive
from generator.markup import AnswerRenderer, plain_text, sanitise

RENDERER = AnswerRenderer()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=80
)
PAGE_PIECES = st.sampled_from(
    [
        "Local Government: Children", "(asked on 15th October 2021) - View Source",
        "(asked on 31st February 2021)", "Question to the Department for Education:",
        "Question to the HM Treasury:", "Question", "To ask the Secretary of State for X, what.",
        "To ask His Majesty's Government what.", "Answered by", "Will Quince Portrait",
        "Will Quince", "Minister of State (Education)",
        "This question was answered on 2nd May 2022",
        "answered on 1st January 2020", "- a bullet", "a. first", "b. second", "1. one", "2. two",
        "See https://example.org/x_(y).", "Reticulating Splines", "Reticul", "", "   ",
    ]
)  # fmt: skip


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _store_accepts(question: Any) -> None:
    """Writing the question gives a file the loader reads back (or an ArchiveError)."""
    with tempfile.TemporaryDirectory() as folder:
        content = Path(folder)
        try:
            ImportStore(content).put(question, "key", "where", Summary())
        except ArchiveError:
            return
        assert len(load_archive(content).questions) == 1


@SETTINGS
@given(st.text(max_size=400))
def test_any_text_is_a_page_or_an_archive_error(text: str) -> None:
    try:
        question = parse_page(text, "page.txt")
    except ArchiveError as exc:
        assert all(p.path == "page.txt" for p in exc.problems)
        return
    _store_accepts(question)


@SETTINGS
@given(st.lists(st.one_of(PAGE_PIECES, LINE), max_size=16))
def test_page_shaped_text_is_a_page_or_an_archive_error(lines: list[str]) -> None:
    try:
        question = parse_page("\n".join(lines), "page.txt")
    except ArchiveError:
        return
    _store_accepts(question)


@SETTINGS
@given(LINE)
def test_escaped_paragraph_renders_back_to_the_same_text(text: str) -> None:
    rendered = RENDERER.to_html(paragraph(" ".join(text.split())))
    assert _squash(plain_text(rendered)) == _squash(text)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
FIELD_VALUES = {
    "id": st.integers(min_value=-5, max_value=10**7) | JSON,
    "uin": st.text(max_size=8) | st.integers(0, 99999) | st.none(),
    "house": st.sampled_from(["Commons", "Lords", "Bicameral", "commons", ""]) | JSON,
    "heading": st.text(max_size=40) | st.none(),
    "dateTabled": st.sampled_from(["2024-07-30T00:00:00", "2024-02-30T00:00:00", "", "x"]) | JSON,
    "dateAnswered": st.sampled_from(["2024-07-01T00:00:00", "2024-08-01T00:00:00"]) | st.none(),
    "questionText": st.text(max_size=300) | JSON,
    "answeringBodyName": st.text(max_size=30) | st.none(),
    "answerText": st.text(max_size=200) | st.none(),
    "isWithdrawn": st.booleans() | st.none(),
    "answerIsHolding": st.booleans() | st.none(),
    "answerIsCorrection": st.booleans() | st.none(),
    "originalAnswerText": st.text(max_size=50) | st.none(),
    "askingMember": st.none() | st.fixed_dictionaries({"name": st.text(max_size=20)}) | JSON,
    "groupedQuestions": st.lists(st.text(max_size=6) | st.integers(0, 999), max_size=3) | JSON,
    "attachments": st.lists(
        st.fixed_dictionaries({"url": st.sampled_from(["https://x.org/a", "ftp://x", ""]),
                               "title": st.text(max_size=10)}),
        max_size=2,
    ) | JSON,
}  # fmt: skip


@SETTINGS
@given(st.fixed_dictionaries({}, optional=FIELD_VALUES))
def test_any_api_record_imports_or_raises_archive_error(record: dict[str, Any]) -> None:
    try:
        question, _ = question_from_record(record, "f.json:record 1", renderer=RENDERER)
    except ArchiveError as exc:
        assert all(p.path == "f.json:record 1" for p in exc.problems)
        return
    _store_accepts(question)


@SETTINGS
@given(JSON)
def test_any_json_file_gives_records_or_an_archive_error(data: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.json"
        path.write_text(json.dumps(data))
        try:
            for record in read_records(path, "x.json"):
                question_from_record(record.value, record.where, renderer=RENDERER)
        except ArchiveError:
            pass


HTML_PIECES = st.sampled_from(
    [
        "<p>", "</p>", "<ul>", "</ul>", "<ol>", "</ol>", "<li>", "</li>", "<strong>", "</strong>",
        "<em>", "</em>", "<br>", "<a href='https://example.org/a_b'>", "</a>", "<table><tr><td>",
        "</td></tr></table>", "<sup>", "</sup>", "<span>", "</span>", "&amp;", "&lt;", "*", "_",
        "[", "]", "#", "1. ", "- ", "> ", "\\", "`", " ", "\n", "\u00a0", "word", "Two words",
    ]
)  # fmt: skip


@SETTINGS
@given(st.lists(HTML_PIECES | LINE, max_size=30))
def test_converted_answer_html_keeps_every_word_and_link(pieces: list[str]) -> None:
    html = "".join(pieces)
    converted = answer_to_markdown(html, RENDERER)
    rendered = RENDERER.to_html(converted)
    assert _squash(plain_text(rendered)) == _squash(plain_text(sanitise(html)))
    assert re.findall(r'href="([^"]*)"', rendered) == re.findall(r'href="([^"]*)"', sanitise(html))
