"""The annual-review book: 12-month due dates and the order reviews are held in."""

from __future__ import annotations

from datetime import date

from scenarios.model import Policy
from scenarios.reviews import ReviewBook, next_review_due

MONDAY = date(2024, 3, 4)
SUNDAY = date(2024, 3, 10)


def test_next_review_is_due_twelve_months_on_29_february_to_28() -> None:
    assert next_review_due(date(2025, 11, 25)) == date(2026, 11, 25)
    assert next_review_due(date(2024, 2, 29)) == date(2025, 2, 28)


def _book() -> ReviewBook:
    book = ReviewBook()
    book.add(date(2024, 1, 10), 3)  # overdue
    book.add(date(2024, 3, 6), 2)  # due this week
    book.add(date(2024, 4, 20), 4)  # due in 6 weeks
    book.add(date(2024, 7, 1), 5)  # beyond the lead
    return book


def test_overdue_counts_reviews_whose_day_has_passed() -> None:
    book = _book()
    assert book.plans == 14
    assert book.overdue(MONDAY) == 3
    assert book.overdue(date(2024, 3, 7)) == 5


def test_oldest_first_holds_overdue_reviews_first_spread_over_the_week() -> None:
    done = _book().take(4, MONDAY, SUNDAY, lead_days=56, policy=Policy.OLDEST_FIRST)
    assert [(d.due, d.count) for d in done] == [
        (date(2024, 1, 10), 1),
        (date(2024, 1, 10), 1),
        (date(2024, 1, 10), 1),
        (date(2024, 3, 6), 1),
    ]
    assert [d.concluded for d in done[:3]] == [MONDAY, date(2024, 3, 5), date(2024, 3, 6)]
    assert not any(d.in_time for d in done[:3])
    assert done[3].concluded == date(2024, 3, 6) and done[3].in_time


def test_new_in_time_first_holds_this_weeks_reviews_then_the_overdue_ones_then_early_ones() -> None:
    """A review held before its week keeps nothing in time and brings the next forward: under
    new-in-time-first it waits for the overdue ones, which wait only for this week's."""
    book = _book()
    done = book.take(4, MONDAY, SUNDAY, lead_days=56, policy=Policy.NEW_IN_TIME_FIRST)
    assert [(d.due, d.count) for d in done] == [
        (date(2024, 3, 6), 2),
        (date(2024, 1, 10), 1),
        (date(2024, 1, 10), 1),
    ]
    assert done[0].in_time and not any(d.in_time for d in done[1:])
    assert book.overdue(MONDAY) == 1, "hours ran out before the third overdue review"
    assert book.plans == 10, "the early ones wait"

    done = _book().take(7, MONDAY, SUNDAY, lead_days=56, policy=Policy.NEW_IN_TIME_FIRST)
    assert [d.due for d in done][-1] == date(2024, 4, 20), "held early with the hours left"
    assert sum(d.count for d in done if d.due == date(2024, 4, 20)) == 2
