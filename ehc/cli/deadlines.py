"""``ehc deadlines``: the statutory calculator. Needs no server; its JSON keys are stable."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.table import Table

from ehc.cli.common import fail, one_line, out, parse_date
from statutory import assessment as rules
from statutory import exceptions as exc
from statutory import review as rv
from statutory.errors import RuleViolation

app = typer.Typer(help="Statutory deadlines for a case, computed without a server.")


def parse_exception(text: str) -> rules.ExceptionSpan:
    """REASON:START:END, e.g. absence-from-area:2025-06-01:2025-07-15."""
    parts = text.split(":")
    if len(parts) != 3:
        fail(f"--exception: '{text}' should be REASON:START:END (dates YYYY-MM-DD)")
    try:
        reason = exc.parse_reason(parts[0])
    except RuleViolation as error:
        fail(f"--exception: {error}")
    period = exc.Period(
        parse_date(parts[1], "--exception start"), parse_date(parts[2], "--exception end")
    )
    try:
        exc.check_period(reason, period)
    except RuleViolation as error:
        fail(f"--exception: {error}")
    return rules.ExceptionSpan(reason, period)


def _steps_lifted(reason: exc.Reason) -> list[str]:
    lifted = []
    if reason in exc.LA_STEP_REASONS:
        lifted += ["decide-to-assess", "decide-not-to-issue", "final-plan"]
    if reason in exc.ADVICE_REASONS:
        lifted.append("advice")
    return lifted


@app.command("assessment")
def assessment(
    received: Annotated[
        str, typer.Option(help="Day the LA received the request (YYYY-MM-DD).", show_default=False)
    ],
    draft_served: Annotated[
        str | None, typer.Option(help="Day the draft plan was served.", show_default=False)
    ] = None,
    advice_requested: Annotated[
        list[str] | None,
        typer.Option(help="Day an adviser received a request for advice (repeatable)."),
    ] = None,
    exception: Annotated[
        list[str] | None,
        typer.Option(
            help="REASON:START:END (repeatable). Reasons: school-closure, early-years-closure, "
            "personal-circumstances, absence-from-area, missed-appointment (advice only), "
            "coronavirus."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Dates of an EHC needs assessment (regs 4-13), with exceptions applied."""
    day = parse_date(received, "--received")
    draft = parse_date(draft_served, "--draft-served") if draft_served else None
    advice = [parse_date(a, "--advice-requested") for a in advice_requested or []]
    spans = [parse_exception(e) for e in exception or []]
    for label, other in [("--draft-served", draft), *(("--advice-requested", a) for a in advice)]:
        if other is not None and other < day:
            fail(f"{label}: {other} is before the request was received ({day})")
    for span in spans:
        if span.period.end < day:
            fail(
                f"--exception: {span.reason.value} ends ({span.period.end}) before the request "
                f"was received ({day})"
            )
        if span.reason in (exc.Reason.SCHOOL_CLOSURE, exc.Reason.EARLY_YEARS_CLOSURE) and advice:
            try:
                exc.check_closure_covers_request(span.reason, span.period, advice)
            except RuleViolation as error:
                fail(f"--exception: {error}")
    d = rules.assessment_dates(
        day, draft_served=draft, advice_received_by_adviser=advice, exceptions=spans
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
                "lifts": _steps_lifted(s.reason),
            }
            for s in spans
        ],
    }
    if d.representations_close:
        result["representations_close"] = d.representations_close.isoformat()
    if advice:
        result["advice_due_by"] = [a.due.isoformat() for a in d.advice]
        result["operational_advice_due_by"] = [a.target.isoformat() for a in d.advice]
    if as_json:
        print(json.dumps(result, indent=2))
        return
    _print_timeline(d, spans)


def _print_timeline(d: rules.AssessmentDates, spans: list[rules.ExceptionSpan]) -> None:
    table = Table(title=f"EHC needs assessment: request received {d.received}")
    table.add_column("Step")
    table.add_column("Statutory date")
    table.add_column("Target after exceptions")
    table.add_column("Source")

    def row(step: str, lim: rules.DatedLimit, source: str) -> None:
        target = str(lim.target) if lim.exception_applies else ""
        table.add_row(step, str(lim.due), target, source)

    row("Decide whether to assess, and notify", d.decide_to_assess, "reg 4(1), 5(1)")
    for i, lim in enumerate(d.advice, start=1):
        row(f"Advice {i} returned (6 weeks from adviser's receipt)", lim, "reg 8(1)")
    row("Decide not to issue a plan, and notify", d.decide_not_to_issue, "reg 10(1)")
    table.add_row("Latest day to serve the draft plan", str(d.latest_draft), "", "planning date")
    if d.representations_close:
        table.add_row(
            "Representations on the draft close", str(d.representations_close), "", "reg 13(1)"
        )
    row("Issue the final EHC plan (20 weeks)", d.final_plan, "reg 13(2)")
    out.print(table)
    for s in spans:
        out.print(
            f"Exception {s.reason.value} {s.period.start} to {s.period.end} "
            f"({s.period.days} days; {exc.REGULATION[s.reason]}): the duty to meet the lifted "
            "limits becomes 'as soon as practicable'; targets are paused by its length."
        )


@app.command("review")
def review(
    plan_date: Annotated[
        str | None, typer.Option(help="Day the plan was made (first review).", show_default=False)
    ] = None,
    last_review: Annotated[
        str | None, typer.Option(help="Day the previous review concluded.", show_default=False)
    ] = None,
    meeting: Annotated[str | None, typer.Option(help="Day of the review meeting.")] = None,
    decision: Annotated[str | None, typer.Option(help="Day the decision was notified.")] = None,
    amendment_notice: Annotated[
        str | None, typer.Option(help="Day the amendment notice was sent.")
    ] = None,
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
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Dates of an annual review cycle (CFA s44; regs 18-22), phase transfers included."""
    if (plan_date is None) == (last_review is None):
        fail("give exactly one of --plan-date and --last-review")
    start = parse_date(
        plan_date or last_review or "", "--plan-date" if plan_date else "--last-review"
    )
    day = {
        name: parse_date(value, f"--{name.replace('_', '-')}") if value else None
        for name, value in [
            ("meeting", meeting),
            ("decision", decision),
            ("amendment_notice", amendment_notice),
            ("move_date", move_date),
            ("dob", dob),
        ]
    }
    try:
        mode = rv.AnchorMode(anchor)
    except ValueError:
        fail(f"--anchor: '{anchor}' should be decision or meeting")
    if not 3 <= under_five_months <= 6:
        fail("--under-five-months: the Code of Practice says every 3 to 6 months")
    phase = _transfer(transfer, transfer_year, day["move_date"])
    for name in ("meeting", "decision", "amendment_notice"):
        value = day[name]
        if value is not None and value < start:
            fail(f"--{name.replace('_', '-')}: {value} is before the cycle began ({start})")
    if day["decision"] and day["meeting"] and day["decision"] < day["meeting"]:
        fail(f"--decision: {day['decision']} is before the meeting ({day['meeting']})")
    if day["amendment_notice"] and day["meeting"] and day["amendment_notice"] < day["meeting"]:
        fail(f"--amendment-notice: {day['amendment_notice']} is before the meeting")
    if day["amendment_notice"] and day["decision"] and day["amendment_notice"] < day["decision"]:
        fail(f"--amendment-notice: {day['amendment_notice']} is before the decision to amend")
    if day["dob"] and day["dob"] > start:
        fail(f"--dob: {day['dob']} is after the plan date or last review ({start})")
    d = rv.review_dates(
        start,
        meeting=day["meeting"],
        decision=day["decision"],
        amendment_notice=day["amendment_notice"],
        transfer=phase,
        date_of_birth=day["dob"],
        under_five_months=under_five_months,
        anchor_mode=mode,
    )
    result = {
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
    if as_json:
        print(json.dumps(result, indent=2))
        return
    table = Table(title=f"Annual review: cycle from {start}")
    table.add_column("Step")
    table.add_column("Date")
    table.add_column("Source")
    rows = [
        ("Review the plan (within 12 months)", d.review_due_by, "CFA s44(1), reg 18"),
        ("Under-5 review (local policy)", d.under_five_review_by, "CoP 9.178"),
        ("Latest meeting for the phase transfer", d.latest_meeting_for_phase_transfer, "reg 18"),
        (
            "Latest amendment notice for the transfer",
            d.latest_amendment_notice_for_phase_transfer,
            "reg 18, 22(3)",
        ),
        ("Phase transfer: plan finalised", d.phase_transfer_deadline, "reg 18"),
        ("Invitations sent (2 weeks before)", d.invitations_by, "reg 20(3)"),
        ("Advice circulated (2 weeks before)", d.advice_circulated_by, "reg 20(4)"),
        ("Report of the meeting sent", d.report_by, "reg 20(7)"),
        ("Decision notified (4 weeks)", d.decision_by, "reg 20(10)"),
        ("Amendment notice (with the decision)", d.amendment_notice_by, "Devon [2022]"),
        ("Representations close (15 days)", d.representations_close, "reg 22(2)"),
        ("Final amended plan", d.final_amended_plan_by, "reg 22(3)"),
        ("Next review due", d.next_review_due_by, f"from the {mode.value}"),
    ]
    for label, value, source in rows:
        if value is not None:
            table.add_row(label, str(value), source)
    out.print(table)
    out.print(f"Category for timeliness reports: {d.category.value}")


def _transfer(kind: str | None, year: int | None, move: date | None) -> rv.PhaseTransfer | None:
    if kind is None:
        if year is not None or move is not None:
            fail("--transfer-year and --move-date need --transfer")
        return None
    try:
        transfer_kind = rv.TransferKind(kind)
    except ValueError:
        fail(f"--transfer: unknown kind '{kind}' (known: {', '.join(rv.TransferKind)})")
    if transfer_kind is rv.TransferKind.POST16_POST16:
        if move is None:
            fail("--transfer post16-post16 needs --move-date")
        year = year or move.year
    elif year is None:
        fail(f"--transfer {kind} needs --transfer-year")
    try:
        return rv.PhaseTransfer(kind=transfer_kind, year=year, move_date=move)
    except ValidationError as error:
        fail(f"--transfer: {one_line(error)}")
