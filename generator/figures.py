"""Figures about how departments answer, computed once at build time for pages and charts.

Each figure has a plain definition (shown beside it on the page) and is drawn as inline
SVG from geometry computed here, so the page needs no JavaScript and no chart library,
and the numbers are also given as text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from statistics import median

from generator.model import Archive, Question

CHART_WIDTH = 640
CHART_HEIGHT = 160
CHART_TOP = 12  # room above the tallest bar for its label
CHART_BOTTOM = 24  # room below the bars for the month labels

DEFINITIONS = {
    "answered": "Questions with an answer date in the archive (withdrawn questions excluded).",
    "median_days": (
        "Median number of days from the date a question was tabled to the date it was "
        "answered, over answered questions."
    ),
    "on_time": (
        "Of answered questions with a date due for answer, the share answered on or before "
        "that date."
    ),
    "holding": (
        "Questions that received a holding answer (a reply saying a full answer will follow)."
    ),
    "per_month": "Questions answered in each calendar month, by answer date.",
}


@dataclass(frozen=True)
class Bar:
    label: str  # 'November 2023'
    short: str  # 'Nov 2023', shown under some bars
    count: int
    x: float
    y: float
    width: float
    height: float
    show_label: bool


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    maximum: int
    baseline: float
    summary: str  # the chart in one sentence, for screen readers


@dataclass(frozen=True)
class Figures:
    questions: int
    answered: int
    median_days: float | None
    due_with_date: int
    on_time: int
    holding: int
    per_month: tuple[tuple[date, int], ...]
    chart: Chart

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.due_with_date if self.due_with_date else None

    @property
    def on_time_percent(self) -> str:
        share = self.on_time_share
        return "—" if share is None else f"{share * 100:.0f}%"

    @property
    def median_text(self) -> str:
        if self.median_days is None:
            return "—"
        value = self.median_days
        return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def department_figures(archive: Archive) -> dict[str, Figures]:
    """Figures for every department on one shared month axis, in one pass over the questions."""
    axis = _month_axis(archive.questions)
    position = {month: i for i, month in enumerate(axis)}
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(axis))
    delays: dict[str, list[int]] = defaultdict(list)
    due: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    holding: dict[str, int] = defaultdict(int)
    place: dict[date, int] = {}  # each answer date's month on the axis, found once a date
    for question in archive.questions:
        name = question.department
        if question.status == "holding" or question.holding_on:
            holding[name] += 1
        answered = question.answered_on
        if answered is None or question.status == "withdrawn":  # not `_is_answered`
            continue
        month = place.get(answered)
        if month is None:
            month = place[answered] = position[_month(answered)]
        counts[name][month] += 1
        delays[name].append((answered - question.asked_on).days)
        if question.due_on:
            due[name][0] += 1
            due[name][1] += answered <= question.due_on
    return {
        d.name: _figures(
            len(d.questions), axis, counts[d.name], delays[d.name], due[d.name], holding[d.name]
        )
        for d in archive.departments
    }


def _is_answered(question: Question) -> bool:
    return question.status != "withdrawn" and question.answered_on is not None


def _month(day: date) -> date:
    return day.replace(day=1)


def _month_axis(questions: tuple[Question, ...]) -> tuple[date, ...]:
    days = {q.answered_on for q in questions if q.answered_on and _is_answered(q)}
    months = {_month(day) for day in days if day}  # dates repeat: a month made once a date
    if not months:
        return ()
    first, last = min(months), max(months)
    axis = []
    current = first
    while current <= last:
        axis.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return tuple(axis)


def _figures(
    total: int,
    axis: tuple[date, ...],
    counts: list[int],
    delays: list[int],
    due: list[int],
    holding: int,
) -> Figures:
    per_month = tuple(zip(axis, counts, strict=True))
    return Figures(
        questions=total,
        answered=len(delays),
        median_days=float(median(delays)) if delays else None,
        due_with_date=due[0],
        on_time=due[1],
        holding=holding,
        per_month=per_month,
        chart=bar_chart(per_month),
    )


def bar_chart(per_month: tuple[tuple[date, int], ...]) -> Chart:
    """Bar geometry in a fixed viewBox; the SVG scales to the page width."""
    maximum = max((count for _, count in per_month), default=0)
    plot = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    baseline = float(CHART_HEIGHT - CHART_BOTTOM)
    slot = CHART_WIDTH / max(len(per_month), 1)
    every = max(1, len(per_month) // 6)  # at most about seven month labels fit
    bars = []
    for i, (month, count) in enumerate(per_month):
        height = plot * count / maximum if maximum else 0.0
        bars.append(
            Bar(
                label=f"{month:%B %Y}",
                short=f"{month:%b %Y}",
                count=count,
                x=round(i * slot + slot * 0.1, 2),
                y=round(baseline - height, 2),
                width=round(slot * 0.8, 2),
                height=round(height, 2),
                show_label=i % every == 0,
            )
        )
    busiest = max(per_month, key=lambda item: item[1], default=None)
    summary = (
        f"Questions answered per month, {per_month[0][0]:%B %Y} to {per_month[-1][0]:%B %Y}; "
        f"most in {busiest[0]:%B %Y} ({busiest[1]})."
        if per_month and busiest
        else "No answered questions."
    )
    return Chart(tuple(bars), CHART_WIDTH, CHART_HEIGHT, maximum, baseline, summary)
