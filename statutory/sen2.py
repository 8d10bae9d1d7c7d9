"""The SEN2 person-level return (the DfE's special educational needs survey), module by
module, from the reporting ledger.

One table per module, one row per request, assessment or plan, keyed by ``CaseRef``: the
case reference this engine shares with the council's case-management system, which joins
its person record (names, UPN, date of birth, placements, needs) on it. The columns are the
DfE's item names; the items this engine does not hold are left out (``NOT_HELD`` lists them)
rather than written empty, so the joined file says plainly where each value came from.

The year is the calendar year the return covers, as every report here counts: ``--year 2026``
is the SEN2 2027 collection, whose census (reference) date is the third Thursday of January
2027. Work is counted to 31 December (what was decided, issued or withdrawn in the year, and
what was still waiting then); plans are counted as they stood on the census date.

Columns and codes follow the DfE "Special educational needs person level survey 2025: guide"
version 1.4 (``GUIDE``); the 2026 guide (``GUIDE_2026``) keeps these items. A code marked
unconfirmed was not found in the guide text available when this was written: check it
against the current guide before submitting (``docs/REPORTING.md`` lists them).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from statutory.ledger import OutcomeRecord, RequestRecord, StepRecord
from statutory.process import StepId
from statutory.sen2_timeliness import received_dates


@dataclass(frozen=True, slots=True)
class Guide:
    title: str
    version: str
    url: str


GUIDE = Guide(
    title="Special educational needs person level survey 2025: guide",
    version="1.4",
    url="https://assets.publishing.service.gov.uk/media/675831b5f72b1d96e06bbfdf/"
    "SEN_survey_-_guide_to_person_level_SEN2_return_2025.pdf",
)
GUIDE_2026 = Guide(
    title="Special educational needs survey (SEN2 person level): guide 2026",
    version="not confirmed",
    url="https://assets.publishing.service.gov.uk/media/6937018aa6fc97b81e5743a7/"
    "Special_educational_needs_survey_guide_2026.pdf",
)

#: The column every module starts with: the join key to the case-management system.
JOIN_KEY = "CaseRef"


class Module(StrEnum):
    REQUESTS = "requests"
    ASSESSMENTS = "assessments"
    NAMED_PLANS = "named-plans"
    ACTIVE_PLANS = "active-plans"
    TRANSFERS_IN = "transfers-in"


@dataclass(frozen=True, slots=True)
class Code:
    value: str
    meaning: str
    confirmed: bool
    """Found in the DfE guide's text (or a supplier's item-by-item reading of it)."""


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    item: str
    """The DfE guide's item number (2025 guide v1.4), where confirmed; empty otherwise."""
    meaning: str
    codes: tuple[Code, ...] = ()
    required: bool = False
    """Never empty in a row this engine writes."""


REQUEST_OUTCOME = (
    Code("A", "decision to assess (reg 4, 5)", confirmed=False),
    Code("B", "decision not to assess (reg 5(1))", confirmed=False),
    Code("C", "request withdrawn or ceased before the decision whether to assess", False),
    Code("W", "decision not yet made at the end of the calendar year", confirmed=False),
    Code("H", "historical: decided before the calendar year of the return", confirmed=True),
)
ASSESSMENT_OUTCOME = (
    Code("A", "decision to issue an EHC plan (reg 12, 13)", confirmed=False),
    Code("B", "decision not to issue an EHC plan (reg 10)", confirmed=False),
    Code("C", "assessment withdrawn or ceased before the decision whether to issue", False),
    Code("W", "decision not yet made at the end of the calendar year", confirmed=False),
    Code("H", "historical: decided before the calendar year of the return", confirmed=True),
    Code("S", "plan issued after an assessment completed by another authority", True),
)
WEEK20 = (
    Code("1", "yes: an exception to the 20-week limit applies (reg 13(3))", confirmed=True),
    Code("0", "no exception applies", confirmed=True),
)
CEASE_REASON = (
    Code("1", "reached maximum age", confirmed=True),
    Code("2", "ongoing education or training needs met without an EHC plan", True),
    Code("3", "moved on to higher education", confirmed=True),
    Code("4", "moved on to paid employment, excluding apprenticeships", confirmed=True),
    Code("5", "transferred to another local authority in England", confirmed=True),
    Code("6", "young person no longer wishes to engage in education or training", True),
    Code("7", "moved outside England", confirmed=True),
    Code("8", "deceased", confirmed=True),
    Code("9", "other", confirmed=True),
)
REVIEW_OUTCOME = (
    Code("A", "amend the EHC plan (reg 22)", confirmed=True),
    Code("C", "cease the EHC plan (CFA s45)", confirmed=True),
    Code("M", "maintain the EHC plan unchanged", confirmed=True),
)

_KEY = Column(JOIN_KEY, "", "the case reference: the join key to the case-management system")

MODULES: dict[Module, tuple[Column, ...]] = {
    Module.REQUESTS: (
        _KEY,
        Column("ReceivedDate", "", "the day the request for assessment was received (s36(1))"),
        Column("RequestOutcomeDate", "", "the day the decision whether to assess was notified"),
        Column("RequestOutcome", "", "the decision on the request", REQUEST_OUTCOME, True),
    ),
    Module.ASSESSMENTS: (
        _KEY,
        Column("AssessmentOutcome", "3.1", "decision to issue a plan", ASSESSMENT_OUTCOME, True),
        Column(
            "AssessmentOutcomeDate",
            "",
            "the day of the decision: the draft plan served (reg 12) for a plan, else the "
            "day the assessment ended",
        ),
        Column("Week20", "3.7", "20-week time limit exceptions apply", WEEK20, True),
    ),
    Module.NAMED_PLANS: (
        _KEY,
        Column("StartDate", "", "the day the final EHC plan was issued (reg 13(2))"),
        Column("CeaseDate", "", "the day the plan ceased or was transferred out"),
        Column(
            "CeaseReason",
            "4.6",
            "why the plan ceased; 5 when it was transferred out, else left to the "
            "case-management system",
            CEASE_REASON,
        ),
    ),
    Module.ACTIVE_PLANS: (
        _KEY,
        Column(
            "TransferLA",
            "",
            "the authority the plan transferred in from during the calendar year (reg 15)",
        ),
        Column("ReviewMeeting", "5.4", "the day of the latest annual review meeting (reg 20)"),
        Column("ReviewOutcome", "5.5", "the decision after that meeting (reg 22)", REVIEW_OUTCOME),
        Column("LastReview", "5.6", "the day that decision was notified"),
    ),
    Module.TRANSFERS_IN: (
        _KEY,
        Column("TransferLA", "", "the authority the plan transferred in from"),
        Column(
            "TransferDate", "", "the day the plan transferred in (not a DfE item: for checking)"
        ),
    ),
}

#: DfE items of each module this engine does not hold: the case-management system joins them
#: on ``CaseRef``. Module 1 (person: names, date of birth, sex, ethnicity, postcode, UPN, ULN)
#: is wholly the case-management system's.
NOT_HELD: dict[Module, tuple[str, ...]] = {
    Module.REQUESTS: (
        "RequestSource",
        "RYA",
        "RequestMediation",
        "RequestTribunal",
        "Exported",
    ),
    Module.ASSESSMENTS: (
        "AssessmentMediation",
        "AssessmentTribunal",
        "OtherMediation",
        "OtherTribunal",
    ),
    Module.NAMED_PLANS: (
        "PlanDetail (URN, UKPRN, SENSetting, SENSettingOther, PlacementRank, SENunitIndicator, "
        "ResourcedProvisionIndicator)",
        "PlanRes",
        "PlanWPB",
        "PB",
        "OA",
        "DP",
        "CeaseReason other than 5",
    ),
    Module.ACTIVE_PLANS: (
        "PlacementDetail (URN, UKPRN, SENSetting, EntryDate, LeavingDate, AttendancePattern, ...)",
        "SENneed (SENtype, SENtypeRank)",
        "RES",
        "WPB",
    ),
    Module.TRANSFERS_IN: (),
}


def census_date(year: int) -> date:
    """The census (reference) date of the return covering calendar year ``year``: the third
    Thursday of the following January, as every SEN2 collection 2015-2025 has been."""
    first = date(year + 1, 1, 1)
    thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return thursday + timedelta(weeks=2)


def collection_name(year: int) -> str:
    """How the DfE names the return covering calendar year ``year``."""
    return f"SEN2 {year + 1}"


Row = dict[str, str]


@dataclass(frozen=True, slots=True)
class Sen2Return:
    year: int
    """The calendar year the return covers."""
    census: date
    modules: dict[Module, list[Row]]
    requests_complete: bool
    """False when the ledger has no request records (requests still awaiting a decision
    are then missing from the requests module)."""


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


@dataclass(slots=True)
class _Assessment:
    """One assessment workflow, as its ledger records tell it."""

    case_ref: str
    received: date | None = None
    decided: date | None = None
    draft: date | None = None
    exception: bool = False
    outcome: OutcomeRecord | None = None


def _assessments(
    requests: Sequence[RequestRecord],
    steps: Sequence[StepRecord],
    outcomes: Sequence[OutcomeRecord],
) -> dict[str, _Assessment]:
    found: dict[str, _Assessment] = {}

    def get(workflow_id: str, case_ref: str) -> _Assessment:
        return found.setdefault(workflow_id, _Assessment(case_ref))

    for r in requests:
        get(r.workflow_id, r.case_ref)
    for s in steps:
        if s.process != "assessment":
            continue
        a = get(s.workflow_id, s.case_ref)
        a.exception = a.exception or s.exception_applies
        if s.step == StepId.DECIDE_TO_ASSESS:
            a.decided = s.completed_on
        elif s.step == StepId.DRAFT:
            a.draft = s.completed_on
    for o in outcomes:
        if o.process == "assessment":
            get(o.workflow_id, o.case_ref).outcome = o
    received = received_dates(requests, steps, outcomes)
    for workflow_id, a in found.items():
        a.received = received.get(workflow_id)
    return found


_ASSESSMENT_CODES = {"plan-issued": "A", "not-issued": "B", "withdrawn": "C"}


def _request_row(a: _Assessment, start: date, end: date) -> tuple[Row, str] | None:
    """The request's row and its decision (A, B, C or W; the row says H for an earlier A)."""
    o = a.outcome if a.outcome and a.outcome.ended_on <= end else None
    ending = o.outcome.get("ending") if o else None
    decided = a.decided if a.decided and a.decided <= end else None
    if ending == "not-assessed":
        decision, on = "B", decided or (o.ended_on if o else None)
    elif decided or ending in ("plan-issued", "not-issued"):
        decision, on = "A", decided
    elif ending == "withdrawn":
        decision, on = "C", o.ended_on if o else None
    else:
        decision, on = "W", None
    in_year = any(d and start <= d <= end for d in (a.received, on))
    assessed = decision == "A" and (o is None or o.ended_on >= start)
    if not (in_year or decision == "W" or assessed) or (a.received and a.received > end):
        return None
    row = {
        JOIN_KEY: a.case_ref,
        "ReceivedDate": _iso(a.received),
        "RequestOutcomeDate": _iso(on),
        "RequestOutcome": "H" if on and on < start else decision,
    }
    return row, decision


def _assessment_row(a: _Assessment, start: date, end: date) -> Row | None:
    """The assessment's row: decided in the year, or still undecided at its end."""
    o = a.outcome if a.outcome and a.outcome.ended_on <= end else None
    if o is not None and o.ended_on < start:
        return None
    ending = str(o.outcome.get("ending")) if o else ""
    code = _ASSESSMENT_CODES.get(ending, "W") if o else "W"
    on = (a.draft or o.ended_on) if o and code == "A" else (o.ended_on if o else None)
    exception = bool(o.outcome.get("exceptions_apply")) if o else a.exception
    return {
        JOIN_KEY: a.case_ref,
        "AssessmentOutcome": code,
        "AssessmentOutcomeDate": _iso(on),
        "Week20": "1" if exception else "0",
    }


def _transfer(o: OutcomeRecord) -> tuple[date | None, str]:
    """A transfer in's date and the authority it came from (statutory/clocks.py)."""
    dates = o.outcome.get("dates") or {}
    detail = o.outcome.get("detail") or {}
    when = _day(dates.get("transfer")) or _day(o.outcome.get("opened_on"))
    return when, str(detail.get("from_council") or "")


def _ceased(outcomes: Iterable[OutcomeRecord], census: date) -> dict[str, tuple[date, str]]:
    """Case -> the day its plan ended on or before the census date, and the DfE reason code
    when this engine knows it (5: transferred out; a cessation's reason it does not hold)."""
    ended: dict[str, tuple[date, str]] = {}
    for o in outcomes:
        if o.process == "review" and o.outcome.get("plan_ended"):
            on, how = _day(o.outcome.get("ended_on")) or o.ended_on, o.outcome["plan_ended"]
            reason = "5" if how == "transferred-out" else ""
        elif o.process == "transfer-out" and o.outcome.get("ending") == "transferred":
            on, reason = o.ended_on, "5"
        else:
            continue
        if on <= census and (o.case_ref not in ended or on > ended[o.case_ref][0]):
            ended[o.case_ref] = (on, reason)
    return ended


def _latest_reviews(
    steps: Sequence[StepRecord], outcomes: Sequence[OutcomeRecord], census: date
) -> dict[str, Row]:
    """Case -> its latest review meeting on or before the census date, with the decision
    after it when that was notified by the census date (blank otherwise, as the guide asks)."""
    meetings: dict[str, date] = {}
    decisions: dict[tuple[str, date], tuple[str, date]] = {}
    codes = {"amend": "A", "cease": "C", "maintain": "M"}
    for s in steps:
        if s.process == "review" and s.step == StepId.REVIEW_MEETING and s.completed_on <= census:
            meetings[s.case_ref] = max(s.completed_on, meetings.get(s.case_ref, s.completed_on))
    for o in outcomes:
        if o.process != "review":
            continue
        held = _day(o.outcome.get("meeting_held_on"))
        if held is None or held > census:
            continue
        meetings[o.case_ref] = max(held, meetings.get(o.case_ref, held))
        decided, decision = _day(o.outcome.get("decision_on")), o.outcome.get("decision")
        if decided and decided <= census and decision in codes:
            decisions[(o.case_ref, held)] = (codes[str(decision)], decided)
    out: dict[str, Row] = {}
    for case_ref, held in meetings.items():
        code, on = decisions.get((case_ref, held), ("", None))
        out[case_ref] = {"ReviewMeeting": _iso(held), "ReviewOutcome": code, "LastReview": _iso(on)}
    return out


def sen2_return(
    year: int,
    requests: Sequence[RequestRecord],
    steps: Sequence[StepRecord],
    outcomes: Sequence[OutcomeRecord],
) -> Sen2Return:
    """Every module for the calendar year ``year`` (pass the ledger up to the census date)."""
    start, end, census = date(year, 1, 1), date(year, 12, 31), census_date(year)
    assessments = _assessments(requests, steps, outcomes)
    rows: dict[Module, list[Row]] = {m: [] for m in Module}
    plans: dict[str, date] = {}
    for a in assessments.values():
        request = _request_row(a, start, end)
        if request is not None:
            rows[Module.REQUESTS].append(request[0])
            assessed = _assessment_row(a, start, end) if request[1] == "A" else None
            if assessed is not None:
                rows[Module.ASSESSMENTS].append(assessed)
        o = a.outcome
        if o and o.outcome.get("ending") == "plan-issued" and o.ended_on <= census:
            plans[a.case_ref] = max(o.ended_on, plans.get(a.case_ref, o.ended_on))
    ceased = _ceased(outcomes, census)
    for case_ref, issued in plans.items():
        on, reason = ceased.get(case_ref, (None, ""))
        if on is not None and on < issued:
            on, reason = None, ""  # an earlier plan's ending
        if on is not None and on < start:
            continue  # ended before the year
        rows[Module.NAMED_PLANS].append(
            {
                JOIN_KEY: case_ref,
                "StartDate": _iso(issued),
                "CeaseDate": _iso(on),
                "CeaseReason": reason,
            }
        )
    transfers: dict[str, tuple[date, str]] = {}
    for o in outcomes:
        if o.process == "transfer-in" and o.outcome.get("ending") != "withdrawn":
            when, council = _transfer(o)
            if when is not None and when <= census:
                transfers[o.case_ref] = (when, council)
                if start <= when <= end:
                    rows[Module.TRANSFERS_IN].append(
                        {JOIN_KEY: o.case_ref, "TransferLA": council, "TransferDate": _iso(when)}
                    )
    reviews = _latest_reviews(steps, outcomes, census)
    # Each case with a plan, from the latest day it is known to hold one (a case known only
    # from its reviews, from ever: a plan imported as maintained).
    held: dict[str, date] = dict.fromkeys(reviews, date.min)
    for case_ref, since in [*plans.items(), *((k, v[0]) for k, v in transfers.items())]:
        held[case_ref] = max(since, held.get(case_ref, since))
    for case_ref, since in held.items():
        ended = ceased.get(case_ref)
        if ended is not None and ended[0] >= since:
            continue
        when, council = transfers.get(case_ref, (None, ""))
        rows[Module.ACTIVE_PLANS].append(
            {
                JOIN_KEY: case_ref,
                "TransferLA": council if when and start <= when <= end else "",
                **reviews.get(
                    case_ref, {"ReviewMeeting": "", "ReviewOutcome": "", "LastReview": ""}
                ),
            }
        )
    for module_rows in rows.values():
        module_rows.sort(key=lambda r: tuple(r.values()))
    return Sen2Return(year, census, rows, requests_complete=bool(requests))


class InvalidCode(ValueError):
    """A row holds a value the DfE's code list for its column does not have."""


def validate(module: Module, rows: Iterable[Row]) -> None:
    """Every coded value is in the DfE's list; every required column is filled."""
    columns = MODULES[module]
    for row in rows:
        for c in columns:
            value = row.get(c.name, "")
            if c.required and not value:
                raise InvalidCode(f"{module}: {c.name} is empty for {row.get(JOIN_KEY)}")
            if value and c.codes and value not in {code.value for code in c.codes}:
                raise InvalidCode(f"{module}: {c.name} {value!r} is not a DfE code")


def module_csv(module: Module, rows: Sequence[Row]) -> str:
    """One module as CSV text, header row first, after checking its codes."""
    validate(module, rows)
    buffer = io.StringIO()
    names = [c.name for c in MODULES[module]]
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def unconfirmed_codes(module: Module, rows: Iterable[Row]) -> set[str]:
    """The ``Column=code`` pairs written in ``rows`` that are not confirmed in the guide."""
    found = set()
    for c in MODULES[module]:
        doubtful = {code.value for code in c.codes if not code.confirmed}
        found |= {f"{c.name}={row[c.name]}" for row in rows if row.get(c.name) in doubtful}
    return found


def markdown(module: Module) -> str:
    """The module's columns, codes and the items left to the case-management system, as
    ``docs/REPORTING.md`` shows them."""
    lines = ["| column | DfE item | meaning |", "|---|---|---|"]
    lines += [f"| `{c.name}` | {c.item or '-'} | {c.meaning} |" for c in MODULES[module]]
    for c in MODULES[module]:
        if c.codes:
            lines += ["", f"`{c.name}` codes:", "", "| code | meaning | in the guide |"]
            lines.append("|---|---|---|")
            lines += [
                f"| `{k.value}` | {k.meaning} | {'yes' if k.confirmed else 'unconfirmed'} |"
                for k in c.codes
            ]
    left = NOT_HELD[module]
    lines += ["", "Joined by the case-management system: " + (", ".join(left) or "nothing") + "."]
    return "\n".join(lines)
