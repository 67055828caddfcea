"""The published HTML carries no template indentation or optional end tags, and pagers
stay small."""

from __future__ import annotations

import itertools
import re
import shutil
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from playwright.sync_api import Page

from generator import compact, render
from generator.compact import (
    compact_html,
    compact_paragraphs,
    compact_within,
    line_breaks,
    strip_indentation,
)
from generator.markup import plain_paragraphs
from generator.render import page_window
from tests.browser_support import BROWSE_FIXTURE, serve
from tests.pagetext import quoted
from tests.sitebuild import build_site, copy_archive


def test_indentation_and_blank_lines_are_dropped() -> None:
    html = "<span>\n  <em>a</em>\n\n    <b>b</b>  \n</span>\n"
    assert compact_html(html) == "<span>\n<em>a</em>\n<b>b</b>\n</span>\n"


def test_line_breaks_beside_block_level_tags_are_dropped() -> None:
    html = "<ul>\n  <li>a</li>\n\n    <li><a>b</a>\n<span>c</span></li>  \n</ul>\n<p>\nd\n</p>x"
    # the line break between the two inline elements renders as a space, so it stays
    assert compact_html(html) == "<ul><li>a<li><a>b</a>\n<span>c</span></ul><p>d</p>x"


def test_whitespace_within_a_line_is_kept() -> None:
    html = "<p>two  spaces <em>and</em>\n    a line</p>"
    assert compact_html(html) == "<p>two  spaces <em>and</em>\na line</p>"


def test_verbatim_elements_are_untouched() -> None:
    pre = "<pre class=x>\n    indented\n\n  code\n</pre>"
    area = "<TEXTAREA>\n  typed\n</TEXTAREA >"
    script = '<script type="module">\n  if (a)\n\n    b();\n</script>'
    html = f"<div>\n  {pre}\n  {area}\n  {script}\n  <p>\n    x\n  </p>\n</div>"
    assert compact_html(html) == f"<div>{pre}\n{area}\n{script}<p>x</div>"


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
        "<ul><li>a<li><p>b</ul><dl><dt>x<dd>y</dl>"
        "<table><tr><th>h<td>1<tr><td>2</tr></table>"
        "<p>c<h2>d</h2><p>e</p><span>f</span>\n"
    )


def test_end_tags_before_verbatim_text_or_inline_content_stay() -> None:
    html = "<div><p>a</p><pre>\n</p>\n</pre><p>b</p><a>c</a><ul><li>d</li></ul></div>"
    assert (
        compact_html(html) == "<div><p>a</p><pre>\n</p>\n</pre><p>b</p><a>c</a><ul><li>d</ul></div>"
    )


def test_attribute_values_lose_their_quotes_where_html_allows_it() -> None:
    html = (
        '<html lang="en"><head><meta name="viewport" content="width=device-width">'
        '<link rel="icon" href="/x.svg"></head><body>'
        '<a class="skip" href="/r/a/" title="two words">x</a>'
        '<input value="a=b" name="q" data-x="it\'s" data-y="`" data-z="">'
        '<img src="x.png" alt="y"/><span>he said x="y" then</span>'
        '<a title="a&gt;b" href="/r/">y</a></body></html>'
    )
    head, body = compact_html(html).split("<body>")
    assert head == (
        '<html lang="en"><head><meta name="viewport" content="width=device-width">'
        '<link rel="icon" href="/x.svg"></head>'
    )
    assert body == (
        '<a class=skip href=/r/a/ title="two words">x</a>'
        '<input value="a=b" name=q data-x="it\'s" data-y="`" data-z="">'
        '<img src=x.png alt="y"/><span>he said x="y" then</span>'
        "<a title=a&gt;b href=/r/>y</a>"
    )


def test_tests_read_pages_with_their_quotes_put_back() -> None:
    """tests/pagetext.quoted, through which other tests look for links and attributes, gives
    back the quoted spelling and changes nothing else."""
    page = (
        '<!doctype html><html lang="en"><body><a class="a b" href="/r/x/">he said x="y"</a>'
        '<input type=search name=q download><svg viewBox="0 0 1 1"><line x1=0 /></svg>'
        "<p>&amp; &#39;<!-- c --></body></html>"
    )
    assert quoted(page) == page.replace("x1=0 ", 'x1="0" ').replace(
        "<input type=search name=q ", '<input type="search" name="q" '
    )
    assert quoted(compact_html(page)) == quoted(page).removesuffix("</body></html>")


def test_the_optional_end_of_the_document_is_left_out() -> None:
    html = "<!doctype html><html><head></head><body><div>x</div>\n</body>\n</html>\n"
    assert compact_html(html) == "<!doctype html><html><head></head><body><div>x</div>"


@pytest.fixture(scope="module")
def both_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The browse fixture built as published, and from the readable templates (as the site's
    own, so that every page is made from them) with their indentation alone stripped (every
    line break, optional end tag and quote kept), each in a folder of its own so that both can
    be served under the site's path."""
    tmp = tmp_path_factory.mktemp("compact")
    site = copy_archive(tmp, BROWSE_FIXTURE)
    compacted, _ = build_site(site, tmp / "short" / "site", cache=False, jobs=1)
    shutil.copytree(render.PROJECT_THEMES / "default" / "templates", site / "templates")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "compact_html", strip_indentation)
        indented, _ = build_site(site, tmp / "full" / "site", cache=False, jobs=1)
    return compacted, indented


def _pages(site: Path) -> list[Path]:
    pages = sorted(p.relative_to(site) for p in site.rglob("*.html"))
    assert len(pages) > 50
    return pages


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
    page: Page, both_builds: tuple[Path, Path]
) -> None:
    """Every page of the browse fixture, built with and without the end tags, line breaks and
    quotes left out, gives the same document tree in Chromium's HTML parser (attribute
    values included)."""
    compacted, indented = both_builds
    left_out = 0
    for relative in _pages(indented):
        full = (indented / relative).read_text(encoding="utf-8")
        short = (compacted / relative).read_text(encoding="utf-8")
        left_out += len(full) - len(short)
        assert page.evaluate(_TREE, short) == page.evaluate(_TREE, full), relative
    assert left_out > 200 * len(_pages(indented))


# What a reader sees: the rendered text (innerText follows the CSS white-space rules and
# block boundaries), the page's scroll size, and the box of every element and every
# non-blank text node of the body, to a hundredth of a pixel.
_LAYOUT = """() => {
  const box = r => [r.x, r.y, r.width, r.height].map(v => Math.round(v * 100) / 100);
  const range = document.createRange();
  const boxes = [];
  const shown = NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT;
  const walker = document.createTreeWalker(document.body, shown);
  for (let node = walker.currentNode; node; node = walker.nextNode()) {
    if (node.nodeType === Node.TEXT_NODE) {
      if (!node.data.trim()) continue;
      range.selectNodeContents(node);
      boxes.push(["#text", node.data.trim(), box(range.getBoundingClientRect())]);
    } else {
      boxes.push([node.nodeName, box(node.getBoundingClientRect())]);
    }
  }
  const root = document.documentElement;
  return [document.body.innerText, root.scrollWidth, root.scrollHeight, boxes];
}"""


def test_every_page_renders_the_same_without_the_line_breaks_beside_blocks(
    page: Page, both_builds: tuple[Path, Path]
) -> None:
    """The line breaks left out beside block-level tags were white space that CSS never
    renders: every page, served with its stylesheet, lays out to the same boxes and text as
    the page that keeps them, on a wide and a narrow screen (flex rows wrap differently)."""
    with ExitStack() as stack:
        urls = [stack.enter_context(contextmanager(serve)(site)) for site in both_builds]
        for relative in _pages(both_builds[1]):
            path = relative.as_posix().removesuffix("index.html")
            layouts = []
            for base in urls:
                page.set_viewport_size({"width": 1280, "height": 800})
                page.goto(base + path)
                wide = page.evaluate(_LAYOUT)
                page.set_viewport_size({"width": 375, "height": 800})
                layouts.append((wide, page.evaluate(_LAYOUT)))
            assert layouts[0] == layouts[1], relative


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


_BLOCK_REFERENCE = re.compile(rf"</?(?:{compact._BLOCKS})(?:[\s/][^>]*)?>")


def _reference_block_breaks(text: str) -> str:
    """The definition, line by line: a line break goes when the line before it ends in a
    block-level tag (from its last `<`) or the line after it starts with one."""
    lines = text.split("\n")
    out = [lines[0]]
    for previous, line in itertools.pairwise(lines):
        after_block = previous.endswith(">") and _BLOCK_REFERENCE.fullmatch(
            previous, previous.rfind("<")
        )
        if not (after_block or _BLOCK_REFERENCE.match(line)):
            out.append("\n")
        out.append(line)
    return "".join(out)


_TAG_PIECES = st.sampled_from(
    ["\n", "\n", " ", "\t", "\x0c", "\xa0", "/", "<", ">", "=", '"', "'", "`", "a", "x=1",
     "<p>", "</p>", "<p", "<li>", "</li>", "<div class=", "<dl>", "<details open>", "<h2>",
     "<br>", "<span>", "</a>", "<a href=", '"/x/"', '"a b"', '"x"', "<hr/>", "<td ", "</body>",
     "</html>", "<body>", "\u2028"]
)  # fmt: skip


@given(st.lists(_TAG_PIECES, max_size=40).map("".join))
@settings(max_examples=1000)
def test_the_compact_passes_match_their_definitions(text: str) -> None:
    """Each pass rewritten for speed (patterns that start with a literal, `split` and `join`
    instead of a template, string methods) gives what its plain definition gives."""
    assert compact._block_breaks(text) == _reference_block_breaks(text)
    quoted = re.compile(r"""="([^\s"'=<>`]+)"(?=>|\s[^<>]*>)""")
    assert "".join(compact._QUOTED_VALUE.split(text)) == quoted.sub(r"=\1", text)
    between = re.compile(r"(?:(?<=>)|^)\n(?=<|$)")
    assert compact._BETWEEN_TAGS.sub("", text) == between.sub("", text)
    document_end = re.compile(r"</body>\s*</html>\s*\Z")
    assert compact._without_document_end(text) == document_end.sub("", text)


_PARAGRAPH_PIECES = st.sampled_from(
    ["Word", "the", " ", "  ", ".", '"', "=", "'", "é", "\u2028", "\xa0", "\t", "\r", "\n",
     "\n\n", " \n", "\n ", "<p>", "</p>", "</p>\n<p>", "<b>", "&lt;", ">", "<", "/"]
)  # fmt: skip


@given(st.lists(_PARAGRAPH_PIECES, max_size=30).map("".join))
@settings(max_examples=1500, deadline=None)
def test_plain_paragraphs_compact_as_the_pass_compacts_them(text: str) -> None:
    for fragment in (f"<p>{text}</p>", plain_paragraphs(text)):
        if fragment is None:
            continue
        placed = compact_paragraphs(fragment)
        if placed is not None:
            assert placed == compact_within(
                render.ANSWER_PLACE[0], fragment, render.ANSWER_PLACE[1]
            )


# The former definition of what `compact.plain_text` rejects
_NOT_PLAIN_TEXT = re.compile(r"[<>\t]| \n|\n[ \n]")


@given(st.lists(_PARAGRAPH_PIECES, max_size=30).map("".join) | st.text())
@settings(max_examples=500)
def test_plain_text_is_what_the_pattern_found_nothing_in(text: str) -> None:
    assert compact.plain_text(text) == (not _NOT_PLAIN_TEXT.search(text))


def test_plain_paragraphs_are_compacted_without_the_pass() -> None:
    fragment = "<p>One two.\nThree  four.</p>\n<p>Five.</p>"
    assert compact_paragraphs(fragment) == "<p>One two.\nThree  four.<p>Five."
    for other in ("<p>A</p>\n<ul><li>b</li></ul>", "<p>A \nb</p>", "<p>a</p>\n\n<p>b</p>"):
        assert compact_paragraphs(other) is None
