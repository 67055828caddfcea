"""Golden files: the exact HTML of a question page and a department page.

When a template change is intended, regenerate them with
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
and review the diff like any other change.
"""

import os
from pathlib import Path

import pytest

from tests.sitebuild import build_site, copy_archive

GOLDEN = Path(__file__).parent / "golden"
PAGES = {
    "question.html": "questions/hc-2023-11-14-2154/index.html",
    "department.html": "departments/department-for-education/index.html",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out, _ = build_site(copy_archive(tmp_path_factory.mktemp("golden")))
    return out


@pytest.mark.parametrize("golden", sorted(PAGES))
def test_page_matches_golden_file(site: Path, golden: str) -> None:
    built = (site / PAGES[golden]).read_text(encoding="utf-8")
    expected = GOLDEN / golden
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(built, encoding="utf-8")
    assert built == expected.read_text(encoding="utf-8")
