"""Department figures: per-month counts on a shared axis, median days, share on time, holding."""

from __future__ import annotations

from datetime import date

import pytest

from generator.figures import Figures, bar_chart, department_figures
from generator.load import load_archive
from tests.browser_support import BROWSE_FIXTURE


@pytest.fixture(scope="module")
def figures() -> dict[str, Figures]:
    return department_figures(load_archive(BROWSE_FIXTURE / "content"))


def test_education(figures: dict[str, Figures]) -> None:
    education = figures["Department for Education"]
    assert education.questions == 7
    # Answered: 1200 (7 days), HL1234 (14), 2154 (7), 2155 (8), 4001 (7), 6000 (7).
    assert education.answered == 6
    assert education.median_days == 7.0 and education.median_text == "7"
    # Due dates among answered: 1200 on time, HL1234 on time, 2154 on time, 2155 late, 4001 late.
    assert (education.on_time, education.due_with_date) == (3, 5)
    assert education.on_time_percent == "60%"
    assert education.holding == 1


def test_shared_month_axis(figures: dict[str, Figures]) -> None:
    axes = {tuple(month for month, _ in f.per_month) for f in figures.values()}
    assert len(axes) == 1
    (axis,) = axes
    assert axis[0] == date(2022, 5, 1) and axis[-1] == date(2024, 3, 1) and len(axis) == 23
    justice = dict(figures["Ministry of Justice"].per_month)
    assert justice[date(2022, 5, 1)] == 1 and justice[date(2023, 9, 1)] == 2
    assert sum(justice.values()) == 3


def test_department_without_answers(figures: dict[str, Figures]) -> None:
    cabinet = figures["Cabinet Office"]
    assert (cabinet.answered, cabinet.median_days, cabinet.on_time_share) == (0, None, None)
    assert cabinet.median_text == "—" and cabinet.on_time_percent == "—"


def test_withdrawn_is_not_answered(figures: dict[str, Figures]) -> None:
    treasury = figures["HM Treasury"]
    assert (treasury.questions, treasury.answered) == (2, 1)
    assert treasury.median_days == 20.0
    assert (treasury.on_time, treasury.due_with_date) == (0, 1)


def test_median_of_an_even_count(figures: dict[str, Figures]) -> None:
    health = figures["Department of Health and Social Care"]
    assert health.median_days == 10.0  # 7 and 13 days


def test_bar_chart_geometry() -> None:
    chart = bar_chart(((date(2024, 1, 1), 2), (date(2024, 2, 1), 0), (date(2024, 3, 1), 4)))
    heights = [bar.height for bar in chart.bars]
    assert heights[1] == 0 and heights[2] == 2 * heights[0]
    assert all(bar.y + bar.height == chart.baseline for bar in chart.bars)
    assert all(bar.x >= 0 and bar.x + bar.width <= chart.width for bar in chart.bars)
    assert chart.maximum == 4
    assert "most in March 2024 (4)" in chart.summary
    assert [bar.label for bar in chart.bars] == ["January 2024", "February 2024", "March 2024"]


def test_empty_chart() -> None:
    chart = bar_chart(())
    assert chart.bars == () and chart.summary == "No answered questions."
