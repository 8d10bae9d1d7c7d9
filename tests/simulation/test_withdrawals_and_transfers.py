"""Withdrawn requests and phase-transfer reviews: what a council faces that a plan leaves out.

A withdrawn request ends its case wherever it stands, through the same rules as live
(``statutory.assessment.Withdrawn``), frees its place in the queues and is left out of the
plans counted; a phase-transfer review falls due by 15 February (reg 18), so reviews pile up
before it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from statistics import median

import pytest

from scenarios import casefile, engine, model
from scenarios.casefile import SimCase
from scenarios.results import ScenarioResult, write_csv
from scenarios.reviews import transfer_review_due
from statutory import assessment as rules

from .helpers import raw, shipped, variant

NAME = "unitary-2020-phase-transfers-and-withdrawals"
MANY_WITHDRAWN = {
    "scenario.weeks": 60,
    "decisions.share_withdrawn": {"value": 0.3, "assumed": True},
    "timings.withdrawal": {"value": [0, 6, 24], "assumed": True},
    "exceptions.personal-circumstances.share": 0.2,
    "exceptions.absence-from-area": {"share": 0.1, "weeks": [1, 4, 8], "assumed": True},
    "exceptions.missed-appointment": {"share": 0.3, "weeks": [1, 2, 3], "assumed": True},
}


def _stage_withdrawn_at(case: SimCase) -> str:
    if case.decided is None:
        return "decision"
    if case.draft is not None:
        return "finalising"
    return "advice" if case.ep_done is None else "drafting"


@pytest.fixture(scope="module")
def withdrawing() -> engine.Run:
    """Many withdrawals, among exceptions of every kind, keeping the cases."""
    return engine.simulate(variant(NAME, MANY_WITHDRAWN), 4, keep_cases=True)


def test_withdrawn_cases_replay_through_the_rules_with_the_same_outcome(
    withdrawing: engine.Run,
) -> None:
    withdrawn = [c for c in withdrawing.cases if c.ending is rules.Ending.WITHDRAWN]
    assert len(withdrawn) > 50
    assert {_stage_withdrawn_at(c) for c in withdrawn} == {
        "decision",
        "advice",
        "drafting",
        "finalising",
    }
    assert any(c.recorded_spans() for c in withdrawn), "some with an exception"
    assert any(casefile.advice_received(c) == (None, c.other_done) for c in withdrawn), (
        "some with only the other advice in"
    )
    for case in withdrawn:
        log = casefile.event_log(case)
        assert isinstance(log[-1], rules.Withdrawn) and log[-1].on == case.closed_on
        replayed = casefile.replay(case)  # raises RuleViolation on any event the law refuses
        assert replayed.ending is rules.Ending.WITHDRAWN, case.ref
        assert replayed.withdrawn_on == case.closed_on, case.ref
        assert rules.outcome(replayed) == casefile.outcome(case), case.ref
    for case in [c for c in withdrawing.cases if c.ending is not None]:
        assert rules.outcome(casefile.replay(case)) == casefile.outcome(case), case.ref


def test_withdrawals_free_their_place_and_are_not_counted_as_plans(
    withdrawing: engine.Run,
) -> None:
    cases = withdrawing.cases
    withdrawn = [c for c in cases if c.ending is rules.Ending.WITHDRAWN]
    issued = [c for c in cases if c.ending is rules.Ending.PLAN_ISSUED]
    weekly = withdrawing.weekly
    assert sum(weekly[engine.WITHDRAWN]) == len(withdrawn)
    assert sum(weekly["plans_issued"]) == len(issued)
    assert sum(m.issued for m in withdrawing.monthly.values()) == len(issued)
    # open and waiting counts are the cases still open: none withdrawn among them
    assert weekly["open_assessments"][-1] == sum(c.ending is None for c in cases)
    waiting = sum(c.stage == casefile.ADVICE for c in cases)
    assert weekly["psychology_waiting"][-1] == waiting


def test_a_file_without_them_records_what_it_did_before() -> None:
    plain = engine.simulate(variant("unitary-2020-as-planned", {"scenario.weeks": 20}), 0)
    assert tuple(plain.weekly) == engine.SERIES
    stated = engine.simulate(variant(NAME, {"scenario.weeks": 20}), 0)
    assert tuple(stated.weekly) == (*engine.SERIES, engine.WITHDRAWN, engine.REVIEWS_DUE)


def test_withdrawn_is_a_summary_measure_and_a_csv_column(tmp_path: Path) -> None:
    scenario = variant(NAME, {"scenario.weeks": 30})
    result = ScenarioResult(scenario, engine.replicate(scenario, 3, seed=2))
    assert result.measure("withdrawn").median > 0
    write_csv(result, tmp_path)
    header = (tmp_path / "weekly.csv").read_text().splitlines()[0]
    assert "withdrawn_median" in header and "reviews_due_median" in header
    plain = variant("unitary-2020-as-planned", {"scenario.weeks": 30})
    assert ScenarioResult(plain, engine.replicate(plain, 1)).find("withdrawn") is None


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("timings.withdrawal", "decisions.share_withdrawn"),
        ("decisions.share_withdrawn", "timings.withdrawal"),
    ],
)
def test_a_withdrawal_share_and_its_timing_come_together(missing: str, named: str) -> None:
    data = raw(NAME)
    section, key = missing.split(".")
    del data[section][key]
    with pytest.raises(model.ScenarioError, match=rf"^{NAME}: {named}: needs {missing}"):
        model.parse(data, NAME)


@pytest.mark.parametrize(
    ("due", "want"),
    [
        (date(2021, 6, 2), date(2021, 2, 15)),  # after 15 Feb: brought forward to it
        (date(2021, 12, 31), date(2021, 2, 15)),
        (date(2021, 2, 16), date(2021, 2, 15)),
        (date(2021, 2, 15), date(2021, 2, 15)),  # on or before it: already in time
        (date(2021, 1, 10), date(2021, 1, 10)),
    ],
)
def test_a_phase_transfer_review_is_due_by_15_february(due: date, want: date) -> None:
    assert transfer_review_due(due) == want


def _weeks_of_15_february(scenario: model.Scenario) -> list[int]:
    start = scenario.scenario.start
    days = [date(y, 2, 15) for y in range(start.year, scenario.end.year + 1)]
    return [(d - start).days // 7 for d in days if start <= d <= scenario.end]


def test_reviews_fall_due_in_a_peak_by_15_february() -> None:
    scenario = model.load(shipped(NAME))
    peaks = _weeks_of_15_february(scenario)
    assert len(peaks) == 3
    for seed in (0, 1):
        due = engine.simulate(scenario, seed).weekly[engine.REVIEWS_DUE]
        usual = median(due)
        for week in peaks:
            assert due[week] > 3 * usual, (seed, week, due[week], usual)
        assert max(due) in [due[w] for w in peaks]


def test_reviews_are_held_before_15_february_when_there_is_time_for_them() -> None:
    """With hours to spare, transfer reviews are held in the weeks before 15 February (from
    ``lead_weeks`` before it), counted in time against it: the ten weeks before it hold far
    more reviews than without transfers."""
    ample = {"scenario.weeks": 60, "capacity.caseworkers.value": 20}

    def before_15_february(share: float) -> tuple[float, float]:
        scenario = variant(NAME, ample | {"reviews.phase_transfer_share.value": share})
        week = _weeks_of_15_february(scenario)[1]  # 2021
        run = engine.simulate(scenario, 0)
        done = run.weekly["reviews_done"]
        window = slice(week - 9, week + 1)
        in_time = sum(run.weekly["reviews_in_time"][window]) / sum(done[window])
        return sum(done[window]), in_time

    peak, in_time = before_15_february(0.3)
    flat, _ = before_15_february(0.0)
    assert peak > 2 * flat, (peak, flat)
    assert in_time > 0.95
