"""Drop the indentation and blank lines that templates leave in rendered HTML.

Templates are indented for people to read; in the published page that indentation is pure
weight, repeated on every one of tens of thousands of pages (about 6 % of the site). Between
tags, a run of whitespace containing a line break renders exactly like a single line break,
so replacing each such run with one newline changes no rendering, except inside elements
whose whitespace is significant or not HTML at all: `pre`, `textarea`, `script` and `style`
are copied byte for byte. The pass is a pure function of its input, so output stays
deterministic.
"""

from __future__ import annotations

import re

_VERBATIM = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2\s*>)", re.IGNORECASE | re.DOTALL)
_LINE_BREAK_RUN = re.compile(r"[ \t]*\n[ \t\n]*")


def compact_html(html: str) -> str:
    """`html` with every whitespace run that holds a line break reduced to one newline."""
    parts = _VERBATIM.split(html)
    # split() with two groups yields: text, whole verbatim element, its tag name, text, ...
    out: list[str] = []
    for index, part in enumerate(parts):
        kind = index % 3
        if kind == 0:
            out.append(_LINE_BREAK_RUN.sub("\n", part))
        elif kind == 1:
            out.append(part)
    return "".join(out)
