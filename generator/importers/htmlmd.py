"""Answer HTML from the Parliament API to Markdown, where Markdown can say the same thing.

Paragraphs, lists, links and emphasis become Markdown, which reads well in a content file and
diffs well; a table (or anything else Markdown cannot express) stays as sanitised HTML, which
the content format allows. The result is checked by rendering it back: if its visible text or
links differ from the source's, the whole answer is kept as sanitised HTML instead, so
converting can never lose a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape, unescape
from html.parser import HTMLParser

from generator.importers.mdtext import escape_block_start, escape_inline
from generator.markup import AnswerRenderer, sanitise

_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_VOID = {"br", "hr", "img", "col", "wbr", "input", "meta", "link"}
_DROPPED = {"script", "style", "template", "head", "title"}
_INLINE_KEPT = {"sup", "sub", "u", "s", "small", "code"}
_EMPHASIS = {"strong": "**", "b": "**", "em": "*", "i": "*"}
_UNWRAPPED_BLOCKS = {"div", "section", "article", "body", "html", "main"}
_BLOCKS = {
    "p", "ul", "ol", "li", "table", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5",
    "h6", "dl", "div", "section", "article", "body", "html", "main",
}  # fmt: skip
_HREF = re.compile(r'href="([^"]*)"')


@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    """A forgiving tree: unclosed tags close with their parent, stray end tags are ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        if tag in ("p", "li") and self.stack[-1].tag == tag:
            self.stack.pop()
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


class _NotMarkdown(Exception):
    """This block cannot be said in Markdown without loss: keep it as HTML."""


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def answer_to_markdown(html: str, renderer: AnswerRenderer | None = None) -> str:
    """Markdown for an answer, or its sanitised HTML when Markdown would lose something."""
    if not html or not html.strip():
        return ""
    renderer = renderer or AnswerRenderer()
    source = sanitise(html)
    try:
        converted = "\n\n".join(b for b in _blocks(parse(html)) if b.strip())
    except _NotMarkdown:
        return _html_block(source, wrap=True)
    if _fingerprint(renderer.to_html(converted)) == _fingerprint(source):
        return converted
    return _html_block(source, wrap=True)


def _fingerprint(fragment: str) -> tuple[str, tuple[str, ...]]:
    """Visible text (ignoring whitespace) and link targets: what must survive conversion."""
    text = sanitise(fragment.replace("<", " <"))
    visible = re.sub(r"<[^>]*>", "", text)
    return re.sub(r"\s+", "", unescape(visible)), tuple(_HREF.findall(text))


def _html_block(fragment: str, *, wrap: bool = False) -> str:
    """Sanitised HTML as one raw block (no blank lines) that Markdown passes through untouched.

    `wrap` puts it in a <div> (which the sanitiser later drops) for fragments that may start
    with inline content, which Markdown would otherwise read as a paragraph of Markdown.
    """
    flat = re.sub(r"\n\s*\n", "\n", fragment.replace("\r", "").strip())
    if not flat:
        return ""
    return f"<div>\n{flat}\n</div>" if wrap else flat


def _blocks(node: Node) -> list[str]:
    """The node's children as Markdown blocks; loose inline content becomes a paragraph."""
    blocks: list[str] = []
    run: list[Node | str] = []
    for child in node.children:
        if isinstance(child, Node) and child.tag in _DROPPED:
            continue
        if isinstance(child, Node) and child.tag in _BLOCKS:
            blocks.append(_paragraph(run))
            run = []
            blocks.extend(_block(child))
        else:
            run.append(child)
    blocks.append(_paragraph(run))
    return [b for b in blocks if b]


def _block(node: Node) -> list[str]:
    try:
        if node.tag in _UNWRAPPED_BLOCKS:
            return _blocks(node)
        if node.tag == "p":
            return [_paragraph(node.children)]
        if node.tag in ("ul", "ol"):
            return [_list(node, 0)]
        raise _NotMarkdown(node.tag)
    except _NotMarkdown:
        return [_html_block(sanitise(_serialise(node)))]


def _paragraph(children: list[Node | str]) -> str:
    text = _inline(children).strip()
    if not text.replace("\u00a0", " ").strip():
        return ""
    return escape_block_start(text)


def _list(node: Node, depth: int) -> str:
    lines: list[str] = []
    number = _start(node)
    for child in node.children:
        if isinstance(child, str):
            if child.strip():
                raise _NotMarkdown("text directly inside a list")
            continue
        if child.tag != "li":
            raise _NotMarkdown(f"<{child.tag}> directly inside a list")
        marker = f"{number}." if node.tag == "ol" else "-"
        number += 1
        lines.extend(_item(child, marker, depth))
    return "\n".join(lines)


def _start(node: Node) -> int:
    start = node.attrs.get("start", "1").strip()
    return int(start) if start.isdigit() else 1


def _item(node: Node, marker: str, depth: int) -> list[str]:
    """A list item: inline content (or one paragraph), then any nested lists."""
    inline: list[Node | str] = []
    nested: list[str] = []
    for child in node.children:
        if isinstance(child, Node) and child.tag in ("ul", "ol"):
            nested.append(_list(child, depth + 1))
        elif isinstance(child, Node) and child.tag == "p" and not _has_text(inline):
            inline.extend(child.children)
        elif isinstance(child, Node) and child.tag in _BLOCKS:
            raise _NotMarkdown(f"<{child.tag}> inside a list item")
        elif nested and _has_text([child]):
            raise _NotMarkdown("text after a nested list")
        else:
            inline.append(child)
    text = _inline(inline).strip()
    if not text:
        raise _NotMarkdown("an empty list item")
    lines = ["    " * depth + f"{marker} {escape_block_start(text)}"]
    return lines + nested


def _has_text(children: list[Node | str]) -> bool:
    return any(isinstance(c, Node) or c.strip() for c in children)


def _inline(children: list[Node | str]) -> str:
    return "".join(_inline_one(child) for child in children)


def _inline_one(child: Node | str) -> str:
    if isinstance(child, str):
        return escape_inline(_HTML_SPACE.sub(" ", child))
    tag = child.tag
    if tag in _DROPPED or tag == "img":
        return ""
    if tag == "br":
        return "<br>"
    if tag in _BLOCKS:
        raise _NotMarkdown(f"<{tag}> inside a paragraph")
    inner = _inline(child.children)
    if tag in _EMPHASIS:
        return _wrap(inner, _EMPHASIS[tag])
    if tag == "a":
        return _link(child, inner)
    if tag in _INLINE_KEPT:
        return f"<{tag}>{inner}</{tag}>" if inner.strip() else inner
    return inner


def _wrap(inner: str, mark: str) -> str:
    """Emphasis with any edge spaces moved outside, where Markdown needs them."""
    core = inner.strip()
    if not core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead}{mark}{core}{mark}{trail}"


def _link(node: Node, inner: str) -> str:
    href = node.attrs.get("href", "").strip()
    if not href or not re.match(r"(?i)(https?:|mailto:)", href) or not inner.strip():
        return inner
    if re.search(r"[\s<>]", href):
        raise _NotMarkdown("a link address Markdown cannot hold")
    if href.count("(") != href.count(")"):
        raise _NotMarkdown("a link address with unbalanced brackets")
    return f"[{inner}]({href})"


def _serialise(node: Node) -> str:
    """Back to HTML, for blocks kept as HTML (the sanitiser then cleans it)."""
    attrs = "".join(f' {k}="{escape(v)}"' for k, v in sorted(node.attrs.items()))
    inner = "".join(
        escape(c, quote=False) if isinstance(c, str) else _serialise(c) for c in node.children
    )
    if node.tag in _VOID:
        return f"<{node.tag}{attrs}>"
    return f"<{node.tag}{attrs}>{inner}</{node.tag}>"
