"""Answer text to safe HTML: Markdown (raw HTML allowed) rendered, then sanitised by allowlist.

Answer text comes from outside the project, so whatever Markdown lets through is cleaned
with nh3: only the tags and attributes an answer needs survive, links only to http(s) and
mailto, and nothing that runs script or loads from elsewhere.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code",
    "em", "strong", "b", "i", "u", "s", "sub", "sup", "small", "abbr", "a",
    "h2", "h3", "h4", "h5", "h6",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start", "type"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_H1 = re.compile(r"<(/?)h1\b", re.IGNORECASE)
_TABLE_OPEN = re.compile(r"<table>")
_TABLE_CLOSE = re.compile(r"</table>")
_DEAD_LINK = re.compile(r"<a(?![^>]*\shref=)[^>]*>(.*?)</a>", re.DOTALL)
_ROOT_RELATIVE_HREF = re.compile(r'(<a\b[^>]*?\bhref=")/(?!/)')


# Python-Markdown's inline patterns (markdown 3.11, pinned), each with the text one of its
# matches must hold: every pattern's regular expression starts with or requires one of these
# (a line break is two spaces before a newline once tabs are expanded and `\r` is `\n`).
# An answer holding none of a pattern's strings cannot match it (the text it is tried on is
# always made of the answer's own characters and placeholders of STX, letters and ETX).
_INLINE_NEEDS = {
    "backtick": ("`",),
    "escape": ("\\",),
    "reference": ("[",),
    "link": ("[",),
    "image_link": ("![",),
    "image_reference": ("![",),
    "short_reference": ("[",),
    "short_image_ref": ("![",),
    "autolink": ("<",),
    "automail": ("<",),
    "linebreak": ("  \n", "\t", "\r"),
    "html": ("<",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
}
# Its block processors likewise: a processor whose test needs one of these never takes a
# block without them (an indent is four spaces once tabs are expanded; the reference
# processor takes every block but gives back any without a `[label]:` definition).
_BLOCK_NEEDS = {
    "indent": ("    ", "\t"),
    "code": ("    ", "\t"),
    "table": ("|",),
    "hashheader": ("#",),
    "setextheader": ("=", "-"),
    "hr": ("-", "_", "*"),
    "olist": (".",),
    "ulist": ("*", "+", "-"),
    "quote": (">",),
    "reference": ("[",),
}
_WHOLE = ("\x02", "\x03")  # Markdown deletes these first, which could join a line break


class AnswerRenderer:
    """Reuses one Markdown instance: building a new one per answer costs more than rendering.

    Python-Markdown tries each of its 14 inline patterns on every piece of text, and each of
    its 12 block processors' tests on every block, in order; most answers can match only a
    few of them (few hold a backquote, a bracket, an asterisk or a `#`), and trying the rest
    was about a third of the Markdown time. Each answer is rendered with the patterns and
    processors its characters allow, in the same order, which gives the same HTML: one that
    cannot match changes nothing where it is tried (a test compares the two on arbitrary
    text and on every answer of the fixtures).
    """

    def __init__(self) -> None:
        # Python-Markdown is imported and set up when an answer first needs it (tens of
        # milliseconds): an edit's build renders one answer, often plain text, and the search
        # index's records are made from the pages' answers.
        self._markdown: Any = None
        self._inline: Any = None
        self._parser: Any = None
        self._patterns: Needs = []
        self._blocks: Needs = []
        self._chosen: dict[tuple[bool, ...], list[Any]] = {}
        self._chosen_blocks: dict[tuple[bool, ...], list[Any]] = {}

    def _set_up(self) -> None:
        import markdown

        self._markdown = markdown.Markdown(
            extensions=["tables", "sane_lists"], output_format="html"
        )
        self._inline = self._markdown.treeprocessors["inline"]
        self._parser = self._markdown.parser
        self._patterns = _needs(self._markdown.inlinePatterns, _INLINE_NEEDS)
        self._blocks = _needs(self._parser.blockprocessors, _BLOCK_NEEDS)

    def _inline_patterns(self, text: str) -> list[Any]:
        """The inline patterns that could match somewhere in `text`, in Markdown's order."""
        return _could_match(self._patterns, self._chosen, text)

    def _block_processors(self, text: str) -> list[Any]:
        """The block processors that could take a block of `text`, in Markdown's order."""
        return _could_match(self._blocks, self._chosen_blocks, text)

    def to_html(self, text: str) -> str:
        if not text.strip():
            return ""
        plain = plain_paragraphs(text)
        return plain if plain is not None else self.markdown_html(text)

    def markdown_html(self, text: str) -> str:
        """What `to_html` gives for any text: Python-Markdown's HTML, sanitised."""
        if self._markdown is None:
            self._set_up()
        self._markdown.reset()
        self._inline.inlinePatterns = self._inline_patterns(text)
        self._parser.blockprocessors = self._block_processors(text)
        rendered = self._markdown.convert(text)
        # The page's own <h1> is the question heading: answers start their headings at <h2>.
        rendered = _H1.sub(r"<\1h2", rendered)
        return wrap_tables(sanitise(rendered))


# Characters that may make Markdown or nh3 write a paragraph's text other than as it is:
# every inline pattern's and block processor's own (see _INLINE_NEEDS, _BLOCK_NEEDS),
# `=` and `-` (setext headings, rules, list items), `+` and `!`, control characters, and
# every white space but the space and the line break (Python's `strip`, which Markdown uses,
# removes them; nh3 writes U+00A0 as `&nbsp;`).
_NOT_PLAIN = re.compile(
    r"[`\\\[\]!<>*_&#|+="
    "\x00-\x09\x0b-\x1f\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
_NUMBERED_LINE = re.compile(r"\n\d+\.")
_PARAGRAPH_BREAK = re.compile(r"\n\n+")


def plain_paragraphs(text: str) -> str | None:
    """The HTML `AnswerRenderer.markdown_html` gives for plain paragraphs, without Markdown
    or nh3; None for any text that is not only plain paragraphs.

    Most answers are a few paragraphs of prose (97 % of the synthetic archive's, 75 % of
    the real data's): no character any Markdown pattern, block processor or the sanitiser
    acts on, no line starting with a blank, `-` or a number and a full stop, none ending in a
    blank. Markdown makes each run of lines between blank lines a `<p>`, joined by line
    breaks, and nh3 leaves that as it is. Made here, that HTML costs about a twentieth of
    the time (a Hypothesis test compares the two on text made of those characters and their
    neighbours, and every fixture answer is compared).
    """
    body = text.strip("\n")
    if not body or _NOT_PLAIN.search(body):
        return None
    lines = f"\n{body}\n"
    if "\n " in lines or " \n" in lines or "\n-" in lines or _NUMBERED_LINE.search(lines):
        return None
    return "\n".join([f"<p>{paragraph}</p>" for paragraph in _PARAGRAPH_BREAK.split(body)])


Needs = list[tuple[Any, tuple[str, ...] | None]]


def _needs(registry: Any, needs: dict[str, tuple[str, ...]]) -> Needs:
    """Each item of a Markdown registry in its order, with what its text needs (None: kept)."""
    by_id = {id(registry[name]): n for name, n in needs.items() if name in registry}
    return [(item, by_id.get(id(item))) for item in registry]


def _could_match(items: Needs, chosen: dict[tuple[bool, ...], list[Any]], text: str) -> list[Any]:
    """The items of `items` whose needs `text` meets (remembered by which it meets)."""
    if any(c in text for c in _WHOLE):
        return [item for item, _needs in items]
    key = tuple(needs is None or any(n in text for n in needs) for _, needs in items)
    found = chosen.get(key)
    if found is None:
        found = chosen[key] = [item for (item, _), keep in zip(items, key, strict=True) if keep]
    return found


@dataclass(frozen=True)
class Fragment:
    """An answer as safe HTML, and its visible text (for extracts)."""

    html: str
    text: str


def answer_fragment(answers: AnswerRenderer, markdown_text: str) -> Fragment:
    """An answer's HTML and visible text; for plain paragraphs (`plain_paragraphs`), the
    text is the Markdown's own with its runs of white space made one space, as
    `fragment_text` leaves such HTML (no tags but the paragraphs', nothing to unescape)."""
    if not markdown_text.strip():
        return Fragment("", "")
    plain = plain_paragraphs(markdown_text)
    if plain is not None:
        return Fragment(plain, one_line(markdown_text))
    html_text = answers.markdown_html(markdown_text)
    return Fragment(html_text, fragment_text(html_text) if html_text else "")


def sanitise(fragment: str) -> str:
    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return unwrap_dead_links(cleaned)


def unwrap_dead_links(fragment: str) -> str:
    """Keep the text of a link whose address was removed: an <a> without href is invalid HTML.

    nh3 output never nests links, so the next </a> closes the dead one.
    """
    return _DEAD_LINK.sub(r"\1", fragment)


def wrap_tables(fragment: str) -> str:
    """Let wide tables scroll on a phone; the wrapper is focusable so keyboards can scroll it."""
    opened = _TABLE_OPEN.sub(
        '<div class="table-scroll" tabindex="0" role="region" aria-label="Table"><table>', fragment
    )
    return _TABLE_CLOSE.sub("</table></div>", opened)


def rebase_links(fragment: str, base_path: str) -> str:
    """Site pages write links from the site root ('/departments/'); under a project subpath
    ('/repo/') they must start with it, so the same page works wherever the site is hosted."""
    if base_path == "/":
        return fragment
    return _ROOT_RELATIVE_HREF.sub(lambda m: m.group(1) + base_path, fragment)


def one_line(text: str) -> str:
    r"""`text` with every run of white space made one space, none at either end: what
    `re.sub(r"\s+", " ", text).strip()` gives (str's `split` knows the same white space as
    `re`'s `\s`: a test compares the two), at a fifth of the cost, for every answer."""
    return " ".join(text.split())


def plain_text(fragment: str) -> str:
    """The visible text of an HTML fragment, on one line."""
    text = nh3.clean(fragment.replace("<", " <"), tags=set())
    return one_line(html.unescape(text))


# A tag as nh3 writes it: `<` and `>` are written `&lt;` and `&gt;` in text and in
# attribute values alike, and no comments are left, so a tag is `<` to the next `>`.
_SANITISED_TAG = re.compile(r"<[^>]*>")


def fragment_text(fragment: str) -> str:
    """`plain_text(fragment)` for HTML that `AnswerRenderer.to_html` made, without parsing
    it again: in nh3's output every `<` opens a tag and every tag ends at the next `>`,
    so dropping the tags leaves exactly the text a parser finds
    (in the same order: the sanitised tree is one a parser rebuilds as it is), still
    escaped as `plain_text`'s parse leaves it. Half the time of `plain_text`; a test
    compares the two on arbitrary Markdown and every answer of the fixtures."""
    text = _SANITISED_TAG.sub("", fragment.replace("<", " <"))
    return one_line(html.unescape(text))


def extract(text: str, length: int) -> str:
    """At most `length` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"
