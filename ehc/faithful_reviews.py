"""The faithful engine for annual reviews: reviews a fast run held, replayed through the real
``ReviewWorkflow`` on the Temporal time-skipping test server.

A fast run keeps every review it held (``scenarios.reviews.ReviewsDone``: plans due on one day,
reviewed on another; ``count`` of them, of which ``transfers`` were brought forward to that day
for a phase transfer, for ``move``). It is taken in groups of plans alike (``alike``): those due
by 12 months on the day, and those brought forward, one group for each 12-month due date; one
plan of each group chosen is replayed. A plan is made on the day whose 12 months end on its 12-month due
date (``anchor_for``, CFA s44(1), reg 18); its review workflow is started that day at midday,
as ``ehc review start`` starts it (``ehc.reviews``, without a settling period: the cycle starts
on its anchor as a plan's next cycle does), and the server skips to the day the review
concluded, when the meeting is held and the decision to maintain the plan is notified through
the ``record`` update, as ``ehc review record`` sends them. The concluded cycle's timeline and
the next cycle's due date are then compared with the fast engine (``ReviewsDone.in_time``,
``next_review_due``, and ``expected_alerts``: ``statutory.alerts.plan`` over
``statutory.review.steps``, day by day, as the workflow does): the date the review was due by,
whether it was held by it, the next due date, and the reminders and escalations it sent.

Phase transfers (reg 18(1)): a plan whose review was brought forward to 15 February for a
school move is started with its transfer, as ``ehc review start --transfer primary-secondary
--transfer-year N`` gives it, and one brought forward to 31 March for a move to post-16 as
``--transfer secondary-post16`` gives it (``scenarios.reviews.phase_transfer``: the book's
move, in the year of the 12-month due date). The workflow then counts the cycle as the
transfer's (``transfer_in_cycle``; its ``category``: secondary or post-16 transfer), keeps the
12-month due date for the meeting, and holds the plan to be finalised by the transfer's
deadline (``transfer_deadline``): a decision to maintain it finalises it, as an amended plan
issued would. Reg 18 asks for the review, and any amendments, completed by that deadline,
which is the fast engine's one-step review held by ``transfer_review_due``: so a transfer
review is due by the transfer's deadline, in time if the plan was finalised by it
(``phase_transfer_finalised_in_time``), and its 12-month due date and category must be the
fast run's too. The workflow also asks for the meeting 12 weeks before the deadline, the
latest that leaves room for an amendment (``latest_meeting_for``, a planning date); its
reminders and escalations are among the alerts compared.

Moving in time: the test server's clock runs from today and only forwards, and 12 months from a
date depend on the calendar (29 February), so a review is moved by a whole number of 4-year
spans (1,461 days, the same calendar from 2001 to 2099) to start on or after the server's day;
its dates are moved back before comparing. Reviews are replayed in the order that wastes least
of the server's clock, and a fresh server is started when the next one would pass 2099, the
last date a case can have (``statutory.bounds.HORIZON``).

Left out: reviews whose 12-month due date is 29 February (no day's 12 months end on it:
29 Feb + 12 months is 28 Feb).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
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
from scenarios.reviews import ReviewsDone, next_review_due, phase_transfer
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


def alike(review: ReviewsDone) -> Iterator[ReviewsDone]:
    """``review`` in groups of plans alike: those due on its day by 12 months, then those
    brought forward to it for a phase transfer, a group for each 12-month due date (each with
    that one ``transfers`` entry, and the move)."""
    ordinary = review.count - sum(n for _, n in review.transfers)
    if ordinary:
        yield ReviewsDone(review.due, review.concluded, ordinary)
    for twelve_months, n in review.transfers:
        yield ReviewsDone(review.due, review.concluded, n, ((twelve_months, n),), review.move)


def twelve_months(review: ReviewsDone) -> date:
    """The 12-month due date of a group of plans alike (``alike``)."""
    return review.transfers[0][0] if review.transfers else review.due


def transfer_of(review: ReviewsDone) -> rules.PhaseTransfer | None:
    """The phase transfer a group of plans alike was brought forward for, if any."""
    return phase_transfer(twelve_months(review), review.move) if review.transfers else None


@dataclass(frozen=True, slots=True)
class Sample:
    """The reviews chosen for replay, and the plan reviews of the run left out, by reason."""

    chosen: list[ReviewsDone]
    """Groups of plans alike (``alike``), one plan of each to replay."""
    held: int
    """Plan reviews the fast run held."""
    transfers: int
    """Of them, phase-transfer reviews brought forward to their move's deadline (15 February
    or 31 March)."""
    leap_day: int
    """Due on 29 February by 12 months: no plan's 12 months end on it (``anchor_for``)."""


def _spread(reviews: list[ReviewsDone], n: int) -> list[ReviewsDone]:
    """``n`` of ``reviews``, evenly spaced through them (the run's first weeks to its last)."""
    return [reviews[i * len(reviews) // n] for i in range(n)] if n else []


def _with_transfers(groups: list[ReviewsDone], n: int) -> list[ReviewsDone]:
    """``n`` of ``groups`` (at most all), spread over the run: phase transfers their share of
    ``n`` by plans, rounded up (so one at least where there are any), the others the rest."""
    transfers = [g for g in groups if g.transfers]
    others = [g for g in groups if not g.transfers]
    plans = max(1, sum(g.count for g in groups))
    share = -(-n * sum(g.count for g in transfers) // plans)
    share = min(len(transfers), max(share, n - len(others)))
    return _spread(transfers, share) + _spread(others, n - share)


def sample(reviews: Sequence[ReviewsDone], limit: int) -> Sample:
    """Up to ``limit`` reviews to replay, half held in time and half late where the run has
    enough of each, spread over the run; of each half, phase transfers take their share
    (``_with_transfers``)."""
    groups = [g for r in reviews for g in alike(r)]
    leap = [g for g in groups if anchor_for(twelve_months(g)) is None]
    eligible = [g for g in groups if anchor_for(twelve_months(g)) is not None]
    in_time = [g for g in eligible if g.in_time]
    late = [g for g in eligible if not g.in_time]
    n_late = min(len(late), max(limit // 2, limit - len(in_time)))
    n_in_time = min(len(in_time), limit - n_late)
    chosen = _with_transfers(in_time, n_in_time) + _with_transfers(late, n_late)
    return Sample(
        chosen=sorted(chosen, key=_order),
        held=sum(r.count for r in reviews),
        transfers=sum(n for r in reviews for _, n in r.transfers),
        leap_day=sum(g.count for g in leap),
    )


def _order(r: ReviewsDone) -> tuple[date, date, date]:
    return r.due, r.concluded, twelve_months(r)


def _maintained(on: date) -> list[rules.ReviewEvent]:
    """The review as the fast engine holds it: meeting and decision on one day, the plan kept."""
    return [
        rules.MeetingHeld(on=on),
        rules.DecisionNotified(on=on, decision=rules.Decision.MAINTAIN),
    ]


def _anchor(review: ReviewsDone, ref: str | None = None) -> date:
    anchor = anchor_for(twelve_months(review))
    if anchor is None:
        where = f"{ref}: " if ref else ""
        raise FaithfulError(f"{where}no plan's review falls due on {day(twelve_months(review))}")
    return anchor


def expected_alerts(review: ReviewsDone, policy: AlertPolicy) -> list[SentAlert]:
    """Every reminder and escalation the review workflow sends for ``review`` (a group of
    plans alike), in days from its anchor: ``statutory.alerts.plan`` over the cycle's steps
    (with its phase transfer, if any) on each day, as the workflow runs it (started at midday
    on the anchor, so that day's alerts go at once; then at the alert hour each day; again
    after each event recorded at midday on the day it concluded, and nothing once the
    decision concludes the cycle)."""
    anchor = _anchor(review)
    record = rules.PlanRecord(
        case_ref="EXPECTED", plan_date=anchor, caseworker=CASEWORKER, team=TEAM
    )
    cycle = rules.first_cycle(record, transfer=transfer_of(review))
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
    """The date the cycle was held to: for a phase transfer it counted, the transfer's deadline
    (``phase_transfer_deadline``), else its 12-month due date."""
    twelve_months: date
    """The cycle's 12-month due date (``review_due_by``)."""
    category: rules.Category
    """How the workflow counted the cycle: for a phase transfer, or not (``category``)."""
    in_time: bool | None
    """Held by ``due``: for a phase transfer, the plan finalised by its deadline
    (``phase_transfer_finalised_in_time``), else the meeting held within 12 months
    (``reviewed_within_12_months``)."""
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
    """Play one review (one plan of a group alike) through the workflow; see the module
    docstring."""
    anchor = _anchor(review, ref)
    shift = _moved_shift(anchor, await first_midday(env))
    start, concluded = anchor + shift, review.concluded + shift
    transfer = transfer_of(review)
    if transfer is not None:  # whole 4-year spans: the same deadline, 4N years on
        transfer = transfer.model_copy(update={"year": (twelve_months(review) + shift).year})
    settings = Settings.model_construct(task_queue=task_queue)
    service = Reviews(env.client, settings)
    workflow_id = review_workflow_id(ref)
    await until(env, datetime.combine(start, MIDDAY, UTC))
    try:
        plan_record = rules.PlanRecord(
            case_ref=ref, plan_date=start, caseworker=CASEWORKER, team=TEAM
        )
        await service.start(plan_record, transfer=transfer, today=start, settle=False)
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
    # A cycle the workflow counted as a phase transfer's is held to the transfer's deadline.
    deadline = cycle.key_dates.phase_transfer_deadline if outcome.phase_transfer else None
    return ReplayedReview(
        review=review,
        ref=ref,
        due=(deadline or outcome.review_due_by) - shift,
        twelve_months=outcome.review_due_by - shift,
        category=outcome.category,
        in_time=(
            outcome.phase_transfer_finalised_in_time
            if deadline
            else outcome.reviewed_within_12_months
        ),
        next_due=following.key_dates.review_due_by - shift,
        alerts=_sent(cycle.alerts, start),
        policy=settings.alert_policy,
    )


def _fits(review: ReviewsDone, earliest: date) -> tuple[date, bool]:
    """When ``review`` would start on a server whose first midday is ``earliest``, and whether
    every date the workflow counts (to the next review's due date) stays within bounds."""
    anchor = anchor_for(twelve_months(review))
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
    """The date held to, and the 12-month due date and category (for a phase transfer)."""
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

    @property
    def transfer(self) -> bool:
        """A phase-transfer review, brought forward to its move's deadline."""
        return bool(self.review.transfers)


def review_agreement(replayed: ReplayedReview) -> ReviewAgreement:
    """Compare one replayed review with what the fast engine says of it: the date it was due
    by (for a phase transfer, ``transfer_review_due``, with its 12-month due date and the
    workflow's category for the move), in time or late against it, the next due date (12
    months from the review), and the alerts."""
    review = replayed.review
    expected = expected_alerts(review, replayed.policy)
    next_due = next_review_due(review.concluded)
    transfer = transfer_of(review)
    category = rules.category(transfer)
    agree = {
        "due": (replayed.due, replayed.twelve_months, replayed.category)
        == (review.due, twelve_months(review), category),
        "in_time": replayed.in_time is review.in_time,
        "next_due": replayed.next_due == next_due,
        "alerts": replayed.alerts == expected,
    }
    said = {
        "due": lambda: (
            f"due {_held_to(replayed.due, replayed.twelve_months, replayed.category)} "
            f"(fast engine: {_held_to(review.due, twelve_months(review), category)})"
        ),
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
    if transfer:
        held = f"phase transfer {held}, 12 months {day(twelve_months(review))}"
    return ReviewAgreement(
        ref=replayed.ref,
        review=review,
        reminders=sum(a.kind is AlertKind.REMINDER for a in replayed.alerts),
        escalations=sum(a.kind is AlertKind.ESCALATION for a in replayed.alerts),
        words=f"{replayed.ref} ({held}): " + ("; ".join(wrong) if wrong else "agrees"),
        **agree,
    )


def _held_to(due: date, twelve_months: date, category: rules.Category) -> str:
    if due == twelve_months and category is rules.Category.OTHER:
        return day(due)
    return f"{day(due)} ({category.replace('-', ' ')}, 12 months {day(twelve_months)})"


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
