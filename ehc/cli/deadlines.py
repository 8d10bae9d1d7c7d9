"""``ehc deadlines``: the statutory calculator. Needs no server; its JSON keys are stable.

Given dates, it plans; given a history, it also audits it: the case is rebuilt by the rules
themselves (``statutory.audit``) and each step rated as of ``--on`` (default today). Without
``--on``, a history the rules cannot audit as of today (one that skips the decision, leaves out
a decision's kind, or has dates still to come) is only planned: its dates, checked by the same
rules, with no statuses.

The duty clocks' calculators (``reassessment``, ``tribunal-order``, ``transfer-in``,
``transfer-out``, ``appeal``) take legal dates only, and print what
``statutory.clocks.calculate`` gives from them: one helper serves all five.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Generic, TypeVar

import typer
from pydantic import ValidationError
from rich.table import Table

from ehc import wording
from ehc.cli import history as options
from ehc.cli.common import fail, one_line, out, parse_date, today_utc
from ehc.cli.history import History
from ehc.cli.transfer import phase_transfer
from ehc.text import count, day
from statutory import assessment as rules
from statutory import audit, clocks
from statutory import exceptions as exc
from statutory import processes as P
from statutory import review as rv
from statutory.process import StepDef
from statutory.steps import StepStatus

app = typer.Typer(help="Statutory deadlines for a case, computed without a server.")

#: The rules need a reference, a caseworker and a team; the calculator's case is nobody's.
_REF, _STAFF, _TEAM = "CALCULATOR", "calculator", "calculator"

#: What a calculator audits: an assessment's history or a review cycle's.
A = TypeVar("A", audit.AssessmentAudit, audit.ReviewAudit)
E = TypeVar("E")
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _dated(help: str) -> Any:
    """An option that carries a date (alone, or with an index, kind or reason): none unless
    given, so there is no default to show."""
    return typer.Option(help=help, show_default=False)


#: A day as written on the command line (read by ``parse_date``), if it was given.
Day = str | None

#: The options both calculators take.
AuditDay = Annotated[
    Day,
    _dated("Audit the history as of this day (default today): every date must be on or before it."),
]
AsJson = Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")]


@dataclass(frozen=True)
class _Verdict(Generic[A]):
    """The history audited as of a day, or (``audited`` None) why it was only planned."""

    audited: A | None
    as_of: date
    why: str | None

    def json(self, outcome_leaves_out: set[str]) -> dict[str, Any]:
        """The audit's keys of the JSON object (all None but ``not_audited`` if planned)."""
        a = self.audited
        outcome = a.outcome if a else None
        return {
            "as_of": None if a is None else self.as_of.isoformat(),
            "not_audited": self.why,
            "steps": None if a is None else [_step_json(s) for s in a.steps],
            "outcome": outcome.model_dump(mode="json", exclude=outcome_leaves_out)
            if outcome
            else None,
        }

    def said(self, outcome: Callable[[A], str]) -> str:
        """The line under the table: the outcome, or why there are no statuses."""
        if self.audited is None:
            return _not_audited(self.as_of, self.why or "")
        return outcome(self.audited)


def _audit_or_plan(
    audit_it: Callable[[date], A],
    plan_it: Callable[[], object],
    on: date | None,
    said: Callable[[audit.HistoryRefused], str],
) -> _Verdict[A]:
    """The audit as of ``on`` (default today), or, without ``--on``, the plan and why the
    history could not be audited. A history refused by both is bad input."""
    as_of = on or today_utc()
    try:
        return _Verdict(audit_it(as_of), as_of, None)
    except audit.HistoryRefused as refused:
        if on is not None:
            fail(said(refused))
        why = said(refused)
    try:
        plan_it()
    except audit.HistoryRefused as refused:
        fail(said(refused))
    return _Verdict(None, as_of, why)


def _final(
    history: History[E],
    option: str,
    text: str | None,
    representations: bool,
    issued: Callable[..., E],
) -> None:
    """The final plan (or final amended plan) issued on the day ``option`` gives; with
    ``--representations-received``, before the 15 days for representations ran out
    (reg 13(1), 22(2)), which only an issued plan can say."""
    if representations and text is None:
        fail(f"--representations-received goes with {option}")
    history.once(option, text, lambda d: issued(on=d, representations_received=representations))


def _step_json(s: StepStatus) -> dict[str, Any]:
    return {
        "step": s.step,
        "label": s.label,
        "regulation": s.regulation,
        "statutory": s.statutory,
        "due": s.due.isoformat(),
        "operational_due": s.target.isoformat(),
        "done_on": s.completed_on.isoformat() if s.completed_on else None,
        "status": s.state.value,
    }


class _Timeline:
    """The dates as a table; with an audit, each step's status in a last column."""

    def __init__(
        self,
        title: str,
        audited: audit.AssessmentAudit | audit.ReviewAudit | None,
        *columns: str,
    ) -> None:
        self.status = {s.step: s for s in audited.steps} if audited else None
        if audited:
            title += f"; statuses as of {day(audited.as_of)}"
        self.table = Table(title=title)
        for column in columns:
            self.table.add_column(column)
        if self.status is not None:
            self.table.add_column("Status")

    def add(self, cells: list[str], step: str | None) -> None:
        if self.status is not None:
            status = self.status.get(step) if step else None
            cells.append("" if status is None else wording.step_status(status))
        self.table.add_row(*cells)


def _not_audited(as_of: date, why: str) -> str:
    # The rules write ISO dates; a person reads "1 Dec 2026".
    said = ISO_DAY.sub(lambda m: day(date.fromisoformat(m.group())), why)
    return (
        f"No statuses: the history cannot be audited as of {day(as_of)} ({said}). "
        "These are its dates; give --on to audit it as of another day."
    )


def _steps_lifted(span: rules.ExceptionSpan) -> list[str]:
    if span.advice_id is not None:  # an exception recorded against one request (reg 8(2))
        return [f"advice-{span.advice_id}"] if span.reason in exc.ADVICE_REASONS else []
    lifted = [d for d in P.ASSESSMENT.steps if span.reason in d.lifted_by]
    # The authority's own limits first, then the advice requests (a stable JSON order).
    return [d.id.value for d in sorted(lifted, key=lambda d: d.numbered)]


@app.command("assessment")
def assessment(
    received: Annotated[str, _dated("Day the LA received the request (YYYY-MM-DD).")],
    decided_to_assess: Annotated[
        Day, _dated("Day the LA decided to assess, and notified (reg 4, 5).")
    ] = None,
    decided_not_to_assess: Annotated[
        Day, _dated("Day the LA decided not to assess, and notified.")
    ] = None,
    advice_requested: Annotated[
        list[str] | None,
        _dated(
            "DATE[:ADVISER_RECEIVED], a request for advice, and the day the adviser "
            "received it if later (reg 8(1); one date: the adviser's receipt). Repeatable; "
            "numbered 1, 2, ... in the order given, which must be their date order."
        ),
    ] = None,
    advice_type: Annotated[
        list[str] | None,
        _dated(
            "INDEX:TYPE, the kind of advice request INDEX asked for (default other): "
            + ", ".join(rules.AdviceType)
            + ". A school closure counts only with educational advice (reg 5(4)(a))."
        ),
    ] = None,
    advice_received: Annotated[
        list[str] | None, _dated("INDEX:DATE, advice request INDEX was answered (repeatable).")
    ] = None,
    advice_not_needed: Annotated[
        list[str] | None,
        _dated(
            "INDEX:REASON, advice request INDEX set aside (repeatable): "
            "earlier-advice-sufficient (reg 6(4)) or request-withdrawn."
        ),
    ] = None,
    decided_not_to_issue: Annotated[
        Day, _dated("Day the LA decided not to issue a plan (reg 10).")
    ] = None,
    draft_served: Annotated[Day, _dated("Day the draft plan was served.")] = None,
    final_issued: Annotated[Day, _dated("Day the final plan was issued.")] = None,
    representations_received: Annotated[
        bool,
        typer.Option(
            "--representations-received",
            help="With --final-issued: representations came in before the 15 days ran out "
            "(reg 13(1)), so the plan could be issued sooner.",
        ),
    ] = False,
    withdrawn: Annotated[Day, _dated("Day the request was withdrawn.")] = None,
    exception: Annotated[
        list[str] | None,
        _dated(
            "REASON:START:END[:ADVICE_INDEX] (repeatable). Reasons: school-closure, "
            "early-years-closure, personal-circumstances, absence-from-area, "
            "missed-appointment (one request for advice), coronavirus."
        ),
    ] = None,
    on: AuditDay = None,
    as_json: AsJson = False,
) -> None:
    """Dates of an EHC needs assessment (regs 4-13), with exceptions applied; with a
    history, each step's status and the outcome."""
    start = parse_date(received, "--received")
    as_of = parse_date(on, "--on") if on else None
    history: History[rules.AssessmentEvent] = History()
    undated: list[audit.Undated] = []
    spans: list[rules.ExceptionSpan] = []
    once = history.once
    once("--decided-to-assess", decided_to_assess, lambda d: rules.DecidedToAssess(on=d))
    once("--decided-not-to-assess", decided_not_to_assess, lambda d: rules.DecidedNotToAssess(on=d))
    requests = options.advice_requests(advice_requested or [], advice_type or [])
    for text, asked in requests:
        history.add("--advice-requested", text, asked)
    for text in advice_received or []:
        history.add("--advice-received", text, options.advice_received(text))
    once("--decided-not-to-issue", decided_not_to_issue, lambda d: rules.DecidedNotToIssue(on=d))
    once("--draft-served", draft_served, lambda d: rules.DraftServed(on=d))
    _final(history, "--final-issued", final_issued, representations_received, rules.FinalPlanIssued)
    once("--withdrawn", withdrawn, lambda d: rules.Withdrawn(on=d))
    for text in advice_not_needed or []:
        undated.append(history.note("--advice-not-needed", text, options.set_aside(text)))
    for text in exception or []:
        spans.append(options.exception(text))
        undated.append(history.note("--exception", text, options.recorded(spans[-1])))

    request = rules.AssessmentRequest(case_ref=_REF, received=start, caseworker=_STAFF, team=_TEAM)
    verdict = _audit_or_plan(
        lambda when: audit.audit_assessment(request, history.events, when, undated=undated),
        lambda: audit.plan_assessment(request, history.events, undated=undated),
        as_of,
        lambda refused: history.refusal(refused, f"--received {received}"),
    )
    d = rules.assessment_dates(
        start,
        draft_served=parse_date(draft_served, "--draft-served") if draft_served else None,
        advice_received_by_adviser=[r.adviser_received or r.on for _, r in requests],
        exceptions=spans,
    )
    result: dict[str, Any] = {
        "received": d.received.isoformat(),
        "decide_to_assess_by": d.decide_to_assess.due.isoformat(),
        "decide_not_to_issue_by": d.decide_not_to_issue.due.isoformat(),
        "latest_draft_by": d.latest_draft.isoformat(),
        "final_plan_by": d.final_plan.due.isoformat(),
        "exceptions_apply": d.final_plan.exception_applies
        or any(a.exception_applies for a in d.advice),
        "operational_decide_to_assess_by": d.decide_to_assess.target.isoformat(),
        "operational_decide_not_to_issue_by": d.decide_not_to_issue.target.isoformat(),
        "operational_final_plan_by": d.final_plan.target.isoformat(),
        "exceptions": [
            {
                "reason": s.reason.value,
                "start": s.period.start.isoformat(),
                "end": s.period.end.isoformat(),
                "regulation": exc.REGULATION[s.reason],
                "lifts": _steps_lifted(s),
            }
            for s in spans
        ],
    }
    if d.representations_close:
        result["representations_close"] = d.representations_close.isoformat()
    if requests:
        result["advice_due_by"] = [a.due.isoformat() for a in d.advice]
        result["operational_advice_due_by"] = [a.target.isoformat() for a in d.advice]
    result |= verdict.json(outcome_leaves_out={"case_ref"})
    if as_json:
        print(json.dumps(result, indent=2))
        return
    _print_timeline(d, spans, verdict.audited)
    out.print(verdict.said(_assessment_outcome))


def _print_timeline(
    d: rules.AssessmentDates,
    spans: list[rules.ExceptionSpan],
    audited: audit.AssessmentAudit | None = None,
) -> None:
    timeline = _Timeline(
        f"EHC needs assessment: request received {day(d.received)}",
        audited,
        "Step",
        "Statutory date",
        "Target after exceptions",
        "Source",
    )
    add = timeline.add

    def row(defn: StepDef, lim: rules.DatedLimit, number: int | None = None) -> None:
        target = day(lim.target) if lim.exception_applies else ""
        label = f"{defn.label}, request {number}" if number else defn.label
        add([label, day(lim.due), target, defn.regulation], defn.name(number))

    row(P.DECIDE_TO_ASSESS, d.decide_to_assess)
    for i, lim in enumerate(d.advice, start=1):
        row(P.ASSESSMENT_ADVICE, lim, i)
    row(P.DECIDE_NOT_TO_ISSUE, d.decide_not_to_issue)
    add([P.DRAFT.label, day(d.latest_draft), "", P.DRAFT.regulation], P.DRAFT.name())
    if d.representations_close:
        add(
            ["Representations on the draft close", day(d.representations_close), "", "reg 13(1)"],
            None,
        )
    row(P.FINAL_PLAN, d.final_plan)
    out.print(timeline.table)
    for s in spans:
        only = f", advice request {s.advice_id} only" if s.advice_id else ""
        out.print(
            f"{wording.exception(s.reason, s.period.start, s.period.end)}{only} "
            f"({count(s.period.days, 'day')}; {exc.REGULATION[s.reason]}): the duty to meet the "
            "lifted limits becomes 'as soon as practicable'; targets are paused by its length."
        )


def _assessment_outcome(a: audit.AssessmentAudit) -> str:
    """The outcome line: how the case ended, in the terms of the national return."""
    o = a.outcome
    if o is None:
        stage = wording.ASSESSMENT_STAGE[a.case.stage]
        return f"Outcome: none yet; on {day(a.as_of)} the case is open ({stage})."
    said = [
        f"{wording.ENDING[o.ending]} on {day(o.ended_on)}, {o.weeks_taken:g} weeks after the "
        "request"
    ]
    if o.within_20_weeks is not None:
        said.append(f"within 20 weeks: {wording.yes_no(o.within_20_weeks)}")
        if o.exceptions_apply:
            said[-1] += " (an exception applied: the headline figure leaves the case out)"
            said.append(
                "within the target after exceptions: " + wording.yes_no(o.within_operational_target)
            )
    elif o.exceptions_apply:
        said.append("an exception applied")
    if o.decided_to_assess_within_6_weeks is not None:
        said.append(
            "decided whether to assess within 6 weeks: "
            + wording.yes_no(o.decided_to_assess_within_6_weeks)
        )
    if o.refusal_within_16_weeks is not None:
        said.append(
            f"refusal notified within 16 weeks: {wording.yes_no(o.refusal_within_16_weeks)}"
        )
    for why, n in o.advice_not_needed.items():
        reason_words = wording.ADVICE_NOT_NEEDED[rules.AdviceNotNeededReason(why)]
        said.append(f"{count(n, 'request')} for advice set aside: {reason_words}")
    return "Outcome: " + "; ".join(said) + "."


@app.command("review")
def review(
    plan_date: Annotated[Day, _dated("Day the plan was made (first review).")] = None,
    last_review: Annotated[Day, _dated("Day the previous review concluded.")] = None,
    meeting: Annotated[
        Day,
        _dated(
            "Day of the review meeting: held once that day has come, unless "
            "--meeting-scheduled says it was only arranged."
        ),
    ] = None,
    meeting_scheduled: Annotated[
        Day, _dated("Day the meeting (on --meeting) was arranged.")
    ] = None,
    invitations_sent: Annotated[Day, _dated("Day the invitations were sent (reg 20(3)).")] = None,
    advice_circulated: Annotated[Day, _dated("Day advice was circulated (reg 20(4)).")] = None,
    report_sent: Annotated[
        Day, _dated("Day the report of the meeting was sent (reg 20(7)).")
    ] = None,
    decision: Annotated[
        Day,
        _dated(
            "DATE[:KIND], day the decision was notified, and its kind: maintain, amend "
            "or cease (reg 20(10))."
        ),
    ] = None,
    amendment_notice: Annotated[Day, _dated("Day the amendment notice was sent.")] = None,
    final_amended: Annotated[
        Day, _dated("Day the final amended plan was issued (reg 22(3)).")
    ] = None,
    representations_received: Annotated[
        bool,
        typer.Option(
            "--representations-received",
            help="With --final-amended: representations came in before the 15 days ran out "
            "(reg 22(2)).",
        ),
    ] = False,
    mediation_wanted: Annotated[
        Day, _dated("After a decision to cease: day the family asked for mediation.")
    ] = None,
    mediation_certificate: Annotated[
        Day,
        _dated(
            "After a decision to cease: day the mediation certificate was issued (the appeal "
            "window runs to 1 month from it, if later than 2 months from the decision)."
        ),
    ] = None,
    appeal_lodged: Annotated[Day, _dated("Day an appeal against ceasing was lodged.")] = None,
    appeal_concluded: Annotated[
        Day,
        _dated("DATE:RESULT, the appeal ended, and the plan 'continues' or 'ceases'."),
    ] = None,
    transferred_out: Annotated[Day, _dated("Day the plan was transferred to another LA.")] = None,
    transfer: Annotated[
        str | None,
        typer.Option(help="Next phase transfer: " + ", ".join(rv.TransferKind) + "."),
    ] = None,
    transfer_year: Annotated[
        int | None, typer.Option(help="Year of the transfer (its 15 Feb / 31 Mar).")
    ] = None,
    move_date: Annotated[str | None, typer.Option(help="post16-post16: day of the move.")] = None,
    dob: Annotated[str | None, typer.Option(help="Date of birth (under-5 reviews).")] = None,
    anchor: Annotated[
        str, typer.Option(help="Next cycle runs from the 'decision' notice or the 'meeting'.")
    ] = "decision",
    under_five_months: Annotated[
        int, typer.Option(help="Local policy for under-5s: review every N months (3-6).")
    ] = rv.UNDER_FIVE_MONTHS_DEFAULT,
    on: AuditDay = None,
    as_json: AsJson = False,
) -> None:
    """Dates of an annual review cycle (CFA s44; regs 18-22), phase transfers included; with
    a history, each step's status and the outcome."""
    if (plan_date is None) == (last_review is None):
        fail("give exactly one of --plan-date and --last-review")
    start_option = "--plan-date" if plan_date else "--last-review"
    start_text = plan_date or last_review or ""
    start = parse_date(start_text, start_option)
    as_of = parse_date(on, "--on") if on else None
    try:
        mode = rv.AnchorMode(anchor)
    except ValueError:
        fail(f"--anchor: '{anchor}' should be decision or meeting")
    if not 3 <= under_five_months <= 6:
        fail("--under-five-months: the Code of Practice says every 3 to 6 months")
    phase = phase_transfer(transfer, transfer_year, move_date)
    born = parse_date(dob, "--dob", birth=True) if dob else None
    try:
        plan = rv.PlanRecord(
            case_ref=_REF, plan_date=start, caseworker=_STAFF, team=_TEAM, date_of_birth=born
        )
    except ValidationError as error:
        fail(f"--dob {dob}: {one_line(error)}")
    cycle = rv.first_cycle(
        plan,
        transfer=phase,
        policy=rv.ReviewPolicy(anchor_mode=mode, under_five_months=under_five_months),
    )

    history: History[audit.ReviewHistoryEvent] = History()
    once = history.once

    held = parse_date(meeting, "--meeting") if meeting else None
    if meeting_scheduled is not None:
        if held is None:
            fail("--meeting-scheduled: give the day of the meeting with --meeting")
        once(
            "--meeting-scheduled",
            meeting_scheduled,
            lambda d: rv.MeetingScheduled(on=d, meeting_date=held),
        )
    # A meeting only arranged, still to come on the audit day, is not yet held.
    if held is not None and (meeting_scheduled is None or held <= (as_of or today_utc())):
        history.add("--meeting", str(meeting), rv.MeetingHeld(on=held))
    once("--invitations-sent", invitations_sent, lambda d: rv.InvitationsSent(on=d))
    once("--advice-circulated", advice_circulated, lambda d: rv.AdviceCirculated(on=d))
    once("--report-sent", report_sent, lambda d: rv.ReportSent(on=d))
    decided = history.add("--decision", decision, options.decision(decision)) if decision else None
    once("--amendment-notice", amendment_notice, lambda d: rv.AmendmentNoticeSent(on=d))
    _final(
        history,
        "--final-amended",
        final_amended,
        representations_received,
        rv.FinalAmendedPlanIssued,
    )
    once("--mediation-wanted", mediation_wanted, lambda d: rv.MediationWanted(on=d))
    once(
        "--mediation-certificate",
        mediation_certificate,
        lambda d: rv.MediationCertificateIssued(on=d),
    )
    once("--appeal-lodged", appeal_lodged, lambda d: rv.AppealLodged(on=d))
    if appeal_concluded:
        history.add(
            "--appeal-concluded", appeal_concluded, options.appeal_concluded(appeal_concluded)
        )
    once(
        "--transferred-out",
        transferred_out,
        lambda d: rv.TransferredOut(on=d, reason="transferred to another local authority"),
    )

    verdict = _audit_or_plan(
        lambda when: audit.audit_review(cycle, history.events, when),
        lambda: audit.plan_review(cycle, history.events),
        as_of,
        lambda refused: history.refusal(refused, f"{start_option} {start_text}"),
    )
    d = rv.review_dates(
        start,
        meeting=held,
        decision=decided.on if decided else None,
        amendment_notice=parse_date(amendment_notice, "--amendment-notice")
        if amendment_notice
        else None,
        transfer=phase,
        date_of_birth=born,
        under_five_months=under_five_months,
        anchor_mode=mode,
    )
    result: dict[str, Any] = {
        key: (value.isoformat() if isinstance(value, date) else value)
        for key, value in {
            "anchor": start,
            "review_due_by": d.review_due_by,
            "under_five_review_by": d.under_five_review_by,
            "invitations_by": d.invitations_by,
            "advice_circulated_by": d.advice_circulated_by,
            "report_by": d.report_by,
            "decision_by": d.decision_by,
            "amendment_notice_by": d.amendment_notice_by,
            "representations_close": d.representations_close,
            "final_amended_plan_by": d.final_amended_plan_by,
            "amended_within_12_weeks_by": d.amended_within_12_weeks_by,
            "next_review_due_by": d.next_review_due_by,
            "phase_transfer_deadline": d.phase_transfer_deadline,
            "latest_meeting_for_phase_transfer": d.latest_meeting_for_phase_transfer,
            "latest_amendment_notice_for_phase_transfer": (
                d.latest_amendment_notice_for_phase_transfer
            ),
            "phase_transfer_in_this_cycle": rv.transfer_in_cycle(phase, d.review_due_by),
            "category": d.category.value,
        }.items()
    }
    result |= verdict.json(outcome_leaves_out={"case_ref", "cycle"})
    if as_json:
        print(json.dumps(result, indent=2))
        return
    _print_review(start, d, mode, verdict.audited)
    out.print(verdict.said(_review_outcome))


def _print_review(
    start: date, d: rv.ReviewDates, mode: rv.AnchorMode, audited: audit.ReviewAudit | None
) -> None:
    timeline = _Timeline(
        f"Annual review: cycle from {day(start)}", audited, "Step", "Date", "Source"
    )

    def declared(defn: StepDef, due: date | None) -> tuple[str, str, date | None, str]:
        return (defn.id.value, defn.label, due, defn.regulation)

    rows: list[tuple[str | None, str, date | None, str]] = [
        declared(P.REVIEW_MEETING, d.review_due_by),
        declared(P.UNDER_FIVE_REVIEW, d.under_five_review_by),
        declared(P.TRANSFER_MEETING, d.latest_meeting_for_phase_transfer),
        (
            None,
            "Latest amendment notice for the transfer",
            d.latest_amendment_notice_for_phase_transfer,
            "reg 18, 22(3)",
        ),
        declared(P.PHASE_TRANSFER, d.phase_transfer_deadline),
        declared(P.INVITATIONS, d.invitations_by),
        declared(P.ADVICE_CIRCULATED, d.advice_circulated_by),
        declared(P.REPORT, d.report_by),
        declared(P.DECISION, d.decision_by),
        declared(P.AMENDMENT_NOTICE, d.amendment_notice_by),
        (None, "Representations close (15 days)", d.representations_close, "reg 22(2)"),
        declared(P.FINAL_AMENDED_PLAN, d.final_amended_plan_by),
        (None, "Next review due", d.next_review_due_by, f"from the {mode.value}"),
    ]
    if timeline.status is not None:
        # Steps the dates alone do not show: arranging the meeting first, the rest last.
        shown = {step for step, *_ in rows}
        extra = [
            (s.step, s.label, s.due, s.regulation)
            for s in timeline.status.values()
            if s.step not in shown
        ]
        first = [r for r in extra if r[0] == "arrange-meeting"]
        rows = first + rows + [r for r in extra if r[0] != "arrange-meeting"]
    for step, label, value, source in rows:
        if value is not None:
            timeline.add([label, day(value), source], step)
    out.print(timeline.table)
    out.print(
        f"Counted in timeliness reports under {wording.CATEGORY[d.category]} "
        f"({d.category.value} in JSON and CSV)."
    )


def _review_outcome(a: audit.ReviewAudit) -> str:
    """The outcome line: how the cycle went, in the terms councils report."""
    o = a.outcome
    if o is None:
        stage = wording.REVIEW_STAGE[a.cycle.stage]
        return f"Outcome: none yet; on {day(a.as_of)} the review is open ({stage})."
    said = [f"meeting held {day(o.meeting_held_on)}" if o.meeting_held_on else "no meeting held"]
    if o.decision and o.decision_on:
        said.append(f"decision to {wording.DECISION[o.decision]} notified {day(o.decision_on)}")
    said.append(f"reviewed within 12 months: {wording.yes_no(o.reviewed_within_12_months)}")
    said.append(f"decision within 4 weeks: {wording.yes_no(o.decision_within_4_weeks)}")
    if o.decision is rv.Decision.AMEND:
        said.append(
            "amended plan within 12 weeks of the meeting: "
            + wording.yes_no(o.amended_within_12_weeks)
        )
    if o.phase_transfer_finalised_in_time is not None:
        said.append(
            "plan finalised in time for the transfer: "
            + wording.yes_no(o.phase_transfer_finalised_in_time)
        )
    if o.plan_ended and o.ended_on:
        said.append(f"{wording.PLAN_ENDING[o.plan_ended]} on {day(o.ended_on)}")
    if o.next_anchor:
        said.append(f"the next cycle runs from {day(o.next_anchor)}")
    return "Outcome: " + "; ".join(said) + "."


# --- the duty clocks: re-assessment, Tribunal orders, transfers, appeals ----------------------

#: A legal date of a duty clock as typed: its anchor's name, the option, and the text given.
Given = tuple[str, str, Day]

#: The dates that have no step of their own to name them (another process keeps them).
_NO_STEP_WORDS = {"review_due_by": ("First review of the transferred plan", "reg 15(5)")}


def _duty_dates(
    process: str,
    given: list[Given],
    as_json: bool,
    *,
    variant: str | None = None,
    in_order: tuple[tuple[str, str], ...] = (),
    words: dict[str, str] | None = None,
    said: tuple[str, ...] = (),
    also: dict[str, str] | None = None,
) -> None:
    """Print the dates a duty clock's declaration (``statutory.clock_processes``) fixes from
    the dates given, computed by ``statutory.clocks.calculate`` alone: as JSON (every date the
    process can give, null where these dates fix none; ``also`` first), or as a table with
    each date's step and regulation and ``said`` under it. ``in_order``: pairs of legal dates
    of which the second cannot come before the first; ``words``: how to name a legal date
    where its declared words would not do."""
    declared = clocks.declaration(process)
    dates = {name: parse_date(text, option) for name, option, text in given if text is not None}
    options = {name: option for name, option, _ in given}
    for earlier, later in in_order:
        # A decision before its request, a plan reviewed after it moved: not a real case.
        if earlier in dates and later in dates and dates[later] < dates[earlier]:
            fail(
                f"{options[later]} {day(dates[later])} is before {options[earlier]} "
                f"{day(dates[earlier])}"
            )
    found = clocks.calculate(process, variant, dates)
    if as_json:
        result = dict(also or {}) | {
            d.output: found[d.output].isoformat() if d.output in found else None
            for d in declared.deadlines
        }
        print(json.dumps(result, indent=2))
        return
    table = Table(title=declared.process.title)
    for column in ("Step", "Date", "Source"):
        table.add_column(column)
    for deadline in declared.deadlines:
        if deadline.output not in found:
            continue
        step = deadline.step
        label, source = (step.label, step.regulation) if step else _NO_STEP_WORDS[deadline.output]
        table.add_row(label, day(found[deadline.output]), source)
    out.print(table)
    counted = "; ".join(
        f"{(words or {}).get(name) or declared.anchor(name).words}, {day(when)}"
        for name, when in dates.items()
    )
    out.print(f"Counted from {counted}.")
    for line in said:
        out.print(line)


@app.command("reassessment")
def reassessment(
    requested: Annotated[
        Day, _dated("Day the request to re-assess was received (reg 25(1)).")
    ] = None,
    decided: Annotated[
        Day,
        _dated(
            "Day the decision to re-assess was notified (reg 25(1)), or the day the council "
            "decided of its own accord (CFA s44(3)): the 14 weeks run from it (reg 27(2))."
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Dates of a re-assessment (regs 24-27): the decision whether to re-assess 15 days from
    the request, the amended or replacement plan 14 weeks from the decision."""
    if requested is None and decided is None:
        fail("give --requested, --decided, or both")
    _duty_dates(
        "reassessment",
        [("requested", "--requested", requested), ("decided", "--decided", decided)],
        as_json,
        in_order=(("requested", "decided"),),
        said=(
            "An exception under reg 27(3) lifts only the 14 weeks, never the 15 days; "
            "advice is due 6 weeks from each adviser's receipt (reg 8(1), 26).",
        ),
    )


#: What an order can require (reg 44(2)), in words.
_ORDER_TYPES = clocks.declaration("tribunal-order").variants
_CONCEDED = "the council's notice to the Tribunal that it will not oppose the appeal (reg 45)"
_ORDERED = "the date of the order (reg 44(2))"


@app.command("tribunal-order")
def tribunal_order(
    order_date: Annotated[
        str,
        _dated(
            "Date of the Tribunal's order; with --conceded, the day the council told the "
            "Tribunal it will not oppose the appeal (reg 45)."
        ),
    ],
    order: Annotated[
        str,
        typer.Option(
            help="What the order requires: " + ", ".join(_ORDER_TYPES) + ".",
            show_default=False,
        ),
    ],
    conceded: Annotated[
        bool,
        typer.Option(
            "--conceded",
            help="The appeal was conceded, not decided: --order-date is the reg 45 notice to "
            "the Tribunal, and the limits run from it (not for reconsider).",
        ),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Dates of complying with a Tribunal order (reg 44), or with an appeal the council
    conceded (reg 45)."""
    if order not in _ORDER_TYPES:
        fail(f"--order: unknown order type '{order}' (known: {', '.join(_ORDER_TYPES)})")
    if conceded and order == "reconsider":
        fail("--conceded: reg 45 has no concession to reconsider; only an order remits a decision")
    _duty_dates(
        "tribunal-order",
        [("order", "--order-date", order_date)],
        as_json,
        variant=order,
        words={"order": _CONCEDED if conceded else _ORDERED},
        said=(
            f"Conceded: no order is made, and the council must act as an order "
            f"{_ORDER_TYPES[order]} would require."
            if conceded
            else f"An order {_ORDER_TYPES[order]}. The Tribunal's guidance counts from the day "
            "it sends the order out, which can be later.",
        ),
        also={"order": order, "counted_from": "reg-45-notice" if conceded else "order"},
    )


@app.command("transfer-in")
def transfer_in(
    transfer_date: Annotated[
        str, _dated("Day the plan transferred from the old council (reg 15(3)).")
    ],
    plan_date: Annotated[Day, _dated("Day the old council made the plan.")] = None,
    last_review: Annotated[Day, _dated("Day of the plan's last review.")] = None,
    as_json: AsJson = False,
) -> None:
    """Dates of a plan transferred in from another council (reg 15(4)-(5)): the family told
    within 6 weeks, the plan's first review."""
    if (plan_date is None) == (last_review is None):
        fail("give exactly one of --plan-date and --last-review")
    _duty_dates(
        "transfer-in",
        [
            ("transfer", "--transfer-date", transfer_date),
            ("plan", "--plan-date", plan_date),
            ("last-review", "--last-review", last_review),
        ],
        as_json,
        in_order=(("plan", "transfer"), ("last-review", "transfer")),
        said=(
            "The review is due by the later of 12 months from the plan or its last review and "
            "3 months from the transfer (reg 15(5)).",
        ),
    )


@app.command("transfer-out")
def transfer_out(
    move_date: Annotated[str, _dated("Day of the family's move (may be ahead).")],
    aware_on: Annotated[str, _dated("Day the council learnt of the move.")],
    as_json: AsJson = False,
) -> None:
    """Date a plan must be transferred to the new council (reg 15(2)): the day of the move,
    or the 15th working day from learning of it if that is later."""
    _duty_dates(
        "transfer-out",
        [("move", "--move-date", move_date), ("aware", "--aware-on", aware_on)],
        as_json,
        said=(
            "Working days leave out weekends and England and Wales bank holidays; the day the "
            "council learnt of the move is the first if it is one.",
        ),
    )


@app.command("appeal")
def appeal(
    notice: Annotated[
        str, _dated("Day the written notice of the decision was sent to the family.")
    ],
    mediation_wanted: Annotated[
        Day, _dated("Day the council was told the family wants mediation (reg 37).")
    ] = None,
    health_mediation: Annotated[
        Day, _dated("Day the council was told mediation covers health provision (reg 35).")
    ] = None,
    mediation_declined: Annotated[
        Day, _dated("Day the family told the mediation adviser they decline mediation.")
    ] = None,
    mediation: Annotated[Day, _dated("Day the mediation was held.")] = None,
    certificate: Annotated[Day, _dated("Day the mediation certificate was issued.")] = None,
    as_json: AsJson = False,
) -> None:
    """Dates of an appeal window and mediation (CFA s51-55; regs 32-42; Tribunal rules r20):
    2 months from the decision notice, or 1 month from a mediation certificate if later."""
    _duty_dates(
        "appeal",
        [
            ("notice", "--notice", notice),
            ("mediation-wanted", "--mediation-wanted", mediation_wanted),
            ("health-mediation", "--health-mediation", health_mediation),
            ("mediation-declined", "--mediation-declined", mediation_declined),
            ("mediation", "--mediation", mediation),
            ("certificate", "--certificate", certificate),
        ],
        as_json,
        in_order=tuple(
            ("notice", later)
            for later in (
                "mediation-wanted",
                "health-mediation",
                "mediation-declined",
                "mediation",
                "certificate",
            )
        ),
        said=(
            "The Tribunal must receive the appeal by the last day; it is not moved to a working "
            "day.",
        ),
    )
