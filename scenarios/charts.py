"""PNG charts of a scenario (and of several side by side): medians with 10-90% bands.

Matplotlib with the non-interactive Agg backend: no display needed. Each chart is titled by
what it shows, with a run's scenario named on a second line; months on the axis read
"Jan 2023", spelled by ``statutory.dates`` (matplotlib's ``%b`` follows the machine's locale).
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from scenarios.results import Band, ScenarioResult
from statutory.dates import MONTHS

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")


def _days(dates: list[date]) -> npt.NDArray[np.datetime64]:
    return np.array(dates, dtype="datetime64[D]")


#: Line styles and markers of the options on a comparison chart, so that options whose lines
#: coincide (two at 0% within 20 weeks) stay distinguishable in print and to colour-blind eyes.
LINE_STYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
#: About this many markers along a line; each option's markers start one point further on, so
#: that coinciding lines show every option's markers side by side, not one on top of another.
MARKERS_PER_LINE = 12


@dataclass(frozen=True, slots=True)
class OptionStyle:
    index: int
    colour: str
    linestyle: str
    marker: str

    def markevery(self, points: int) -> tuple[int, int]:
        """Which of a line's ``points`` carry a marker: (first, every)."""
        every = max(2, round(points / MARKERS_PER_LINE))
        return min(self.index % every, max(0, points - 1)), every


def option_style(index: int) -> OptionStyle:
    """How option ``index`` (0, 1, ...) of a comparison is drawn: no two of the first seven
    share a colour, and no two of the first four a line style or marker."""
    return OptionStyle(
        index,
        COLOURS[index % len(COLOURS)],
        LINE_STYLES[index % len(LINE_STYLES)],
        MARKERS[index % len(MARKERS)],
    )


def _band(
    ax: Axes,
    x: list[date],
    bands: list[Band],
    label: str,
    colour: str,
    style: OptionStyle | None = None,
) -> None:
    days = _days(x)
    medians = [b.median for b in bands]
    if style is None:
        ax.plot(days, medians, label=label, color=colour, linewidth=1.6)
    else:
        ax.plot(
            days,
            medians,
            label=label,
            color=colour,
            linewidth=1.6,
            linestyle=style.linestyle,
            marker=style.marker,
            markersize=4,
            markevery=style.markevery(len(days)),
            clip_on=False,  # a marker on 0% or 100% drawn whole, not cut by the axis
        )
    ax.fill_between(
        days, [b.low for b in bands], [b.high for b in bands], color=colour, alpha=0.18, linewidth=0
    )


def draw_options(ax: Axes, lines: list[tuple[str, list[date], list[Band]]]) -> None:
    """Every option's median and band on one chart, each in its own colour, line style and
    markers (``option_style``, by its place in the comparison), labelled by its name; an
    option with no figure at all (no plan issued) is left off."""
    for i, (label, x, bands) in enumerate(lines):
        if all(math.isnan(b.median) for b in bands):
            continue
        style = option_style(i)
        _band(ax, x, bands, label, style.colour, style)


def _week_dates(result: ScenarioResult) -> list[date]:
    return [result.week_start(w) for w in range(result.weeks)]


def _month_dates(result: ScenarioResult) -> list[date]:
    return [date(y, m, 15) for y, m in result.months]


def _month_ticks(ax: Axes, most: int = 8) -> None:
    """Ticks on the first of each month the lines span, written "Jan 2023"; past ``most`` of
    them, every 2, 3, 6 or 12 months (Jan, Apr, Jul, Oct...), or every few years."""
    days: list[date] = [
        d
        for line in ax.get_lines()
        for d in np.asarray(line.get_xdata(), dtype="datetime64[D]").astype(date).tolist()
    ]
    if not days:
        return
    first, last = min(days), max(days)
    firsts = [
        date(year, month, 1)
        for index in range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
        for year, month in [(index // 12, index % 12 + 1)]
        if first <= date(year, month, 1)
    ] or [first]
    step = next((n for n in (1, 2, 3, 6, 12) if len(firsts) <= most * n), 0)
    step = step or 12 * math.ceil(len(firsts) / (most * 12))
    shown = [d for d in firsts if (d.year * 12 + d.month - 1) % step == 0] or firsts[:1]
    ax.set_xticks(_days(shown), [f"{MONTHS[d.month - 1]} {d.year}" for d in shown])


def _finish(fig: Figure, ax: Axes, title: str, ylabel: str, path: Path, scenario: str = "") -> Path:
    """Title the chart (the ``scenario``'s title below what it shows), label its axes, write."""
    heading = "\n".join(textwrap.wrap(title, 80))
    if scenario:
        heading += "\n" + "\n".join(textwrap.wrap(scenario, 100))
    ax.set_title(heading, fontsize=10)
    _month_ticks(ax)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _in_time_panel(ax: Axes, result: ScenarioResult, colour_inc: str, colour_exc: str) -> None:
    x = _month_dates(result)
    months = result.monthly(True)
    _band(ax, x, [b for _, _, b in months], "excl. exceptions (headline)", colour_exc)
    inc = result.monthly(False)
    ax.plot(
        _days(x), [b.median for _, _, b in inc], "--", color=colour_inc, label="incl. exceptions"
    )
    ax.set_ylim(0, 100)


def write_charts(result: ScenarioResult, folder: Path) -> list[Path]:
    """backlog.png, in_time.png and capacity.png in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    title = result.scenario.scenario.title
    x = _week_dates(result)
    written = []

    fig, ax = plt.subplots(figsize=(9, 4.8))
    for i, (name, label) in enumerate(
        (
            ("open_assessments", "open assessments"),
            ("past_20_weeks", "open past 20 weeks"),
            ("psychology_waiting", "waiting for psychology advice"),
            ("review_backlog", "annual reviews overdue"),
        )
    ):
        _band(ax, x, result.weekly(name), label, COLOURS[i])
    written.append(_finish(fig, ax, "Backlog each week", "cases", folder / "backlog.png", title))

    fig, ax = plt.subplots(figsize=(9, 4.8))
    _in_time_panel(ax, result, COLOURS[1], COLOURS[0])
    written.append(
        _finish(
            fig,
            ax,
            "Plans issued within 20 weeks, by month of issue",
            "% of plans issued in the month",
            folder / "in_time.png",
            title,
        )
    )

    fig, ax = plt.subplots(figsize=(9, 4.8))
    _band(ax, x, result.weekly("caseload_per_caseworker"), "caseload per caseworker", COLOURS[0])
    written.append(
        _finish(
            fig,
            ax,
            "Caseload per caseworker (plans and open assessments)",
            "cases",
            folder / "caseload.png",
            title,
        )
    )
    return written


def write_comparison_charts(results: list[ScenarioResult], folder: Path) -> list[Path]:
    """One chart per measure with every scenario on it: compare_*.png in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, label in (
        ("past_20_weeks", "Open assessments past 20 weeks"),
        ("review_backlog", "Annual reviews overdue"),
        ("psychology_waiting", "Waiting for psychology advice"),
        ("caseload_per_caseworker", "Caseload per caseworker"),
    ):
        fig, ax = plt.subplots(figsize=(9, 4.8))
        draw_options(ax, [(r.name, _week_dates(r), r.weekly(name)) for r in results])
        written.append(_finish(fig, ax, label, "cases", folder / f"compare_{name}.png"))
    fig, ax = plt.subplots(figsize=(9, 4.8))
    draw_options(
        ax,
        [(r.name, _month_dates(r), [b for _, _, b in r.monthly(True)]) for r in results],
    )
    ax.set_ylim(0, 100)
    written.append(
        _finish(
            fig,
            ax,
            "Within 20 weeks excl. exceptions, by month of issue",
            "%",
            folder / "compare_in_time.png",
        )
    )
    return written
