"""The edit's shortcuts against the straightforward path: the content folder's stamps, the
folder records kept in parts, the search index's columns from the edit state, and the code
fingerprint kept by its files' stamps. Each result is compared with what the plain
computation gives (and whole builds with a cold build, as in test_incremental.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

import generator.cache
import generator.edits
import generator.incremental
import generator.load
import generator.search_incremental
from generator.cache import CACHE_DIR, BuildCache
from generator.incremental import (
    SHARD_KEY,
    SHARDS,
    ContentStamps,
    FolderRecord,
    StoredFiles,
    content_stamps,
    record_changes,
    record_files,
    shard_of,
)
from tests.sitebuild import build_site, copy_archive, tree_bytes

EDITED = "questions/commons/2023/hc-2023-10-02-1200.md"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_archive(tmp_path)


def cold(site: Path, tmp_path: Path) -> dict[str, bytes]:
    reference = tmp_path / "reference"
    shutil.rmtree(reference, ignore_errors=True)
    out, _ = build_site(site, reference, cache=False)
    return tree_bytes(out)


def append_answer(site: Path, sentence: str) -> None:
    path = site / "content" / EDITED
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n\n{sentence}\n", encoding="utf-8")


def test_content_stamps_are_every_visible_file_with_its_size_and_mtime(site: Path) -> None:
    content = site / "content"
    (content / ".hidden.md").write_text("not content", encoding="utf-8")
    (content / ".git").mkdir()
    (content / ".git" / "HEAD").write_text("ref", encoding="utf-8")
    (content / "questions" / "notes.txt").write_text("a file too", encoding="utf-8")
    expected = {
        path.relative_to(content).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in content.rglob("*")
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(content).parts)
    }
    found = content_stamps(content)
    assert len(found.paths) == len(expected) > 5
    stamps = zip(found.paths, found.sizes, found.mtimes, strict=True)
    assert {path: (size, mtime) for path, size, mtime in stamps} == expected
    number = found.numbers()["questions/notes.txt"]
    info = (content / "questions" / "notes.txt").stat()
    assert found.stamp(number) == generator.cache.stamp(info)


def test_the_stamps_hash_changes_with_any_file(site: Path) -> None:
    content = site / "content"
    before = content_stamps(content).digest()
    assert content_stamps(content).digest() == before
    path = content / EDITED
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1))
    assert content_stamps(content).digest() != before


def test_an_edit_is_found_when_the_folder_lists_its_files_in_another_order(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site(site)
    append_answer(site, "A sentence listed in another order.")
    walk = generator.incremental.content_stamps

    def reversed_walk(root: Path) -> ContentStamps:
        found = walk(root)
        return ContentStamps(found.paths[::-1], found.sizes[::-1], found.mtimes[::-1])

    monkeypatch.setattr(generator.incremental, "content_stamps", reversed_walk)
    out, result = build_site(site)
    assert result.fast and result.made
    assert tree_bytes(out) == cold(site, tmp_path)


def records(count: int) -> FolderRecord:
    files = {f"questions/q{n}/index.html": bytes([n % 256]) * 16 for n in range(count)}
    files.update({f"search/chunks/c{n}.json": bytes([n % 7]) * 16 for n in range(40)})
    files["index.html"] = b"h" * 16
    sizes = {path: len(path) * 3 for path in files}
    keys = {path: b"k" * 16 for path in files if path.endswith(".html")}
    keys["gone/index.html"] = b"a key of a file the folder lacks"
    return FolderRecord(files, sizes, keys)


def stored_record(cache: BuildCache, folder: Path) -> StoredFiles:
    record = generator.incremental._trusted_record(cache, folder)
    assert record is not None
    return StoredFiles(cache, record["shards"])


def folder_with_index(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "index.html").write_text(name, encoding="utf-8")
    return folder


def test_a_record_in_parts_reads_back_as_written(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / CACHE_DIR)
    try:
        folder = folder_with_index(tmp_path, "site")
        written = records(600)
        record_files(cache, folder, written)
        stored = stored_record(cache, folder)
        whole = stored.whole()
        assert whole.files == written.files and whole.sizes == written.sizes
        assert whole.keys == {p: k for p, k in written.keys.items() if p in written.files}
        assert stored.count == len(written.files) == len(stored.files)
        assert stored.size == sum(written.sizes.values())
        assert sorted(stored.under("search/")) == sorted(
            p for p in written.files if p.startswith("search/")
        )
        fresh = StoredFiles(cache, stored.shards)  # looked up part by part
        page = "questions/q7/index.html"
        assert fresh.files.get(page) == written.files[page]
        assert page in fresh.sizes and "nowhere" not in fresh.files
        assert fresh.keys.get("search/chunks/c1.json") is None
        assert set(fresh.loaded) == {shard_of(page), shard_of("nowhere"), 0}
    finally:
        cache.close()


def test_changes_store_only_their_parts_and_give_the_plain_result(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / CACHE_DIR)
    try:
        folder, other = folder_with_index(tmp_path, "site"), folder_with_index(tmp_path, "twin")
        written = records(600)
        record_files(cache, folder, written)
        base = stored_record(cache, folder)
        stored_before = set(cache.meta_keys(SHARD_KEY))
        changes: dict[str, tuple[bytes, int] | None] = {
            "questions/q3/index.html": (b"n" * 16, 5),  # rendered again
            "questions/q4/index.html": None,  # deleted
            "search/chunks/new.json": (b"s" * 16, 9),  # made
            "search/chunks/c2.json": None,
        }
        rendered = ["questions/q3/index.html"]
        after = record_changes(cache, other, base, changes, rendered)
        files, sizes, keys = dict(written.files), dict(written.sizes), dict(written.keys)
        keys.pop("gone/index.html")
        for path, change in changes.items():
            if change is None:
                del files[path], sizes[path]
                keys.pop(path, None)
            else:
                files[path], sizes[path] = change
        for path in rendered:
            keys.pop(path, None)
        for result in (after, stored_record(cache, other)):
            whole = result.whole()
            assert (whole.files, whole.sizes, whole.keys) == (files, sizes, keys)
            assert result.count == len(files) and result.size == sum(sizes.values())
        touched = {shard_of(path) for path in changes}
        for number in range(SHARDS):
            same = after.shards[number] == base.shards[number]
            assert same == (number not in touched)
        new_parts = set(cache.meta_keys(SHARD_KEY)) - stored_before
        assert len(new_parts) == len(touched)
        # The first folder's record still reads as it was: its parts are shared, not changed.
        assert stored_record(cache, folder).whole().files == written.files
    finally:
        cache.close()


def test_a_record_missing_a_part_is_not_trusted(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / CACHE_DIR)
    try:
        folder = folder_with_index(tmp_path, "site")
        record_files(cache, folder, records(50))
        assert generator.incremental._trusted_record(cache, folder) is not None
        cache.delete_meta(cache.meta_keys(SHARD_KEY)[0])
        assert generator.incremental._trusted_record(cache, folder) is None
    finally:
        cache.close()


def test_an_edit_reads_the_parts_it_changes_not_the_whole_records(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site(site)
    append_answer(site, "First.")
    build_site(site)  # the spare now differs from the output by this edit's files
    parts: list[int] = []
    shard = StoredFiles.shard

    def counted(self: StoredFiles, number: int) -> Any:
        if number not in self.loaded:
            parts.append(number)
        return shard(self, number)

    monkeypatch.setattr(StoredFiles, "shard", counted)
    append_answer(site, "Second.")
    out, result = build_site(site)
    assert result.fast
    assert tree_bytes(out) == cold(site, tmp_path)
    cache = BuildCache(site / CACHE_DIR)
    try:
        in_use = sum(1 for entry in stored_record(cache, out).shards if entry[0])
    finally:
        cache.close()
    # Each record's part 0 (the search index) and the parts of the few files made; the
    # spare's and the output's records differ in those parts only.
    assert len(parts) < 2 * in_use and len(set(parts)) < in_use


def test_the_search_columns_are_the_index_s_own(site: Path) -> None:
    build_site(site)
    state = generator.edits.load_state(site / CACHE_DIR)
    assert state is not None
    archive = generator.load.load_archive(site / "content")
    questions = generator.edits._SearchQuestions(state, None)  # type: ignore[arg-type]
    ids, facets = questions.search_columns()
    assert ids == [q.id for q in reversed(archive.questions)]
    assert facets == generator.search_incremental._facets(archive)
    assert len(set(facets)) > 1


def test_an_edit_writes_what_it_changes_of_the_state_not_the_archive_s_shape(
    site: Path, tmp_path: Path
) -> None:
    build_site(site)
    folder = site / CACHE_DIR
    shape = folder / generator.edits.STATE_FILE
    before = shape.stat()
    append_answer(site, "A sentence for the state.")
    out, result = build_site(site)
    assert result.fast
    after = shape.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    state = generator.edits.load_state(folder)
    assert state is not None
    stamps = content_stamps(site / "content")
    number = state.paths.index(EDITED)
    assert state.mtimes[number] == stamps.mtimes[stamps.paths.index(EDITED)]
    append_answer(site, "Another.")
    out, result = build_site(site)
    assert result.fast and tree_bytes(out) == cold(site, tmp_path)


def test_a_state_whose_parts_were_not_written_together_falls_back(
    site: Path, tmp_path: Path
) -> None:
    build_site(site)
    folder = site / CACHE_DIR
    now = folder / generator.edits.NOW_FILE
    kept = now.read_bytes()  # what the edits change, of the first shape
    generator.edits.forget_state(folder)
    assert not now.exists() and not (folder / generator.edits.STATE_FILE).exists()
    append_answer(site, "A sentence added by the editor.")
    assert not build_site(site)[1].fast  # no state: a full build, a new shape
    assert generator.edits.load_state(folder) is not None
    now.write_bytes(kept)
    assert generator.edits.load_state(folder) is None
    append_answer(site, "Another sentence.")
    out, result = build_site(site)
    assert not result.fast
    assert tree_bytes(out) == cold(site, tmp_path)


def test_the_code_fingerprint_is_kept_while_the_code_s_stamps_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    real = generator.cache.code_fingerprint

    def counted() -> str:
        made.append("made")
        return real()

    monkeypatch.setattr(generator.cache, "code_fingerprint", counted)
    for _build in range(2):
        BuildCache(tmp_path / CACHE_DIR).close()
    assert made == ["made"]  # the first time only
    assert generator.cache.code_stamps() == generator.cache.code_stamps()
    monkeypatch.setattr(generator.cache, "code_stamps", lambda: "another library installed")
    cache = BuildCache(tmp_path / CACHE_DIR)
    try:
        assert made == ["made", "made"] and cache.get_meta("code") == real()
    finally:
        cache.close()
