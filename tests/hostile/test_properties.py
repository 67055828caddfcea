"""Property tests on the front-matter reader and the content loader (importers: see
tests/test_import_properties.py): any input loads or raises the project's own error type."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import ArchiveError
from generator.frontmatter import Document, FrontMatterError, parse_document
from generator.load import load_archive

YAML_PIECES = st.sampled_from(
    ["---", "title: x", "department: D", "asked_on: 2024-01-10", "question: q", "id: a",
     "  - a", "key: [1, {a: b}]", "\t", "&a [x]", "*a", "!!python/object:os.system", "'", '"',
     ": :", "? x", "%YAML 1.2", "...", "\ufeff", "\r", "\x00", "2024-02-30", "attachments:",
     "  - title: t", "    url: javascript:x", "asked_on: 99999-01-01", "title: !!binary aGk="]
)  # fmt: skip
LINES = st.lists(st.one_of(YAML_PIECES, st.text(max_size=20)), max_size=14).map("\n".join)


@given(st.one_of(st.text(max_size=300), LINES))
def test_front_matter_reader_loads_or_raises_its_error(text: str) -> None:
    try:
        document = parse_document(text)
    except FrontMatterError as exc:
        assert exc.line is None or exc.line >= 1
        return
    assert isinstance(document, Document)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=200), LINES.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_any_content_file_loads_or_raises_archive_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        questions = Path(folder) / "questions"
        questions.mkdir()
        (questions / "q.md").write_bytes(data)
        try:
            archive = load_archive(Path(folder))
        except ArchiveError as exc:
            assert all(p.path.endswith("q.md") for p in exc.problems)
            return
        assert len(archive.questions) == 1
