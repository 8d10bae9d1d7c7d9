"""The fast engine: reproducible, and every simulated case is one the rules core allows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scenarios import casefile, engine
from scenarios.calendar import weeks
from statutory import assessment as rules
from statutory import exceptions as exc

from .helpers import variant

SHORT = {"scenario.weeks": 40}


def test_same_seed_same_run_and_another_seed_another() -> None:
    scenario = variant("unitary-2020-as-planned", SHORT)
    first, again = engine.simulate(scenario, 7), engine.simulate(scenario, 7)
    assert first.weekly == again.weekly
    assert first.monthly == again.monthly
    assert first.events == again.events
    other = engine.simulate(scenario, 8)
    assert other.weekly["requests"] != first.weekly["requests"]


def test_replications_in_processes_equal_replications_in_this_process() -> None:
    scenario = variant("unitary-2020-as-planned", SHORT)
    here = engine.replicate(scenario, 3, seed=5, workers=1)
    there = engine.replicate(scenario, 3, seed=5, workers=2)
    assert [r.seed for r in here] == [r.seed for r in there]
    assert [r.weekly for r in here] == [r.weekly for r in there]
    assert len({tuple(r.weekly["requests"]) for r in here}) == 3, "replications differ"


@pytest.fixture(scope="module")
def exceptional_run() -> engine.Run:
    """A 2020 run with many exceptions of every supported kind, keeping its cases."""
    scenario = variant(
        "unitary-2020-as-planned",
        {
            "scenario.weeks": 52,
            "exceptions.personal-circumstances.share": 0.2,
            "exceptions.coronavirus.share": 0.5,
            "exceptions.absence-from-area": {"share": 0.1, "weeks": [1, 4, 8], "assumed": True},
            "exceptions.missed-appointment": {"share": 0.3, "weeks": [1, 2, 3], "assumed": True},
        },
    )
    return engine.simulate(scenario, 3, keep_cases=True)


def test_every_simulated_case_replays_through_the_rules_with_the_same_outcome(
    exceptional_run: engine.Run,
) -> None:
    closed = [c for c in exceptional_run.cases if c.ending is not None]
    assert len(closed) > 200
    endings = {c.ending for c in closed}
    assert endings == {
        rules.Ending.PLAN_ISSUED,
        rules.Ending.NOT_ASSESSED,
        rules.Ending.NOT_ISSUED,
    }
    reasons = {s.reason for c in closed for s in c.recorded_spans()}
    assert reasons == {
        exc.Reason.PERSONAL_CIRCUMSTANCES,
        exc.Reason.CORONAVIRUS,
        exc.Reason.ABSENCE_FROM_AREA,
        exc.Reason.MISSED_APPOINTMENT,
    }
    for case in closed:
        replayed = casefile.replay(case)  # raises RuleViolation on any event the law refuses
        assert rules.outcome(replayed) == casefile.outcome(case), case.ref


def test_monthly_counts_are_the_rules_outcomes(exceptional_run: engine.Run) -> None:
    issued = [c for c in exceptional_run.cases if c.ending is rules.Ending.PLAN_ISSUED]
    outcomes = [casefile.outcome(c) for c in issued]
    months = exceptional_run.monthly.values()
    assert sum(m.issued for m in months) == len(issued)
    assert sum(m.within_20_weeks for m in months) == sum(bool(o.within_20_weeks) for o in outcomes)
    excluded = [o for o in outcomes if o.exceptions_apply]
    assert excluded, "some plans had an exception"
    assert sum(m.counted_excluding_exceptions for m in months) == len(outcomes) - len(excluded)


def test_coronavirus_exceptions_stay_in_their_window(exceptional_run: engine.Run) -> None:
    spans = [
        s for c in exceptional_run.cases for s in c.spans if s.reason is exc.Reason.CORONAVIRUS
    ]
    assert spans
    assert all(
        exc.CORONAVIRUS_FIRST_DAY <= s.period.start <= s.period.end <= exc.CORONAVIRUS_LAST_DAY
        for s in spans
    )


def test_dated_capacity_changes_and_outsourcing_add_up() -> None:
    scenario = variant("unitary-2020-outsourced-reviews", {"scenario.weeks": 120})
    calendar = weeks(scenario)
    before = [w for w in calendar if w.start < date(2020, 2, 3)]
    after = [w for w in calendar if w.start >= date(2020, 2, 3)]
    assert {w.caseworkers for w in before} == {5}
    assert {w.caseworkers for w in after} == {9}
    assert sum(w.reviews_outsourced for w in calendar) == 600
    outsourcing = [w for w in calendar if w.reviews_outsourced]
    assert outsourcing[0].start >= date(2020, 12, 1)
    assert outsourcing[-1].start <= date(2021, 11, 30)


def test_seasonality_keeps_the_yearly_average() -> None:
    scenario = variant("unitary-2020-as-planned", {"scenario.weeks": 261})
    expected = [w.requests_expected for w in weeks(scenario)]
    assert sum(expected) / len(expected) == pytest.approx(5.4, rel=0.01)
    mid = {w.index: w.start + timedelta(days=3) for w in weeks(scenario)}  # a week's month
    august = [w.requests_expected for w in weeks(scenario) if mid[w.index].month == 8]
    october = [w.requests_expected for w in weeks(scenario) if mid[w.index].month == 10]
    assert max(august) < 4 < 6 < min(october)


def test_options_on_one_seed_meet_the_same_requests_each_the_same() -> None:
    """Common random numbers: two options that differ in capacity meet, on one seed, the same
    requests on the same days, each with the same decisions and lead times; only what the
    council does with them differs."""
    planned = variant("unitary-2020-as-planned", {"scenario.weeks": 40})
    fewer = variant("unitary-2020-no-extra-staff", {"scenario.weeks": 40})
    assert planned.demand == fewer.demand and planned.capacity != fewer.capacity
    a = engine.simulate(planned, 7, keep_cases=True)
    b = engine.simulate(fewer, 7, keep_cases=True)
    assert a.weekly["requests"] == b.weekly["requests"]
    assert [(c.received, c.spans, c.fate) for c in a.cases] == [
        (c.received, c.spans, c.fate) for c in b.cases
    ]
    assert a.weekly["past_20_weeks"] != b.weekly["past_20_weeks"], "the options differ"
