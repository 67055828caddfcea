"""Counts the hostile suite reports at the end of the session (vectors, broken files, kills)."""

from __future__ import annotations

COUNTS: dict[str, int] = {}


def record(name: str, count: int) -> None:
    """Remember a count for the session summary and return nothing; tests assert minimums."""
    COUNTS[name] = COUNTS.get(name, 0) + count
