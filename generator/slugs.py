"""Turning names into URL path segments that can never leave the output folder."""

from __future__ import annotations

import re
import unicodedata

MAX_SEGMENT = 100
_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{n}" for p in ("com", "lpt") for n in range(10)
}


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by '-': 'Department for Education' -> 'department-for-...'.

    Accents are folded ('Öpik' -> 'opik'); everything else that is not a letter or digit
    separates words, so '../..' and look-alike characters cannot survive into a path.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", folded.lower().replace("&", " and "))
    slug = "-".join(words)[:MAX_SEGMENT].strip("-")
    if slug.split(".")[0] in _WINDOWS_RESERVED:
        slug = f"{slug}-"
    return slug


def id_problem(value: str) -> str | None:
    """Why a hand-written `id` cannot be used as a URL segment, or None when it can."""
    if not _SAFE_ID.match(value):
        return (
            "expected lower-case letters, digits, '-', '_' or '.', "
            f"starting with a letter or digit, got {value!r}"
        )
    if len(value) > MAX_SEGMENT:
        return f"longer than {MAX_SEGMENT} characters"
    if ".." in value or value.endswith("."):
        return f"must not contain '..' or end with '.', got {value!r}"
    if value.split(".")[0] in _WINDOWS_RESERVED:
        return f"{value!r} is a reserved file name on Windows"
    return None


def unique_slugs(names: list[str]) -> dict[str, str]:
    """Give every distinct name its own slug, numbering clashes in sorted order ('x', 'x-2')."""
    taken: dict[str, str] = {}
    slugs: dict[str, str] = {}
    for name in sorted(set(names)):
        base = slugify(name) or "unnamed"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken[slug] = name
        slugs[name] = slug
    return slugs
