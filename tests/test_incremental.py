"""Cached, incremental and parallel builds give exactly the bytes of a cold build.

Every test compares a build that used the cache (or worker processes) with a cold build of
the same inputs made with `cache=False` into another folder: the trees must be identical,
so no stale page, listing entry, feed entry or search record can survive an edit.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import pickle
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2
import pytest
from markupsafe import Markup

import generator.build
import generator.cache
import generator.config
import generator.downloads
import generator.edits
import generator.feeds
import generator.fingerprint
import generator.incremental
import generator.load
import generator.render
import generator.search_chunks
import generator.search_incremental
import generator.search_pages
import generator.workers
import generator.write
from generator.cache import CACHE_DIR
from generator.cli import main
from generator.model import Link
from tests.pagetext import quoted
from tests.sitebuild import (
    MINIMAL_QUESTION,
    answers,
    build_site,
    copy_archive,
    tree_bytes,
    write_question,
)

EDITED = "questions/commons/2023/hc-2023-10-02-1200.md"  # 'Roads: Potholes', Rhys ap Gwilym
EDITED_ID = "hc-2023-10-02-1200"
EDITED_UIN = "1200"  # unique in the fixture archive


def cold(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """The reference: a build from scratch into a new folder, touching no cache."""
    reference = tmp_path / "reference"
    shutil.rmtree(reference, ignore_errors=True)
    out, _ = build_site(site, reference, cache=False)
    return tree_bytes(out)


def retitle(site: Path, old: str, new: str) -> None:
    path = site / "content" / EDITED
    text = path.read_text(encoding="utf-8")
    assert f"title: '{old}'" in text
    path.write_text(text.replace(f"title: '{old}'", f"title: '{new}'"), encoding="utf-8")


def files_mentioning(tree: dict[str, bytes], text: str) -> set[str]:
    needle = text.encode("utf-8")
    return {path for path, data in tree.items() if needle in data and not path.endswith(".gz")}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_archive(tmp_path)


def test_cached_cold_and_unchanged_builds_match_a_cold_build(site: Path, tmp_path: Path) -> None:
    out, first = build_site(site)
    assert not first.unchanged and (site / CACHE_DIR).is_dir()
    assert tree_bytes(out) == cold(site, tmp_path)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    out, second = build_site(site)
    assert second.unchanged
    assert (second.pages, second.files, second.bytes) == (first.pages, first.files, first.bytes)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps


def test_a_touched_but_unchanged_file_rebuilds_to_the_same_bytes(
    site: Path, tmp_path: Path
) -> None:
    out, _ = build_site(site)
    before = tree_bytes(out)
    (site / "content" / EDITED).touch()
    out, result = build_site(site)
    assert not result.unchanged
    assert tree_bytes(out) == before == cold(site, tmp_path)


def test_an_edited_title_reaches_every_page_feed_and_search_file(
    site: Path, tmp_path: Path
) -> None:
    out, _ = build_site(site)
    shown_before = files_mentioning(tree_bytes(out), "Roads: Potholes")
    assert {
        f"questions/{EDITED_ID}/index.html",
        "departments/department-for-transport/index.html",
        "topics/roads/index.html",
        "members/rhys-ap-gwilym/asked/index.html",
        "feeds/all.xml",
        "feeds/topics/roads.xml",
    } <= shown_before
    assert any(path.startswith("search/docs/") for path in shown_before)  # its result row
    retitle(site, "Roads: Potholes", "Bridges: Cracks")
    out, _ = build_site(site)
    after = tree_bytes(out)
    assert after == cold(site, tmp_path)
    assert files_mentioning(after, "Roads: Potholes") == set()
    assert not any("roads" in path for path in after)  # the topic moved with the title
    shown_after = files_mentioning(after, "Bridges: Cracks")
    moved = {path.replace("roads", "bridges") for path in shown_before}
    assert moved <= shown_after
    assert any(path.startswith("search/") for path in shown_after)


def test_a_deleted_question_leaves_no_page_or_entry(site: Path, tmp_path: Path) -> None:
    out, _ = build_site(site)
    assert EDITED_ID.encode() in tree_bytes(out)["feeds/all.xml"]
    (site / "content" / EDITED).unlink()
    out, _ = build_site(site)
    after = tree_bytes(out)
    assert after == cold(site, tmp_path)
    assert not (out / "questions" / EDITED_ID).exists()
    assert files_mentioning(after, EDITED_ID) == set()


def test_template_static_and_config_changes_invalidate_what_uses_them(
    site: Path, tmp_path: Path
) -> None:
    out, _ = build_site(site)
    default = Path(generator.build.__file__).parent.parent / "themes" / "default"
    templates = site / "templates"
    templates.mkdir()
    original = (default / "templates" / "question.html").read_text(encoding="utf-8")
    (templates / "question.html").write_text(
        original.replace("</h1>", "</h1><p>site override</p>", 1), encoding="utf-8"
    )
    out, result = build_site(site)
    assert not result.unchanged
    after = tree_bytes(out)
    assert after == cold(site, tmp_path)
    assert b"site override" in after[f"questions/{EDITED_ID}/index.html"]

    static = site / "static"
    static.mkdir()
    (static / "style.css").write_text("body { color: teal }\n", encoding="utf-8")
    out, _ = build_site(site)
    after = tree_bytes(out)
    assert after == cold(site, tmp_path)
    assert after["static/style.css"] == b"body { color: teal }\n"

    config = site / "site.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("Fixture Archive", "Renamed"), encoding="utf-8"
    )
    out, _ = build_site(site)
    after = tree_bytes(out)
    assert after == cold(site, tmp_path)
    assert files_mentioning(after, "Fixture Archive") == set()


def test_worker_processes_write_the_same_bytes(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator.workers, "MIN_PARALLEL", 1)
    monkeypatch.setattr(generator.workers, "CHUNK", 3)
    out, _ = build_site(site, jobs=2)
    assert tree_bytes(out) == cold(site, tmp_path)
    retitle(site, "Roads: Potholes", "Bridges: Cracks")
    out, _ = build_site(site, jobs=2)
    assert tree_bytes(out) == cold(site, tmp_path)


def test_a_build_that_fails_half_way_leaves_no_trace_in_the_next(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site(site)
    out, _ = build_site(site, cache=True, base_url="https://other.example/")  # spare recorded
    published = tree_bytes(out)
    spare = out.parent / f".{out.name}.spare"
    assert spare.is_dir()
    retitle(site, "Roads: Potholes", "Bridges: Cracks")

    def fail(*args: object) -> object:
        raise RuntimeError("stage failed")

    monkeypatch.setattr(generator.build, "write_search_index", fail)
    with pytest.raises(RuntimeError):
        build_site(site)
    assert tree_bytes(out) == published  # the site in place is untouched
    assert b"Bridges: Cracks" in tree_bytes(spare)[f"questions/{EDITED_ID}/index.html"]
    monkeypatch.undo()
    out, _ = build_site(site)
    assert tree_bytes(out) == cold(site, tmp_path)


def test_unchanged_files_are_not_parsed_again(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_site(site)
    parsed: list[str] = []
    real = generator.load.question_from_document

    def counting(document: object, relative: str, display: str) -> object:
        parsed.append(relative)  # with `/`, relative to the content folder
        return real(document, relative, display)  # type: ignore[arg-type]

    monkeypatch.setattr(generator.load, "question_from_document", counting)
    retitle(site, "Roads: Potholes", "Bridges: Cracks")
    build_site(site)
    assert parsed == [EDITED]


def test_clean_and_no_cache(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(site)
    assert main(["build", "--quiet"]) == 0
    assert main(["build", "--quiet", "--base-url", "https://other.example/"]) == 0
    assert (site / ".cache").is_dir() and (site / "._site.spare").is_dir()
    assert main(["build", "--quiet", "--clean", "--no-cache"]) == 0
    assert not (site / ".cache").exists() and not (site / "._site.spare").exists()
    assert tree_bytes(site / "_site") == cold(site, tmp_path)


def count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The canonical path of every page rendered from now on, in order."""
    rendered: list[str] = []
    real = jinja2.Template.render

    def counting(self: jinja2.Template, *args: Any, **context: Any) -> str:
        rendered.append(str(context["canonical"]))
        return real(self, *args, **context)

    monkeypatch.setattr(jinja2.Template, "render", counting)
    return rendered


def test_only_pages_that_show_an_edited_question_are_rendered(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = count_renders(monkeypatch)
    feeds: list[str] = []
    real_feed = generator.feeds.FeedWriter.feed

    def counting_feeds(self: generator.feeds.FeedWriter, link: Any, *args: Any) -> Any:
        feeds.append(link.path)
        return real_feed(self, link, *args)

    monkeypatch.setattr(generator.feeds.FeedWriter, "feed", counting_feeds)
    _, first = build_site(site)
    all_feeds = len(feeds)
    retitle(site, "Roads: Potholes", "Bridges: Cracks")
    # No spare yet: the build writes into hard links to the output, and renders only what
    # changed, as every later build does in the spare
    out, second = build_site(site)
    assert len(rendered) - first.pages < second.pages / 2
    assert f"questions/{EDITED_ID}/" in rendered[first.pages :]
    assert tree_bytes(out) == cold(site, tmp_path)
    rendered.clear()
    feeds.clear()
    retitle(site, "Bridges: Cracks", "Bridges: Holes")
    out, result = build_site(site)  # the spare holds the first edit: only its pages render
    assert f"questions/{EDITED_ID}/" in rendered
    assert "topics/bridges/" in rendered
    assert "questions/hl-2023-11-20-hl1300/" not in rendered  # another department, topic, member
    assert len(rendered) < result.pages / 2
    assert "feeds/topics/bridges.xml" in feeds and "feeds/topics/economy.xml" not in feeds
    assert len(feeds) < all_feeds
    assert tree_bytes(out) == cold(site, tmp_path)


def test_an_edit_leaves_unrendered_the_question_pages_that_only_share_its_groups(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Question pages show only the name and address of their department, topic and members,
    so editing one question renders its own page and its neighbours', not every page that
    shares its department, topic or asker."""
    for day in (10, 12, 14):  # same department, asker and topic ('Roads') as EDITED
        write_question(
            site / "content",
            f"commons/2023/hc-2023-10-{day}.md",
            f"---\nid: hc-2023-10-{day}\ntitle: 'Roads: Verges {day}'\nhouse: Commons\n"
            f"department: Department for Transport\nasked_by: Rhys ap Gwilym\n"
            f"asked_on: 2023-10-{day}\nquestion: To ask about verges.\nstatus: withdrawn\n---\n",
        )
    rendered = count_renders(monkeypatch)
    build_site(site)
    retitle(site, "Roads: Potholes", "Roads: Holes")
    build_site(site)
    rendered.clear()
    retitle(site, "Roads: Holes", "Roads: Craters")
    out, _ = build_site(site)
    questions = {path for path in rendered if path.startswith("questions/")}
    # newest first in the department: 14, 12, 10, the edited one (answered 10-09), 10-05
    neighbours = {"questions/hc-2023-10-10/", "questions/hc-2023-10-05-1300/"}
    assert questions == {f"questions/{EDITED_ID}/", *neighbours}
    # the department's list shows it on its second page: the first (the three new ones and
    # others) depends on its own entries and the count only, so it is not rendered again
    assert "departments/department-for-transport/page/2/" in rendered
    assert "departments/department-for-transport/" not in rendered
    assert any(path.startswith("topics/roads/") for path in rendered)
    assert any(path.startswith("members/rhys-ap-gwilym/asked/") for path in rendered)
    page = quoted((out / "questions/hc-2023-10-14/index.html").read_text(encoding="utf-8"))
    assert 'href="/archive/departments/department-for-transport/"' in page
    assert tree_bytes(out) == cold(site, tmp_path)


def test_an_edit_recompresses_one_member_of_the_archive_download(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator.downloads, "ARCHIVE_MEMBER", 2)
    made: list[tuple[str, ...]] = []
    real = generator.incremental.archive_member

    def counting(number: int, questions: tuple[Any, ...], config: Any) -> bytes:
        made.append(tuple(q.id for q in questions))
        return real(number, questions, config)

    monkeypatch.setattr(generator.incremental, "archive_member", counting)
    out, result = build_site(site)
    assert len(made) == -(-result.questions // 2) > 2  # every member, two questions each
    made.clear()
    retitle(site, "Roads: Potholes", "Roads: Craters")
    out, _ = build_site(site)
    assert len(made) == 1 and EDITED_ID in made[0]
    data = gzip.decompress((out / "downloads/archive.jsonl.gz").read_bytes()).decode("utf-8")
    assert len(data.splitlines()) == result.questions and "Roads: Craters" in data
    assert tree_bytes(out) == cold(site, tmp_path)
    (site / "content" / EDITED).unlink()  # the members after it change; the cache keeps
    out, after = build_site(site)  # only those of this build
    assert tree_bytes(out) == cold(site, tmp_path)
    cache = generator.cache.BuildCache(site / CACHE_DIR)
    assert len(cache.meta_keys("archive-member:")) == -(-after.questions // 2)
    cache.close()


REFERENCED = "questions/commons/2023/hc-2023-11-14-2154.md"  # grouped with 2155, which cites it
NEW_QUESTION = (
    "---\nid: hc-2023-11-16-{n}\ntitle: 'Schools: Transport {n}'\nhouse: Commons\nuin: '{uin}'\n"
    "department: Department for Education\nasked_by: Siân Gwenllian\nasked_on: 2023-11-16\n"
    "question: To ask about school transport.\nanswered_on: 2023-11-2{n}\n---\nAn answer.\n"
)


CITING = (
    "---\nid: hc-2023-11-30-3000\ntitle: 'Prisons: Staff'\nhouse: Commons\nuin: '3000'\n"
    "department: Ministry of Justice\nasked_on: 2023-11-30\nquestion: To ask about staff.\n"
    "answered_on: 2023-12-05\n---\nAs I said in answer to Question 2154, numbers rose.\n"
)


def _field(name: str, value: str) -> Any:
    """An edit setting one front-matter field of the referenced question."""

    def edit(site: Path, n: int) -> None:
        path = site / "content" / REFERENCED
        text = path.read_text(encoding="utf-8")
        lines = [
            f"{name}: {value.format(n=n)}" if line.startswith(f"{name}: ") else line
            for line in text.splitlines()
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    return edit


def _delete_then_add(site: Path, n: int) -> None:
    path = site / "content" / REFERENCED
    if n == 1:
        path.unlink()
    else:
        write_question(
            site / "content",
            "commons/2023/hc-2023-11-16-2.md",
            NEW_QUESTION.format(n=2, uin="2154"),
        )


def _add_same_uin(site: Path, n: int) -> None:
    """Another Commons question numbered 2154: the citation in 2155 must pick by date."""
    write_question(
        site / "content", f"commons/2023/hc-2023-11-16-{n}.md", NEW_QUESTION.format(n=n, uin="2154")
    )


@pytest.mark.parametrize(
    "edit",
    [
        _field("department", "Department {n}"),
        _field("title", "'Topic {n}: Heading'"),
        _field("asked_by", "Member {n}"),
        _field("answered_by", "Minister {n}"),
        _field("grouped_with", "['21{n}0']"),
        _field("uin", "'21{n}0'"),
        _field("house", "Lords"),
        _field("answered_on", "2023-12-0{n}"),
        _field("asked_on", "2023-09-0{n}"),
        _delete_then_add,
        _add_same_uin,
    ],
    ids=[
        "department",
        "topic",
        "asker",
        "answerer",
        "uin-group",
        "uin",
        "house",
        "answer-date",
        "date-order",
        "delete-then-add",
        "same-uin-added",
    ],
)
def test_edits_to_a_cited_grouped_question_match_a_cold_build(
    site: Path, tmp_path: Path, edit: Any
) -> None:
    """Three states, so the third build writes into the folder of the first: every page whose
    bytes differ between the first and third state (the question's, its neighbours', the
    pages citing or grouped with it, lists, feeds, search) must be rendered again. The
    question grouped with it (2155) is moved to another department and no longer cites it,
    and a third one, in a third department, cites it without being grouped: so neither is
    also its neighbour, and each shows one kind of link to it."""
    grouped = site / "content" / REFERENCED.replace("2154", "2155")
    text = grouped.read_text(encoding="utf-8").replace("for Education", "for Transport")
    grouped.write_text(text.replace("to Question 2154", "in November"), encoding="utf-8")
    write_question(site / "content", "commons/2023/hc-2023-11-30-3000.md", CITING)
    out, _ = build_site(site)
    first = tree_bytes(out)
    for n in (1, 2):
        edit(site, n)
        out, _ = build_site(site)
        after = tree_bytes(out)
        assert after == cold(site, tmp_path)
    assert after != first


def test_question_pages_are_keyed_without_building_their_context(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit builds the context (answer links, citation, JSON-LD) of the pages it renders
    only: the others are found unchanged from content hashes and links."""
    contexts: list[str] = []
    real = generator.render.Renderer.citation

    def counting(self: generator.render.Renderer, question: Any) -> str:
        contexts.append(question.id)
        return real(self, question)

    monkeypatch.setattr(generator.render.Renderer, "citation", counting)
    build_site(site)
    _field("title", "'Schools: Edited {n}'")(site, 1)
    build_site(site)
    contexts.clear()
    _field("title", "'Schools: Edited {n}'")(site, 2)
    out, _ = build_site(site)
    # the edited question and its neighbours in the department (2155 cites it as well), and
    # the one page keyed by its context: its original answer would need Markdown to key
    edited = {"hc-2023-11-14-2154", "hc-2023-11-14-2155", "hc-2023-12-04-4100"}
    assert set(contexts) == {*edited, EDITED_ID}
    assert tree_bytes(out) == cold(site, tmp_path)


def test_the_first_edit_after_a_cold_build_leaves_the_replaced_site_intact(
    site: Path, tmp_path: Path
) -> None:
    """With no spare, the build links the output's files into a new folder: written files
    replace their links, so the site that was served is kept byte for byte (it becomes the
    spare) while the new one matches a cold build."""
    out, _ = build_site(site)
    before = tree_bytes(out)
    retitle(site, "Roads: Potholes", "Bridges: Cracks")
    out, _ = build_site(site)
    assert tree_bytes(out) == cold(site, tmp_path)
    spare = generator.write.spare_folder(out)
    assert tree_bytes(spare) == before
    shared = {p.name for p in out.rglob("*") if p.is_file() and p.stat().st_nlink > 1}
    assert "style.css" in shared  # unchanged files were linked, not rewritten
    assert (out / f"questions/{EDITED_ID}/index.html").stat().st_nlink == 1


def count_search_work(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """The questions tokenised (by UIN) and the chunks encoded by the builds that follow;
    segments start every 4 terms or so (not 128), so that the fixture's index has many, and its
    document shards fall into several title buckets of a few shards each (so a new title
    moves a row from one bucket to another)."""
    monkeypatch.setattr(generator.search_chunks, "SEGMENT_TERMS", 4)
    monkeypatch.setattr(generator.search_chunks, "BUCKET_QUESTIONS", 2)
    monkeypatch.setattr(generator.search_chunks, "SHARD_SIZE", 2)
    tokenised: list[str] = []
    encoded: list[str] = []
    real_document = generator.search_chunks.Tokeniser.document
    real_encode = generator.search_pages.chunk_file

    def document(self: Any, fields: Any) -> Any:
        tokenised.append(dict(fields)["uin"])
        return real_document(self, fields)

    def encode(terms: list[str], encoded_terms: Any) -> Any:
        encoded.append(terms[0])
        return real_encode(terms, encoded_terms)

    monkeypatch.setattr(generator.search_chunks.Tokeniser, "document", document)
    monkeypatch.setattr(generator.search_incremental, "chunk_file", encode)
    return tokenised, encoded


def chunk_count(out: Path) -> int:
    return len(list((out / "search" / "chunks").iterdir()))


def test_an_edit_tokenises_one_question_and_encodes_only_the_chunks_of_its_terms(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokenised, encoded = count_search_work(monkeypatch)
    out, first = build_site(site)
    assert len(tokenised) == first.questions and len(encoded) == chunk_count(out)
    for number, (old, new) in enumerate(
        [("Roads: Potholes", "Bridges: Cracks"), ("Bridges: Cracks", "Bridges: Holes")]
    ):
        tokenised.clear()
        encoded.clear()
        retitle(site, old, new)
        out, _ = build_site(site)  # the first into links to the output, the second the spare
        assert tokenised == [EDITED_UIN], number
        assert 0 < len(encoded) < chunk_count(out) / 2
        assert tree_bytes(out) == cold(site, tmp_path)
        manifest = json.loads((out / "search" / "manifest.json").read_text())
        assert manifest["shardBuckets"] >= 4 and manifest["shardSize"] == 2
    tokenised.clear()
    write_question(site / "content", "commons/2024/new.md", MINIMAL_QUESTION)
    out, result = build_site(site)  # a new newest question: one more document key
    assert len(tokenised) == 1 and result.questions == first.questions + 1
    assert tree_bytes(out) == cold(site, tmp_path)


def test_an_index_changed_in_many_documents_is_made_whole_from_the_cached_terms(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokenised, encoded = count_search_work(monkeypatch)
    out, _ = build_site(site)
    monkeypatch.setattr(generator.search_incremental, "MAX_CHANGED", 0)
    tokenised.clear()
    encoded.clear()
    retitle(site, "Roads: Potholes", "Bridges: Cracks")
    out, _ = build_site(site)
    assert tokenised == [EDITED_UIN]
    assert len(encoded) == chunk_count(out)
    assert tree_bytes(out) == cold(site, tmp_path)


def test_a_lost_search_cache_costs_time_not_bytes(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokenised, _encoded = count_search_work(monkeypatch)
    build_site(site)
    for name in ("", "-wal", "-shm"):
        (site / CACHE_DIR / f"{generator.search_incremental.DATABASE}{name}").unlink(True)
    tokenised.clear()
    retitle(site, "Roads: Potholes", "Bridges: Cracks")
    out, result = build_site(site)
    assert len(tokenised) == result.questions  # every question tokenised again
    assert tree_bytes(out) == cold(site, tmp_path)


# The fast path of content-only edits (generator/edits.py) ---------------------------------

QUESTIONS = "questions/commons/2023"
OLDEST = f"{QUESTIONS}/hc-2023-10-05-1300.md"  # withdrawn, asked 5 October: the last of all
NEWEST = f"{QUESTIONS}/hc-2023-12-01-4001.md"  # answered 8 December: the first of all
CITED = f"{QUESTIONS}/hc-2023-11-14-2154.md"  # Question 2154, cited by 2155's answer


def edit(site: Path, relative: str, old: str, new: str) -> None:
    path = site / "content" / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def append_answer(site: Path, relative: str, sentence: str) -> None:
    path = site / "content" / relative
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n\n{sentence}\n", encoding="utf-8")


def inodes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*") if p.is_file()}


CONTENT_ONLY = {
    "answer": lambda site: append_answer(site, EDITED, "A sentence added by the editor."),
    "question": lambda site: edit(
        site, EDITED, "how much funding was given", "how much funding was granted"
    ),
    "title within its topic": lambda site: edit(
        site, EDITED, "title: 'Roads: Potholes'", "title: 'Roads :Potholes'"
    ),
    "cited question's title": lambda site: edit(
        site,
        CITED,
        "title: 'Schools: Special Educational Needs'",
        "title: 'Schools:  Special Educational Needs'",
    ),
    "cited question's answer": lambda site: append_answer(site, CITED, "And a correction."),
    "oldest question": lambda site: edit(
        site, OLDEST, "title: 'Railways: Fares'", "title: 'Railways :Fares'"
    ),
    "newest question": lambda site: append_answer(site, NEWEST, "A further update."),
    "attachments and original answer": lambda site: edit(
        site, EDITED, "£200 million in 2023-24.\n", "£200m in 2023-24.\n"
    ),
}


@pytest.mark.parametrize("kind", sorted(CONTENT_ONLY))
def test_content_only_edits_take_the_fast_path_and_match_a_cold_build(
    site: Path, tmp_path: Path, kind: str
) -> None:
    out, _ = build_site(site)
    for round_number in (
        1,
        2,
    ):  # the first edit builds on links to the output, the next on the spare
        before_bytes, before_inodes = tree_bytes(out), inodes(out)
        if round_number == 1:
            CONTENT_ONLY[kind](site)
        else:
            append_answer(site, EDITED, "Edited again.")
        out, result = build_site(site)
        assert result.fast and not result.unchanged
        after = tree_bytes(out)
        assert after == cold(site, tmp_path)
        changed = {
            p for p in after.keys() | before_bytes.keys() if after.get(p) != before_bytes.get(p)
        }
        # every file whose bytes changed was made, and every other file is the output's
        # own (a hard link to it: same inode), not written again
        search = {p for p in changed if p.startswith("search/")}
        assert changed - search <= set(result.made)
        now = inodes(out)
        rewritten = {p for p in now if before_inodes.get(p) != now[p]}
        assert rewritten - search <= set(result.made)
        assert len(result.made) <= 20, sorted(result.made)


def test_the_fast_path_makes_only_what_shows_the_edited_question(site: Path) -> None:
    build_site(site)
    append_answer(site, EDITED, "A sentence added by the editor.")
    _, result = build_site(site)
    assert result.fast
    assert set(result.made) == {
        # its page, and its neighbours' in its department (one: the other is withdrawn)
        f"questions/{EDITED_ID}/index.html",
        "questions/hc-2023-10-05-1300/index.html",
        # the list pages that show it: department, asker, answerer, topic, month
        "departments/department-for-transport/index.html",
        "members/rhys-ap-gwilym/index.html",
        "members/rhys-ap-gwilym/asked/index.html",
        "members/guy-opperman/index.html",
        "members/guy-opperman/answered/index.html",
        "topics/roads/index.html",
        "answered/2023/10/index.html",
        # the feeds that carry it
        "feeds/all.xml",
        "feeds/departments/department-for-transport.xml",
        "feeds/members/rhys-ap-gwilym.xml",
        "feeds/members/guy-opperman.xml",
        "feeds/topics/roads.xml",
        # the downloads that hold it
        "downloads/archive.jsonl.gz",
        "downloads/departments/department-for-transport.csv.gz",
        "downloads/departments/department-for-transport.json.gz",
    }


MOVES = {
    "retitle into another topic": lambda site: retitle(site, "Roads: Potholes", "Bridges: Cracks"),
    "another department": lambda site: edit(
        site, EDITED, "department: Department for Transport", "department: HM Treasury"
    ),
    "another answer date": lambda site: edit(
        site, EDITED, "answered_on: 2023-10-09", "answered_on: 2023-10-10"
    ),
    "another asker": lambda site: edit(
        site, EDITED, "asked_by: Rhys ap Gwilym", "asked_by: Jo Bloggs"
    ),
}


@pytest.mark.parametrize("kind", sorted(MOVES))
def test_edits_that_move_a_question_take_the_full_path(
    site: Path, tmp_path: Path, kind: str
) -> None:
    build_site(site)
    MOVES[kind](site)
    out, result = build_site(site)
    assert not result.fast and not result.unchanged
    assert tree_bytes(out) == cold(site, tmp_path)
    append_answer(site, EDITED, "Then a content-only edit.")  # the state was kept again
    out, result = build_site(site)
    assert result.fast
    assert tree_bytes(out) == cold(site, tmp_path)


def test_a_new_question_or_a_changed_page_takes_the_full_path(site: Path, tmp_path: Path) -> None:
    build_site(site)
    write_question(site / "content", "commons/2024/new.md", MINIMAL_QUESTION)
    out, result = build_site(site)
    assert not result.fast
    assert tree_bytes(out) == cold(site, tmp_path)
    about = site / "content" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    out, result = build_site(site)
    assert not result.fast
    assert tree_bytes(out) == cold(site, tmp_path)


@pytest.mark.parametrize("damage", ["garbage", "empty", "deleted"])
def test_a_damaged_or_missing_edit_state_falls_back_to_the_full_path(
    site: Path, tmp_path: Path, damage: str
) -> None:
    build_site(site)
    state = site / CACHE_DIR / generator.edits.STATE_FILE
    assert state.is_file()
    if damage == "deleted":
        state.unlink()
    else:
        state.write_bytes(b"" if damage == "empty" else b"\x80\x05not a pickle")
    append_answer(site, EDITED, "A sentence added by the editor.")
    out, result = build_site(site)
    assert not result.fast
    assert tree_bytes(out) == cold(site, tmp_path)


def test_a_question_missing_from_the_build_cache_falls_back(site: Path, tmp_path: Path) -> None:
    build_site(site)
    cache = generator.cache.BuildCache(site / CACHE_DIR)
    cache.db.execute("DELETE FROM parsed WHERE path LIKE '%hc-2023-10-05-1300%'")  # a neighbour
    cache.close()
    append_answer(site, EDITED, "A sentence added by the editor.")
    out, result = build_site(site)
    assert not result.fast
    assert tree_bytes(out) == cold(site, tmp_path)


def test_a_file_touched_but_unchanged_takes_the_fast_path_and_writes_nothing(
    site: Path, tmp_path: Path
) -> None:
    out, _ = build_site(site)
    before = inodes(out)
    (site / "content" / EDITED).touch()
    out, result = build_site(site)
    assert result.fast and result.made == ()
    assert inodes(out) == before
    out, result = build_site(site)
    assert result.unchanged


def test_department_downloads_in_many_members_match_their_text(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator.downloads, "DOWNLOAD_MEMBER", 1)
    monkeypatch.setattr(generator.edits, "DOWNLOAD_MEMBER", 1)
    out, _ = build_site(site)
    archive = generator.load.load_archive(site / "content")
    config = generator.config.load_config(site / "site.yaml")
    for department in archive.departments:
        paths = generator.downloads.department_paths(department)
        csv_text = gzip.decompress((out / paths["csv"]).read_bytes()).decode("utf-8")
        json_text = gzip.decompress((out / paths["json"]).read_bytes()).decode("utf-8")
        assert csv_text == generator.downloads.department_csv(department, config)
        assert json_text == generator.downloads.department_json(department, config)
    append_answer(site, CITED, "And a correction.")
    out, result = build_site(site)
    assert result.fast
    assert tree_bytes(out) == cold(site, tmp_path)


def test_the_command_says_an_edit_took_the_fast_path(site: Path) -> None:
    assert answers("build", cwd=site).returncode == 0
    append_answer(site, EDITED, "A sentence added by the editor.")
    done = answers("build", cwd=site)
    assert done.returncode == 0, done.stderr
    assert "content-only edits: 17 files made again" in done.stdout


def test_a_first_build_leaves_a_spare_of_links_so_the_first_edit_is_fast(site: Path) -> None:
    out, _ = build_site(site)
    spare = generator.write.spare_folder(out)
    assert tree_bytes(spare) == tree_bytes(out)
    assert inodes(spare) == inodes(out)  # hard links: no file's bytes are copied
    before = inodes(out)
    append_answer(site, EDITED, "A sentence added by the editor.")
    out, result = build_site(site)
    assert result.fast
    now = inodes(out)
    assert {p for p in now if now[p] != before.get(p)} - set(result.made) <= {
        p for p in now if p.startswith("search/")
    }


def count_tree_links(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders that builds fill by linking a whole site's files at once (`link_tree`)."""
    linked: list[Path] = []
    real = generator.incremental.link_tree

    def link_tree(source: Path, target: Path, files: Any) -> bool:
        linked.append(target)
        return real(source, target, files)

    monkeypatch.setattr(generator.incremental, "link_tree", link_tree)
    return linked


def test_a_build_into_a_new_folder_links_its_spare_as_the_workers_write(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator.workers, "MIN_PARALLEL", 1)
    monkeypatch.setattr(generator.workers, "CHUNK", 3)
    linked = count_tree_links(monkeypatch)
    out, _ = build_site(site, jobs=2)
    spare = generator.write.spare_folder(out)
    assert linked == []  # no site linked whole at the end: each file was, as it was written
    assert tree_bytes(spare) == tree_bytes(out) == cold(site, tmp_path)
    assert inodes(spare) == inodes(out)
    assert sorted(p.name for p in site.iterdir() if p.name.startswith("._site")) == ["._site.spare"]
    append_answer(site, EDITED, "A sentence added by the editor.")
    out, result = build_site(site, jobs=2)
    assert result.fast and linked == []  # the spare was trusted: brought up to date, not made
    assert tree_bytes(out) == cold(site, tmp_path)


def test_the_first_edit_after_a_code_change_finds_a_trusted_spare(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site(site)
    append_answer(site, EDITED, "A sentence added before the upgrade.")
    build_site(site)  # the spare now differs from the output
    # New code empties the cache: no folder is trusted, every page is written anew, and the
    # old spare, which no build would trust again, is deleted beside the pages
    monkeypatch.setattr(generator.cache, "code_fingerprint", lambda: "the next version")
    monkeypatch.setattr(generator.cache, "code_stamps", lambda: "the next version's files")
    removed: list[Path] = []
    remove_task = generator.build._remove_task
    monkeypatch.setattr(
        generator.build, "_remove_task", lambda f: removed.append(f) or remove_task(f)
    )
    out, full = build_site(site)
    assert not full.fast
    spare = generator.write.spare_folder(out)
    assert removed == [spare]
    assert tree_bytes(spare) == tree_bytes(out) and inodes(spare) == inodes(out)
    linked = count_tree_links(monkeypatch)
    append_answer(site, EDITED, "A sentence added after the upgrade.")
    out, result = build_site(site)
    assert result.fast and linked == []
    assert tree_bytes(out) == cold(site, tmp_path)


def test_a_spare_that_could_not_be_linked_as_written_is_made_at_the_end(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Links into the spare fail for the question pages, which the workers write: the main
    # process learns of it and links the output's files into a spare once the build is done.
    monkeypatch.setattr(generator.workers, "MIN_PARALLEL", 1)
    real_link = generator.write.os.link

    def link(source: Any, target: Any, **options: Any) -> None:
        if ".building-spare-" in str(target) and "/questions/" in str(target):
            raise OSError("no hard links here")
        real_link(source, target, **options)

    monkeypatch.setattr(generator.write.os, "link", link)
    linked = count_tree_links(monkeypatch)
    out, _ = build_site(site, jobs=2)
    spare = generator.write.spare_folder(out)
    assert len(linked) == 1
    assert tree_bytes(out) == cold(site, tmp_path)
    assert tree_bytes(spare) == tree_bytes(out) and inodes(spare) == inodes(out)
    assert sorted(p.name for p in site.iterdir() if p.name.startswith("._site")) == ["._site.spare"]


# The search index's cached postings pages (generator/search_pages.py) ----------------------

ANSWER = "The Department gave £150 million in 2023-24, in addition to the £200 million announced"
COMMON = "The Secretary of State for Transport and the Department asked the Government."


def count_page_work(monkeypatch: pytest.MonkeyPatch) -> list[set[int]]:
    """The document keys of each postings page encoded by the builds that follow; pages of
    two keys (not 512), so that the fixture's common terms span several pages, and segments
    of about 4 terms (count_search_work)."""
    count_search_work(monkeypatch)
    monkeypatch.setattr(generator.search_pages, "PAGE_BITS", 1)
    encoded: list[set[int]] = []
    real_paged = generator.search_pages.paged

    def paged(postings: Any) -> Any:
        encoded.append({packed >> 3 for packed in postings[0::3]})
        return real_paged(postings)

    monkeypatch.setattr(generator.search_incremental, "paged", paged)
    return encoded


def term_keys(out: Path, term: str) -> set[int]:
    """The document keys in a term's postings, read from the chunk holding it."""
    manifest = json.loads((out / "search" / "manifest.json").read_text())
    firsts = [first for first, _name in manifest["chunks"]]
    name = manifest["chunks"][max(i for i, first in enumerate(firsts) if first <= term)][1]
    chunk = json.loads((out / "search" / name).read_text())
    keys = set()
    for _field, steps, _frequencies, _lengths in chunk["postings"][chunk["terms"].index(term)]:
        key = 0
        for number, step in enumerate(steps):
            key = step if number == 0 else key - step
            keys.add(key)
    return keys


def all_terms(out: Path) -> list[str]:
    manifest = json.loads((out / "search" / "manifest.json").read_text())
    terms: list[str] = json.loads((out / "search" / manifest["terms"]).read_text())
    return terms


def test_an_edit_encodes_again_only_the_page_holding_its_key(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded = count_page_work(monkeypatch)
    out, _ = build_site(site)
    spanning = term_keys(out, "secretari")
    assert len({key >> 1 for key in spanning}) >= 3  # a common term over several pages
    for number, sentence in enumerate([COMMON, "Edited again, once more."]):
        encoded.clear()
        append_answer(site, EDITED, sentence)
        out, result = build_site(site)
        assert result.fast
        assert tree_bytes(out) == cold(site, tmp_path)
        edited = {key for key in term_keys(out, "pothol") if key in term_keys(out, "rhi")}
        assert len(edited) == 1, number  # the edited question's key
        pages = {key >> 1 for key in edited}
        assert encoded and all({key >> 1 for key in keys} <= pages for keys in encoded), encoded


def test_edits_adding_and_removing_terms_and_changing_lengths_match_a_cold_build(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count_page_work(monkeypatch)
    build_site(site)
    long_answer = " ".join(
        f"{COMMON} Funding for {word} rose by {number} per cent in {2000 + number}."
        for number, word in enumerate(["roads", "bridges", "potholes", "schools"] * 12)
    )
    steps: list[tuple[str, str, set[str], set[str]]] = [
        # (old text, new text, terms that must now be in the index, terms that must not)
        (ANSWER, f"{ANSWER} Zyxwvut and qwertyuiop", {"zyxwvut", "qwertyuiop"}, set()),
        (f"{ANSWER} Zyxwvut and", ANSWER, {"qwertyuiop"}, {"zyxwvut"}),  # its last use gone
        (ANSWER, f"{ANSWER} {long_answer}", {"2047", "bridg"}, set()),  # far longer
        (f"{ANSWER} {long_answer} qwertyuiop", "Noted.", {"note"}, {"qwertyuiop", "2047"}),
        ("Noted.", ANSWER, {"addit", "announc"}, {"note"}),  # shorter, then back
    ]
    for number, (old, new, present, absent) in enumerate(steps):
        edit(site, EDITED, old, new)
        out, result = build_site(site)
        assert result.fast, number
        assert tree_bytes(out) == cold(site, tmp_path), number
        terms = set(all_terms(out))
        assert present <= terms and not absent & terms, number


def test_fast_edits_cut_the_unchanged_download_members_from_the_output(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in (generator.downloads, generator.edits):
        monkeypatch.setattr(module, "ARCHIVE_MEMBER", 2)
        monkeypatch.setattr(module, "DOWNLOAD_MEMBER", 1)
    recalled: list[str] = []
    real_get = generator.cache.BuildCache.get_meta

    def get_meta(self: Any, key: str) -> Any:
        if key.startswith(("archive-member:", "download-member:")):
            recalled.append(key.split(":", 1)[0])
        return real_get(self, key)

    monkeypatch.setattr(generator.cache.BuildCache, "get_meta", get_meta)
    out, first = build_site(site)
    archive_members = -(-first.questions // 2)
    recalled.clear()
    append_answer(site, EDITED, "First.")
    out, result = build_site(site)  # no sizes known yet: every member recalled
    assert result.fast and tree_bytes(out) == cold(site, tmp_path)
    assert recalled.count("archive-member") == archive_members > 2
    for sentence in ("Second.", "Third."):
        recalled.clear()
        append_answer(site, EDITED, sentence)
        out, result = build_site(site)
        assert result.fast and tree_bytes(out) == cold(site, tmp_path)
        # the edited question's member of the archive and of its department's CSV and JSON
        assert sorted(recalled) == ["archive-member", "download-member", "download-member"]
    archive = out / "downloads/archive.jsonl.gz"
    data = archive.read_bytes()
    archive.unlink()  # replaced, not written into: the spare's link keeps the right bytes
    archive.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    recalled.clear()
    append_answer(site, EDITED, "Fourth.")
    out, result = build_site(site)  # not the file recorded: every member recalled again
    assert result.fast and tree_bytes(out) == cold(site, tmp_path)
    assert recalled.count("archive-member") == archive_members


def test_the_edit_state_keeps_its_lists_of_strings_through_pickling(site: Path) -> None:
    build_site(site)
    state = generator.edits.load_state(site / CACHE_DIR)
    assert state is not None and len(state.paths) > 5 and len(state.ids) > 5
    lists = ("paths", "ids", "keys")
    again = pickle.loads(pickle.dumps(state))
    assert all(getattr(again, name) == getattr(state, name) for name in lists)
    assert not hasattr(again, "sizes") and not hasattr(again, "digests")  # in NOW_FILE
    assert again.members == state.members and again.file_question == state.file_question
    state.ids[0] = "an\0id"  # the separator inside a string: that list is pickled as a list
    state.keys = []
    again = pickle.loads(pickle.dumps(state))
    assert again.ids == state.ids and again.keys == [] and again.paths == state.paths


def test_a_key_from_question_ids_is_the_key_of_those_questions(site: Path) -> None:
    """An edit keys the download members from ids alone (`of_ids`); a full build keys them
    from the questions (`key`): the two must agree, short tuples and long (hashed apart)."""
    questions = generator.load.load_archive(site / "content").questions * 13  # repeats are fine
    content = {q.id: bytes([n % 256]) * 16 for n, q in enumerate(questions)}
    keys = generator.fingerprint.PageKeys(b"base", content)
    for count in (0, 1, generator.fingerprint.SMALL, generator.fingerprint.SMALL + 1, 99):
        chosen = tuple(questions[:count])
        expected = keys.key("archive-member", "7", {"questions": chosen})
        assert expected is not None and len(expected) == generator.fingerprint.KEY_SIZE
        ids = [q.id for q in chosen]
        assert keys.of_ids("archive-member", "7", "questions", ids) == expected, count
        assert keys.of_ids("archive-member", "8", "questions", ids) != expected, count


def test_a_frozen_dataclass_is_hashed_by_its_name_and_fields(site: Path) -> None:
    """`_memoised` hashes a frozen dataclass (a department, a member) as its class name
    then each field's name and value, from field names looked up once a class: the same
    bytes as from `dataclasses.fields` every time; other classes have no key."""
    archive = generator.load.load_archive(site / "content")
    department = archive.departments[0]
    content = {q.id: bytes([n]) * 16 for n, q in enumerate(archive.questions)}
    keys = generator.fingerprint.PageKeys(b"base", content)
    reference = hashlib.sha256(type(department).__qualname__.encode() + b"<")
    for field in dataclasses.fields(department):
        reference.update(field.name.encode() + b"=")
        generator.fingerprint.PageKeys(b"base", content)._feed(
            reference, getattr(department, field.name)
        )
    expected = b"D" + reference.digest()[: generator.fingerprint.KEY_SIZE]
    assert keys._memoised(department) == expected
    assert keys._memoised(department) == expected  # remembered
    assert keys.key("department.html", "d/", {"department": object()}) is None


def test_a_key_from_parts_depends_on_their_values_not_on_which_objects(site: Path) -> None:
    """`from_parts` hashes each part's repr apart: equal links (other objects) give the
    same key, a link changed, moved or missing another; parts cannot run into each other."""
    question = generator.load.load_archive(site / "content").questions[0]
    keys = generator.fingerprint.PageKeys(b"base", {question.id: b"h" * 16})
    department = Link("Education", "education", "departments/education/")
    topic = Link("Schools", "schools", "topics/schools/", has_page=False)

    def key(*parts: object) -> bytes | None:
        return keys.from_parts("question.html", "q/", question, parts)

    first = key([("q/1/", b"x")], department, None, topic, [])
    assert first is not None
    assert key([("q/1/", b"x")], department, None, topic, []) == first
    copies = (replace(department), replace(topic))
    assert key([("q/1/", b"x")], copies[0], None, copies[1], []) == first
    fresh = generator.fingerprint.PageKeys(b"base", {question.id: b"h" * 16})
    parts = ([("q/1/", b"x")], copies[0], None, copies[1], [])
    assert fresh.from_parts("question.html", "q/", question, parts) == first
    assert key([("q/1/", b"x")], replace(department, name="Edu"), None, topic, []) != first
    assert key([("q/1/", b"x")], None, department, topic, []) != first
    assert key([("q/1/", b"x")], department, topic, []) != first
    assert key("a", "b") != key("a, 'b'") != key("a', 'b")


class _Recorder:
    """A hash object that keeps what it is fed, to compare two ways of feeding it."""

    def __init__(self) -> None:
        self.data = b""

    def update(self, data: bytes) -> None:
        self.data += data


def test_long_lists_are_hashed_as_their_items_one_by_one(site: Path) -> None:
    """`_packed` makes in one join what `_feed` gives each item of a list of questions, of
    (question, text) entries or of strings: the same bytes (so the same keys, and `of_ids`
    still agrees); any other list, item by item; an unknown question, Unknown either way."""
    questions = generator.load.load_archive(site / "content").questions
    content = {q.id: bytes([n]) * 16 for n, q in enumerate(questions)}
    keys = generator.fingerprint.PageKeys(b"base", content)
    texts = ["", "plain", "“quoted” £5", "a\0b", "\udcff surrogate", "é" * 300]
    lists: list[list[Any]] = [
        list(questions),
        [(q, texts[n % len(texts)]) for n, q in enumerate(questions)],
        texts,
        [questions[0], "mixed"],
        [(questions[0], "text"), (questions[1], Markup("<b>"))],
        [(questions[0], "text", "three")],
        [("not a question", "text")],
    ]
    for items in lists:
        packed, one_by_one = _Recorder(), _Recorder()
        keys._sequence(packed, b"[", items)
        one_by_one.update(b"[")
        for item in items:
            keys._feed(one_by_one, item)
        one_by_one.update(b"]" + len(items).to_bytes(8, "little"))
        assert packed.data == one_by_one.data, items[:2]
    assert keys._packed(list(questions)) is not None and keys._packed(texts) is not None
    assert keys._packed([questions[0], "mixed"]) is None
    unknown = generator.fingerprint.PageKeys(b"base", {})
    for items in ([questions[0]], [(questions[0], "text")]):
        with pytest.raises(generator.fingerprint.Unknown):
            unknown._sequence(_Recorder(), b"[", items)
        with pytest.raises(generator.fingerprint.Unknown):
            unknown._feed(_Recorder(), items[0])


def test_a_list_s_entries_are_keyed_by_their_questions(site: Path) -> None:
    """`Entries` (a list's questions with their extracts, as the renderer makes them) are
    keyed by the questions' content hashes: another content hash, order or length gives
    another key; the extracts' text, made from the questions, is covered by them."""
    questions = generator.load.load_archive(site / "content").questions
    content = {q.id: bytes([n]) * 16 for n, q in enumerate(questions)}

    def key(entries: list[tuple[Any, str]], hashes: dict[str, bytes] = content) -> bytes | None:
        keys = generator.fingerprint.PageKeys(b"base", hashes)
        made = generator.fingerprint.Entries(entries)
        return keys.key("topic.html", "t/", {"entries": made})

    pairs = [(q, f"extract {n}") for n, q in enumerate(questions)]
    first = key(pairs)
    assert first is not None
    assert key([(q, "other text") for q, _ in pairs]) == first
    assert key(pairs[::-1]) != first and key(pairs[1:]) != first
    assert key(pairs, {**content, questions[0].id: b"x" * 16}) != first
    assert key(pairs, {}) is None  # an unknown question: no key, always rendered
    plain = generator.fingerprint.PageKeys(b"base", content)
    assert plain.key("topic.html", "t/", {"entries": pairs}) != first  # texts hashed there


def test_an_edited_extract_reaches_the_lists_on_the_full_path(site: Path, tmp_path: Path) -> None:
    """A list page's entries are keyed by their questions, not their extracts' text: an
    answer edited beside a new file (which takes the full path, and its page keys) still
    renders every list that shows its extract again."""
    out, _ = build_site(site)
    page = "departments/department-for-transport/index.html"
    assert "£150 million" in tree_bytes(out)[page].decode("utf-8")
    path = site / "content" / EDITED
    path.write_text(path.read_text(encoding="utf-8").replace("£150", "£175"), encoding="utf-8")
    write_question(site / "content", "commons/2024/new.md", MINIMAL_QUESTION)
    out, result = build_site(site)
    assert not result.fast and not result.unchanged
    after = tree_bytes(out)
    assert "£175 million" in after[page].decode("utf-8")
    assert after == cold(site, tmp_path)


def test_a_pager_is_keyed_by_what_it_is_made_from(site: Path) -> None:
    """A list page's pager (`Renderer.pagination`) is keyed by its list's address, its
    number and the number of pages (`fingerprint.Made`), from which the renderer makes all
    of it (the config, which it also uses, is in every key): the same three values give the
    same pager and key, any other value another key."""
    config = generator.config.load_config(site / "site.yaml", required=True)
    archive = generator.load.load_archive(site / "content")
    theme = generator.render.find_theme(config)
    renderer = generator.render.Renderer(config, archive, theme)
    again = generator.render.Renderer(config, archive, theme)
    keys = generator.fingerprint.PageKeys(b"base", {})

    def key(pager: Any) -> bytes | None:
        return keys.key("topic.html", "t/", {"pagination": pager})

    seen: set[bytes | None] = set()
    for inputs in [("topics/a/", 1, 1), ("topics/a/", 1, 9), ("topics/a/", 5, 9), ("t/", 5, 9)]:
        pager = renderer.pagination(*inputs)
        assert isinstance(pager, generator.fingerprint.Made) and pager.inputs == inputs
        assert pager == again.pagination(*inputs) and key(pager) == key(again.pagination(*inputs))
        assert pager["number"] == inputs[1] and pager["count"] == inputs[2]
        seen.add(key(pager))
    assert len(seen) == 4
