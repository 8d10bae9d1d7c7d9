"""``ehc deadlines``: the statutory calculator. Needs no server; its JSON keys are stable."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from ehc.cli.common import fail, out, parse_date
from statutory import assessment as rules
from statutory import exceptions as exc
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
