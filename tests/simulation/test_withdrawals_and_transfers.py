"""Withdrawn requests and phase-transfer reviews: what a council faces that a plan leaves out.

A withdrawn request ends its case wherever it stands, through the same rules as live
(``statutory.assessment.Withdrawn``), frees its place in the queues and is left out of the
plans counted; a phase-transfer review falls due by 15 February (reg 18(1)(b)), or by 31 March
for a move from secondary school to post-16 (reg 18(1)(a)), so reviews pile up before them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from statistics import median

import pytest

from scenarios import casefile, engine, model
from scenarios.casefile import SimCase
from scenarios.results import ScenarioResult, write_csv
from scenarios.reviews import (
    POST16_MOVE,
    SCHOOL_MOVE,
    ReviewBook,
    ReviewsDone,
    transfer_review_due,
)
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


# --- moves from secondary school to post-16: 31 March (reg 18(1)(a)) ---------------------------

#: The share of plans a year in Year 11 (DfE SEN2, January 2025: 44,886 of 638,745 plans).
POST16 = {"value": 0.07, "assumed": True}


@pytest.mark.parametrize(
    ("due", "want"),
    [
        (date(2021, 6, 2), date(2021, 3, 31)),  # after 31 Mar: brought forward to it
        (date(2021, 12, 31), date(2021, 3, 31)),
        (date(2021, 4, 1), date(2021, 3, 31)),
        (date(2021, 3, 31), date(2021, 3, 31)),  # on or before it: already in time
        (date(2021, 2, 20), date(2021, 2, 20)),  # after 15 Feb, before 31 Mar: stays
        (date(2021, 1, 10), date(2021, 1, 10)),
    ],
)
def test_a_post16_transfer_review_is_due_by_31_march(due: date, want: date) -> None:
    assert transfer_review_due(due, POST16_MOVE) == want


def _post16_only(share: float) -> model.Scenario:
    return variant(
        NAME,
        {
            "scenario.weeks": 60,
            "reviews.phase_transfer_share": None,
            "reviews.post16_transfer_share": {"value": share, "assumed": True},
        },
    )


def test_a_post16_share_moves_reviews_to_31_march_and_none_due_by_then() -> None:
    """With every plan's next review for a move to post-16, a review due after 31 March is
    brought forward to it and one due on or before it stays: every review falls due between
    1 January and 31 March (but the backlog the run starts with, whose 31 March had passed)."""
    scenario = _post16_only(1.0)
    run = engine.simulate(scenario, 0, keep_cases=True)
    start = scenario.scenario.start
    assert {r.due.month for r in run.reviews if r.due >= start} <= {1, 2, 3}
    moved = [r for r in run.reviews if r.transfers]
    assert moved and all(r.move is POST16_MOVE for r in moved)
    assert {(r.due.month, r.due.day) for r in moved} == {(3, 31)}
    assert all(r.due < twelve_months for r in moved for twelve_months, _ in r.transfers)
    assert all(r.due.year == t.year for r in moved for t, _ in r.transfers)
    assert not any(r.transfers for r in run.reviews if r.due < start), "31 March had passed"
    # The plans of the start state due by 12 months from April to December 2020 (three
    # quarters of those due in 2020) fall due in the week of 31 March.
    due = run.weekly[engine.REVIEWS_DUE]
    week = (date(2020, 3, 31) - start).days // 7
    rest_of_2020 = sum(due[:52]) - due[week]
    assert due[week] > 2 * rest_of_2020, (due[week], rest_of_2020)
    christmas = (date(2020, 12, 28) - start).days // 7
    assert sum(due[week + 1 : christmas]) == 0, "none falls due from April to Christmas"


def test_a_post16_share_of_none_changes_nothing_it_draws_apart() -> None:
    """Stated as 0, the post-16 share draws from a generator of its own and moves no review:
    the school moves and everything else are as without it."""
    without = variant(NAME, {"scenario.weeks": 60})
    with_none = variant(
        NAME,
        {"scenario.weeks": 60, "reviews.post16_transfer_share": {"value": 0, "assumed": True}},
    )
    for seed in (0, 1):
        assert engine.simulate(with_none, seed).weekly == engine.simulate(without, seed).weekly


def _weeks_of(scenario: model.Scenario, month: int, day: int) -> list[int]:
    start = scenario.scenario.start
    days = [date(y, month, day) for y in range(start.year, scenario.end.year + 1)]
    return [(d - start).days // 7 for d in days if start <= d <= scenario.end]


def test_reviews_pile_up_before_15_february_and_31_march_with_both_shares() -> None:
    scenario = variant(NAME, {"reviews.post16_transfer_share": POST16})
    assert scenario.reviews.phase_transfer_share is not None
    february, march = _weeks_of(scenario, 2, 15), _weeks_of(scenario, 3, 31)
    assert len(february) == len(march) == 3
    for seed in (0, 1):
        run = engine.simulate(scenario, seed, keep_cases=True)
        due = run.weekly[engine.REVIEWS_DUE]
        usual = median(due)
        for week in february + march:
            assert due[week] > 3 * usual, (seed, week, due[week], usual)
        moves = {(r.move, r.due.month, r.due.day) for r in run.reviews if r.transfers}
        assert moves == {(SCHOOL_MOVE, 2, 15), (POST16_MOVE, 3, 31)}


def test_the_post16_share_is_of_all_plans_drawn_of_those_not_moving_school() -> None:
    """Half the plans move school, half to post-16: every plan due by 12 months after
    31 March is brought forward to one deadline or the other, none left due then."""
    half = {"value": 0.5, "assumed": True}
    scenario = variant(
        NAME,
        {
            "scenario.weeks": 60,
            "reviews.phase_transfer_share": half,
            "reviews.post16_transfer_share": half,
        },
    )
    run = engine.simulate(scenario, 0, keep_cases=True)
    start = scenario.scenario.start
    assert {r.due.month for r in run.reviews if r.due >= start} <= {1, 2, 3}
    # Of the plans due by 12 months after 31 March, as many to each (school moves take those
    # due from 16 February to 31 March as well).
    moved = {SCHOOL_MOVE: 0, POST16_MOVE: 0}
    for r in run.reviews:
        moved[r.move] += sum(n for t, n in r.transfers if t > date(t.year, 3, 31))
    assert 0.85 < moved[SCHOOL_MOVE] / moved[POST16_MOVE] < 1.15, moved


@pytest.mark.parametrize(("school", "post16"), [(0.6, 0.5), (1.0, 0.01)])
def test_the_two_transfer_shares_add_up_to_1_at_most(school: float, post16: float) -> None:
    data = raw(NAME)
    data["reviews"]["phase_transfer_share"]["value"] = school
    data["reviews"]["post16_transfer_share"] = {"value": post16, "assumed": True}
    with pytest.raises(model.ScenarioError) as error:
        model.parse(data, NAME)
    assert str(error.value) == (
        f"{NAME}: reviews: phase_transfer_share ({school:g}) and post16_transfer_share "
        f"({post16:g}) add up to more than 1: a plan's next review is for one move at most"
    )
    data["reviews"]["post16_transfer_share"]["value"] = 1 - school
    assert model.parse(data, NAME).reviews.states_transfers


def test_the_book_says_which_move_a_days_transfers_are_for() -> None:
    book = ReviewBook()
    march = date(2024, 3, 31)
    book.add(march, 2)
    book.bring_forward(march, 3, date(2024, 7, 1), POST16_MOVE)
    book.bring_forward(date(2024, 2, 15), 1, date(2024, 7, 1), SCHOOL_MOVE)
    with pytest.raises(ValueError, match="two moves"):
        book.bring_forward(march, 1, date(2024, 9, 1), SCHOOL_MOVE)
    done = book.take(10, date(2024, 2, 12), date(2024, 4, 7), 0, model.Policy.OLDEST_FIRST)
    assert done == [
        ReviewsDone(date(2024, 2, 15), date(2024, 2, 15), 1, ((date(2024, 7, 1), 1),)),
        ReviewsDone(march, march, 5, ((date(2024, 7, 1), 3),), POST16_MOVE),
    ]
    book.bring_forward(march, 1, date(2024, 9, 1), SCHOOL_MOVE)  # none left for post-16
