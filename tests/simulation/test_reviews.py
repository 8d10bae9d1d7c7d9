"""The annual-review book: 12-month due dates, the order reviews are held in, and which of
them were brought forward for a phase transfer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scenarios import engine
from scenarios.model import Policy
from scenarios.reviews import ReviewBook, next_review_due, transfer_review_due

from .helpers import variant

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


def _book_with_transfers(split: bool) -> ReviewBook:
    """``_book``, with plans brought forward to 15 February for a phase transfer beside the
    ones due then by 12 months (told apart only when ``split``)."""
    book = _book()
    feb = date(2024, 2, 15)
    book.add(feb, 2)
    book.add(feb, 3, date(2024, 6, 1) if split else None)
    book.add(feb, 1, date(2024, 3, 9) if split else None)
    book.add(date(2024, 3, 8), 2)
    book.add(date(2024, 3, 8), 4, date(2024, 9, 30) if split else None)
    return book


def _taken(book: ReviewBook, policy: Policy) -> list[list[tuple[date, date, int]]]:
    weeks = [(MONDAY + timedelta(weeks=k), SUNDAY + timedelta(weeks=k)) for k in range(3)]
    done = [book.take(5, start, end, lead_days=56, policy=policy) for start, end in weeks]
    return [[(d.due, d.concluded, d.count) for d in week] for week in done]


@pytest.mark.parametrize("policy", list(Policy))
def test_the_transfer_split_changes_no_review_taken_and_sums_to_the_days_counts(
    policy: Policy,
) -> None:
    split, plain = _book_with_transfers(True), _book_with_transfers(False)
    assert _taken(split, policy) == _taken(plain, policy)
    assert (split.plans, split.overdue(SUNDAY)) == (plain.plans, plain.overdue(SUNDAY))

    book = _book_with_transfers(True)
    done = book.take(100, MONDAY, SUNDAY, lead_days=365, policy=policy)
    assert book.plans == 0
    assert all(sum(n for _, n in d.transfers) <= d.count for d in done)
    moved: dict[tuple[date, date], int] = {}
    for d in done:
        for twelve_months, n in d.transfers:
            moved[d.due, twelve_months] = moved.get((d.due, twelve_months), 0) + n
    assert moved == {
        (date(2024, 2, 15), date(2024, 3, 9)): 1,
        (date(2024, 2, 15), date(2024, 6, 1)): 3,
        (date(2024, 3, 8), date(2024, 9, 30)): 4,
    }


def test_transfers_are_taken_first_earliest_12_month_date_first_over_the_week() -> None:
    """An overdue day's reviews are spread Monday to Friday: its transfers go first."""
    done = _book_with_transfers(True).take(
        9, MONDAY, SUNDAY, lead_days=0, policy=Policy.OLDEST_FIRST
    )
    feb = [d for d in done if d.due == date(2024, 2, 15)]
    assert [(d.concluded.day, d.count, d.transfers) for d in feb] == [
        (4, 2, ((date(2024, 3, 9), 1), (date(2024, 6, 1), 1))),
        (5, 1, ((date(2024, 6, 1), 1),)),
        (6, 1, ((date(2024, 6, 1), 1),)),
        (7, 1, ()),
        (8, 1, ()),
    ]


def test_a_run_with_phase_transfers_says_which_reviews_were_transfers_and_nothing_else() -> None:
    """The split is kept beside the counts: a run told nothing of it holds the same reviews."""
    scenario = variant("unitary-2020-phase-transfers-and-withdrawals", {"scenario.weeks": 60})
    run = engine.simulate(scenario, 4, keep_cases=True)
    with pytest.MonkeyPatch.context() as patch:
        add = ReviewBook.add
        patch.setattr(ReviewBook, "add", lambda book, due, n=1, _=None: add(book, due, n))
        plain = engine.simulate(scenario, 4, keep_cases=True)
    assert run.weekly == plain.weekly
    assert [(r.due, r.concluded, r.count) for r in run.reviews] == [
        (r.due, r.concluded, r.count) for r in plain.reviews
    ]
    assert not any(r.transfers for r in plain.reviews)
    transfers = [r for r in run.reviews if r.transfers]
    assert {(r.due.month, r.due.day) for r in transfers} == {(2, 15)}
    assert all(sum(n for _, n in r.transfers) <= r.count for r in transfers)
    assert all(r.due < twelve_months for r in transfers for twelve_months, _ in r.transfers)
    assert all(transfer_review_due(t) == r.due for r in transfers for t, _ in r.transfers)
