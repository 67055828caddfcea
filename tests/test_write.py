from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import ArchiveError
from generator.write import (
    SiteWriter,
    check_output_folder,
    check_relative,
    publish,
    remove_leftovers,
    spare_folder,
    swap_in,
)


@pytest.mark.parametrize(
    "relative",
    ["../x.html", "/etc/passwd", "a/../../x", "a//b", "a\\..\\b", "a/\x00b", "", "./a"],
)
def test_writer_refuses_paths_outside_the_site(tmp_path: Path, relative: str) -> None:
    writer = SiteWriter(tmp_path / "site")
    with pytest.raises(ArchiveError, match="refusing to write outside the site"):
        writer.write(relative, "x")
    assert not any(tmp_path.rglob("*.html"))


def _unsafe_by_parts(relative: str) -> bool:
    """The rule check_relative implements, as its parts say it: no empty, "." or ".." part."""
    parts = relative.split("/")
    return any(p in ("", ".", "..") for p in parts) or "\x00" in relative or "\\" in relative


@settings(max_examples=3000)
@given(st.text(alphabet="a./\\\x00é", max_size=12))
def test_the_path_check_refuses_exactly_the_unsafe_paths(relative: str) -> None:
    try:
        check_relative(relative)
    except ArchiveError:
        refused = True
    else:
        refused = False
    assert refused == _unsafe_by_parts(relative)


def test_writer_refuses_symlink_escape(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "link").symlink_to(tmp_path)
    with pytest.raises(ArchiveError, match="outside the site"):
        SiteWriter(tmp_path / "site").write("link/x.html", "x")


def test_writer_refuses_two_pages_at_one_path(tmp_path: Path) -> None:
    writer = SiteWriter(tmp_path)
    writer.write("a/index.html", "1")
    with pytest.raises(ArchiveError, match="two pages would be written"):
        writer.write("a/index.html", "2")


def test_publish_replaces_the_old_site_whole(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    (out / "old").mkdir(parents=True)
    (out / "index.html").write_text("old")
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "index.html").write_text("new")
    publish(staging, out)
    assert (out / "index.html").read_text() == "new"
    assert not (out / "old").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site"]


def test_leftovers_of_a_killed_build_are_cleared(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    out.mkdir()
    dead = tmp_path / "._site.building-999999999"
    dead.mkdir()
    remove_leftovers(out)
    assert not dead.exists()


def test_site_moved_aside_is_restored(tmp_path: Path) -> None:
    old = tmp_path / "._site.old-999999999"
    old.mkdir()
    (old / "index.html").write_text("old site")
    remove_leftovers(tmp_path / "_site")
    assert (tmp_path / "_site" / "index.html").read_text() == "old site"


def test_output_folder_must_not_hold_the_content(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    with pytest.raises(ArchiveError, match="would replace"):
        check_output_folder(tmp_path, [content])


def test_output_folder_must_look_like_a_site(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "thesis.docx").write_text("precious")
    with pytest.raises(ArchiveError, match="does not look like a built site"):
        check_output_folder(tmp_path / "out", [])


def test_swap_in_keeps_the_replaced_site_as_the_spare(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    out.mkdir()
    (out / "index.html").write_text("old")
    new = tmp_path / "._site.building-1"
    new.mkdir()
    (new / "index.html").write_text("new")
    swap_in(new, out)
    assert (out / "index.html").read_text() == "new"
    assert (spare_folder(out) / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["._site.spare", "_site"]


def test_an_updated_folder_holds_exactly_the_new_files(tmp_path: Path) -> None:
    root = tmp_path / "spare"
    first = SiteWriter(root)
    first.write("a/index.html", "a")
    first.write("gone/deep/index.html", "gone")
    first.write("b", "file that becomes a folder")
    first.write("c/index.html", "folder that becomes a file")
    second = SiteWriter(root, first.hashes, first.sizes)
    second.write("a/index.html", "a")
    second.write("b/index.html", "b")
    second.write("c", "c")
    second.remove_stale()
    assert {
        p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()
    } == {"a/index.html": "a", "b/index.html": "b", "c": "c"}
    assert not (root / "gone").exists()


def test_a_new_folder_inside_a_linked_folder_is_still_refused(tmp_path: Path) -> None:
    # New folders are made without a check of their own only inside a checked parent: a
    # parent that is a link out of the site fails that check before anything is written.
    (tmp_path / "site").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "site" / "questions").symlink_to(tmp_path / "outside")
    writer = SiteWriter(tmp_path / "site")
    with pytest.raises(ArchiveError, match="outside the site"):
        writer.write("questions/q1/index.html", "x")
    assert list((tmp_path / "outside").iterdir()) == []


def test_files_in_new_folders_replace_what_was_in_the_way(tmp_path: Path) -> None:
    # An earlier build's file where a folder now goes, and its folder where a file now goes.
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a" / "b").write_text("old file", encoding="utf-8")
    (site / "c" / "d").mkdir(parents=True)
    writer = SiteWriter(site)
    for relative in ("a/b/index.html", "a/e/index.html", "c/d", "f/g/index.html"):
        writer.write(relative, relative)
    written = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert written == {"a/b/index.html", "a/e/index.html", "c/d", "f/g/index.html"}
    assert (site / "c" / "d").read_text(encoding="utf-8") == "c/d"


def test_a_twin_gets_a_link_to_every_file_as_it_is_written(tmp_path: Path) -> None:
    site, twin = tmp_path / "site", tmp_path / "twin"
    site.mkdir()
    twin.mkdir()
    writer = SiteWriter(site, twin=twin)
    for relative in ("index.html", "a/b/index.html", "a/c/index.html", "static/x.css"):
        writer.write(relative, relative)
    writer.written.discard("static/x.css")
    writer.write("static/x.css", "a later theme's file")  # copy_tree: the last layer wins

    def files(root: Path) -> dict[str, tuple[str, int]]:
        return {
            p.relative_to(root).as_posix(): (p.read_text(), p.stat().st_ino)
            for p in root.rglob("*")
            if p.is_file()
        }

    assert files(twin) == files(site)
    assert files(site)["static/x.css"][0] == "a later theme's file"
    assert writer.files.twin_complete


def test_a_twin_is_abandoned_when_it_would_lack_a_file(tmp_path: Path) -> None:
    first = SiteWriter(tmp_path / "site")
    first.write("index.html", "home")
    (tmp_path / "twin").mkdir()
    second = SiteWriter(tmp_path / "site", first.hashes, first.sizes, twin=tmp_path / "twin")
    second.write("index.html", "home")  # unchanged: kept, so never linked
    assert not second.files.twin_complete
    assert not SiteWriter(tmp_path / "other").files.twin_complete  # no twin at all
