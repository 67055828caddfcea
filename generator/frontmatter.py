"""Splitting a content file into YAML front matter and a Markdown body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.yamltext import YamlSyntaxError, key_lines, load_yaml, simple_fields


class FrontMatterError(ValueError):
    def __init__(self, line: int | None, message: str):
        self.line = line
        super().__init__(message)


@dataclass(frozen=True)
class Document:
    """A parsed content file: the fields, the line of each field, and the body."""

    fields: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)


def parse_document(text: str, *, require_front_matter: bool = True) -> Document:
    """Parse `---` YAML `---` then the body; CRLF and a leading BOM are accepted."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if "\x00" in text:
        raise FrontMatterError(text[: text.index("\x00")].count("\n") + 1, "NUL byte in file")
    if not text.startswith("---\n"):
        if require_front_matter:
            raise FrontMatterError(
                1, "expected front matter: the file must start with a '---' line"
            )
        return Document({}, {}, text, 1)
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            raise FrontMatterError(1, "front matter is not closed: expected a '---' line after it")
    yaml_text = text[4 : end + 1]
    body = text[end + 5 :]
    body_line = yaml_text.count("\n") + 3
    simple = simple_fields(yaml_text, first_line=2)  # numbered as lines of the file
    if simple is None:
        return _pyyaml_document(yaml_text, body, body_line)
    fields, lines, repeats = simple
    if repeats:
        key, line = repeats[0]
        raise FrontMatterError(line, f"{key}: field given twice")
    return Document(fields, lines, body, body_line)


def _pyyaml_document(yaml_text: str, body: str, body_line: int) -> Document:
    """A document whose front matter is not simple (see generator/yamltext.py): read by
    PyYAML."""
    try:
        data = load_yaml(yaml_text)
    except YamlSyntaxError as exc:
        raise FrontMatterError(exc.line + 1 if exc.line else 1, str(exc)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError(2, "front matter must be a mapping of field names to values")
    lines, repeats = key_lines(yaml_text)
    if repeats:
        key, line = repeats[0]
        raise FrontMatterError(line + 1, f"{key}: field given twice")
    return Document(
        fields={str(k): v for k, v in data.items()},
        lines={key: line + 1 for key, line in lines.items()},
        body=body,
        body_line=body_line,
    )
