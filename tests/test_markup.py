import re
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.frontmatter import parse_document
from generator.markup import (
    AnswerRenderer,
    Fragment,
    answer_fragment,
    extract,
    fragment_text,
    one_line,
    plain_paragraphs,
    plain_text,
    sanitise,
)

FIXTURES = Path(__file__).parent / "fixtures"


class EveryPattern(AnswerRenderer):
    """Python-Markdown as configured, trying every inline pattern and block processor on
    every text (plain paragraphs too)."""

    def to_html(self, text: str) -> str:
        return self.markdown_html(text) if text.strip() else ""

    def _inline_patterns(self, text: str) -> list[Any]:
        return [pattern for pattern, _needs in self._patterns]

    def _block_processors(self, text: str) -> list[Any]:
        return [processor for processor, _needs in self._blocks]


_MARKDOWN_PIECES = st.sampled_from(
    ["a", "word", " ", "  ", "\n", "\n\n", "\t", "\r", "\x02", "\x03", "*", "**", "_", "__",
     "`", "``", "\\", "[", "]", "(", ")", "![", "](http://x.example/)", "[1]", "[1]: http://y/",
     "<", ">", "<b>", "</b>", "<http://a.example/>", "<me@a.example>", "&", "&amp;", "&#38;",
     "#", "- ", "1. ", "* ", "+ ", "> ", "|", "|---|", "---", "===", "***", "___", "    code",
     "[a]: http://z/ 'T'", "\n    "]
)  # fmt: skip


def test_markdown_lists_tables_and_links() -> None:
    html = AnswerRenderer().to_html(
        "Intro\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[GOV.UK](https://www.gov.uk/)"
    )
    assert "<li>one</li>" in html
    assert '<div class="table-scroll" tabindex="0" role="region" aria-label="Table"><table>' in html
    assert "<td>2</td>" in html
    assert '<a href="https://www.gov.uk/" rel="noopener noreferrer nofollow">GOV.UK</a>' in html


def test_scripts_handlers_and_bad_urls_are_removed() -> None:
    html = AnswerRenderer().to_html(
        '<script>alert(1)</script><img src=x onerror="alert(2)">'
        '<a href="javascript:alert(3)">j</a><a href="data:text/html,x">d</a>'
        '<p style="background:url(x)" onclick="alert(4)">text</p><iframe src="https://x"></iframe>'
    )
    for bad in (
        "<script",
        "alert",
        "onerror",
        "javascript:",
        "data:",
        "style=",
        "onclick",
        "iframe",
    ):
        assert bad not in html
    assert "text" in html


def test_headings_start_below_the_page_heading() -> None:
    assert AnswerRenderer().to_html("# Heading") == "<h2>Heading</h2>"


def test_empty_answer_renders_nothing() -> None:
    assert AnswerRenderer().to_html("  \n") == ""


def test_sanitise_keeps_allowed_structure() -> None:
    kept = '<table><tbody><tr><td colspan="2">x</td></tr></tbody></table>'
    assert sanitise(kept) == kept


def test_plain_text_and_extract() -> None:
    assert plain_text("<p>One&amp;two</p><p>three</p>") == "One&two three"
    assert extract("alpha beta gamma", 100) == "alpha beta gamma"
    assert extract("alpha beta, gamma delta", 12) == "alpha beta…"


def test_links_whose_address_is_removed_keep_only_their_text() -> None:
    html = AnswerRenderer().to_html(
        '<p><a href="javascript:alert(1)" title="t">first</a> and '
        '<a href="https://www.gov.uk/">kept</a> and [third](vbscript:x)</p>'
    )
    assert "<a " not in html.replace('<a href="https://www.gov.uk/"', "")
    assert "first and " in html
    assert ">kept</a>" in html
    assert "third" in html


@given(st.lists(_MARKDOWN_PIECES, max_size=30).map("".join))
@settings(max_examples=1500, deadline=None)
def test_inline_patterns_left_out_change_nothing(text: str) -> None:
    assert AnswerRenderer().to_html(text) == EveryPattern().to_html(text)


_HTML_PIECES = st.sampled_from(
    ["a", " b ", "\n", "\xa0", "&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&#8217;", "\u2019",
     "\x0b", "\r", "<", ">", '"', "<b>", "</b>", "<p>", "</p>", "<br>",
     "<table><tr><td>", "</td></tr></table>",
     "<ul><li>", "</li></ul>", '<a href="https://x.example/?a=1&b=2" title="x > y">', "</a>",
     '<abbr title="a &quot;b&quot;">', "</abbr>", "<!-- c -->", "<script>s</script>",
     "<h1>", "</h1>", "**", "[l](http://y.example/)", "\n\n", "| a |\n|---|\n| b |\n"]
)  # fmt: skip


@given(st.lists(_HTML_PIECES, max_size=30).map("".join))
@settings(max_examples=1500, deadline=None)
def test_fragment_text_is_plain_text_of_rendered_answers(text: str) -> None:
    fragment = AnswerRenderer().to_html(text)
    assert fragment_text(fragment) == plain_text(fragment)


def test_fixture_answers_render_the_same_with_fewer_patterns() -> None:
    answers, every = AnswerRenderer(), EveryPattern()
    texts = [
        parse_document(path.read_text(encoding="utf-8"), require_front_matter=False).body
        for path in sorted(FIXTURES.rglob("*.md"))
    ]
    assert len(texts) > 40
    for text in texts:
        fragment = answers.to_html(text)
        assert fragment == every.to_html(text)
        assert fragment_text(fragment) == plain_text(fragment)


def test_plain_answers_are_tried_with_few_patterns_and_block_processors() -> None:
    answers = AnswerRenderer()
    assert answers._markdown is None  # set up when an answer first needs Markdown
    answers.markdown_html("Set *up*.")
    every = len(answers._patterns)
    assert len(answers._inline_patterns("The Minister said so.\n\nTwice.")) == 0
    assert len(answers._inline_patterns("See <b>this</b> & *that*.")) == 5 < every
    assert len(answers._inline_patterns("A\x02B")) == every
    blocks = len(answers._blocks)
    assert len(answers._block_processors("The Minister said so.\n\nTwice.")) == 3 < blocks
    assert len(answers._block_processors("A\x03B")) == blocks


# Plain prose and its neighbours: characters the shortcut must leave to Markdown (each
# special character, every kind of white space, line starts that make lists and headings).
_PROSE_PIECES = st.sampled_from(
    ["Word", "the", " ", "  ", ".", ",", "'", '"', "(", ")", ":", ";", "?", "%", "/", "£",
     "\u2019", "é", "2024", "1", "1.", "12.", "-", "--", "=", "+", "!", "#", "*", "_", "`", "|",
     "<", ">", "&", "\\", "[", "]", "\n", "\n\n", "\n\n\n", "\n ", " \n", "\t", "\r",
     "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2028", "\u3000", "\x00", "\x02", "\x7f",
     "\ufeff", "\ufffd", "    "]
)  # fmt: skip


@given(st.lists(_PROSE_PIECES, max_size=40).map("".join) | st.text())
@settings(max_examples=2000, deadline=None)
def test_plain_paragraphs_are_what_markdown_and_nh3_make_of_them(text: str) -> None:
    plain = plain_paragraphs(text)
    fragment = EveryPattern().to_html(text)
    if plain is not None:
        assert plain == fragment
    assert answer_fragment(AnswerRenderer(), text) == Fragment(
        fragment, fragment_text(fragment) if fragment else ""
    )


def test_plain_answers_skip_markdown_and_others_do_not() -> None:
    text = "The Minister said so (in 2024).\nTwice, at £5.\n\n\nThen: “yes”? 12 of them."
    assert plain_paragraphs(text) == (
        "<p>The Minister said so (in 2024).\nTwice, at £5.</p>\n<p>Then: “yes”? 12 of them.</p>"
    )
    assert AnswerRenderer().to_html(f"\n{text}\n\n") == plain_paragraphs(text)
    for markdown in ("A *b*", "A\n- b", "A\n1. b", "A  \nb", " A", "A\n===", "A &amp; b"):
        assert plain_paragraphs(markdown) is None
    for blank in (c for c in map(chr, range(0x3001)) if c.isspace() and c not in " \n"):
        assert plain_paragraphs(f"A{blank}b") is None  # Markdown strips what Python strips


_SPACES = "".join(chr(c) for c in range(0x110000) if chr(c).isspace() or re.match(r"\s", chr(c)))


@given(st.text(st.one_of(st.sampled_from(_SPACES + "ab<&;"), st.characters()), max_size=40))
@settings(max_examples=2000, deadline=None)
def test_one_line_collapses_white_space_as_the_expression_does(text: str) -> None:
    """`one_line` (str's `split`) makes every run of what `re`'s `\\s` matches one space and
    strips both ends, as the regular expression it replaced does, for any white space."""
    assert one_line(text) == re.sub(r"\s+", " ", text).strip()


def test_every_white_space_character_is_one_for_both() -> None:
    assert len(_SPACES) > 20
    for space in _SPACES:
        text = f"{space}a{space}{space}b{space}"
        assert one_line(text) == re.sub(r"\s+", " ", text).strip() == "a b"
