"""How far off a date is, in the words alerts and ``ehc overdue`` both use."""

from __future__ import annotations

import pytest

from statutory.dates import days_left_words


@pytest.mark.parametrize(
    ("days_left", "said"),
    [
        (3, "due in 3 days"),
        (1, "due in 1 day"),
        (0, "due today"),
        (-1, "1 day overdue"),
        (-12, "12 days overdue"),
    ],
)
def test_days_left_in_words(days_left: int, said: str) -> None:
    assert days_left_words(days_left) == said
