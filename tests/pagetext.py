"""Built pages with every attribute value in quotes, for tests that look for markup.

The published pages leave out the quotes that HTML does not need (`href=/pq/x/`, see
generator/compact.py); `tests/test_compact.py` shows in Chromium that the parser reads the
same values either way. Tests that assert a link or an attribute are about the value, not
about how it is spelled, so they read the page through `quoted`, which tokenises it with the
standard library's HTML parser and puts quotes back around unquoted values. Text, entities,
comments and the order of everything are kept as they are.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# An attribute in a start tag: its name, then its value quoted or not.
_ATTRIBUTE = re.compile(r"""(\s[^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")


def quoted(html: str) -> str:
    """`html` with each unquoted attribute value of its start tags in double quotes."""
    parser = _Quoter()
    parser.feed(html)
    parser.close()
    return "".join(parser.out)


def _quote(attribute: re.Match[str]) -> str:
    name, value = attribute.group(1), attribute.group(2)
    if value is None:
        return name
    if value[0] in "\"'":
        return f"{name}={value}"
    return f'{name}="{value}"'


class _Quoter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        raw = self.get_starttag_text() or ""
        self.out.append(_ATTRIBUTE.sub(_quote, raw))

    def handle_startendtag(self, tag: str, attrs: object) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")
