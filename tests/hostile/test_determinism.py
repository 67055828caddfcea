"""Same input, same bytes: two builds in different folders, files created in different orders."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.sitebuild import FIXTURES, build_site, tree_bytes


def _copy_in_order(source: Path, target: Path, reverse: bool) -> None:
    """Copy a tree creating files (and so directory entries) in sorted or reversed order."""
    files = sorted(p for p in source.rglob("*") if p.is_file())
    for path in reversed(files) if reverse else files:
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    source = FIXTURES / "browse"
    first, second = tmp_path / "one" / "site", tmp_path / "elsewhere" / "two" / "site"
    _copy_in_order(source, first, reverse=False)
    _copy_in_order(source, second, reverse=True)
    order_one = [p.name for p in (first / "content" / "questions").rglob("*")]
    order_two = [p.name for p in (second / "content" / "questions").rglob("*")]
    assert sorted(order_one) == sorted(order_two)
    out_one, _ = build_site(first)
    out_two, _ = build_site(second)
    one, two = tree_bytes(out_one), tree_bytes(out_two)
    assert len(one) > 20
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []
