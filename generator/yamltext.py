"""YAML reading shared by the config and front matter: the fast C loader, and line numbers.

Line numbers come from a cheap scan of top-level keys rather than from composing a node
tree, which costs several times more than loading; the scan also finds duplicate keys,
which PyYAML would otherwise silently collapse.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import yaml

# PyYAML built without libyaml still works, but about 6x slower.
HAS_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))
_Loader: Any = yaml.CSafeLoader if HAS_LIBYAML else yaml.SafeLoader
_DATE_LIKE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")
_TOP_LEVEL_KEY = re.compile(r"^(['\"]?)([A-Za-z_][\w-]*)\1\s*:(?:\s|$)")


# Front matter as the importer and `answers synth` write it: one `key: value` line per field
# (or `key:` then a `- value` line per item of a list), each value a single-quoted string, a
# date, a whole number or plain text. For such lines the values are plain to read, and
# PyYAML's C loader still costs about 0.16 ms a file (three quarters of parsing one):
# `simple_mapping` reads them, and anything else goes to PyYAML.
# What plain text may hold here: no character that is not printable or breaks a line in
# YAML (which then errs or folds), no `#` and no `:` before a space (which end the text).
_PLAIN_CHAR = r"[^\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff:#]"
_QUOTED_CHAR = r"[^'\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
_VALUE = (
    rf"'((?:{_QUOTED_CHAR}|'')*)'"  # single-quoted
    r"|([0-9]{4})-([0-9]{2})-([0-9]{2})"  # a date
    r"|(0|[1-9][0-9]{0,17})"  # a whole number (a leading 0 would make it octal)
    rf"|([A-Za-z](?:(?:{_PLAIN_CHAR}|:(?=[^\s#]))*(?!\s){_PLAIN_CHAR})?)"  # plain text
)
_SIMPLE_LINE = re.compile(rf"([A-Za-z_][A-Za-z0-9_]*):(?: (?:{_VALUE}))?")
_ITEM_LINE = re.compile(rf"- (?:{_VALUE})")
# Plain words that YAML 1.1 reads as booleans or null (as keys too), left to PyYAML.
_RESERVED = frozenset(["yes", "no", "true", "false", "on", "off", "null"])


class _NotSimple(Exception):
    """The text needs PyYAML."""


def simple_mapping(text: str) -> dict[str, Any] | None:
    """What PyYAML loads from `text` when every line is simple (see above), else None. A date
    that does not exist (2021-02-30) gives None too, so that PyYAML reports it."""
    if not text.endswith("\n"):
        return None
    data: dict[str, Any] = {}
    items: list[Any] | None = None  # the list being read, after a `key:` line
    try:
        for line in text[:-1].split("\n"):
            item = _ITEM_LINE.fullmatch(line) if items is not None else None
            if item is not None and items is not None:
                items.append(_value(item.groups()))
                continue
            if items == []:
                return None  # `key:` and no item: null, left to PyYAML
            match = _SIMPLE_LINE.fullmatch(line)
            if match is None or match.group(1).lower() in _RESERVED:
                return None
            if match.group(2, 3, 5, 6, 7) == (None,) * 5:  # `key:`, a list follows
                items = data[match.group(1)] = []
            else:
                items = None
                data[match.group(1)] = _value(match.groups()[1:])
    except _NotSimple:
        return None
    return None if items == [] else data


def _value(groups: tuple[str | None, ...]) -> Any:
    quoted, year, month, day, number, text = groups
    if quoted is not None:
        return quoted.replace("''", "'")
    if year is not None and month is not None and day is not None:
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise _NotSimple from None
    if number is not None:
        return int(number)
    if text is None or text.lower() in _RESERVED:
        raise _NotSimple
    return text


class YamlSyntaxError(ValueError):
    def __init__(self, line: int | None, message: str):
        self.line = line
        super().__init__(message)


def load_yaml(text: str) -> Any:
    """Load YAML with the C loader; syntax errors become YamlSyntaxError with a 1-based line."""
    try:
        return yaml.load(text, Loader=_Loader)  # a safe loader (C or pure Python)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(line, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(None, f"YAML error: {exc}") from None
    except ValueError as exc:  # an impossible date such as 2021-02-30
        line, value = _first_impossible_date(text)
        if value:
            raise YamlSyntaxError(line, f"impossible date {value}: {exc}") from None
        raise YamlSyntaxError(None, f"invalid value: {exc}") from None


def _first_impossible_date(text: str) -> tuple[int | None, str]:
    for number, line in enumerate(text.splitlines(), start=1):
        for value in _DATE_LIKE.findall(line):
            try:
                date.fromisoformat(value)
            except ValueError:
                return number, value
    return None, ""


def key_lines(text: str) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Map each top-level key to its 1-based line; also return repeated keys with their line."""
    lines: dict[str, int] = {}
    repeats: list[tuple[str, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _TOP_LEVEL_KEY.match(line)
        if not match:
            continue
        key = match.group(2)
        if key in lines:
            repeats.append((key, number))
        else:
            lines[key] = number
    return lines, repeats
