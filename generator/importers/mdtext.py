"""Plain text to Markdown that renders back to exactly the same text.

Imported text is data, not markup: a '*' or '<' in an answer must show as itself, so every
character Markdown would act on is escaped, and nothing else (the output stays readable).
"""

from __future__ import annotations

import re

_INLINE = re.compile(r"[\\`*_\[\]]")
_ENTITY_LIKE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_BLOCK_START = re.compile(r"^(?:[#>+-]|\d+[.)](?=\s|$))")
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_URL_TAIL = ".,;:!?'\u2019\""


def escape_inline(text: str) -> str:
    """Escape characters that Markdown treats as markup anywhere in a line."""
    text = _INLINE.sub(lambda m: "\\" + m.group(0), text)
    return _ENTITY_LIKE.sub("&amp;", text).replace("<", "&lt;")


def escape_block_start(line: str) -> str:
    """Stop a paragraph's first characters being read as a heading, quote or list item."""
    match = _BLOCK_START.match(line)
    if not match:
        return line
    marker = match.group(0)
    if marker[0].isdigit():
        return f"{marker[:-1]}\\{marker[-1]}{line[len(marker) :]}"
    return "\\" + line


def paragraph(text: str) -> str:
    """One line of plain text as one Markdown paragraph, with bare URLs made links."""
    return escape_block_start(linkify(text))


def linkify(text: str) -> str:
    """Escape text, turning bare http(s) URLs into Markdown autolinks `<https://...>`."""
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url = _trim_url(match.group(0))
        parts.append(escape_inline(text[position : match.start()]))
        parts.append(f"<{url}>")
        position = match.start() + len(url)
    parts.append(escape_inline(text[position:]))
    return "".join(parts)


def _trim_url(url: str) -> str:
    """Leave sentence punctuation, and a ')' that closes an earlier '(', outside the link."""
    while url and (url[-1] in _URL_TAIL or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url = url[:-1]
    return url
