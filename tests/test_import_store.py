"""Re-import safety: byte-identical when unchanged, updates, hand edits kept, --force."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from generator.importers.store import MANIFEST
from tests.importhelp import API, PAGES, SEED_FILE, import_into, question_files


def snapshot(content: Path) -> dict[str, bytes]:
    return {str(p.relative_to(content)): p.read_bytes() for p in content.rglob("*") if p.is_file()}


def test_reimport_changes_no_byte(tmp_path: Path) -> None:
    first = import_into(tmp_path, API / "answers.json", PAGES / "seed.txt")
    before = snapshot(tmp_path)
    again = import_into(tmp_path, API / "answers.json", PAGES / "seed.txt")
    assert first.counts["imported"] == 9
    assert again.counts == {
        "imported": 0, "updated": 0, "unchanged": 9, "conflicts": 0, "failed": 0
    }  # fmt: skip
    assert snapshot(tmp_path) == before


def test_seed_import_over_the_shipped_file_is_unchanged(tmp_path: Path) -> None:
    target = tmp_path / SEED_FILE.relative_to(SEED_FILE.parents[3])
    target.parent.mkdir(parents=True)
    shutil.copy(SEED_FILE, target)
    summary = import_into(tmp_path, PAGES / "seed.txt")
    assert summary.counts["unchanged"] == 1
    assert target.read_bytes() == SEED_FILE.read_bytes()
    assert (
        str(target.relative_to(tmp_path)) in json.loads((tmp_path / MANIFEST).read_text())["files"]
    )


def changed_source(tmp_path: Path) -> Path:
    """answers.json with the holding answer later answered in full."""
    data = json.loads((API / "answers.json").read_text())
    value = data["results"][2]["value"]
    assert value["id"] == 1741435
    value.update(answerIsHolding=False, answerText="<p>The full answer, at last.</p>")
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data))
    return changed


def test_changed_record_updates_its_file(tmp_path: Path) -> None:
    content = tmp_path / "content"
    import_into(content, API / "answers.json")
    summary = import_into(content, changed_source(tmp_path))
    assert summary.counts["updated"] == 1 and summary.counts["unchanged"] == 7
    text = (content / "questions/commons/2024/1741435.md").read_text()
    assert "status: holding" not in text and text.endswith("---\nThe full answer, at last.\n")


def test_hand_edited_file_is_kept_and_the_new_version_put_beside_it(tmp_path: Path) -> None:
    content = tmp_path / "content"
    import_into(content, API / "answers.json")
    path = content / "questions/commons/2024/1741435.md"
    edited = path.read_text().replace("as soon as possible", "as soon as possible (checked)")
    path.write_text(edited)
    summary = import_into(content, changed_source(tmp_path))
    assert summary.counts["conflicts"] == 1 and summary.exit_code() == 3
    assert path.read_text() == edited
    side = path.with_name("1741435.md.imported")
    assert side.read_text().endswith("The full answer, at last.\n")
    assert "edited since it was imported" in summary.conflicts[0]
    assert "1741435.md.imported" in summary.conflicts[0]
    assert len(question_files(content)) == 8  # the side file is not loaded as a question

    forced = import_into(content, changed_source(tmp_path), force=True)
    assert forced.counts["updated"] == 1
    assert path.read_text().endswith("The full answer, at last.\n")
    assert not side.exists()
    assert import_into(content, changed_source(tmp_path)).counts["unchanged"] == 8


def test_file_not_written_by_an_import_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "questions/commons/2024/1724413.md"
    path.parent.mkdir(parents=True)
    path.write_text("my own notes\n")
    summary = import_into(tmp_path, API / "answers.json")
    assert summary.counts["conflicts"] == 1
    assert path.read_text() == "my own notes\n"
    assert "not written by an import" in summary.conflicts[0]


def test_two_pages_with_the_same_heading_and_day_get_two_files(tmp_path: Path) -> None:
    seed = (PAGES / "seed.txt").read_text()
    other = tmp_path / "other.txt"
    other.write_text(seed.replace("what steps his Department", "what further steps his Department"))
    content = tmp_path / "content"
    summary = import_into(content, PAGES / "seed.txt", other)
    assert summary.counts["imported"] == 2
    names = {p.name for p in question_files(content)}
    assert "2021-10-15-local-government-children.md" in names
    (suffixed,) = names - {"2021-10-15-local-government-children.md"}
    assert suffixed.startswith("2021-10-15-local-government-children-")
    again = import_into(content, PAGES / "seed.txt", other)
    assert again.counts["unchanged"] == 2


def test_folders_import_only_data_files(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(API / "bare-list.json", data / "a.json")
    (data / "README.md").write_text("# not a question\n")
    (data / ".hidden.json").write_text("not json")
    summary = import_into(tmp_path / "content", data)
    assert summary.counts == {
        "imported": 1, "updated": 0, "unchanged": 0, "conflicts": 0, "failed": 0
    }  # fmt: skip


def test_a_missing_path_is_a_failure(tmp_path: Path) -> None:
    summary = import_into(tmp_path, tmp_path / "nope.json")
    assert summary.counts["failed"] == 1
    assert str(summary.problems[0]).endswith("nope.json: no such file or folder")
