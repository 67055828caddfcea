"""YAML reading shared by the config and front matter: the fast C loader, and line numbers.

Line numbers come from a cheap scan of top-level keys rather than from composing a node
tree, which costs several times more than loading; the scan also finds duplicate keys,
which PyYAML would otherwise silently collapse.
"""

from __future__ import annotations

import itertools
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
# `simple_fields` reads them, and anything else goes to PyYAML.
#
# A simple line, as a regular expression (tests/test_frontmatter.py holds it and checks
# `simple_fields` against it and against PyYAML): `KEY:` or `KEY: VALUE`, `- VALUE` for an
# item, where KEY is `[A-Za-z_][A-Za-z0-9_]*` and VALUE one of
#   '(?:Q|'')*'                  single-quoted, Q any character but `'` and those below;
#   [0-9]{4}-[0-9]{2}-[0-9]{2}   a date;
#   0|[1-9][0-9]{0,17}           a whole number (a leading 0 would make it octal);
#   [A-Za-z](?:(?:P|:(?=[^\s#]))*(?!\s)P)?   plain text, P any character but those below,
#                                `:` and `#` (which end the text before a space, or always).
# Excluded everywhere: characters that are not printable or break a line in YAML (which
# then errs or folds), looked for in the whole text at once (all but `\n`, which ends
# lines). Matching the expression with `re` cost 3.5 us a line (the plain text's
# alternation runs once a character); with string methods, parsing a synthetic question's
# front matter takes 35 us instead of 73 (keys' lines included: no second scan).
_UNPRINTABLE = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset("0123456789")
# Plain words that YAML 1.1 reads as booleans or null (as keys too), left to PyYAML; with
# every mix of cases spelled out, so that a lookup needs no `lower()`.
_RESERVED = frozenset(["yes", "no", "true", "false", "on", "off", "null"])
_RESERVED_ANY_CASE = frozenset(
    "".join(spelling)
    for word in _RESERVED
    for spelling in itertools.product(*((c.lower(), c.upper()) for c in word))
)


class _NotSimple(Exception):
    """The text needs PyYAML."""


def simple_mapping(text: str) -> dict[str, Any] | None:
    """What PyYAML loads from `text` when every line is simple (see above), else None. A date
    that does not exist (2021-02-30) gives None too, so that PyYAML reports it."""
    found = simple_fields(text)
    return None if found is None else found[0]


def simple_fields(
    text: str, first_line: int = 1
) -> tuple[dict[str, Any], dict[str, int], list[tuple[str, int]]] | None:
    """`simple_mapping(text)` and `key_lines(text)` together (None when not simple), the
    lines numbered from `first_line`: each line of simple text is a key's or a list item's,
    so the keys' lines come with the values instead of from a second scan."""
    if not text.endswith("\n") or _UNPRINTABLE.search(text) is not None:
        return None  # not simple, whichever line the character is on
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    repeats: list[tuple[str, int]] = []
    items: list[Any] | None = None  # the list being read, after a `key:` line
    try:
        for number, line in enumerate(text[:-1].split("\n"), start=first_line):
            if items is not None and line[:2] == "- ":
                items.append(_value(line[2:]))
                continue
            if items == []:
                return None  # `key:` and no item: null, left to PyYAML
            key, colon, rest = line.partition(":")
            if not colon or not key.isidentifier() or not key.isascii():
                return None
            if key in _RESERVED_ANY_CASE:
                return None
            if rest:
                if rest[0] != " ":
                    return None
                items = None
                data[key] = _value(rest[1:])
            else:  # `key:`, a list follows
                items = data[key] = []
            if key in lines:
                repeats.append((key, number))
            else:
                lines[key] = number
    except _NotSimple:
        return None
    return None if items == [] else (data, lines, repeats)


def _value(text: str) -> Any:
    """A simple value's meaning (see above), or _NotSimple; `text` has no unprintable
    character (`simple_fields` looked for them first)."""
    if not text:
        raise _NotSimple
    first = text[0]
    if first == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            raise _NotSimple
        return inner.replace("''", "'")
    if first in _DIGITS:
        return _number_or_date(text)
    if first not in _LETTERS or "#" in text or text in _RESERVED_ANY_CASE:
        raise _NotSimple
    last = text[-1]
    if last == ":" or last.isspace():
        raise _NotSimple
    colon = text.find(":")
    while colon != -1:  # never last (above): a `:` must come before something not a space
        if text[colon + 1].isspace():
            raise _NotSimple
        colon = text.find(":", colon + 1)
    return text


def _number_or_date(text: str) -> int | date:
    if text.isdigit() and text.isascii():
        if len(text) > 18 or (text[0] == "0" and len(text) > 1):
            raise _NotSimple
        return int(text)
    digits = text[:4] + text[5:7] + text[8:]
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise _NotSimple
    if not (digits.isdigit() and digits.isascii()):
        raise _NotSimple
    try:
        return date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError:
        raise _NotSimple from None


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
