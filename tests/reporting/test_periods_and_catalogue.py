"""Reporting periods, and the step catalogue that names each step's regulation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from statutory import assessment as rules
from statutory.catalogue import describe, family, regulation_of
from statutory.errors import RuleViolation
from statutory.periods import Granularity, parse_period


@pytest.mark.parametrize(
    ("text", "label", "start", "end", "granularity"),
    [
        ("2026-10", "2026-10", date(2026, 10, 1), date(2026, 10, 31), Granularity.MONTH),
        ("2024-02", "2024-02", date(2024, 2, 1), date(2024, 2, 29), Granularity.MONTH),
        ("2026-12", "2026-12", date(2026, 12, 1), date(2026, 12, 31), Granularity.MONTH),
        ("2026-Q3", "2026-Q3", date(2026, 7, 1), date(2026, 9, 30), Granularity.QUARTER),
        ("2026-q1", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), Granularity.QUARTER),
        ("2026", "2026", date(2026, 1, 1), date(2026, 12, 31), Granularity.YEAR),
    ],
)
def test_periods_are_calendar_periods(
    text: str, label: str, start: date, end: date, granularity: Granularity
) -> None:
    period = parse_period(text)
    assert (period.label, period.start, period.end, period.granularity) == (
        label,
        start,
        end,
        granularity,
    )
    assert period.year_to_date.start == date(start.year, 1, 1)
    assert period.year_to_date.end == end


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-Q5", "26", "2026-1", "Oct 2026", ""])
def test_a_bad_period_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(RuleViolation, match=r"2026-10|no month"):
        parse_period(text)


def test_a_quarter_has_its_three_months_in_order() -> None:
    assert [m.label for m in parse_period("2026-Q4").months()] == ["2026-10", "2026-11", "2026-12"]
    assert len(parse_period("2025").months()) == 12


def test_numbered_steps_share_their_family_but_named_ones_do_not() -> None:
    assert family("advice-12") == "advice"
    assert family("setting-reply-3") == "setting-reply"
    assert family("advice-circulated") == "advice-circulated"
    assert family("advice:psychological") == "advice"
    assert regulation_of("advice:medical", "advice") == "reg 8(1)"
    assert regulation_of("advice-3") == "reg 8(1)"
    assert regulation_of("advice-circulated") == "reg 20(4)"
    assert regulation_of("review-meeting") == "CFA s44(1), reg 18"
    assert regulation_of("final-plan", "assessment") == "reg 13(2)"
    assert describe("no-such-step") is None


def test_every_step_of_a_live_case_is_in_the_catalogue_with_its_own_regulation() -> None:
    """Guards the catalogue against drift from the rules: a case other than the samples."""
    today = date(2025, 9, 1)
    at = datetime(2025, 9, 1, tzinfo=UTC)
    case = rules.open_case(
        rules.AssessmentRequest(
            case_ref="CAT-0002", received=date(2025, 3, 3), caseworker="cw9", team="east"
        ),
        today,
    )
    for event in (
        rules.DecidedToAssess(on=date(2025, 4, 1)),
        rules.AdviceRequested(
            on=date(2025, 4, 2), advice_type=rules.AdviceType.MEDICAL, provider="Health"
        ),
        rules.AdviceRequested(
            on=date(2025, 4, 3), advice_type=rules.AdviceType.EDUCATIONAL, provider="School"
        ),
        rules.DraftServed(on=date(2025, 6, 2)),
        rules.SettingConsulted(on=date(2025, 6, 3), setting="A"),
        rules.SettingConsulted(on=date(2025, 6, 4), setting="B"),
    ):
        case = rules.apply(case, event, today, at)
    steps = rules.steps(case, today)
    assert {s.step for s in steps} >= {"advice-2", "setting-reply-2"}
    for s in steps:
        info = describe(s.step, "assessment")
        assert info is not None, s.step
        assert (info.regulation, info.statutory) == (s.regulation, s.statutory)
