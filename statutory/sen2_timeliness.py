"""The assessment timeliness summary (SEN2-style counts by month), from the reporting ledger.

Not the DfE return itself (that is ``statutory.sen2``: the person-level modules): a council's
own monthly view of the same counts, kept for ``GET /sen2/{year}`` without ``module`` and for
the KPI benchmarks. One row per calendar month of the year and one for the whole year.
Everything is counted on the day it happened, as SEN2 counts (a request on the day it was
received, a plan in the year it was issued). ``COLUMNS`` documents each column;
``docs/REPORTING.md`` repeats it.

Requests are read from the ledger's request records. Until the assessment workflow writes
those, a request is known from its decision whether to assess (received = the 6-week due
date less 6 weeks) or from its outcome (received = the 20-week due date less 20 weeks), so a
request still awaiting its decision is not yet counted; ``Sen2Table.requests_complete`` says
which case applies.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from statutory.assessment import DECIDE_TO_ASSESS_WEEKS, FINAL_PLAN_WEEKS
from statutory.ledger import OutcomeRecord, RequestRecord, StepRecord
from statutory.periods import month, year
from statutory.process import StepId

COLUMNS: tuple[tuple[str, str], ...] = (
    ("period", "calendar month (YYYY-MM), or the year (YYYY) for the total row"),
    ("requests_received", "initial requests for an EHC needs assessment received (CFA s36(1))"),
    ("decisions_made", "decisions whether to assess notified (to assess or not; reg 4, 5)"),
    ("agreed_to_assess", "of those, decisions to assess"),
    ("refused_to_assess", "of those, decisions not to assess (reg 5(1))"),
    ("decisions_within_6_weeks", "decisions notified within 6 weeks of the request"),
    ("decided_not_to_issue", "assessments ending in a decision not to issue a plan (reg 10)"),
    ("withdrawn", "requests or assessments withdrawn"),
    ("plans_issued", "new EHC plans issued (final plan, reg 13(2))"),
    ("plans_within_20_weeks", "new plans issued within 20 weeks, including exception cases"),
    (
        "percent_within_20_weeks_including_exceptions",
        "plans_within_20_weeks / plans_issued x 100, one decimal place; empty when none",
    ),
    ("exception_cases", "new plans to which an exception applied (reg 13(3), 2A)"),
    ("plans_excluding_exceptions", "plans_issued less exception_cases"),
    (
        "plans_within_20_weeks_excluding_exceptions",
        "plans within 20 weeks among plans_excluding_exceptions",
    ),
    (
        "percent_within_20_weeks_excluding_exceptions",
        "the national headline: the previous column / plans_excluding_exceptions x 100",
    ),
)


@dataclass(frozen=True, slots=True)
class Sen2Table:
    year: int
    rows: list[dict[str, str | int]]
    requests_complete: bool
    """True when request records were found; False when requests come from decisions and
    outcomes only (requests awaiting a decision are then missing)."""


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else ""


def received_dates(
    requests: Sequence[RequestRecord],
    steps: Sequence[StepRecord],
    outcomes: Sequence[OutcomeRecord],
) -> dict[str, date]:
    """Workflow id -> the day its request was received, from whichever record has it."""
    found: dict[str, date] = {}
    for o in outcomes:
        due = o.outcome.get("final_plan_due") if o.process == "assessment" else None
        if due:
            found[o.workflow_id] = date.fromisoformat(str(due)) - timedelta(weeks=FINAL_PLAN_WEEKS)
    for s in steps:
        if s.process == "assessment" and s.step == StepId.DECIDE_TO_ASSESS:
            found[s.workflow_id] = s.due - timedelta(weeks=DECIDE_TO_ASSESS_WEEKS)
    for r in requests:
        found[r.workflow_id] = r.received
    return found


class _Counts:
    """One period's tallies; ``row`` turns them into the table's columns."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.n: dict[str, int] = dict.fromkeys(
            (
                "requests_received",
                "decisions_made",
                "agreed_to_assess",
                "refused_to_assess",
                "decisions_within_6_weeks",
                "decided_not_to_issue",
                "withdrawn",
                "plans_issued",
                "plans_within_20_weeks",
                "exception_cases",
                "plans_within_20_weeks_excluding_exceptions",
            ),
            0,
        )

    def row(self) -> dict[str, str | int]:
        n = self.n
        others = n["plans_issued"] - n["exception_cases"]
        return {
            "period": self.label,
            **{k: v for k, v in n.items() if k not in _DERIVED_LATER},
            "percent_within_20_weeks_including_exceptions": _percent(
                n["plans_within_20_weeks"], n["plans_issued"]
            ),
            "exception_cases": n["exception_cases"],
            "plans_excluding_exceptions": others,
            "plans_within_20_weeks_excluding_exceptions": n[
                "plans_within_20_weeks_excluding_exceptions"
            ],
            "percent_within_20_weeks_excluding_exceptions": _percent(
                n["plans_within_20_weeks_excluding_exceptions"], others
            ),
        }


_DERIVED_LATER = {"exception_cases", "plans_within_20_weeks_excluding_exceptions"}
_ENDINGS = {
    "not-assessed": "refused_to_assess",
    "not-issued": "decided_not_to_issue",
    "withdrawn": "withdrawn",
}


def sen2_table(
    year_number: int,
    requests: Sequence[RequestRecord],
    steps: Sequence[StepRecord],
    outcomes: Sequence[OutcomeRecord],
) -> Sen2Table:
    """The year's table: twelve monthly rows, then the year's total (one pass over the rows)."""
    months = {p.label: _Counts(p.label) for p in (month(year_number, m) for m in range(1, 13))}
    total = _Counts(year(year_number).label)

    def add(day: date, column: str, amount: int = 1) -> None:
        if day.year == year_number:
            months[f"{day:%Y-%m}"].n[column] += amount
            total.n[column] += amount

    for day in received_dates(requests, steps, outcomes).values():
        add(day, "requests_received")
    refused = {o.workflow_id for o in outcomes if o.outcome.get("ending") == "not-assessed"}
    for s in steps:
        if s.process == "assessment" and s.step == StepId.DECIDE_TO_ASSESS:
            add(s.completed_on, "decisions_made")
            add(s.completed_on, "agreed_to_assess", s.workflow_id not in refused)
            add(s.completed_on, "decisions_within_6_weeks", s.met)
    for o in outcomes:
        if o.process != "assessment":
            continue
        ending = o.outcome.get("ending")
        if ending in _ENDINGS:
            add(o.ended_on, _ENDINGS[str(ending)])
        elif ending == "plan-issued":
            add(o.ended_on, "plans_issued")
            add(o.ended_on, "plans_within_20_weeks", bool(o.outcome.get("within_20_weeks")))
            add(o.ended_on, "exception_cases", bool(o.outcome.get("exceptions_apply")))
            add(
                o.ended_on,
                "plans_within_20_weeks_excluding_exceptions",
                bool(o.outcome.get("within_20_weeks_excluding_exceptions")),
            )
    return Sen2Table(
        year=year_number,
        rows=[c.row() for c in months.values()] + [total.row()],
        requests_complete=bool(requests),
    )


def to_csv(table: Sen2Table) -> str:
    """The table as CSV text with a header row of ``COLUMNS``' names."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[name for name, _ in COLUMNS], lineterminator="\n")
    writer.writeheader()
    writer.writerows(table.rows)
    return buffer.getvalue()
