"""Prints the hostile suite's counts (vectors tried, broken files tried, kills survived)."""

from __future__ import annotations

import pytest

from tests.hostile.counts import COUNTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if COUNTS:
        terminalreporter.section("hostile input counts")
        for name, count in sorted(COUNTS.items()):
            terminalreporter.write_line(f"{name}: {count}")
