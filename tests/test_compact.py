"""The published HTML carries no template indentation or optional end tags, and pagers
stay small."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import Page

from generator import render
from generator.compact import compact_html, line_breaks, strip_indentation
from generator.render import page_window
from tests.browser_support import BROWSE_FIXTURE
from tests.sitebuild import build_site, copy_archive


def test_indentation_and_blank_lines_are_dropped() -> None:
    html = "<ul>\n  <li>a</li>\n\n    <li>b</li>  \n</ul>\n"
    assert compact_html(html) == "<ul>\n<li>a\n<li>b\n</ul>\n"


def test_whitespace_within_a_line_is_kept() -> None:
    html = "<p>two  spaces <em>and</em>\n    a line</p>"
    assert compact_html(html) == "<p>two  spaces <em>and</em>\na line</p>"


def test_verbatim_elements_are_untouched() -> None:
    pre = "<pre class=x>\n    indented\n\n  code\n</pre>"
    area = "<TEXTAREA>\n  typed\n</TEXTAREA >"
    script = '<script type="module">\n  if (a)\n\n    b();\n</script>'
    html = f"<div>\n  {pre}\n  {area}\n  {script}\n  <p>\n    x\n  </p>\n</div>"
    assert compact_html(html) == f"<div>\n{pre}\n{area}\n{script}\n<p>\nx\n</div>"


def test_compacting_twice_changes_nothing() -> None:
    html = "<div>\n  <pre>\n  a\n</pre>\n\n  <p> b </p>\n</div>\n"
    once = compact_html(html)
    assert compact_html(once) == once


def test_pager_window_shows_ends_and_neighbours() -> None:
    assert page_window(1, 1) == [1]
    assert page_window(1, 5) == [1, 2, 3, 4, 5]
    assert page_window(50, 400) == [1, 0, 48, 49, 50, 51, 52, 0, 400]
    assert page_window(3, 10) == [1, 2, 3, 4, 5, 0, 10]  # no "…" for a gap of one page
    assert page_window(10, 10) == [1, 0, 8, 9, 10]


def test_every_page_is_reachable_and_pagers_stay_small() -> None:
    for count in range(1, 120):
        reached, todo = {1}, [1]
        while todo:
            for number in page_window(todo.pop(), count):
                if number and number not in reached:
                    reached.add(number)
                    todo.append(number)
        assert reached == set(range(1, count + 1))
        assert all(len(page_window(n, count)) <= 9 for n in range(1, count + 1))


def test_optional_end_tags_are_left_out() -> None:
    html = (
        "<ul>\n<li>a</li>\n<li><p>b</p></li>\n</ul>\n<dl><dt>x</dt><dd>y</dd></dl>\n"
        "<table><tr><th>h</th><td>1</td></tr>\n<tr><td>2</td></tr>\n</table>\n"
        "<p>c</p>\n<h2>d</h2>\n<p>e</p><span>f</span>\n"
    )
    assert compact_html(html) == (
        "<ul>\n<li>a\n<li><p>b\n</ul>\n<dl><dt>x<dd>y</dl>\n"
        "<table><tr><th>h<td>1<tr><td>2</tr>\n</table>\n"
        "<p>c\n<h2>d</h2>\n<p>e</p><span>f</span>\n"
    )


def test_end_tags_before_verbatim_text_or_inline_content_stay() -> None:
    html = "<div><p>a</p><pre>\n</p>\n</pre><p>b</p><a>c</a><ul><li>d</li></ul></div>"
    assert (
        compact_html(html) == "<div><p>a</p><pre>\n</p>\n</pre><p>b</p><a>c</a><ul><li>d</ul></div>"
    )


# Each node as [tag, attributes, children] or its text with runs of whitespace made one
# space and trimmed; whitespace-only text is dropped (it renders as nothing between blocks).
_TREE = """html => {
  const walk = node => node.nodeType === Node.TEXT_NODE
    ? node.data.replace(/\\s+/g, " ").trim()
    : [node.nodeName, Array.from(node.attributes || []).map(a => a.name + "=" + a.value).sort(),
       Array.from(node.childNodes).filter(c => c.nodeType !== Node.COMMENT_NODE)
         .map(walk).filter(c => c !== "")];
  return walk(new DOMParser().parseFromString(html, "text/html").documentElement);
}"""


def test_every_page_parses_to_the_same_tree_without_its_optional_end_tags(
    page: Page, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page of the browse fixture, built with and without the end tags left out, gives
    the same document tree in Chromium's HTML parser."""
    site = copy_archive(tmp_path, BROWSE_FIXTURE)
    compacted, _ = build_site(site, tmp_path / "compacted", cache=False, jobs=1)
    monkeypatch.setattr(render, "compact_html", strip_indentation)
    indented, _ = build_site(site, tmp_path / "indented", cache=False, jobs=1)
    pages = sorted(p.relative_to(indented) for p in indented.rglob("*.html"))
    assert len(pages) > 50
    left_out = 0
    for relative in pages:
        full = (indented / relative).read_text(encoding="utf-8")
        short = (compacted / relative).read_text(encoding="utf-8")
        left_out += len(full) - len(short)
        assert page.evaluate(_TREE, short) == page.evaluate(_TREE, full), relative
    assert left_out > 100 * len(pages)


_REFERENCE_RUN = re.compile(r"[ \t]*\n[ \t\n]*")


def _reference(html: str) -> str:
    """The definition: every whitespace run holding a newline, outside verbatim elements,
    replaced by one newline with a regular expression."""
    parts = re.split(r"(<(pre|textarea|script|style)\b.*?</\2\s*>)", html, flags=re.I | re.S)
    out = [
        _REFERENCE_RUN.sub("\n", part) if i % 3 == 0 else part
        for i, part in enumerate(parts)
        if i % 3 != 2
    ]
    return "".join(out)


_PIECES = st.sampled_from(
    [" ", "\t", "\n", "\r", "\xa0", "a", "b c", "<p>", "</p>", "<pre>", "</pre>", "<script>",
     "</script >", "<STYLE>", "</style>", "<", ">"]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=40).map("".join))
@settings(max_examples=500)
def test_line_breaks_match_their_regular_expression_definition(html: str) -> None:
    assert line_breaks(html) == _REFERENCE_RUN.sub("\n", html)
    assert strip_indentation(html) == _reference(html)
