"""Both engines agree review by review: the annual reviews a fast run held, replayed through the
real review workflow on the Temporal time-skipping test server, fall due, are in time or late,
set the next due date and send the reminders and escalations the fast engine says; phase-transfer
reviews brought forward to 15 February (a school move) and to 31 March (a move to post-16) among
them (reg 18(1))."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from typer.testing import CliRunner

from ehc import faithful
from ehc import faithful_reviews as reviewing
from ehc.cli import simulate
from ehc.cli.main import app
from scenarios import engine
from scenarios.reviews import POST16_MOVE, ReviewsDone, next_review_due
from statutory import review as rules
from statutory.alerts import AlertKind, AlertPolicy
from tests.conftest import BIN

from .helpers import shipped, variant


def test_the_anchor_is_the_day_whose_12_months_end_on_the_due_date() -> None:
    assert reviewing.anchor_for(date(2021, 3, 1)) == date(2020, 3, 1)
    # After a leap year, 28 and 29 February both give 28 February: the same date is chosen.
    assert reviewing.anchor_for(date(2025, 2, 28)) == date(2024, 2, 28)
    assert reviewing.anchor_for(date(2024, 2, 28)) == date(2023, 2, 28)
    # 12 months from 28 February 2023 are 28 February 2024: nothing is due on the 29th.
    assert reviewing.anchor_for(date(2024, 2, 29)) is None
    day = date(2019, 1, 1)
    while day < date(2025, 1, 1):
        anchor = reviewing.anchor_for(day)
        if (day.month, day.day) == (2, 29):
            assert anchor is None
        else:
            assert anchor is not None and rules.review_due(anchor) == day, day
        day += timedelta(days=1)


FEB_15 = date(2020, 2, 15)
#: Reviews held on 14 February 2020 for plans due on the 15th: one by 12 months, three brought
#: forward for a phase transfer (two due by 12 months on 2 March, one on 29 February).
ON_THE_15TH = ReviewsDone(
    FEB_15, date(2020, 2, 14), 4, ((date(2020, 2, 29), 1), (date(2020, 3, 2), 2))
)


def test_the_sample_is_spread_over_in_time_and_late_reviews_and_says_what_it_left_out() -> None:
    held = [
        ReviewsDone(date(2020, 1, 10), date(2020, 2, 3), 2),  # late
        ReviewsDone(date(2020, 1, 20), date(2020, 2, 4), 1),  # late
        ON_THE_15TH,  # in time
        ReviewsDone(date(2020, 2, 29), date(2020, 2, 29), 3),  # nothing falls due then
        ReviewsDone(date(2020, 3, 2), date(2020, 3, 1), 1),  # in time
        ReviewsDone(date(2020, 3, 9), date(2020, 3, 8), 1),  # in time
    ]
    assert list(reviewing.alike(ON_THE_15TH)) == [
        ReviewsDone(FEB_15, date(2020, 2, 14), 1),
        ReviewsDone(FEB_15, date(2020, 2, 14), 1, ((date(2020, 2, 29), 1),)),
        ReviewsDone(FEB_15, date(2020, 2, 14), 2, ((date(2020, 3, 2), 2),)),
    ]
    found = reviewing.sample(held, 2)
    # One late, one in time; of the ones in time, the transfers' share rounded up: one.
    assert [(r.in_time, bool(r.transfers)) for r in found.chosen] == [(False, False), (True, True)]
    assert (found.held, found.transfers, found.leap_day) == (12, 3, 4)
    everything = reviewing.sample(held, 10)
    assert len(everything.chosen) == 6, "all but those due by 12 months on 29 February"
    assert [reviewing.twelve_months(r) for r in everything.chosen if r.due == FEB_15] == [
        FEB_15,
        date(2020, 3, 2),
    ]


def _sample() -> list[ReviewsDone]:
    """Reviews of a short unitary run with more review hours: late ones from the backlog it
    starts with, in-time ones once it is cleared; and two around the leap day of 2020 (a
    cycle that spans it, and one concluded on 28 February, next due 28 February 2021)."""
    scenario = variant(
        "unitary-2020-as-planned",
        {"scenario.weeks": 12, "capacity.hours_per_task.review": {"value": 1.5, "assumed": True}},
    )
    run = engine.simulate(scenario, 3, keep_cases=True)
    found = reviewing.sample(run.reviews, 6)
    assert found.leap_day > 0, "the run held reviews due on 29 February 2020, left out"
    around_the_leap_day = [
        next(r for r in run.reviews if r.due == due and r.in_time)
        for due in (date(2020, 2, 28), date(2020, 3, 1))
    ]
    return found.chosen + around_the_leap_day


async def _replay(reviews: list[ReviewsDone], tmp_path: Path) -> list[reviewing.ReplayedReview]:
    """``reviews`` through the production worker's review workflow, in their order."""
    replayed = await reviewing.replay_reviews(
        lambda: faithful.time_skipping(BIN / "temporal-test-server"),
        reviews,
        faithful.faithful_worker(tmp_path),
    )
    assert [r.review for r in replayed] == reviews
    return replayed


async def _replayed_agreeing(
    reviews: list[ReviewsDone], tmp_path: Path
) -> list[reviewing.ReplayedReview]:
    """``_replay``, every review agreeing with the fast engine on every count."""
    replayed = await _replay(reviews, tmp_path)
    assert all(reviewing.review_agreement(r).agrees for r in replayed), [
        reviewing.review_agreement(r).words for r in replayed
    ]
    return replayed


async def test_fast_and_faithful_engines_agree_review_by_review(tmp_path: Path) -> None:
    reviews = _sample()
    assert {r.in_time for r in reviews} == {True, False}
    # Its own test servers: each review moves the clock on by a year or more.
    replayed = await _replay(reviews, tmp_path)
    for r in replayed:
        assert r.due == r.review.due, r.ref
        assert r.in_time is r.review.in_time, r.ref
        assert r.next_due == next_review_due(r.review.concluded), r.ref
        assert r.alerts == reviewing.expected_alerts(r.review, r.policy), r.ref
        assert reviewing.review_agreement(r).agrees
    assert replayed[-2].next_due == date(2021, 2, 28)
    late = [r for r in replayed if not r.review.in_time]
    assert all(any(a.kind is AlertKind.ESCALATION for a in r.alerts) for r in late)
    on_time = [r for r in replayed if r.review.in_time]
    assert all(a.kind is AlertKind.REMINDER for r in on_time for a in r.alerts)
    assert all(r.alerts for r in on_time)


def test_a_disagreement_reads_in_one_line() -> None:
    review = ReviewsDone(date(2021, 3, 1), date(2021, 3, 9), 1)
    policy = AlertPolicy()
    replayed = reviewing.ReplayedReview(
        review=review,
        ref="SIMX-R00001",
        due=review.due,
        twelve_months=review.due,
        category=rules.Category.OTHER,
        in_time=False,
        next_due=date(2022, 3, 8),
        alerts=reviewing.expected_alerts(review, policy)[:-1],
        policy=policy,
    )
    found = reviewing.review_agreement(replayed)
    assert (found.due, found.in_time, found.next_due, found.alerts) == (True, True, False, False)
    assert not found.agrees
    assert "\n" not in found.words
    assert found.words.startswith("SIMX-R00001 (due 1 Mar 2021, held 9 Mar 2021): next due")
    assert "8 Mar 2022 (fast engine: 9 Mar 2022)" in found.words
    assert "not sent" in found.words

    transfer = ReviewsDone(FEB_15, date(2020, 2, 20), 1, ((date(2020, 6, 1), 1),))
    as_if_not = reviewing.ReplayedReview(
        review=transfer,
        ref="SIMX-R00002",
        due=date(2020, 6, 1),
        twelve_months=date(2020, 6, 1),
        category=rules.Category.OTHER,
        in_time=True,
        next_due=date(2021, 2, 20),
        alerts=reviewing.expected_alerts(transfer, policy),
        policy=policy,
    )
    found = reviewing.review_agreement(as_if_not)
    assert (found.due, found.in_time, found.next_due, found.alerts) == (False, False, True, True)
    assert found.words == (
        "SIMX-R00002 (phase transfer due 15 Feb 2020, held 20 Feb 2020, 12 months 1 Jun 2020): "
        "due 1 Jun 2020 (fast engine: 15 Feb 2020 (secondary transfer, 12 months 1 Jun 2020)); "
        "held in time (fast engine: late)"
    )


def test_the_agreement_file_says_which_reviews_were_phase_transfers(tmp_path: Path) -> None:
    policy = AlertPolicy()
    ordinary = ReviewsDone(date(2021, 3, 1), date(2021, 3, 9), 1)
    transfer = ReviewsDone(FEB_15, date(2020, 2, 20), 1, ((date(2020, 6, 1), 1),))
    found = [
        reviewing.review_agreement(
            reviewing.ReplayedReview(
                review=r,
                ref=f"SIMX-R0000{i}",
                due=r.due,
                twelve_months=reviewing.twelve_months(r),
                category=rules.Category.OTHER,
                in_time=r.in_time,
                next_due=next_review_due(r.concluded),
                alerts=reviewing.expected_alerts(r, policy),
                policy=policy,
            )
        )
        for i, r in enumerate((ordinary, transfer), start=1)
    ]
    with simulate._write_review_agreement(found, tmp_path).open() as f:
        rows = list(csv.DictReader(f))
    assert [(r["due"], r["twelve_months_due"], r["phase_transfer"]) for r in rows] == [
        ("2021-03-01", "2021-03-01", ""),
        ("2020-02-15", "2020-06-01", "primary-secondary"),
    ]


def _transfer_sample() -> list[ReviewsDone]:
    """Reviews of a 60-week run with phase transfers and more review hours: transfer reviews
    brought forward to 15 February, held late in 2020 (the backlog it starts with) and in time
    in 2021; and reviews due on 15 February by 12 months, late and in time."""
    scenario = variant(
        "unitary-2020-phase-transfers-and-withdrawals",
        {"scenario.weeks": 60, "capacity.hours_per_task.review": {"value": 1.5, "assumed": True}},
    )
    run = engine.simulate(scenario, 6, keep_cases=True)
    groups = [g for r in run.reviews for g in reviewing.alike(r)]
    transfers = reviewing.sample([g for g in groups if g.transfers], 4).chosen
    on_the_15th = [g for g in groups if g.due.timetuple()[1:3] == (2, 15) and not g.transfers]
    return transfers + reviewing.sample(on_the_15th, 2).chosen


async def test_the_engines_agree_on_phase_transfer_reviews(tmp_path: Path) -> None:
    reviews = _transfer_sample()
    transfers = [r for r in reviews if r.transfers]
    assert {r.in_time for r in transfers} == {True, False}
    assert {r.in_time for r in reviews if not r.transfers} == {True, False}
    replayed = await _replayed_agreeing(reviews, tmp_path)
    for r in replayed:
        assert r.due == FEB_15.replace(year=r.review.due.year), r.ref
        if r.review.transfers:  # the workflow counted the transfer: 15 February, not 12 months
            assert r.category is rules.Category.SECONDARY_TRANSFER, r.ref
            assert r.twelve_months == r.review.transfers[0][0] > r.due, r.ref
            assert r.in_time is (r.review.concluded <= r.due), r.ref
        else:
            assert r.category is rules.Category.OTHER and r.twelve_months == r.due, r.ref
        assert r.next_due == next_review_due(r.review.concluded), r.ref
    # A transfer review missing 15 February escalates the plan's finalising; one in time does not.
    for r in replayed:
        if r.review.transfers:
            missed = any(
                a.step == "phase-transfer" and a.kind is AlertKind.ESCALATION for a in r.alerts
            )
            assert missed is not r.review.in_time, r.ref


def _post16_sample() -> list[ReviewsDone]:
    """Two reviews of plans brought forward to 31 March for a move to post-16, from a 66-week
    run with both transfer shares and more review hours: one held late in 2020 (the backlog it
    starts with), one in time in 2021."""
    scenario = variant(
        "unitary-2020-phase-transfers-and-withdrawals",
        {
            "scenario.weeks": 66,
            "reviews.post16_transfer_share": {"value": 0.07, "assumed": True},
            "capacity.hours_per_task.review": {"value": 3.0, "assumed": True},
        },
    )
    run = engine.simulate(scenario, 6, keep_cases=True)
    groups = [g for r in run.reviews for g in reviewing.alike(r)]
    return reviewing.sample([g for g in groups if g.transfers and g.move is POST16_MOVE], 2).chosen


async def test_the_engines_agree_on_post16_transfer_reviews(tmp_path: Path) -> None:
    reviews = _post16_sample()
    assert {r.in_time for r in reviews} == {True, False}
    transfers = [reviewing.transfer_of(r) for r in reviews]
    assert [t.kind if t else None for t in transfers] == [rules.TransferKind.SECONDARY_POST16] * 2
    replayed = await _replayed_agreeing(reviews, tmp_path)
    for r in replayed:  # started as secondary-post16: held to 31 March, not 15 February
        assert r.due == date(r.review.due.year, 3, 31), r.ref
        assert r.category is rules.Category.POST16_TRANSFER, r.ref
        assert r.twelve_months == r.review.transfers[0][0] > r.due, r.ref
        assert r.in_time is (r.review.concluded <= r.due), r.ref
        missed = any(
            a.step == "phase-transfer" and a.kind is AlertKind.ESCALATION for a in r.alerts
        )
        assert missed is not r.review.in_time, r.ref


def test_engine_temporal_replays_reviews_too(tmp_path: Path) -> None:
    args = ["simulate", str(shipped("unitary-2020-as-planned")), "--engine", "temporal"]
    args += ["--cases", "1", "--reviews", "4", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    output = result.output
    assert result.exception is None and result.exit_code == 0, output
    assert "Reviews replayed" in output
    with (tmp_path / "review_agreement.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4
    assert {r["concluded"] > r["due"] for r in rows} == {True, False}, "late and in time"
    columns = ("due_agrees", "in_time_agrees", "next_due_agrees", "alerts_agree")
    assert all(r[c] == "True" for r in rows for c in columns)
