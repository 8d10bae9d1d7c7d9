"""The assessment timeliness table of the SEN2 statutory return, from the reporting ledger.

One row per calendar month of the year and one for the whole year. Everything is counted on
the day it happened, as SEN2 counts (a request on the day it was received, a plan in the year
it was issued). ``COLUMNS`` documents each column; ``docs/REPORTING.md`` repeats it.

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
from statutory.periods import Period, month, year

COLUMNS: tuple[tuple[str, str], ...] = (
    ("period", "calendar month (YYYY-MM), or the year (YYYY) for the total row"),
    ("requests_received", "initial requests for an EHC needs assessment received (reg 3)"),
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
        if s.process == "assessment" and s.step == "decide-to-assess":
            found[s.workflow_id] = s.due - timedelta(weeks=DECIDE_TO_ASSESS_WEEKS)
    for r in requests:
        found[r.workflow_id] = r.received
    return found


def _row(
    period: Period,
    received: dict[str, date],
    steps: Sequence[StepRecord],
    outcomes: Sequence[OutcomeRecord],
) -> dict[str, str | int]:
    assessment = [o for o in outcomes if o.process == "assessment" and o.ended_on in period]
    refused = {o.workflow_id for o in outcomes if o.outcome.get("ending") == "not-assessed"}
    decisions = [
        s
        for s in steps
        if s.process == "assessment" and s.step == "decide-to-assess" and s.completed_on in period
    ]
    plans = [o.outcome for o in assessment if o.outcome.get("ending") == "plan-issued"]
    in_time = sum(bool(p.get("within_20_weeks")) for p in plans)
    exceptions = [p for p in plans if p.get("exceptions_apply")]
    others = len(plans) - len(exceptions)
    others_in_time = sum(bool(p.get("within_20_weeks_excluding_exceptions")) for p in plans)
    ended = [o.outcome.get("ending") for o in assessment]
    return {
        "period": period.label,
        "requests_received": sum(day in period for day in received.values()),
        "decisions_made": len(decisions),
        "agreed_to_assess": sum(s.workflow_id not in refused for s in decisions),
        "refused_to_assess": ended.count("not-assessed"),
        "decisions_within_6_weeks": sum(s.met for s in decisions),
        "decided_not_to_issue": ended.count("not-issued"),
        "withdrawn": ended.count("withdrawn"),
        "plans_issued": len(plans),
        "plans_within_20_weeks": in_time,
        "percent_within_20_weeks_including_exceptions": _percent(in_time, len(plans)),
        "exception_cases": len(exceptions),
        "plans_excluding_exceptions": others,
        "plans_within_20_weeks_excluding_exceptions": others_in_time,
        "percent_within_20_weeks_excluding_exceptions": _percent(others_in_time, others),
    }


def sen2_table(
    year_number: int,
    requests: Sequence[RequestRecord],
    steps: Sequence[StepRecord],
    outcomes: Sequence[OutcomeRecord],
) -> Sen2Table:
    """The year's table: twelve monthly rows, then the year's total."""
    received = received_dates(requests, steps, outcomes)
    periods = [month(year_number, m) for m in range(1, 13)] + [year(year_number)]
    return Sen2Table(
        year=year_number,
        rows=[_row(p, received, steps, outcomes) for p in periods],
        requests_complete=bool(requests),
    )


def to_csv(table: Sen2Table) -> str:
    """The table as CSV text with a header row of ``COLUMNS``' names."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[name for name, _ in COLUMNS], lineterminator="\n")
    writer.writeheader()
    writer.writerows(table.rows)
    return buffer.getvalue()
