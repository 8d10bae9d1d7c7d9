"""Exceptions to the time limits: valid periods, closure windows, and the operational pause."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statutory.errors import RuleViolation
from statutory.exceptions import (
    ADVICE_REASONS,
    LA_STEP_REASONS,
    REGULATION,
    Period,
    Reason,
    check_closure_covers_request,
    check_period,
    closure_window,
    merged,
    operational_target,
    parse_reason,
)

D = date


def span(start: date, days: int) -> Period:
    """A period of ``days`` days beginning with ``start``."""
    return Period(start, start + timedelta(days=days - 1))


# --- reasons ------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", list(Reason))
def test_parse_reason_round_trips(reason: Reason) -> None:
    assert parse_reason(reason.value) is reason


@pytest.mark.parametrize("text", ["holiday", "", "School-Closure", "school closure", "covid"])
def test_parse_reason_unknown_is_a_rule_violation(text: str) -> None:
    with pytest.raises(RuleViolation, match="unknown exception reason") as info:
        parse_reason(text)
    # The message lists the reasons the caseworker can use.
    assert "absence-from-area" in str(info.value)


def test_which_reasons_lift_which_limits() -> None:
    # reg 5(4), 10(4), 13(3) (+ reg 2A): no missed-appointment exception for LA steps.
    assert (
        frozenset(
            {
                Reason.SCHOOL_CLOSURE,
                Reason.EARLY_YEARS_CLOSURE,
                Reason.PERSONAL_CIRCUMSTANCES,
                Reason.ABSENCE_FROM_AREA,
                Reason.CORONAVIRUS,
            }
        )
        == LA_STEP_REASONS
    )
    # reg 8(2) (+ reg 2A): no school-closure exception for advice.
    assert (
        frozenset(
            {
                Reason.PERSONAL_CIRCUMSTANCES,
                Reason.ABSENCE_FROM_AREA,
                Reason.MISSED_APPOINTMENT,
                Reason.CORONAVIRUS,
            }
        )
        == ADVICE_REASONS
    )
    assert set(REGULATION) == set(Reason)
    assert REGULATION[Reason.MISSED_APPOINTMENT] == "reg 8(2)(c)"
    assert "13(3)(a)" in REGULATION[Reason.SCHOOL_CLOSURE]
    assert "8(2)(b)" in REGULATION[Reason.ABSENCE_FROM_AREA]


# --- check_period -------------------------------------------------------------------------


@pytest.mark.parametrize("reason", list(Reason))
def test_period_ending_before_it_starts_is_rejected(reason: Reason) -> None:
    with pytest.raises(RuleViolation, match="before it starts"):
        check_period(reason, Period(D(2020, 6, 10), D(2020, 6, 9)))


FOUR_WEEK_REASONS = [Reason.SCHOOL_CLOSURE, Reason.EARLY_YEARS_CLOSURE, Reason.ABSENCE_FROM_AREA]


@pytest.mark.parametrize("reason", FOUR_WEEK_REASONS)
@pytest.mark.parametrize("days", [1, 14, 27])
def test_closures_and_absence_under_four_weeks_are_rejected(reason: Reason, days: int) -> None:
    with pytest.raises(RuleViolation, match="4 continuous weeks"):
        check_period(reason, span(D(2025, 7, 1), days))


@pytest.mark.parametrize("reason", FOUR_WEEK_REASONS)
@pytest.mark.parametrize("days", [28, 29, 60])
def test_closures_and_absence_of_four_weeks_or_more_are_accepted(reason: Reason, days: int) -> None:
    check_period(reason, span(D(2025, 7, 1), days))


@pytest.mark.parametrize("reason", [Reason.PERSONAL_CIRCUMSTANCES, Reason.MISSED_APPOINTMENT])
def test_personal_circumstances_and_missed_appointment_have_no_minimum(reason: Reason) -> None:
    check_period(reason, span(D(2025, 7, 1), 1))


def test_four_weeks_counts_both_ends() -> None:
    # 1 July to 28 July inclusive is 28 days; to 27 July is 27.
    assert Period(D(2025, 7, 1), D(2025, 7, 28)).days == 28
    check_period(Reason.ABSENCE_FROM_AREA, Period(D(2025, 7, 1), D(2025, 7, 28)))
    with pytest.raises(RuleViolation):
        check_period(Reason.ABSENCE_FROM_AREA, Period(D(2025, 7, 1), D(2025, 7, 27)))


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        (D(2020, 5, 1), D(2020, 9, 25), True),  # the whole window, inclusive
        (D(2020, 5, 1), D(2020, 5, 1), True),
        (D(2020, 9, 25), D(2020, 9, 25), True),
        (D(2020, 6, 1), D(2020, 6, 3), True),  # no 4-week minimum
        (D(2020, 4, 30), D(2020, 6, 1), False),  # starts a day early
        (D(2020, 6, 1), D(2020, 9, 26), False),  # ends a day late
        (D(2021, 1, 4), D(2021, 2, 1), False),  # later lockdowns are not covered
        (D(2019, 5, 1), D(2019, 6, 1), False),
    ],
)
def test_coronavirus_window(start: date, end: date, ok: bool) -> None:
    period = Period(start, end)
    if ok:
        check_period(Reason.CORONAVIRUS, period)
    else:
        with pytest.raises(RuleViolation, match="reg 2A"):
            check_period(Reason.CORONAVIRUS, period)


def test_other_reasons_are_not_limited_to_2020() -> None:
    check_period(Reason.PERSONAL_CIRCUMSTANCES, Period(D(2026, 1, 5), D(2026, 1, 9)))
    check_period(Reason.ABSENCE_FROM_AREA, Period(D(2019, 1, 1), D(2019, 2, 28)))


# --- closure windows ----------------------------------------------------------------------


def test_closure_window_runs_from_a_week_before_to_a_week_before_reopening() -> None:
    # Summer closure Mon 21 July to Sun 31 Aug 2025; the school reopens Mon 1 September.
    closure = Period(D(2025, 7, 21), D(2025, 8, 31))
    window = closure_window(closure)
    assert window.start == D(2025, 7, 14)
    assert window.end == D(2025, 8, 25)  # 1 week before reopening = closure end - 6
    assert window.end == closure.end - timedelta(days=6)


@pytest.mark.parametrize(
    ("requested", "covered"),
    [
        (D(2025, 7, 13), False),  # 8 days before the closure
        (D(2025, 7, 14), True),  # exactly 1 week before
        (D(2025, 8, 1), True),  # during the closure
        (D(2025, 8, 25), True),  # exactly 1 week before reopening
        (D(2025, 8, 26), False),  # later: the school would reply after it reopens
        (D(2025, 9, 2), False),
    ],
)
def test_check_closure_covers_request(requested: date, covered: bool) -> None:
    closure = Period(D(2025, 7, 21), D(2025, 8, 31))
    if covered:
        check_closure_covers_request(Reason.SCHOOL_CLOSURE, closure, [requested])
    else:
        with pytest.raises(RuleViolation, match="14 Jul 2025 and 25 Aug 2025"):
            check_closure_covers_request(Reason.SCHOOL_CLOSURE, closure, [requested])


def test_closure_needs_any_one_request_in_the_window() -> None:
    closure = Period(D(2025, 7, 21), D(2025, 8, 31))
    check_closure_covers_request(
        Reason.EARLY_YEARS_CLOSURE, closure, [D(2025, 6, 1), D(2025, 7, 20), D(2025, 9, 30)]
    )
    with pytest.raises(RuleViolation, match="early-years-closure"):
        check_closure_covers_request(Reason.EARLY_YEARS_CLOSURE, closure, [])
    with pytest.raises(RuleViolation):
        check_closure_covers_request(
            Reason.SCHOOL_CLOSURE, closure, iter([D(2025, 6, 1), D(2025, 9, 30)])
        )


# --- merged -------------------------------------------------------------------------------


def test_merged_sorts_and_merges_overlaps() -> None:
    got = merged(
        [
            Period(D(2025, 7, 1), D(2025, 7, 31)),
            Period(D(2025, 6, 1), D(2025, 6, 30)),  # adjacent to July: merged
            Period(D(2025, 7, 15), D(2025, 8, 10)),  # overlaps July: merged
            Period(D(2025, 9, 1), D(2025, 9, 5)),  # gap of 21 days: separate
        ],
        clock_start=D(2025, 5, 1),
    )
    assert got == [
        Period(D(2025, 6, 1), D(2025, 8, 10)),
        Period(D(2025, 9, 1), D(2025, 9, 5)),
    ]


def test_merged_keeps_a_one_day_gap() -> None:
    got = merged(
        [Period(D(2025, 6, 1), D(2025, 6, 10)), Period(D(2025, 6, 12), D(2025, 6, 20))],
        clock_start=D(2025, 5, 1),
    )
    assert got == [Period(D(2025, 6, 1), D(2025, 6, 10)), Period(D(2025, 6, 12), D(2025, 6, 20))]


def test_merged_contained_period_does_not_shorten() -> None:
    got = merged(
        [Period(D(2025, 6, 1), D(2025, 6, 30)), Period(D(2025, 6, 5), D(2025, 6, 10))],
        clock_start=D(2025, 5, 1),
    )
    assert got == [Period(D(2025, 6, 1), D(2025, 6, 30))]


def test_merged_clips_a_single_period_to_the_clock_start() -> None:
    clock = D(2025, 5, 21)
    # Over before the clock starts: dropped.
    assert merged([Period(D(2025, 4, 1), D(2025, 5, 20))], clock) == []
    # Straddles the clock start: clipped to begin on it.
    assert merged([Period(D(2025, 5, 1), D(2025, 5, 30))], clock) == [Period(clock, D(2025, 5, 30))]
    # Ends on the clock start: 1 day.
    assert merged([Period(D(2025, 4, 1), D(2025, 5, 21))], clock) == [Period(clock, clock)]
    # After the clock start: unchanged.
    assert merged([Period(D(2025, 6, 1), D(2025, 6, 30))], clock) == [
        Period(D(2025, 6, 1), D(2025, 6, 30))
    ]
    assert merged([], clock) == []


def test_merged_drops_periods_before_the_clock() -> None:
    clock = D(2025, 5, 21)
    got = merged(
        [Period(D(2025, 4, 1), D(2025, 4, 30)), Period(D(2025, 5, 1), D(2025, 5, 30))], clock
    )
    assert got == [Period(clock, D(2025, 5, 30))]


def test_merged_clips_several_periods_to_the_clock_start() -> None:
    clock = D(2025, 5, 21)
    got = merged(
        [
            Period(D(2025, 4, 1), D(2025, 4, 30)),  # over before the clock starts: dropped
            Period(D(2025, 5, 1), D(2025, 5, 30)),  # straddles: clipped to 21 May
            Period(D(2025, 4, 1), D(2025, 5, 21)),  # ends on the clock start: 1 day
        ],
        clock_start=clock,
    )
    assert got == [Period(D(2025, 5, 21), D(2025, 5, 30))]


# --- operational target (pause) ------------------------------------------------------------

CLOCK = D(2025, 5, 21)
DUE = D(2025, 7, 2)  # 6 weeks


@pytest.mark.parametrize(
    ("periods", "expected"),
    [
        ([], DUE),
        # Starts before the target: adds its whole length (10 days).
        ([span(D(2025, 6, 1), 10)], DUE + timedelta(days=10)),
        # Starts on the target: still adds its length.
        ([span(DUE, 9)], DUE + timedelta(days=9)),
        # Starts the day after the target: cannot have caused a miss.
        ([span(DUE + timedelta(days=1), 30)], DUE),
        # Runs on long after the target: the whole length still counts.
        ([span(D(2025, 6, 25), 60)], DUE + timedelta(days=60)),
        # Started before the clock: only the part after the clock start counts (10 days).
        ([Period(D(2025, 5, 1), D(2025, 5, 30))], DUE + timedelta(days=10)),
        # Entirely before the clock: nothing.
        ([Period(D(2025, 4, 1), D(2025, 5, 20))], DUE),
        # Overlapping periods count once: 1 Jun..5 Jul is 35 days.
        pytest.param(
            [Period(D(2025, 6, 1), D(2025, 6, 30)), Period(D(2025, 6, 15), D(2025, 7, 5))],
            DUE + timedelta(days=35),
            id="overlapping",
        ),
    ],
)
def test_operational_target(periods: list[Period], expected: date) -> None:
    assert operational_target(DUE, CLOCK, periods) == expected


def test_operational_target_single_period_against_the_statutory_date() -> None:
    first = Period(D(2025, 6, 1), D(2025, 6, 30))  # 30 days: 2 Jul -> 1 Aug
    second = Period(D(2025, 7, 20), D(2025, 7, 29))  # starts after 2 Jul
    assert operational_target(DUE, CLOCK, [first]) == D(2025, 8, 1)
    assert operational_target(DUE, CLOCK, [second]) == DUE


def test_operational_target_chains_periods_through_the_extended_target() -> None:
    first = Period(D(2025, 6, 1), D(2025, 6, 30))  # 30 days: 2 Jul -> 1 Aug
    second = Period(D(2025, 7, 20), D(2025, 7, 29))  # starts after 2 Jul, before 1 Aug: +10
    third = Period(D(2025, 8, 11), D(2025, 8, 20))  # starts on 11 Aug, the new target: +10
    fourth = Period(D(2025, 8, 22), D(2025, 8, 31))  # starts after 21 Aug: nothing
    assert operational_target(DUE, CLOCK, [first, second]) == D(2025, 8, 11)
    assert operational_target(DUE, CLOCK, [fourth, third, second, first]) == D(2025, 8, 21)
    # Without the first, the second starts after the target and adds nothing.
    assert operational_target(DUE, CLOCK, [second, third]) == DUE


PERIOD = st.builds(
    span,
    st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 6, 30)),
    st.integers(min_value=1, max_value=90),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(PERIOD, max_size=1), st.integers(min_value=0, max_value=30))
def test_operational_target_properties_one_period(periods: list[Period], weeks: int) -> None:
    due = CLOCK + timedelta(days=7 * weeks)
    target = operational_target(due, CLOCK, periods)
    spans = merged(periods, CLOCK)
    assert len(spans) <= 1
    assert due <= target <= due + timedelta(days=sum(p.days for p in spans))
    # Paused by the whole (clipped) period exactly when it begins on or before the date.
    expected = due + timedelta(days=sum(p.days for p in spans if p.start <= due))
    assert target == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(PERIOD, min_size=2, max_size=5), st.integers(min_value=0, max_value=30))
def test_operational_target_properties(periods: list[Period], weeks: int) -> None:
    due = CLOCK + timedelta(days=7 * weeks)
    target = operational_target(due, CLOCK, periods)
    spans = merged(periods, CLOCK)
    # Never earlier than the statutory date, never more than every day of every exception.
    assert due <= target <= due + timedelta(days=sum(p.days for p in spans))
    # Order of recording does not matter.
    assert operational_target(due, CLOCK, list(reversed(periods))) == target
    # Merged periods are disjoint, sorted, and not adjacent.
    for a, b in itertools.pairwise(spans):
        assert a.end + timedelta(days=1) < b.start
    # The target is a fixed point: the statutory date plus every exception day that began
    # on or before it.
    assert target == due + timedelta(days=sum(p.days for p in spans if p.start <= target))
    # An exception that begins after the target changes nothing.
    later = span(target + timedelta(days=1), 30)
    assert operational_target(due, CLOCK, [*periods, later]) == target
