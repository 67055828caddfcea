"""One spelling per department, whatever spelling a source used.

Sources disagree ("&" or "and", "the HM Treasury", "Treasury", curly apostrophes); the archive
groups questions by department name, so variants would split one department into several.
"""

from __future__ import annotations

import re

# Spellings that differ by more than punctuation, mapped to the name the archive uses.
ALIASES = {
    "treasury": "HM Treasury",
    "hm treasury": "HM Treasury",
    "h m treasury": "HM Treasury",
    "her majesty's treasury": "HM Treasury",
    "his majesty's treasury": "HM Treasury",
}
_SPACES = re.compile(r"\s+")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)


def clean(name: str) -> str:
    """Tidy what a source wrote without changing the words: spaces, apostrophes, '&'."""
    text = _SPACES.sub(" ", name.replace("\u2019", "'").replace("\u2018", "'")).strip(" :")
    return re.sub(r"\s*&\s*", " and ", text)


def normalise(name: str) -> tuple[str, str | None]:
    """The archive's spelling, and the source's own spelling when it differs (else None).

    A leading "the" is grammar ("Question to the HM Treasury"), not part of the name.
    """
    original = _LEADING_THE.sub("", _SPACES.sub(" ", name).strip(" :"))
    tidy = clean(original)
    canonical = ALIASES.get(tidy.casefold(), tidy)
    return canonical, (original if original != canonical else None)
