"""School and early-years closures (reg 5(4)(a)-(b), 10(4)(a)-(b), 13(3)(a)-(b)) in the simulator.

A case whose educational advice was requested from one week before a closure of 4 weeks or more
to one week before the setting re-opens has the exception: it lifts the LA's limits (the plan
leaves the "excluding exceptions" figure) but pauses no work, and the setting replies only once
it has re-opened. A scenario that states closures draws everything else as it did without them.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest

from scenarios import casefile, engine, model
from scenarios.casefile import SimCase
from scenarios.closures import Closures
from scenarios.model import ScenarioError
from statutory import assessment as rules
from statutory import exceptions as exc
from statutory.errors import RuleViolation

from .helpers import raw, variant

BASE = "unitary-2020-as-planned"
SUMMER = exc.Period(date(2020, 7, 23), date(2020, 9, 1))  # re-opens Wed 2 Sep 2020
FIRST_DAY = date(2020, 7, 16)  # a week before the first day closed
LAST_DAY = date(2020, 8, 26)  # a week before the day it re-opens
REOPENS = date(2020, 9, 2)


def _table(share: float, *periods: exc.Period) -> dict[str, Any]:
    closures = [{"start": p.start, "end": p.end} for p in periods]
    return {"share": share, "closures": closures, "assumed": True}


def _rate(share: float, *periods: exc.Period) -> model.ClosureRate:
    return model.ClosureRate.model_validate(_table(share, *periods))


def _closed(reason: exc.Reason, on: date) -> tuple[SimCase, date | None]:
    """A case whose educational advice is requested on ``on``, every setting of ``reason``'s
    kind closed over ``SUMMER``."""
    case = SimCase(1, on - timedelta(days=30), ())
    reopens = Closures({reason: _rate(1.0, SUMMER)}, seed=0).at_request(case, on)
    return case, reopens


@pytest.mark.parametrize("reason", [exc.Reason.SCHOOL_CLOSURE, exc.Reason.EARLY_YEARS_CLOSURE])
@pytest.mark.parametrize(
    ("on", "applies"),
    [
        (FIRST_DAY - timedelta(days=1), False),
        (FIRST_DAY, True),
        (SUMMER.start, True),
        (LAST_DAY, True),
        (LAST_DAY + timedelta(days=1), False),
    ],
)
def test_advice_requested_in_the_window_and_only_then_has_the_exception(
    reason: exc.Reason, on: date, applies: bool
) -> None:
    case, reopens = _closed(reason, on)
    if not applies:
        assert (reopens, case.spans) == (None, ())
        with pytest.raises(RuleViolation, match="applies only when educational advice"):
            exc.check_closure_covers_request(reason, SUMMER, [on])
        return
    assert reopens == REOPENS
    assert case.spans == (rules.ExceptionSpan(reason, SUMMER),)
    exc.check_closure_covers_request(reason, SUMMER, [on])  # the rules core agrees


def test_a_closure_lifts_the_la_limits_but_pauses_no_work() -> None:
    """reg 13(3)(a) lifts the 20-week limit: its target moves on by the closure; reg 8(2) has
    no closure, and the psychologist's work goes on through it."""
    case, _ = _closed(exc.Reason.SCHOOL_CLOSURE, FIRST_DAY)
    case.request_advice(FIRST_DAY)
    dates = case.dates
    assert case.final_target == dates.final_plan.target == case.final_due + timedelta(days=41)
    assert case.decide_target == dates.decide_to_assess.target
    assert case.advice_targets == (dates.advice[0].target, dates.advice[1].target)
    assert dates.advice[0].target == dates.advice[0].due, "no adviser's limit lifted"
    assert case.pauses == () and case.paused_until(SUMMER.start) is None


def _with(changes: dict[str, Any], weeks: int = 82) -> model.Scenario:
    return variant(BASE, {"scenario.weeks": weeks} | changes)


@pytest.fixture(scope="module")
def closing() -> tuple[model.Scenario, engine.Run]:
    """Every assessment's advice sought from a school closed over two summers."""
    summers = (SUMMER, exc.Period(date(2021, 7, 22), date(2021, 8, 31)))
    scenario = _with({"exceptions.school-closure": _table(1.0, *summers)})
    return scenario, engine.simulate(scenario, 2, keep_cases=True)


def test_in_a_run_exactly_the_cases_agreed_in_a_window_have_it(
    closing: tuple[model.Scenario, engine.Run],
) -> None:
    scenario, run = closing
    closures = [c.period for c in scenario.closure_rates()[exc.Reason.SCHOOL_CLOSURE].closures]
    seen_while_closed = within = 0
    for case in run.cases:
        on = case.decided
        if on is None:
            continue
        windows = [(p, exc.closure_window(p)) for p in closures]
        closure = next((p for p, w in windows if w.start <= on <= w.end), None)
        spans = [s for s in case.spans if s.reason is exc.Reason.SCHOOL_CLOSURE]
        if closure is None:
            assert spans == [], case.ref
            continue
        within += 1
        assert spans == [rules.ExceptionSpan(exc.Reason.SCHOOL_CLOSURE, closure)], case.ref
        assert case.other_done is not None and case.other_done > closure.end, "replies re-opened"
        if case.ep_done is not None and closure.start <= case.ep_done <= closure.end:
            seen_while_closed += 1
    assert within > 20
    assert seen_while_closed > 5, "the psychologists work through a school's closure"


def test_closure_cases_replay_through_the_rules_and_leave_the_headline_figure(
    closing: tuple[model.Scenario, engine.Run],
) -> None:
    _, run = closing
    closed = [c for c in run.cases if c.ending is not None]
    with_closure = [
        c for c in closed if any(s.reason is exc.Reason.SCHOOL_CLOSURE for s in c.recorded_spans())
    ]
    issued = [c for c in with_closure if c.ending is rules.Ending.PLAN_ISSUED]
    assert len(issued) > 10
    for case in closed:
        log = casefile.event_log(case)
        replayed = casefile.replay(case)  # raises RuleViolation on any event the law refuses
        assert rules.outcome(replayed) == casefile.outcome(case), case.ref
        if case in with_closure:
            kinds = [
                (type(e), getattr(e, "reason", None) or getattr(e, "advice_type", None))
                for e in log
            ]
            recorded = kinds.index((rules.ExceptionRecorded, exc.Reason.SCHOOL_CLOSURE))
            requested = kinds.index((rules.AdviceRequested, rules.AdviceType.EDUCATIONAL))
            assert recorded > requested, "recorded after the educational advice is requested"
    for case in issued:
        outcome = casefile.outcome(case)
        assert outcome.exceptions_apply, case.ref
        assert outcome.within_20_weeks_excluding_exceptions is None, case.ref
        assert casefile.issued_in_time(case) == (outcome.within_20_weeks, None), case.ref
        assert (case.decide_target, case.final_target) == (
            case.dates.decide_to_assess.target,
            case.dates.final_plan.target,
        )
    plans = [c for c in run.cases if c.ending is rules.Ending.PLAN_ISSUED]
    counted = sum(m.counted_excluding_exceptions for m in run.monthly.values())
    assert counted == sum(not casefile.outcome(c).exceptions_apply for c in plans)


def test_early_years_closures_stand_apart_from_school_ones() -> None:
    """A case's educational advice comes from a school or an early-years provider, not both:
    one draw places it, by the two shares."""
    summer = _table(0.5, SUMMER)
    early = engine.simulate(
        _with({"exceptions.early-years-closure": summer}, 40), 2, keep_cases=True
    )
    reasons = {s.reason for c in early.cases for s in c.spans if s.reason in casefile.CLOSURES}
    assert reasons == {exc.Reason.EARLY_YEARS_CLOSURE}
    both = _with(
        {"exceptions.early-years-closure": summer, "exceptions.school-closure": summer}, 40
    )
    run = engine.simulate(both, 2, keep_cases=True)
    per_case = [[s.reason for s in c.spans if s.reason in casefile.CLOSURES] for c in run.cases]
    assert {r for rs in per_case for r in rs} == casefile.CLOSURES
    assert max(len(rs) for rs in per_case) == 1


def _facts(run: engine.Run) -> list[Any]:
    return [
        (c.id, c.received, c.stage, c.ending, c.decided, c.ep_done, c.other_done, c.closed_on)
        for c in run.cases
    ]


def test_closures_that_apply_to_no_case_leave_the_run_as_it_was() -> None:
    """Closures draw from a generator of their own: stated, but after the horizon, they change
    nothing of the run (nor does a file without them: tests/simulation/test_fixed_seed.py)."""
    later = exc.Period(date(2030, 7, 20), date(2030, 9, 1))
    without = engine.simulate(_with({}, 40), 5, keep_cases=True)
    stated = _with({"exceptions.school-closure": _table(0.7, later)}, 40)
    assert stated.closure_rates()
    same = engine.simulate(stated, 5, keep_cases=True)
    assert same.weekly == without.weekly
    assert same.monthly == without.monthly
    assert same.events == without.events
    assert _facts(same) == _facts(without)


def _error(changes: dict[str, Any]) -> str:
    data = copy.deepcopy(raw(BASE))
    data["exceptions"] |= changes
    with pytest.raises(ScenarioError) as caught:
        model.parse(data, "council.toml")
    return str(caught.value)


@pytest.mark.parametrize("reason", ["school-closure", "early-years-closure"])
def test_a_closure_under_4_weeks_is_refused_at_load(reason: str) -> None:
    four_weeks = exc.Period(date(2021, 7, 22), date(2021, 8, 18))
    data = copy.deepcopy(raw(BASE))
    data["exceptions"][reason] = _table(0.5, SUMMER, four_weeks)
    assert model.parse(data, "council.toml").closure_rates(), "28 days is 4 weeks"
    short = exc.Period(date(2021, 7, 22), date(2021, 8, 17))
    assert _error({reason: _table(0.5, SUMMER, short)}) == (
        f"council.toml: exceptions.{reason}: closures[1]: the law needs at least 4 "
        "continuous weeks (28 days); 22 Jul 2021 to 17 Aug 2021 is 27 days"
    )


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"school-closure": {"share": 0.5, "weeks": [4, 5, 6], "assumed": True}},
            "exceptions.school-closure.weeks: unknown key",
        ),
        (
            {
                "school-closure": _table(
                    0.5, SUMMER, exc.Period(date(2020, 8, 1), date(2020, 9, 30))
                )
            },
            "exceptions.school-closure.closures: closures[1] (1 Aug 2020 to 30 Sep 2020) does not "
            "begin after closures[0] (23 Jul 2020 to 1 Sep 2020) ends",
        ),
        (
            {"school-closure": _table(0.7, SUMMER), "early-years-closure": _table(0.4, SUMMER)},
            "exceptions: school-closure's share (0.7) and early-years-closure's share (0.4) add up "
            "to more than 1",
        ),
        (
            {"school-closures": _table(0.7, SUMMER)},
            "exceptions: 'school-closures' is not an exception reason (did you mean "
            "'school-closure'?)",
        ),
        (
            {
                "school-closure": {
                    "share": 0.7,
                    "closures": [{"start": SUMMER.start}],
                    "assumed": True,
                }
            },
            "exceptions.school-closure.closures[0].end: missing (required)",
        ),
    ],
)
def test_a_closure_table_the_format_does_not_have_is_refused(
    changes: dict[str, Any], problem: str
) -> None:
    assert _error(changes).startswith(f"council.toml: {problem}")
