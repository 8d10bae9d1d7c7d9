"""The PNG charts' axes and titles: months in words, each chart titled once by what it shows."""

from __future__ import annotations

from datetime import date, timedelta

import matplotlib.pyplot as plt
import numpy as np

from scenarios import charts


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
