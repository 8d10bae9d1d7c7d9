"""KPIs of the duty clocks: re-assessments, Tribunal orders and concessions, transfers.

Each is a rate, as every measure of ``statutory.kpi``: of the cases counted in the period,
those whose duty was done by its statutory date. A case counts on the day it **ended** (the
ledger's outcome, ``statutory.clocks.ClockOutcome``), except a decision whether to re-assess,
which counts on the day it was notified (its step row), as a decision whether to assess
does. Cases withdrawn are not counted. Appeals, which are counts rather than rates, are
``statutory.kpi_appeals``.

| key | counted when | in time means | source |
|---|---|---|---|
| reassessment-decisions-15-days | decision (to re-assess or not) notified | within 15 days of the request | reg 25(1) |
| reassessment-plans-14-weeks | re-assessment ended with the plan amended or replaced | finalised within 14 weeks of the decision | reg 27(2) |
| tribunal-orders-in-time | order or reg 45 concession complied with, or a decision not to issue | by the order's date (by type and route) | reg 44(2), 45 |
| transfers-in-family-told-6-weeks | family told of a plan transferred in | within 6 weeks of the transfer | reg 15(4) |
| transfers-out-on-time | plan transferred to the new council | by the reg 15(2) date | reg 15(2) |
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from statutory import processes as P
from statutory.catalogue import family
from statutory.clock_processes import TRIBUNAL_ORDER
from statutory.clocks import ClockOutcome
from statutory.kpi import Item, KpiTargets, Measure, Spec, measure
from statutory.ledger import OutcomeRecord, StepRecord
from statutory.periods import Period
from statutory.process import StepId
from statutory.steps import StepState

#: How a Tribunal-order case arose (``detail.route``): a reg 45 notice conceding an appeal.
CONCESSION = "reg-45"
ORDER = "tribunal"

#: A breakdown's values as people name them (dimension -> value -> words).
BREAKDOWN_WORDS: dict[str, dict[str, str]] = {
    "route": {ORDER: "Tribunal order", CONCESSION: "reg 45 concession"},
    "order_type": {k: f"order {words}" for k, words in TRIBUNAL_ORDER.variants.items()},
}


def breakdown_words(dimension: str, value: str) -> str:
    """``("route", "reg-45")`` -> "reg 45 concession"; other values as they are."""
    return BREAKDOWN_WORDS.get(dimension, {}).get(value, value)


REASSESSMENT_DECISIONS = Spec(
    "reassessment-decisions-15-days",
    "Decisions whether to re-assess within 15 days",
    "Of the decisions whether to re-assess (to re-assess or not) notified in the period, the "
    "share notified within 15 days of the request. Re-assessments the council began of its "
    "own accord (no request) are not counted.",
    P.DECIDE_TO_REASSESS.regulation,
)
REASSESSMENT_PLANS = Spec(
    "reassessment-plans-14-weeks",
    "Re-assessed plans finalised within 14 weeks",
    "Of the re-assessments that ended in the period with the plan amended or replaced "
    "(counted on the day it was finalised), the share finalised within 14 weeks of the "
    "decision to re-assess.",
    P.REASSESSMENT_PLAN.regulation,
)
TRIBUNAL_ORDERS = Spec(
    "tribunal-orders-in-time",
    "Tribunal orders and reg 45 concessions complied with in time",
    "Of the orders of the Tribunal and the appeals conceded by a reg 45 notice that were "
    "complied with in the period (or ended with a decision not to issue a plan), counted on "
    "that day, the share done by the date the order's type sets; by order type and by route "
    "(Tribunal order or reg 45 concession).",
    "reg 44(2), 45",
)
TRANSFERS_IN = Spec(
    "transfers-in-family-told-6-weeks",
    "Plans transferred in: family told within 6 weeks",
    "Of the plans transferred in from another council whose family was told in the period "
    "(of the transfer and when the plan will be reviewed), the share told within 6 weeks of "
    "the transfer.",
    P.NOTIFY_FAMILY.regulation,
)
TRANSFERS_OUT = Spec(
    "transfers-out-on-time",
    "Plans transferred out to the new council on time",
    "Of the plans transferred to a new council in the period, the share transferred by the "
    "day of the move (or within 15 working days of the council learning of it, if later).",
    P.TRANSFER_PLAN.regulation,
)
SPECS = (REASSESSMENT_DECISIONS, REASSESSMENT_PLANS, TRIBUNAL_ORDERS, TRANSFERS_IN, TRANSFERS_OUT)


def _ended(
    outcomes: Iterable[OutcomeRecord], process: str, endings: frozenset[str]
) -> Iterator[tuple[OutcomeRecord, ClockOutcome]]:
    """The cases of ``process`` that ended one of these ways, with their duty judged."""
    for record in outcomes:
        if record.process != process or record.outcome.get("ending") not in endings:
            continue
        o = ClockOutcome.model_validate(record.outcome)
        if o.in_time is not None:
            yield record, o


def _item(record: OutcomeRecord, o: ClockOutcome, *groups: tuple[str, str]) -> Item:
    excepted = any(r.state is StepState.EXCEPTED for r in o.steps.values())
    return Item(record.ended_on, bool(o.in_time), excepted, groups)


def reassessment_decisions(steps: Sequence[StepRecord], period: Period, t: KpiTargets) -> Measure:
    items = (
        Item(s.completed_on, s.met, s.exception_applies)
        for s in steps
        if s.process == "reassessment" and family(s.step) == StepId.DECIDE_TO_REASSESS
    )
    return measure(REASSESSMENT_DECISIONS, items, period, t)


def reassessment_plans(outcomes: Sequence[OutcomeRecord], period: Period, t: KpiTargets) -> Measure:
    """Re-assessments ending ``plan-issued``; one that ended with the plan left as it is (an
    appeal follows) or refused is not a plan finalised."""
    items = (_item(r, o) for r, o in _ended(outcomes, "reassessment", frozenset({"plan-issued"})))
    return measure(REASSESSMENT_PLANS, items, period, t)


def tribunal_orders(outcomes: Sequence[OutcomeRecord], period: Period, t: KpiTargets) -> Measure:
    """Orders complied with, and orders to assess ending in a decision not to issue (itself
    due within 10 weeks, reg 44(2)(b)(i), 45(3A)(a)); by type and route."""
    items = (
        _item(
            r,
            o,
            ("order_type", o.variant or "unknown"),
            ("route", CONCESSION if o.detail.get("route") == CONCESSION else ORDER),
        )
        for r, o in _ended(outcomes, "tribunal-order", frozenset({"complied", "not-issued"}))
    )
    return measure(TRIBUNAL_ORDERS, items, period, t)


def transfers_in(outcomes: Sequence[OutcomeRecord], period: Period, t: KpiTargets) -> Measure:
    items = (
        _item(r, o, ("from_council", o.detail.get("from_council", "unknown")))
        for r, o in _ended(outcomes, "transfer-in", frozenset({"notified"}))
    )
    return measure(TRANSFERS_IN, items, period, t)


def transfers_out(outcomes: Sequence[OutcomeRecord], period: Period, t: KpiTargets) -> Measure:
    items = (_item(r, o) for r, o in _ended(outcomes, "transfer-out", frozenset({"transferred"})))
    return measure(TRANSFERS_OUT, items, period, t)


def clock_measures(
    steps: Sequence[StepRecord], outcomes: Sequence[OutcomeRecord], period: Period, t: KpiTargets
) -> list[Measure]:
    """Every duty-clock KPI, in the order of ``SPECS``."""
    return [
        reassessment_decisions(steps, period, t),
        reassessment_plans(outcomes, period, t),
        tribunal_orders(outcomes, period, t),
        transfers_in(outcomes, period, t),
        transfers_out(outcomes, period, t),
    ]
