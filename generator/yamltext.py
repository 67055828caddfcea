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
