"""Drop the bytes that templates leave in rendered HTML but that no browser needs.

Templates are indented for people to read; in the published page that indentation is pure
weight, repeated on every one of tens of thousands of pages (about 6 % of the site). Between
tags, a run of whitespace containing a line break renders exactly like a single line break,
so replacing each such run with one newline changes no rendering, except inside elements
whose whitespace is significant or not HTML at all: `pre`, `textarea`, `script` and `style`
are copied byte for byte.

End tags that HTML makes optional go too (`</li>` before the next `<li>` or the end of its
list, `</dt>`, `</dd>`, `</p>` before a block, `</td>`, `</th>`, `</tr>`): the parser closes
those elements at exactly the same place, so the document tree is the same, element for
element (a browser test compares the trees of every page type). Only the whitespace between
the element and the next tag moves inside the element, where it renders as nothing (within a
table it goes, since whitespace between cells and rows never renders, and a cell's text stays
exactly its own). That is about 140 bytes a question page and 5 bytes a list entry.

In the body, three more things go that the parser or the renderer makes no use of:
- the line break beside a block-level tag (`</h3>` then `<p>`, `<li>` then `<h3>`, the end of
  a paragraph's text then the next `<li>`). Between two blocks it is an anonymous box of
  collapsible white space, and at the start or end of a line CSS removes it (`white-space:
  normal`, the only mode this theme uses outside `pre`), so nothing moves by a pixel: a
  browser test renders every page type both ways and compares the text and the box of
  every element. A line break between inline content (`</a>` then `<span>`) renders as a
  space and stays;
- the quotes around attribute values that HTML allows unquoted (`class=wrap`,
  `href=/repo/x/`: no space, quote, `=`, `<`, `>` or backtick). The head keeps its quotes,
  since scrapers of Open Graph tags and feeds' autodiscovery links read it with less
  forgiving parsers than browsers;
- `</body>` and `</html>` at the end of the page, optional end tags like the others.

The pass is a pure function of its input, so output stays deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_VERBATIM = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2\s*>)", re.IGNORECASE | re.DOTALL)
# A line break between two tags; at the edges of a text part the tag beside it is that of a
# `script` or `style` element (or `<body>`, where the head part ends).
# (The newline comes first in the pattern, its context after: a pattern that starts with the
# newline is only tried where there is one, rather than at every character.)
_BETWEEN_TAGS = re.compile(r"\n(?:(?<=>\n)|(?<=^\n))(?=<|$)")
_BODY = re.compile(r"<body\b[^>]*>\n?")
# Each end tag, when what follows it (after any whitespace) closes it anyway: the HTML
# standard's "optional tags" rules (a `p` only before tags that close an open `p`).
_P_CLOSERS = (
    "address|article|aside|blockquote|details|div|dl|fieldset|figcaption|figure|footer|form"
    "|h[1-6]|header|hgroup|hr|main|menu|nav|ol|p|pre|section|ul"
)
_P_PARENTS = "li|dd|div|section|article|aside|blockquote|header|footer|main|nav|td|th|details"
_OPTIONAL_END = re.compile(
    r"</li>(?=\s*<(?:li\b|/(?:ul|ol|menu)>))"
    r"|</dt>(?=\s*<d[td]\b)"
    r"|</dd>(?=\s*<(?:d[td]\b|/dl>))"
    rf"|</p>(?=\s*<(?:(?:{_P_CLOSERS})\b|/(?:{_P_PARENTS})>))"
    r"|</t[dh]>\s*(?=<(?:t[dh]\b|/tr>))"
    r"|</tr>\s*(?=<(?:tr\b|/(?:tbody|thead|tfoot)>))"
)


_BLOCKS = (
    "address|article|aside|blockquote|body|caption|dd|details|div|dl|dt|fieldset|figcaption"
    "|figure|footer|form|h[1-6]|header|hgroup|hr|li|main|menu|nav|ol|p|search|section|summary"
    "|table|tbody|td|tfoot|th|thead|tr|ul"
)
# The rules below read `<` and `>` as the delimiters of tags, which outside the verbatim
# elements is all they are here: templates escape both in text and attribute values (Jinja's
# autoescape), and so does the sanitiser for answers (nh3 writes `&lt;`, `&gt;`, even inside
# attribute values), whose double-quoted values never hold a `"` either.
_BLOCK_TAG = rf"</?(?:{_BLOCKS})"
# A line break that ends a line ending in a block-level tag (the tag starts at the line's
# last `<`, so holds none), and one that starts a line beginning with one; in either the
# tag stays within its line. Each captures what it keeps, so `split` and `join` drop the
# line break, all in C: a literal replacement or a `\1` template cost a Python call a match.
_BREAK_AFTER_BLOCK = re.compile(rf"({_BLOCK_TAG}(?:(?:[^\S\n]|/)[^<>\n]*)?>)\n")
_BREAK_BEFORE_BLOCK = re.compile(rf"\n(?={_BLOCK_TAG}(?:(?:[^\S\n]|/)[^>\n]*)?>)")
# An attribute value that needs no quotes: one or more characters, none of them white
# space, a quote, `=`, `<`, `>` or a backtick.
_BARE_VALUE = r"""[^\s"'=<>`]+"""
# A double-quoted value that needs no quotes, inside a tag (the next `<` or `>` is the tag's
# `>`; in text it would be the next tag's `<`), followed by the next attribute or the tag's
# end (not by `/>`: unquoted, the `/` would become part of the value).
_QUOTED_VALUE = re.compile(rf"""(=)"({_BARE_VALUE})"(?=>|\s[^<>]*>)""")


def compact_html(html: str) -> str:
    """`html` with whitespace runs holding a line break reduced to one newline (none at all
    between the tags of the head, nor beside a block-level tag in the body), the optional end
    tags left out, and the body's attribute values unquoted where HTML allows it."""
    return _without_document_end(_outside_verbatim(html, _compact_body, _compact_head))


# What `_QUOTED_VALUE` unquotes.
_UNQUOTED_VALUE = re.compile(_BARE_VALUE)


def attribute_value(text: str) -> str:
    """An escaped attribute value as `compact_html` writes it in the body of a page, followed by
    `>` or by white space and another attribute: bare where HTML allows it, else quoted.

    The compact templates (`themes/default/compact`) put each value they cannot know in
    advance through this, so the quotes are exactly the pass's. A value left bare is
    returned as it came (the same object).
    """
    return text if _UNQUOTED_VALUE.fullmatch(text) else f'"{text}"'


def compact_within(before: str, fragment: str, after: str) -> str:
    """`fragment` (HTML from outside the templates, such as an answer) as `compact_html` leaves
    it in the body of a page between the markup `before` and `after`.

    Every pass looks at most at the tag just before a line break and the next tag after an
    end tag, so what lies beyond `before` and `after` makes no difference: compacted once in
    its place, a fragment needs nothing more on any page that shows it there.
    """
    compacted = compact_html(f"<body>{before}{fragment}{after}")
    start = len("<body>") + len(before)
    if compacted[:start] != f"<body>{before}" or not compacted.endswith(after):
        raise ValueError(f"compact_within: {before!r} and {after!r} must be compact markup")
    return compacted[start : len(compacted) - len(after)]


def compact_paragraphs(fragment: str) -> str | None:
    """`compact_within(before, fragment, "</div>")` for a fragment of plain paragraphs (as
    `markup.plain_paragraphs` writes them: `<p>` and text, `</p>` and a line break between
    them), by string methods; None for any other fragment, or any text with a character
    or white space the pass acts on. The pass leaves out each `</p>` (the next `<p>` or the
    `</div>` closes it) and the line break before each `<p>`, and nothing else there: the
    text has no tag, tab, or line break beside a blank or at its ends (a test compares
    this with `compact_within`)."""
    if not fragment.startswith("<p>") or not fragment.endswith("</p>"):
        return None
    paragraphs = fragment[3:-4].split("</p>\n<p>")
    for text in paragraphs:
        if not text or not plain_text(text) or text[0] in " \n" or text[-1] in " \n":
            return None
    return "<p>" + "<p>".join(paragraphs)


def plain_text(text: str) -> bool:
    """True when `text` holds no `<`, `>`, tab, or line break beside a blank or another
    line break: six scans in C, where one pattern of alternatives was tried at every
    character (9 us a paragraph; a test compares the two)."""
    return not (
        "<" in text
        or ">" in text
        or "\t" in text
        or " \n" in text
        or "\n " in text
        or "\n\n" in text
    )


def _without_document_end(html: str) -> str:
    """`html` without `</body>` and `</html>` (and the whitespace around them) at its end;
    string methods, where a pattern was a search through the whole page."""
    rest = html.rstrip()
    if rest.endswith("</html>"):
        rest = rest[: -len("</html>")].rstrip()
        if rest.endswith("</body>"):
            return rest[: -len("</body>")]
    return html


def _compact_body(text: str) -> str:
    return "".join(_QUOTED_VALUE.split(_block_breaks(_compact_text(text))))


def _block_breaks(text: str) -> str:
    """`text` (whose whitespace runs are single line breaks) without the line breaks that
    follow or precede a block-level tag."""
    return _BREAK_BEFORE_BLOCK.sub("", "".join(_BREAK_AFTER_BLOCK.split(text)))


def _compact_text(text: str) -> str:
    # Leaving out `</p>` and `</li>` in "</p>\n</li>\n</ol>" leaves two line breaks: one more
    # pass makes them one.
    return line_breaks(_OPTIONAL_END.sub("", line_breaks(text)))


def _compact_head(text: str) -> str:
    """Text before `<body>` (outside its scripts and styles) as `_compact_text` makes it,
    without the line breaks between tags: nothing there is ever rendered."""
    return _BETWEEN_TAGS.sub("", _compact_text(text))


def strip_indentation(html: str) -> str:
    """`html` with every whitespace run that holds a line break reduced to one newline."""
    return _outside_verbatim(html, line_breaks)


def line_breaks(text: str) -> str:
    """Each run of spaces, tabs and newlines holding a newline as one newline.

    Done line by line with string methods, which is what such a run amounts to: the first
    line loses its trailing blanks, the last its leading ones, every line between both, and
    lines left empty go. The regular expression `[ \\t]*\\n[ \\t\\n]*`, which says the
    same, is tried at every character of the page (it starts with an optional part) and
    cost about three times as much; a test compares the two on arbitrary text."""
    if "\n" not in text:
        return text
    lines = text.split("\n")
    last = len(lines) - 1
    kept = [lines[0].rstrip(" \t")]
    for line in lines[1:last]:
        stripped = line.strip(" \t")
        if stripped:
            kept.append(stripped)
    kept.append(lines[last].lstrip(" \t"))
    return "\n".join(kept)


def _outside_verbatim(
    html: str, change: Callable[[str], str], change_head: Callable[[str], str] | None = None
) -> str:
    """`html` with `change` applied to the text outside `pre`, `textarea`, `script` and
    `style` elements, and `change_head` (if given) instead up to the `<body>` tag."""
    parts = _VERBATIM.split(html)
    # split() with two groups yields: text, whole verbatim element, its tag name, text, ...
    out: list[str] = []
    in_head = change_head is not None and _BODY.search(html) is not None
    for index, part in enumerate(parts):
        kind = index % 3
        if kind == 0 and in_head and change_head is not None:
            body = _BODY.search(part)
            if body is None:
                out.append(change_head(part))
                continue
            out.append(change_head(part[: body.end()]))
            part = part[body.end() :]
            in_head = False
        if kind == 0:
            out.append(change(part))
        elif kind == 1:
            out.append(part)
    return "".join(out)
