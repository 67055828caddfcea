"""Site configuration: one `site.yaml`, validated at load into a frozen dataclass."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.errors import ArchiveError, Problem, did_you_mean
from generator.yamltext import YamlSyntaxError, key_lines, load_yaml

CONFIG_FILE = "site.yaml"


@dataclass(frozen=True)
class SiteConfig:
    """Every key `site.yaml` accepts, with its default (documented in docs/configuration.md)."""

    title: str = "Written Questions Archive"
    description: str = "An archive of UK Parliament written questions and their answers."
    base_url: str = ""
    language: str = "en-GB"
    theme: str = "default"
    per_page: int = 50
    latest_count: int = 20
    extract_length: int = 160
    cname: str = ""  # custom domain for GitHub Pages, written to _site/CNAME
    size_budget: int = 1_000_000_000  # bytes; `answers build` warns when _site/ is larger
    site_root: Path = field(default=Path("."), compare=False)

    @functools.cached_property
    def base_path(self) -> str:
        """The URL path every internal link starts with: '/' or, on a project site, '/repo/'.

        Computed once: every link on every page asks for it."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    def absolute_url(self, path: str) -> str:
        """A full URL for canonical links; falls back to the root-relative path without base_url."""
        root = self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        return (root if self.base_url else "/") + path.lstrip("/")


_KEYS = {f.name: f.type for f in dataclasses.fields(SiteConfig) if f.name != "site_root"}
_TYPES = {"str": str, "int": int}
_POSITIVE = {"per_page", "latest_count", "extract_length", "size_budget"}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_SIZE_UNITS |= {"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def parse_size(value: Any) -> int:
    """Bytes from 1000000000, '1 GB' or '600 MiB'; ValueError says what was expected."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _SIZE.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"expected a size such as 1 GB or 600 MB, got {value!r}")
    return int(float(match.group(1)) * _SIZE_UNITS[(match.group(2) or "b").lower()])


def check_cname(value: Any) -> str:
    """A bare domain name such as archive.example.org: what GitHub Pages puts in CNAME."""
    if isinstance(value, str):
        value = value.strip().lower()  # domain names are case-insensitive
    if not isinstance(value, str) or not _HOSTNAME.match(value):
        raise ValueError(
            f"expected a domain name such as archive.example.org (no https://, no path), "
            f"got {value!r}"
        )
    return value


# Keys whose YAML value is converted (and checked) rather than taken as it is.
_CONVERTERS: dict[str, Callable[[Any], Any]] = {"size_budget": parse_size, "cname": check_cname}


def load_config(path: Path, *, required: bool = False, base_url: str | None = None) -> SiteConfig:
    """Read `site.yaml`; a missing file gives the defaults unless it was asked for by name."""
    display = str(path)
    if not path.exists():
        if required:
            raise ArchiveError([Problem(display, None, "config file not found")])
        values: dict[str, Any] = {}
    else:
        values = _read_values(path, display)
    if base_url is not None:
        values["base_url"] = base_url
    _check_base_url(values.get("base_url", ""), display)
    return SiteConfig(site_root=path.parent, **values)


def _read_values(path: Path, display: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError([Problem(display, None, f"cannot read config: {exc}")]) from None
    try:
        data = load_yaml(text)
    except YamlSyntaxError as exc:
        raise ArchiveError([Problem(display, exc.line, str(exc))]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ArchiveError([Problem(display, 1, "expected a mapping of keys to values")])
    lines, repeats = key_lines(text)
    problems = [Problem(display, line, f"{key}: key given twice") for key, line in repeats]
    for key, value in data.items():
        line = lines.get(str(key))
        if key not in _KEYS:
            hint = did_you_mean(str(key), _KEYS)
            problems.append(Problem(display, line, f"{key}: unknown key{hint}"))
            continue
        if key in _CONVERTERS and value != "":
            try:
                data[key] = value = _CONVERTERS[key](value)
            except ValueError as exc:
                problems.append(Problem(display, line, f"{key}: {exc}"))
                continue
        expected = _TYPES[str(_KEYS[key])]
        if not isinstance(value, expected) or isinstance(value, bool):
            got = type(value).__name__
            problems.append(
                Problem(display, line, f"{key}: expected {expected.__name__}, got {got}")
            )
        elif key in _POSITIVE and isinstance(value, int) and value < 1:
            problems.append(Problem(display, line, f"{key}: expected a positive number"))
    if not problems:
        problems.extend(_cname_problems(data, lines, display))
    if problems:
        raise ArchiveError(problems)
    return dict(data)


def _cname_problems(data: dict[str, Any], lines: dict[str, int], display: str) -> list[Problem]:
    """A custom domain serves the site at its root, so base_url must be that root."""
    cname, base_url = data.get("cname", ""), data.get("base_url", "")
    if not cname or not base_url:
        return []
    parts = urlsplit(base_url)
    if parts.hostname == cname and parts.path in ("", "/"):
        return []
    message = f"cname: the site will be served at https://{cname}/, so set base_url to that"
    return [Problem(display, lines.get("cname"), message)]


def _check_base_url(base_url: str, display: str) -> None:
    if not base_url:
        return
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ArchiveError(
            [
                Problem(
                    display,
                    None,
                    f"base_url: expected an http(s) URL such as "
                    f"https://user.github.io/repo/, got {base_url!r}",
                )
            ]
        )
