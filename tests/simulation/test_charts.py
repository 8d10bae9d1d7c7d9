"""The charts for a board paper: months in words, a PNG and an SVG each, the shaded band in
the legend, dated and labelled changes that do not overlap, the caseload target, thousands
separators, the plans behind each month's rate, and options named by their titles."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation

from scenarios import charts, engine
from scenarios.report import FEW_PLANS
from scenarios.results import Band, ScenarioResult
from statutory.dates import as_written

from .helpers import variant


def _ticks(days: list[date]) -> list[str]:
    fig, ax = plt.subplots()
    ax.plot(np.array(days, dtype="datetime64[D]"), range(len(days)))
    charts._month_ticks(ax)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    plt.close(fig)
    return labels


def test_a_short_run_has_a_tick_on_every_month_in_words() -> None:
    weeks = [date(2023, 1, 2) + timedelta(weeks=w) for w in range(20)]
    assert _ticks(weeks) == ["Feb 2023", "Mar 2023", "Apr 2023", "May 2023"]


def test_a_longer_run_ticks_every_other_month_quarter_or_half_year() -> None:
    def weeks(n: int) -> list[date]:
        return [date(2020, 1, 6) + timedelta(weeks=w) for w in range(n)]

    assert _ticks(weeks(60)) == [
        "Mar 2020", "May 2020", "Jul 2020", "Sep 2020", "Nov 2020", "Jan 2021",
    ]  # fmt: skip
    assert _ticks(weeks(90))[:3] == ["Apr 2020", "Jul 2020", "Oct 2020"]
    assert _ticks(weeks(156))[:3] == ["Jul 2020", "Jan 2021", "Jul 2021"]


def test_a_run_shorter_than_a_month_still_names_its_month() -> None:
    assert _ticks([date(2023, 1, 2), date(2023, 1, 9)]) == ["Jan 2023"]


def test_options_whose_lines_coincide_are_drawn_differently() -> None:
    """Two options at 0% within 20 weeks all along: one line must not hide the other."""
    months = [date(2023, m, 15) for m in range(1, 13)]
    zero = [Band(0.0, 0.0, 0.0)] * len(months)
    fig, ax = plt.subplots()
    charts.draw_options(ax, [("in-house-9", months, zero), ("locums-9", months, zero)])
    first, second = ax.get_lines()
    plt.close(fig)
    assert [first.get_label(), second.get_label()] == ["in-house-9", "locums-9"]
    assert first.get_linestyle() != second.get_linestyle()
    assert first.get_marker() != second.get_marker()
    assert first.get_markevery() != second.get_markevery(), "markers side by side, not stacked"


def test_the_first_options_of_a_comparison_share_no_colour_line_or_marker() -> None:
    styles = [charts.option_style(i) for i in range(4)]
    for attribute in ("colour", "linestyle", "marker"):
        assert len({getattr(s, attribute) for s in styles}) == 4, attribute


# --- a run's charts, as a board member reads them ------------------------------------------------

CLOSE_CHANGES = [
    {"label": "4 additional caseworkers", "start": date(2020, 2, 3), "caseworkers": 4, "assumed": True},
    {"label": "agency caseworker", "start": date(2020, 2, 10), "caseworkers": 1, "assumed": True},
    {"label": "a caseworker leaves", "start": date(2020, 9, 7), "end": date(2020, 11, 30), "caseworkers": -1, "assumed": True},
]  # fmt: skip


@pytest.fixture(scope="module")
def result() -> ScenarioResult:
    """Sixty weeks of the unitary council: changes a week apart (their labels would collide),
    a change that ends, a change of priority, and a caseload target."""
    scenario = variant(
        "unitary-2020-as-planned",
        {
            "scenario.weeks": 60,
            "capacity.changes": CLOSE_CHANGES,
            "priority.changes": [{"start": date(2020, 2, 3), "policy": "new-in-time-first"}],
            "report.caseload_target": 200,
        },
    )
    return ScenarioResult(scenario, engine.replicate(scenario, 2, 0))


@pytest.fixture(scope="module")
def figures(result: ScenarioResult) -> Iterator[dict[str, Figure]]:
    found = charts.run_figures(result)
    yield found
    for fig in found.values():
        plt.close(fig)


TARGET = "Target: 200 cases per caseworker"


def _day(x: float) -> date:
    """The day at ``x`` on matplotlib's time axis."""
    found: datetime = mdates.num2date(x)  # type: ignore[no-untyped-call]
    return found.date()


def _legend(fig: Figure) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def _labels(fig: Figure) -> list[Annotation]:
    return [t for ax in fig.axes for t in ax.texts if isinstance(t, Annotation)]


def test_every_chart_is_written_as_a_png_and_an_svg_with_its_words_as_text(
    result: ScenarioResult, tmp_path: Path
) -> None:
    written = charts.write_charts(result, tmp_path)
    assert sorted(p.name for p in written) == sorted(
        f"{name}.{kind}" for name in ("backlog", "in_time", "caseload") for kind in ("png", "svg")
    )
    for path in written:
        if path.suffix == ".png":
            assert path.read_bytes().startswith(b"\x89PNG")
        else:
            svg = ElementTree.parse(path).getroot()
            words = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
            assert charts.BAND_LABEL in words, path.name
            assert "3 Feb 2020: 4 additional caseworkers" in words, path.name


def test_every_legend_explains_the_shaded_band(figures: dict[str, Figure]) -> None:
    for name, fig in figures.items():
        assert charts.BAND_LABEL in _legend(fig), name


def test_capacity_and_priority_changes_are_dated_lines_labelled_with_their_label(
    figures: dict[str, Figure],
) -> None:
    expected = {
        date(2020, 2, 3): ["4 additional caseworkers", "priority: new in time first"],
        date(2020, 2, 10): ["agency caseworker"],
        date(2020, 9, 7): ["a caseworker leaves"],
        date(2020, 11, 30): ["end of a caseworker leaves"],
    }
    for name, fig in figures.items():
        ax = fig.axes[0]
        vertical = {
            _day(float(np.asarray(line.get_xdata())[0]))
            for line in ax.get_lines()
            if len(set(np.asarray(line.get_xdata()))) == 1
            and list(np.asarray(line.get_ydata())) == [0, 1]
        }
        assert vertical == set(expected), name
        words = {t.get_text() for t in _labels(fig)}
        for day, labels in expected.items():
            assert any(
                w.startswith(as_written(day)) and all(label in w for label in labels) for w in words
            ), (name, day)


def test_marker_labels_do_not_overlap(figures: dict[str, Figure]) -> None:
    for name, fig in figures.items():
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        fig.draw(renderer)
        boxes = [charts.words_extent(t, renderer) for t in _labels(fig)]
        assert len(boxes) == 4, name
        for i, first in enumerate(boxes):
            for second in boxes[i + 1 :]:
                assert not first.overlaps(second), name


def test_the_caseload_chart_draws_the_target(figures: dict[str, Figure]) -> None:
    fig = figures["caseload"]
    target = [line for line in fig.axes[0].get_lines() if line.get_label() == TARGET]
    assert len(target) == 1 and list(np.asarray(target[0].get_ydata())) == [200, 200]
    assert TARGET in _legend(fig)
    assert fig.axes[0].get_ylim()[1] > 200


def test_counts_are_written_with_thousands_separators(figures: dict[str, Figure]) -> None:
    formatter = figures["backlog"].axes[0].yaxis.get_major_formatter()
    assert formatter(1750, 0) == "1,750"
    assert figures["in_time"].axes[0].yaxis.get_major_formatter()(75, 0) == "75%"


def test_the_in_time_rate_stands_on_the_plans_it_counts(
    figures: dict[str, Figure], result: ScenarioResult
) -> None:
    """Bars of plans issued under the rate; the months with few plans drawn hollow."""
    fig = figures["in_time"]
    rate, plans = fig.axes
    months = result.monthly(True)
    heights = [bar.get_height() for bar in plans.patches if isinstance(bar, Rectangle)]
    assert heights == [n.median for _, n, _ in months]
    few = [
        day.astype(date)
        for line in rate.get_lines()
        if line.get_label() == "_few"
        for day in np.asarray(line.get_xdata(), dtype="datetime64[D]")
    ]
    assert few == [
        date(y, m, 15)
        for (y, m), n, b in months
        if n.median < FEW_PLANS and not math.isnan(b.median)
    ]
    assert charts.FEW_LABEL in _legend(fig)


def test_comparison_legends_name_each_option_by_its_title(result: ScenarioResult) -> None:
    other = variant("unitary-2020-no-extra-staff", {"scenario.weeks": 60})
    options = [result, ScenarioResult(other, engine.replicate(other, 2, 0))]
    found = charts.comparison_figures(options)
    try:
        for name, fig in found.items():
            legend = _legend(fig)
            for option in options:
                assert option.scenario.scenario.title in legend, name
            assert charts.BAND_LABEL in legend, name
        assert "Target: 200 cases per caseworker" in _legend(
            found["compare_caseload_per_caseworker"]
        )
    finally:
        for fig in found.values():
            plt.close(fig)


def test_school_closures_are_shaded_on_every_chart_and_named_in_the_legend(
    figures: dict[str, Figure],
) -> None:
    scenario = variant("unitary-2020-school-holidays", {"scenario.weeks": 40})
    result = ScenarioResult(scenario, engine.replicate(scenario, 1, 0))
    closed = [
        c
        for rate in scenario.closure_rates().values()
        for c in rate.closures
        if c.start <= scenario.end
    ]
    assert closed, "the run spans a summer closure"
    for name, fig in charts.run_figures(result).items():
        assert charts.CLOSED_LABEL in _legend(fig), name
        shaded = [
            (_day(p.get_x()), _day(p.get_x() + p.get_width()))
            for p in fig.axes[0].patches
            if isinstance(p, Rectangle)
            and p.get_facecolor()[:3] == (243 / 255, 242 / 255, 241 / 255)
        ]
        assert shaded == [(c.start, c.end + timedelta(days=1)) for c in closed], name
        plt.close(fig)
    for name, fig in figures.items():  # a scenario without closures: nothing shaded
        assert charts.CLOSED_LABEL not in _legend(fig), name
