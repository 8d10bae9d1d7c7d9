"""The PNG charts' axes and titles: months in words, each chart titled once by what it shows."""

from __future__ import annotations

from datetime import date, timedelta

import matplotlib.pyplot as plt
import numpy as np

from scenarios import charts
from scenarios.results import Band


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
