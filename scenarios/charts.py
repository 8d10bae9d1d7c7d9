"""Charts of a scenario (and of several side by side) for a board paper: each a PNG and an SVG.

Matplotlib with the non-interactive Agg backend: no display needed. Each chart is titled by
what it shows, with a run's scenario named on a second line; months on the axis read
"Jan 2023", spelled by ``statutory.dates`` (matplotlib's ``%b`` follows the machine's locale).
What a reader needs to read one without the paper around it is on it: a legend entry for the
shaded band, counts with thousands separators, dated lines where capacity or priority changes
(labelled, stacked so that no two labels overlap), the caseload target when the scenario sets
one, and under the in-time rate the number of plans it rests on, months with few plans drawn
hollow. The SVG keeps its words as text (searchable, read by screen readers when inlined).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Annotation, Text
from matplotlib.ticker import FuncFormatter, StrMethodFormatter
from matplotlib.transforms import Bbox

from scenarios.model import Scenario
from scenarios.report import (
    BACKLOG_LINES,
    COMPARED_LINES,
    COMPARISON_IN_TIME_TITLE,
    FEW_PLANS,
    RUN_CHART_TITLES,
    dated_changes,
    month_words,
)
from scenarios.results import Band, ScenarioResult
from statutory.dates import as_written

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
INK = "#0b0c0c"
GREY = "#505a5f"  # GOV.UK's secondary text colour: 7:1 against white
BARS = "#b1b4b6"
FEW_BARS = "#e5e6e7"
BAND_LABEL = "Shaded: 10% to 90% of the replications (lines: the median)"
FEW_LABEL = f"Hollow: fewer than {FEW_PLANS} plans that month (a % resting on few plans)"
SIZE = (9.0, 5.4)
TALL = (9.0, 6.6)
DPI = 150


def _days(dates: Sequence[date]) -> npt.NDArray[np.datetime64]:
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


def _x(day: date) -> float:
    """A day where matplotlib's time axis has it."""
    return float(mdates.date2num(day))  # type: ignore[no-untyped-call]


def _week_dates(result: ScenarioResult) -> list[date]:
    return [result.week_start(w) for w in range(result.weeks)]


def _month_dates(result: ScenarioResult) -> list[date]:
    return [date(y, m, 15) for y, m in result.months]


def _span(result: ScenarioResult) -> tuple[date, date]:
    return result.scenario.scenario.start, result.scenario.end


def _options_span(results: Sequence[ScenarioResult]) -> tuple[date, date]:
    """From the first option's start to the last one's end: options may start apart."""
    return min(r.scenario.scenario.start for r in results), max(r.scenario.end for r in results)


def _month_ticks(ax: Axes, span: tuple[date, date] | None = None, most: int = 8) -> None:
    """Ticks on the first of each month of ``span`` (by default, of the days the lines
    span), written "Jan 2023"; past ``most`` of them, every 2, 3, 6 or 12 months (Jan, Apr,
    Jul, Oct...), or every few years."""
    if span is None:
        days: list[date] = [
            d
            for line in ax.get_lines()
            for d in np.asarray(line.get_xdata(), dtype="datetime64[D]").astype(date).tolist()
        ]
        if not days:
            return
        span = min(days), max(days)
    first, last = span
    firsts = [
        date(year, month, 1)
        for index in range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
        for year, month in [(index // 12, index % 12 + 1)]
        if first <= date(year, month, 1)
    ] or [first]
    step = next((n for n in (1, 2, 3, 6, 12) if len(firsts) <= most * n), 0)
    step = step or 12 * math.ceil(len(firsts) / (most * 12))
    shown = [d for d in firsts if (d.year * 12 + d.month - 1) % step == 0] or firsts[:1]
    ax.set_xticks(_days(shown), [month_words((d.year, d.month)) for d in shown])


# --- axes a board member reads ------------------------------------------------------------------


def _counts(ax: Axes, label: str) -> None:
    """A count axis from 0 (a backlog halved looks halved), with thousands separators."""
    ax.set_ylim(0, max(ax.get_ylim()[1], ax.dataLim.ymax * 1.05))
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_ylabel(label)


def _percentages(ax: Axes, label: str) -> None:
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}%"))
    ax.set_ylabel(label)


def _figure(size: tuple[float, float] = SIZE) -> Figure:
    # Constrained layout makes room for what sits outside the axes: the title, the labels of
    # the change markers above the plot and the legend below it.
    return plt.figure(figsize=size, layout="constrained")


def _title(fig: Figure, title: str, scenario: str = "") -> None:
    heading = "\n".join(textwrap.wrap(title, 80))
    if scenario:
        heading += "\n" + "\n".join(textwrap.wrap(scenario, 100))
    fig.suptitle(heading, fontsize=11)


def _legend(fig: Figure, handles: Sequence[Artist], columns: int = 2) -> None:
    """The legend under the chart, where it hides no line."""
    fig.legend(
        handles=list(handles),
        loc="outside lower center",
        ncols=columns,
        fontsize=9,
        frameon=False,
    )


def _band_key() -> Patch:
    return Patch(facecolor=GREY, alpha=0.25, edgecolor="none", label=BAND_LABEL)


#: Light shading for the days settings are closed (``[exceptions.school-closure]``...).
CLOSED = "#f3f2f1"  # GOV.UK's light grey
CLOSED_LABEL = "Grey: schools or settings closed (closure exceptions)"


def _closures(axes: Sequence[Axes], scenario: Scenario) -> list[Patch]:
    """The scenario's closures within its span, shaded behind the lines of ``axes``; the
    legend's key for them (none: no closure stated)."""
    start, end = scenario.scenario.start, scenario.end
    shown = False
    for rate in scenario.closure_rates().values():
        for closure in rate.closures:
            if closure.end < start or closure.start > end:
                continue
            for ax in axes:
                ax.axvspan(
                    _x(max(closure.start, start)),
                    _x(min(closure.end, end) + timedelta(days=1)),
                    color=CLOSED,
                    zorder=0,
                    linewidth=0,
                )
            shown = True
    return [Patch(facecolor=CLOSED, edgecolor=BARS, label=CLOSED_LABEL)] if shown else []


def _lines(ax: Axes) -> list[Artist]:
    return [line for line in ax.get_lines() if not str(line.get_label()).startswith("_")]


# --- dated changes ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Marker:
    """A dated change drawn as a vertical line, labelled."""

    day: date
    label: str
    colour: str = GREY


def markers(scenario: Scenario, colour: str = GREY) -> list[Marker]:
    """The scenario's dated changes within its span (``report.dated_changes``), by date."""
    return [Marker(day, label, colour) for day, label in dated_changes(scenario)]


def comparison_markers(scenarios: Sequence[Scenario]) -> list[Marker]:
    """Every option's changes, each once: in the option's colour, or in grey when several
    options share it."""
    owners: dict[tuple[date, str], list[int]] = {}
    for i, scenario in enumerate(scenarios):
        for m in markers(scenario):
            owners.setdefault((m.day, m.label), []).append(i)
    return [
        Marker(day, label, option_style(found[0]).colour if len(found) == 1 else GREY)
        for (day, label), found in sorted(owners.items())
    ]


LABEL_SIZE = 8.5
LABEL_WIDTH = 52  # characters a line of a marker's label
LABEL_GAP = 6  # pixels between two labels in one lane


def _label(ax: Axes, words: str, day: date, colour: str, left: bool) -> Annotation:
    """``words`` above the plot, starting (``left``) or ending at ``day``, joined to its line."""
    return ax.annotate(
        words,
        xy=(_x(day), 1),
        xycoords=("data", "axes fraction"),
        xytext=(0, 6),
        textcoords="offset points",
        fontsize=LABEL_SIZE,
        color=colour,
        ha="left" if left else "right",
        va="bottom",
        annotation_clip=False,
        # White behind the words: a line of another lane passing by does not cross them.
        bbox={"boxstyle": "square,pad=0.2", "facecolor": "white", "edgecolor": "none"},
        arrowprops={
            "arrowstyle": "-",
            "color": colour,
            "linestyle": (0, (3, 2)),
            "linewidth": 1.0,
            "shrinkA": 0,
            "shrinkB": 0,
            "relpos": (0 if left else 1, 0),
        },
    )


def words_extent(label: Annotation, renderer: RendererBase) -> Bbox:
    """Where a label's words stand, in pixels (an annotation's own extent takes in its line)."""
    label.update_positions(renderer)
    return Text.get_window_extent(label, renderer)


def _mark(fig: Figure, axes: Sequence[Axes], found: Sequence[Marker]) -> None:
    """Dated vertical lines through ``axes``, their labels above the first: the changes of one
    day (and colour) in one label, "2 Jan 2023: ...", a change a line, and labels that would
    overlap stacked in lanes, each joined to its line."""
    groups: dict[tuple[date, str], list[str]] = {}
    for m in found:
        groups.setdefault((m.day, m.colour), []).append(m.label)
    if not groups:
        return
    top = axes[0]
    for day, colour in groups:
        for ax in axes:
            ax.axvline(_x(day), color=colour, linestyle=(0, (3, 2)), linewidth=1.0)
    fig.draw_without_rendering()  # lay the figure out: where the axes stand
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    plot = top.get_window_extent(renderer)
    lanes: list[float] = []  # the right edge of the last label in each lane, in pixels
    placed: list[tuple[int, Annotation, float]] = []  # lane, label, height in points
    for (day, colour), labels in sorted(groups.items()):
        lines = [f"{as_written(day)}: {labels[0]}", *labels[1:]]  # a change a line
        words = "\n".join(w for line in lines for w in textwrap.wrap(line, LABEL_WIDTH))
        label = _label(top, words, day, colour, left=True)
        box = words_extent(label, renderer)
        if box.x1 > plot.x1:  # past the right edge: the label ends at its line instead
            label.remove()
            label = _label(top, words, day, colour, left=False)
            box = words_extent(label, renderer)
        lane = next((i for i, right in enumerate(lanes) if box.x0 > right + LABEL_GAP), len(lanes))
        if lane == len(lanes):
            lanes.append(box.x1)
        lanes[lane] = box.x1
        placed.append((lane, label, box.height * 72 / fig.dpi))
    heights = [max(h for lane, _, h in placed if lane == i) for i in range(len(lanes))]
    for lane, label, _ in placed:
        label.xyann = (0, 6 + sum(heights[:lane]) + 4 * lane)
        # A lower lane's words over the lines that rise past them to the lanes above.
        label.set_zorder(4 + len(lanes) - lane)


def _target(ax: Axes, target: int, colour: str = INK) -> None:
    ax.axhline(
        target,
        color=colour,
        linestyle="-.",
        linewidth=1.8,
        label=f"Target: {target:,} cases per caseworker",
    )
    low, high = ax.get_ylim()
    ax.set_ylim(low, max(high, target * 1.1))


# --- a run --------------------------------------------------------------------------------------


def _finish_weekly(fig: Figure, ax: Axes, result: ScenarioResult, ylabel: str) -> None:
    _counts(ax, ylabel)
    _month_ticks(ax, _span(result))
    ax.grid(alpha=0.3)
    closed = _closures([ax], result.scenario)
    _legend(fig, [*_lines(ax), _band_key(), *closed])
    _mark(fig, [ax], markers(result.scenario))


def backlog_figure(result: ScenarioResult) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    x = _week_dates(result)
    for i, (name, label) in enumerate(BACKLOG_LINES):
        _band(ax, x, result.weekly(name), label, COLOURS[i])
    _title(fig, RUN_CHART_TITLES["backlog"], result.scenario.scenario.title)
    _finish_weekly(fig, ax, result, "cases")
    return fig


def caseload_figure(result: ScenarioResult) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    _band(
        ax,
        _week_dates(result),
        result.weekly("caseload_per_caseworker"),
        "Caseload per caseworker",
        COLOURS[0],
    )
    target = result.scenario.report.caseload_target
    _counts(ax, "cases per caseworker")
    if target is not None:
        _target(ax, target)
    _title(fig, RUN_CHART_TITLES["caseload"], result.scenario.scenario.title)
    _finish_weekly(fig, ax, result, "cases per caseworker")
    return fig


def _plans_panel(fig: Figure) -> tuple[Axes, Axes]:
    """The rate above, the plans it rests on below, on one time axis."""
    rate, plans = fig.subplots(2, 1, sharex=True, height_ratios=(3, 1))
    rate.tick_params(labelbottom=False)
    return rate, plans


#: A month with few plans behind its percentage: a hollow marker, on the chart and in the key.
_HOLLOW: dict[str, Any] = {
    "linestyle": "none",
    "marker": "o",
    "markersize": 7,
    "markerfacecolor": "white",
    "markeredgewidth": 1.4,
}


def _few(
    ax: Axes, x: Sequence[date], rates: Sequence[float], counts: Sequence[float], colour: str
) -> None:
    """Hollow markers on the months with fewer than ``FEW_PLANS`` plans issued."""
    few = [
        (d, r)
        for d, r, n in zip(x, rates, counts, strict=True)
        if n < FEW_PLANS and not math.isnan(r)
    ]
    if few:
        ax.plot(
            _days([d for d, _ in few]),
            [r for _, r in few],
            **_HOLLOW,
            markeredgecolor=colour,
            clip_on=False,
            label="_few",
        )


def _few_key(ax: Axes) -> list[Line2D]:
    """The legend entry of the hollow months, when there are any."""
    if not any(line.get_label() == "_few" for line in ax.get_lines()):
        return []
    return [Line2D([], [], **_HOLLOW, markeredgecolor=GREY, label=FEW_LABEL)]


def in_time_figure(result: ScenarioResult) -> Figure:
    fig = _figure(TALL)
    rate, plans = _plans_panel(fig)
    x = _month_dates(result)
    excluding = result.monthly(True)
    issued = [n.median for _, n, _ in excluding]
    rates = [b.median for _, _, b in excluding]
    colour = COLOURS[0]
    _band(rate, x, [b for _, _, b in excluding], "Excl. exceptions (the headline)", colour)
    rate.lines[-1].set(marker="o", markersize=4)
    rate.plot(
        _days(x),
        [b.median for _, _, b in result.monthly(False)],
        "--",
        color=COLOURS[1],
        label="Incl. exceptions",
    )
    _few(rate, x, rates, issued, colour)
    _percentages(rate, "% of the month's plans")
    plans.bar(
        _days(x),
        issued,
        width=20,
        color=[FEW_BARS if n < FEW_PLANS else BARS for n in issued],
        edgecolor=BARS,
        linewidth=0.6,
    )
    _counts(plans, "plans issued")
    plans.yaxis.get_major_locator().set_params(nbins=3)  # type: ignore[call-arg]
    _month_ticks(plans, _span(result))
    for ax in (rate, plans):
        ax.grid(alpha=0.3)
    bars = Patch(facecolor=BARS, label="Bars below: plans issued in the month (median)")
    _title(fig, RUN_CHART_TITLES["in_time"], result.scenario.scenario.title)
    closed = _closures([rate, plans], result.scenario)
    _legend(fig, [*_lines(rate), _band_key(), *_few_key(rate), bars, *closed])
    _mark(fig, [rate, plans], markers(result.scenario))
    return fig


def run_figures(result: ScenarioResult) -> dict[str, Figure]:
    """The charts of a run by name: backlog, in_time, caseload."""
    return {
        "backlog": backlog_figure(result),
        "in_time": in_time_figure(result),
        "caseload": caseload_figure(result),
    }


def save(fig: Figure, folder: Path, name: str) -> list[Path]:
    """``name``.png and ``name``.svg in ``folder``; the figure is closed."""
    png, svg = folder / f"{name}.png", folder / f"{name}.svg"
    try:
        fig.savefig(png, dpi=DPI, metadata={"Software": None})
        # Words as text, not outlines; the same file from the same figures, run after run.
        with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": name}):
            fig.savefig(svg, metadata={"Date": None, "Creator": None})
    finally:
        plt.close(fig)
    return [png, svg]


def write_charts(result: ScenarioResult, folder: Path) -> list[Path]:
    """backlog, in_time and caseload, each .png and .svg, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return [p for name, fig in run_figures(result).items() for p in save(fig, folder, name)]


# --- options side by side -----------------------------------------------------------------------


def _option_label(result: ScenarioResult) -> str:
    return "\n".join(textwrap.wrap(result.scenario.scenario.title, 90))


def _targets(ax: Axes, results: list[ScenarioResult]) -> None:
    """The options' caseload targets: one line in ink when they share one, else each in its
    option's colour."""
    targets = [r.scenario.report.caseload_target for r in results]
    if len(set(targets)) == 1 and targets[0] is not None:
        _target(ax, targets[0])
        return
    for i, target in enumerate(targets):
        if target is not None:
            _target(ax, target, option_style(i).colour)


def _comparison_weekly(results: list[ScenarioResult], name: str, title: str) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    draw_options(ax, [(_option_label(r), _week_dates(r), r.weekly(name)) for r in results])
    _counts(ax, "cases per caseworker" if name == "caseload_per_caseworker" else "cases")
    if name == "caseload_per_caseworker":
        _targets(ax, results)
    _title(fig, title)
    _month_ticks(ax, _options_span(results))
    ax.grid(alpha=0.3)
    _legend(fig, [*_lines(ax), _band_key()], columns=1)
    _mark(fig, [ax], comparison_markers([r.scenario for r in results]))
    return fig


def _comparison_in_time(results: list[ScenarioResult]) -> Figure:
    fig = _figure(TALL)
    rate, plans = _plans_panel(fig)
    months = [r.monthly(True) for r in results]
    draw_options(
        rate,
        [
            (_option_label(r), _month_dates(r), [b for _, _, b in m])
            for r, m in zip(results, months, strict=True)
        ],
    )
    width = 24 / max(1, len(results))
    for i, (r, m) in enumerate(zip(results, months, strict=True)):
        style = option_style(i)
        counts = [n.median for _, n, _ in m]
        _few(rate, _month_dates(r), [b.median for _, _, b in m], counts, style.colour)
        offset = (i - (len(results) - 1) / 2) * width
        plans.bar(
            _days(_month_dates(r)) + np.timedelta64(round(offset), "D"),
            counts,
            width=width,
            color=style.colour,
            alpha=0.75,
        )
    _percentages(rate, "% of the month's plans")
    _counts(plans, "plans issued")
    plans.yaxis.get_major_locator().set_params(nbins=3)  # type: ignore[call-arg]
    _month_ticks(plans, _options_span(results))
    for ax in (rate, plans):
        ax.grid(alpha=0.3)
    _title(fig, COMPARISON_IN_TIME_TITLE)
    bars = Patch(facecolor=BARS, label="Bars below: plans issued each month (median), per option")
    _legend(fig, [*_lines(rate), _band_key(), *_few_key(rate), bars], columns=1)
    _mark(fig, [rate, plans], comparison_markers([r.scenario for r in results]))
    return fig


def comparison_figures(results: list[ScenarioResult]) -> dict[str, Figure]:
    """One chart per measure with every option on it, by name (compare_...)."""
    found = {
        f"compare_{name}": _comparison_weekly(results, name, title)
        for name, title in COMPARED_LINES
    }
    found["compare_in_time"] = _comparison_in_time(results)
    return found


def write_comparison_charts(results: list[ScenarioResult], folder: Path) -> list[Path]:
    """One chart per measure with every scenario on it: compare_*.png and .svg in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return [p for name, fig in comparison_figures(results).items() for p in save(fig, folder, name)]
