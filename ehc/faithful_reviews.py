"""The faithful engine for annual reviews: reviews a fast run held, replayed through the real
``ReviewWorkflow`` on the Temporal time-skipping test server.

A fast run keeps every review it held (``scenarios.reviews.ReviewsDone``: plans due on one day,
reviewed on another; ``count`` of them, alike, so one is replayed). For each, a plan is made on
the day whose 12 months end on the due date (``anchor_for``, CFA s44(1), reg 18); its review
workflow is started that day at midday, as ``ehc review start`` starts it (``ehc.reviews``,
without a settling period: the cycle starts on its anchor as a plan's next cycle does), and the
server skips to the day the review concluded, when the meeting is held and the decision to
maintain the plan is notified through the ``record`` update, as ``ehc review record`` sends
them. The concluded cycle's timeline (its due date, whether the meeting was held within 12
months, the reminders and escalations it sent) and the next cycle's due date are then compared
with the fast engine (``ReviewsDone.in_time``, ``next_review_due``, and ``expected_alerts``:
``statutory.alerts.plan`` over ``statutory.review.steps``, day by day, as the workflow does).

Moving in time: the test server's clock runs from today and only forwards, and 12 months from a
date depend on the calendar (29 February), so a review is moved by a whole number of 4-year
spans (1,461 days, the same calendar from 2001 to 2099) to start on or after the server's day;
its dates are moved back before comparing. Reviews are replayed in the order that wastes least
of the server's clock, and a fresh server is started when the next one would pass 2099, the
last date a case can have (``statutory.bounds.HORIZON``).

Left out: reviews due on 29 February (no day's 12 months end on it: 29 Feb + 12 months is
28 Feb), and, in a run with phase transfers, those due on 15 February: a fast run does not say
which of them were brought forward for a transfer (``transfer_review_due``), nor from when.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from temporalio.testing import WorkflowEnvironment

from ehc.faithful import (
    MIDDAY,
    SETTLE,
    Environment,
    FaithfulError,
    WorkerFactory,
    first_midday,
    terminate,
    until,
)
from ehc.reviews import Reviews
from ehc.settings import Settings
from ehc.text import day
from scenarios.casefile import CASEWORKER, TEAM
from scenarios.reviews import ReviewsDone, next_review_due, transfer_review_due
from statutory import bounds
from statutory import review as rules
from statutory.alerts import AlertKind, AlertPolicy, SentAlert, plan, record_sent
from statutory.dates import months_before
from statutory.process import is_advice_request
from workflows.models import AlertLogEntry, review_workflow_id
from workflows.review import ReviewWorkflow

#: Moving a date by this many days keeps its calendar (a 29 February falls on one) from
#: 2001 to 2099: every 4 years hold one leap day.
CALENDAR_SPAN = timedelta(days=4 * 365 + 1)


def anchor_for(due: date) -> date | None:
    """The day a plan was made or last reviewed for its next review to be due on ``due``: the
    same date 12 months before (CFA s44(1), reg 18). None for 29 February: 12 months from 29
    February are 28 February (docs/LAW.md), and from 28 February the 28th, so no day gives it.
    A review due on 28 February after a leap year could come from 28 or 29 February: 28."""
    anchor = months_before(due, rules.REVIEW_MONTHS)
    return anchor if rules.review_due(anchor) == due else None


@dataclass(frozen=True, slots=True)
class Sample:
    """The reviews chosen for replay, and the plan reviews of the run left out, by reason."""

    chosen: list[ReviewsDone]
    held: int
    """Plan reviews the fast run held."""
    leap_day: int
    """Due on 29 February: no plan's 12 months end on it (``anchor_for``)."""
    transfer_day: int
    """Due on 15 February in a run with phase transfers (which were transfers is not known)."""


def _spread(reviews: list[ReviewsDone], n: int) -> list[ReviewsDone]:
    """``n`` of ``reviews``, evenly spaced through them (the run's first weeks to its last)."""
    return [reviews[i * len(reviews) // n] for i in range(n)] if n else []


def sample(reviews: Sequence[ReviewsDone], limit: int, *, phase_transfers: bool) -> Sample:
    """Up to ``limit`` reviews to replay, half held in time and half late where the run has
    enough of each, spread over the run."""

    def transfer_day(r: ReviewsDone) -> bool:
        # The day a review due late in that year is brought forward to (15 February, reg 18).
        return phase_transfers and r.due == transfer_review_due(date(r.due.year, 12, 31))

    leap = [r for r in reviews if anchor_for(r.due) is None]
    moved = [r for r in reviews if transfer_day(r) and anchor_for(r.due) is not None]
    eligible = [r for r in reviews if anchor_for(r.due) is not None and not transfer_day(r)]
    in_time = [r for r in eligible if r.in_time]
    late = [r for r in eligible if not r.in_time]
    n_late = min(len(late), max(limit // 2, limit - len(in_time)))
    n_in_time = min(len(in_time), limit - n_late)
    chosen = sorted(_spread(in_time, n_in_time) + _spread(late, n_late), key=_order)
    return Sample(
        chosen=chosen,
        held=sum(r.count for r in reviews),
        leap_day=sum(r.count for r in leap),
        transfer_day=sum(r.count for r in moved),
    )


def _order(r: ReviewsDone) -> tuple[date, date]:
    return r.due, r.concluded


def _maintained(on: date) -> list[rules.ReviewEvent]:
    """The review as the fast engine holds it: meeting and decision on one day, the plan kept."""
    return [
        rules.MeetingHeld(on=on),
        rules.DecisionNotified(on=on, decision=rules.Decision.MAINTAIN),
    ]


def expected_alerts(review: ReviewsDone, policy: AlertPolicy) -> list[SentAlert]:
    """Every reminder and escalation the review workflow sends for ``review``, in days from
    its anchor: ``statutory.alerts.plan`` over the cycle's steps on each day, as the workflow
    runs it (started at midday on the anchor, so that day's alerts go at once; then at the
    alert hour each day; again after each event recorded at midday on the day it concluded,
    and nothing once the decision concludes the cycle)."""
    anchor = anchor_for(review.due)
    if anchor is None:
        raise FaithfulError(f"no plan's review falls due on {day(review.due)}")
    record = rules.PlanRecord(
        case_ref="EXPECTED", plan_date=anchor, caseworker=CASEWORKER, team=TEAM
    )
    cycle = rules.first_cycle(record)
    workflow_id = "expected-review"  # keys need only be unique within the cycle
    sent: dict[str, SentAlert] = {}

    def evaluate(today: date) -> None:
        steps = rules.steps(cycle, today, policy.amber_days)
        own = [s for s in steps if not is_advice_request(s.step)]
        record_sent(
            sent, plan(own, policy, today, sent, workflow_id)[0], today, anchor, workflow_id
        )

    today = anchor
    while today <= review.concluded:
        evaluate(today)
        today += timedelta(days=1)
    for event in _maintained(review.concluded):
        cycle = rules.apply(cycle, event, event.on, datetime.combine(event.on, MIDDAY, UTC))
        if cycle.stage is rules.Stage.CONCLUDED:
            break
        evaluate(review.concluded)
    return sorted(sent.values())


@dataclass(frozen=True, slots=True)
class ReplayedReview:
    """What the real workflow made of one review, in the run's own dates."""

    review: ReviewsDone
    ref: str
    due: date
    """The cycle's due date (``review_due_by``)."""
    in_time: bool | None
    """The meeting was held within 12 months (``reviewed_within_12_months``)."""
    next_due: date
    """The next cycle's due date, as the workflow's next run holds it."""
    alerts: list[SentAlert]
    """In days from the anchor."""
    policy: AlertPolicy


def _moved_shift(anchor: date, earliest: date) -> timedelta:
    """Whole 4-year spans taking ``anchor`` to ``earliest`` or the first day after it."""
    spans = max(0, -(-(earliest - anchor).days // CALENDAR_SPAN.days))
    return spans * CALENDAR_SPAN


def _sent(entries: Sequence[AlertLogEntry], start: date) -> list[SentAlert]:
    return sorted(
        SentAlert((a.at.date() - start).days, a.step, a.kind, a.level, (a.target - start).days)
        for a in entries
    )


async def replay_review(
    env: WorkflowEnvironment, task_queue: str, review: ReviewsDone, ref: str
) -> ReplayedReview:
    """Play one review through the workflow; see the module docstring."""
    anchor = anchor_for(review.due)
    if anchor is None:
        raise FaithfulError(f"{ref}: no plan's review falls due on {day(review.due)}")
    shift = _moved_shift(anchor, await first_midday(env))
    start, concluded = anchor + shift, review.concluded + shift
    settings = Settings.model_construct(task_queue=task_queue)
    service = Reviews(env.client, settings)
    workflow_id = review_workflow_id(ref)
    await until(env, datetime.combine(start, MIDDAY, UTC))
    try:
        plan_record = rules.PlanRecord(
            case_ref=ref, plan_date=start, caseworker=CASEWORKER, team=TEAM
        )
        await service.start(plan_record, today=start, settle=False)
        first_run = (await env.client.get_workflow_handle(workflow_id).describe()).run_id
        await until(env, datetime.combine(concluded, MIDDAY, UTC))
        for event in _maintained(concluded):
            await service.record(ref, event)
            await env.sleep(SETTLE)
        # The concluded cycle is the first run (it went on as new with the next cycle): its
        # timeline holds the alerts it sent; the running one holds the next due date.
        cycle = await env.client.get_workflow_handle(workflow_id, run_id=first_run).query(
            ReviewWorkflow.timeline
        )
        following = await env.client.get_workflow_handle(workflow_id).query(ReviewWorkflow.timeline)
    finally:
        await terminate(env.client, workflow_id)
    if following.cycle.cycle != 2 or not following.previous:
        raise FaithfulError(f"{ref}: the workflow did not conclude the review")
    outcome = following.previous[-1]  # the concluded cycle's outcome, as the workflow saw it
    return ReplayedReview(
        review=review,
        ref=ref,
        due=outcome.review_due_by - shift,
        in_time=outcome.reviewed_within_12_months,
        next_due=following.key_dates.review_due_by - shift,
        alerts=_sent(cycle.alerts, start),
        policy=settings.alert_policy,
    )


def _fits(review: ReviewsDone, earliest: date) -> tuple[date, bool]:
    """When ``review`` would start on a server whose first midday is ``earliest``, and whether
    every date the workflow counts (to the next review's due date) stays within bounds."""
    anchor = anchor_for(review.due)
    assert anchor is not None
    shift = _moved_shift(anchor, earliest)
    return anchor + shift, next_review_due(review.concluded) + shift <= bounds.HORIZON


async def replay_reviews(
    environment: Environment,
    reviews: Sequence[ReviewsDone],
    worker: WorkerFactory,
    progress: Callable[[], None] | None = None,
) -> list[ReplayedReview]:
    """Replay ``reviews`` one after another, each first the one that starts soonest on the
    server's clock, on as many servers from ``environment`` as 2099 leaves room for; the
    results in the order of ``reviews``."""
    run_id = uuid.uuid4().hex[:6].upper()
    pending = dict(enumerate(reviews))
    found: dict[int, ReplayedReview] = {}
    while pending:
        async with environment() as env:
            task_queue = f"faithful-reviews-{uuid.uuid4().hex[:8]}"
            async with worker(env.client, task_queue):
                while pending:
                    earliest = await first_midday(env)
                    starts = {i: _fits(r, earliest) for i, r in pending.items()}
                    room = [i for i, (_, fits) in starts.items() if fits]
                    if not room:
                        break
                    i = min(room, key=lambda i: (starts[i][0], i))
                    ref = f"SIM{run_id}-R{i + 1:05d}"
                    found[i] = await replay_review(env, task_queue, pending.pop(i), ref)
                    if progress:
                        progress()
        if pending and not found:
            raise FaithfulError("a review does not fit on a fresh server's clock before 2099")
    return [found[i] for i in sorted(found)]


@dataclass(frozen=True, slots=True)
class ReviewAgreement:
    """One review: does the workflow agree with the fast engine on each count?"""

    ref: str
    review: ReviewsDone
    due: bool
    in_time: bool
    next_due: bool
    alerts: bool
    reminders: int
    escalations: int
    words: str
    """What the workflow made of it, in one line (the disagreements first)."""

    @property
    def agrees(self) -> bool:
        return self.due and self.in_time and self.next_due and self.alerts


def review_agreement(replayed: ReplayedReview) -> ReviewAgreement:
    """Compare one replayed review with what the fast engine says of it."""
    review = replayed.review
    expected = expected_alerts(review, replayed.policy)
    next_due = next_review_due(review.concluded)
    agree = {
        "due": replayed.due == review.due,
        "in_time": replayed.in_time is review.in_time,
        "next_due": replayed.next_due == next_due,
        "alerts": replayed.alerts == expected,
    }
    said = {
        "due": lambda: f"due {day(replayed.due)} (fast engine: {day(review.due)})",
        "in_time": lambda: (
            f"held {_timeliness(replayed.in_time)} (fast engine: {_timeliness(review.in_time)})"
        ),
        "next_due": lambda: f"next due {day(replayed.next_due)} (fast engine: {day(next_due)})",
        "alerts": lambda: (
            f"{len(replayed.alerts)} alerts sent (fast engine: {len(expected)}; "
            f"first difference: {_first_difference(replayed.alerts, expected)})"
        ),
    }
    wrong = [said[k]() for k, ok in agree.items() if not ok]
    held = f"due {day(review.due)}, held {day(review.concluded)}"
    return ReviewAgreement(
        ref=replayed.ref,
        review=review,
        reminders=sum(a.kind is AlertKind.REMINDER for a in replayed.alerts),
        escalations=sum(a.kind is AlertKind.ESCALATION for a in replayed.alerts),
        words=f"{replayed.ref} ({held}): " + ("; ".join(wrong) if wrong else "agrees"),
        **agree,
    )


def _timeliness(in_time: bool | None) -> str:
    return {True: "in time", False: "late", None: "not at all"}[in_time]


def _first_difference(sent: list[SentAlert], expected: list[SentAlert]) -> str:
    for a, b in zip(sent, expected, strict=False):
        if a != b:
            return f"{_alert(a)} against {_alert(b)}"
    if len(sent) > len(expected):
        return f"{_alert(sent[len(expected)])} not expected"
    return f"{_alert(expected[len(sent)])} not sent"


def _alert(a: SentAlert) -> str:
    level = f"{a.level} days before" if a.kind is AlertKind.REMINDER else f"level {a.level}"
    return f"{a.kind.value} {level} for {a.step} on day {a.day}"
