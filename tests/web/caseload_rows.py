"""A small known caseload in the read model, as the workflows would have written it, for the
My cases and Team pages' tests. ``TODAY`` is the day the pages are rated on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from activities.read_model import ReadModelWriter
from statutory.catalogue import describe
from statutory.read_model import CaseView

TODAY = date(2026, 12, 1)
EPS = "Educational Psychology Service"
PAEDS = "Community Paediatrics"


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def view(
    case_ref: str,
    *,
    kind: str = "assessment",
    stage: str,
    caseworker: str,
    team: str = "north",
    next_step: str | None,
    next_due: date | None,
    is_open: bool = True,
    provider: str | None = None,
    advice_type: str = "psychological",
    review_due: date | None = None,
    phase_transfer_due: date | None = None,
) -> CaseView:
    workflow_id = {
        "assessment": f"assessment-{case_ref}",
        "review": f"review-{case_ref}",
        "advice": f"advice-{case_ref}-{advice_type}-1",
    }[kind]
    info = describe(next_step, kind) if next_step else None
    # An advice workflow labels its step with the advice and the provider asked.
    label = info.label if info else None
    if provider:
        label = f"{advice_type.capitalize()} advice from {provider}"
    return CaseView(
        workflow_id=workflow_id,
        case_ref=case_ref,
        kind=kind,
        stage=stage,
        caseworker=caseworker,
        team=team,
        is_open=is_open,
        next_step=next_step,
        next_label=label,
        next_regulation=info.regulation if info else None,
        next_statutory=info.statutory if info else False,
        next_due=next_due,
        provider=provider,
        review_due=review_due,
        phase_transfer_due=phase_transfer_due,
        version=1,
        updated_at=datetime(2026, 11, 30, 9, tzinfo=UTC),
    )


def caseload() -> list[CaseView]:
    """North: cw101 (four open cases, one with a late advice; one closed), cw102 (two, one
    with a late advice), cw103 (one on track); south: cw201 (one overdue)."""
    return [
        view("EHC-1001", stage="decision", caseworker="cw101", next_step="decide-to-assess",
             next_due=days(-5)),
        view("EHC-1002", stage="assessment", caseworker="cw101", next_step="final-plan",
             next_due=days(40)),
        view("EHC-1002", kind="advice", stage="awaiting-advice", caseworker="cw101",
             next_step="advice:psychological", next_due=days(-2), provider=EPS),
        view("EHC-1003", kind="review", stage="awaiting-meeting", caseworker="cw101",
             next_step="review-meeting", next_due=days(10), review_due=days(10),
             phase_transfer_due=date(2027, 2, 15)),
        view("EHC-1004", kind="review", stage="awaiting-meeting", caseworker="cw101",
             next_step="arrange-meeting", next_due=days(60), review_due=days(100),
             phase_transfer_due=date(2027, 3, 31)),
        view("EHC-1005", stage="decision", caseworker="cw101", next_step="decide-to-assess",
             next_due=days(-30), is_open=False),
        view("EHC-1006", stage="draft", caseworker="cw102", next_step="final-plan",
             next_due=days(0)),
        view("EHC-1007", stage="assessment", caseworker="cw102", next_step="final-plan",
             next_due=days(20)),
        view("EHC-1007", kind="advice", stage="awaiting-advice", caseworker="cw102",
             next_step="advice:medical", next_due=days(-9), provider=PAEDS, advice_type="medical"),
        view("EHC-1008", kind="review", stage="awaiting-meeting", caseworker="cw103",
             next_step="review-meeting", next_due=days(-3), review_due=days(-3)),
        view("EHC-2001", stage="decision", caseworker="cw201", team="south",
             next_step="decide-to-assess", next_due=days(-1)),
    ]  # fmt: skip


def write_caseload(database_url: str) -> None:
    writer = ReadModelWriter(database_url)
    try:
        writer.put_many(caseload())
    finally:
        writer.engine.dispose()
