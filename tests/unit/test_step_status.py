"""The status truth table (statutory.steps.step_state), one row at a time."""

from __future__ import annotations

from datetime import date

import pytest

from statutory.steps import StepState, step_state

DUE = date(2026, 7, 13)
TARGET = date(2026, 8, 24)  # DUE paused by an exception of 42 days


@pytest.mark.parametrize(
    ("done", "exception", "applicable", "today", "expected"),
    [
        # done on or before the statutory date: met, with or without an exception
        (DUE, False, True, TARGET, StepState.MET),
        (date(2026, 7, 1), True, True, TARGET, StepState.MET),
        # done after it: excepted when an exception lifts the limit, else late
        (date(2026, 7, 14), True, True, TARGET, StepState.EXCEPTED),
        (date(2026, 9, 30), True, True, date(2026, 10, 1), StepState.EXCEPTED),
        (date(2026, 7, 14), False, True, TARGET, StepState.LATE),
        # not done: open until the operational target has passed, then overdue
        (None, False, True, DUE, StepState.OPEN),
        (None, False, True, date(2026, 7, 14), StepState.OVERDUE),
        (None, True, True, TARGET, StepState.OPEN),
        (None, True, True, date(2026, 8, 25), StepState.OVERDUE),
        # not required by the law in this case: whatever the dates
        (None, False, False, date(2027, 1, 1), StepState.NOT_APPLICABLE),
        (date(2026, 12, 1), False, False, date(2027, 1, 1), StepState.NOT_APPLICABLE),
    ],
)
def test_truth_table_row(
    done: date | None, exception: bool, applicable: bool, today: date, expected: StepState
) -> None:
    target = TARGET if exception else DUE
    assert (
        step_state(
            due=DUE,
            target=target,
            exception_applies=exception,
            completed_on=done,
            applicable=applicable,
            today=today,
        )
        is expected
    )


def test_open_and_done_partition_the_states() -> None:
    assert {s for s in StepState if s.is_open} == {StepState.OPEN, StepState.OVERDUE}
    assert {s for s in StepState if s.is_done} == {
        StepState.MET,
        StepState.EXCEPTED,
        StepState.LATE,
    }
