"""Appeals to the Tribunal for the KPI report: counts by outcome and type, per 1,000 plans.

Councils report appeals to scrutiny as numbers and as a rate per 1,000 plans maintained (the
Tribunal's own "appeal rate" divides appeals registered by plans maintained). These are
counts, not rates of duties done in time, so they carry no target and no RAG.

Each appeal counts in the period on the day it happened:

- registered: the day the appeal was registered (CFA s51; Tribunal rules r20(1)): the appeal
  window step done, from the step row (an appeal still open counts) or, failing that, the
  ended case's ``registered`` date;
- conceded, upheld, dismissed, not appealed (the window closed unused), withdrawn: the day
  the appeal case ended that way. "Withdrawn" counts only appeals withdrawn after they were
  registered; a case closed before any appeal was registered is not an appeal.

Plans maintained (the denominator): the distinct plans (case references) the ledger shows
maintained at some time in the 12 months to the period's last day: a new plan issued
(reg 13(2)), a review cycle concluded (CFA s44), a re-assessment ended (regs 24-27), or a
plan transferred in or out (reg 15). docs/REPORTING.md states it in full.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from statutory.catalogue import family
from statutory.clock_processes import APPEAL
from statutory.clocks import WITHDRAWN, ClockOutcome
from statutory.dates import months_before
from statutory.ledger import OutcomeRecord, StepRecord
from statutory.periods import Period
from statutory.process import StepId

REGISTERED = "registered"
#: Every figure counted, in the order reports show them.
APPEAL_OUTCOMES = (REGISTERED, "conceded", "withdrawn", "upheld", "dismissed", "not-appealed")
UNKNOWN_TYPE = "unknown"
#: Each figure as reports name it.
OUTCOME_WORDS = {
    REGISTERED: "Registered",
    "conceded": "Conceded by the council",
    "withdrawn": "Withdrawn after registration",
    "upheld": "Upheld by the Tribunal",
    "dismissed": "Dismissed by the Tribunal",
    "not-appealed": "Not appealed (window closed)",
}

#: Ledger outcomes that show a plan maintained, besides a new plan issued (unless withdrawn).
PLAN_PROCESSES = frozenset({"review", "reassessment", "transfer-in", "transfer-out"})

TITLE = "Appeals to the Tribunal per 1,000 plans maintained"
DEFINITION = (
    "Appeals registered in the period (on the day registered), and appeals that ended in the "
    "period (on that day) conceded, withdrawn after registration, upheld or dismissed, or "
    "not made before the window closed; by type of appeal, and per 1,000 plans maintained "
    "(plans the ledger shows issued, reviewed, re-assessed or transferred in the 12 months to "
    "the period's end)."
)
SOURCE = "CFA s51; regs 32-42, 44-45; Tribunal rules r20"


class AppealCounts(BaseModel):
    """Appeals by outcome (``APPEAL_OUTCOMES``), as numbers and per 1,000 plans maintained."""

    model_config = ConfigDict(frozen=True)

    counts: dict[str, int]
    per_1000_plans: dict[str, float | None]
    """None when no plan was maintained (no denominator)."""


class Appeals(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str = "appeals"
    title: str = TITLE
    definition: str = DEFINITION
    source: str = SOURCE
    plans_maintained: int
    plans_maintained_from: date
    """The first day of the 12 months the denominator looks at (to the period's end)."""
    period: AppealCounts
    year_to_date: AppealCounts
    by_type: dict[str, AppealCounts]
    """Appeal type (``refusal-to-assess``, ``contents``...) -> the period's counts."""


def outcome_phrase(outcome: str) -> str:
    """An outcome's words within a sentence: "upheld by the Tribunal"."""
    words = OUTCOME_WORDS[outcome]
    return words[0].lower() + words[1:]


def type_words(kind: str) -> str:
    """``refusal-to-assess`` -> "Against a refusal to assess"."""
    words = APPEAL.variants.get(kind)
    return f"Against {words}" if words else "Type not recorded"


def per_1000(n: int, plans: int) -> float | None:
    """``n`` per 1,000 ``plans``, to one decimal place; None when there are no plans."""
    return round(1000 * n / plans, 1) if plans else None


def _counts(found: Counter[str], plans: int) -> AppealCounts:
    return AppealCounts(
        counts={k: found[k] for k in APPEAL_OUTCOMES},
        per_1000_plans={k: per_1000(found[k], plans) for k in APPEAL_OUTCOMES},
    )


def appeal_events(
    steps: Iterable[StepRecord], outcomes: Iterable[OutcomeRecord]
) -> list[tuple[str, date, str]]:
    """Each thing that happened to an appeal: (outcome, day, appeal type)."""
    registered: dict[str, tuple[date, str]] = {}
    for s in steps:
        if s.process == "appeal" and family(s.step) == StepId.APPEAL_WINDOW:
            registered[s.workflow_id] = (s.completed_on, s.detail.get("variant", UNKNOWN_TYPE))
    events = []
    for record in outcomes:
        if record.process != "appeal":
            continue
        o = ClockOutcome.model_validate(record.outcome)
        kind = o.variant or UNKNOWN_TYPE
        on = o.dates.get(REGISTERED)
        if on is not None:
            registered.setdefault(record.workflow_id, (on, kind))
        if o.ending == WITHDRAWN and on is None:
            continue  # closed before any appeal was made
        events.append((o.ending, record.ended_on, kind))
    events += [(REGISTERED, on, kind) for on, kind in registered.values()]
    return events


def _shows_a_plan(record: OutcomeRecord) -> bool:
    ending = record.outcome.get("ending")
    if record.process == "assessment":
        return ending == "plan-issued"
    return record.process in PLAN_PROCESSES and ending != WITHDRAWN


def plans_maintained(outcomes: Iterable[OutcomeRecord], end: date) -> tuple[int, date]:
    """Distinct plans with ledger evidence of being maintained in the 12 months to ``end``,
    and the first day of those 12 months."""
    start = months_before(end, 12) + timedelta(days=1)
    refs = {o.case_ref for o in outcomes if start <= o.ended_on <= end and _shows_a_plan(o)}
    return len(refs), start


def appeals(
    steps: Sequence[StepRecord], outcomes: Sequence[OutcomeRecord], period: Period
) -> Appeals:
    """Appeals in ``period`` and its year to date, by outcome and type, per 1,000 plans."""
    plans, since = plans_maintained(outcomes, period.end)
    in_period: Counter[str] = Counter()
    ytd: Counter[str] = Counter()
    by_type: dict[str, Counter[str]] = {}
    for what, day, kind in appeal_events(steps, outcomes):
        if day in period.year_to_date:
            ytd[what] += 1
        if day in period:
            in_period[what] += 1
            by_type.setdefault(kind, Counter())[what] += 1
    return Appeals(
        plans_maintained=plans,
        plans_maintained_from=since,
        period=_counts(in_period, plans),
        year_to_date=_counts(ytd, plans),
        by_type={kind: _counts(by_type[kind], plans) for kind in sorted(by_type)},
    )
