"""KPIs and the SEN2 table on a ledger written by the real workflows (time-skipping server),
on SQLite and on PostgreSQL: four assessments and two review cycles of 2025, every figure
checked by hand against the regulations."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from ehc.cases import Assessments
from ehc.kpis import ledger_kpis, sen2
from ehc.ledger_reader import LedgerReader
from ehc.reviews import Reviews
from ehc.settings import Settings
from statutory import assessment as a
from statutory import review as r
from statutory.exceptions import Reason
from statutory.kpi import KpiReport, Measure
from statutory.periods import parse_period
from tests.workflow.helpers import running_worker
from workflows.models import assessment_workflow_id, review_workflow_id

D = date.fromisoformat


def _request(ref: str, received: str) -> a.AssessmentRequest:
    return a.AssessmentRequest(case_ref=ref, received=D(received), caseworker="cw1", team="north")


def _assessments(run: str) -> list[tuple[a.AssessmentRequest, list[a.AssessmentEvent]]]:
    return [
        (_request(f"{ref}-{run}", request.received.isoformat()), events)
        for (request, events), ref in zip(
            ASSESSMENTS, ("KPI-A", "KPI-B", "KPI-C", "KPI-D"), strict=True
        )
    ]


ASSESSMENTS: list[tuple[a.AssessmentRequest, list[a.AssessmentEvent]]] = [
    (  # decided in time, advice late, plan in time
        _request("KPI-A", "2025-01-06"),
        [
            a.DecidedToAssess(on=D("2025-01-27")),
            a.AdviceRequested(
                on=D("2025-01-28"), advice_type=a.AdviceType.PSYCHOLOGICAL, provider="EPS"
            ),
            a.AdviceReceived(on=D("2025-04-01"), advice_id=1),
            a.DraftServed(on=D("2025-04-28")),
            a.FinalPlanIssued(on=D("2025-05-19")),
        ],
    ),
    (  # decided late, advice in time, plan late
        _request("KPI-B", "2025-02-03"),
        [
            a.DecidedToAssess(on=D("2025-03-24")),
            a.AdviceRequested(
                on=D("2025-03-25"), advice_type=a.AdviceType.MEDICAL, provider="Health"
            ),
            a.AdviceReceived(on=D("2025-04-14"), advice_id=1),
            a.DraftServed(on=D("2025-06-30")),
            a.FinalPlanIssued(on=D("2025-07-21")),
        ],
    ),
    (  # an exception case: late, left out of the headline figure
        _request("KPI-C", "2025-03-03"),
        [
            a.DecidedToAssess(on=D("2025-03-31")),
            a.ExceptionRecorded(
                on=D("2025-04-07"),
                reason=Reason.PERSONAL_CIRCUMSTANCES,
                start=D("2025-04-07"),
                end=D("2025-05-30"),
            ),
            a.DraftServed(on=D("2025-07-14")),
            a.FinalPlanIssued(on=D("2025-08-04")),
        ],
    ),
    (_request("KPI-D", "2025-09-01"), [a.DecidedNotToAssess(on=D("2025-10-06"))]),
]


def _plan(ref: str, plan_date: str) -> r.PlanRecord:
    return r.PlanRecord(case_ref=ref, plan_date=D(plan_date), caseworker="cw2", team="north")


REVIEWS: list[tuple[r.PlanRecord, date, list[r.ReviewEvent]]] = [
    (  # held in time, amended in time
        _plan("KPI-R1", "2023-05-01"),
        D("2024-06-02"),
        [
            r.MeetingHeld(on=D("2025-05-20")),
            r.DecisionNotified(on=D("2025-06-03"), decision=r.Decision.AMEND),
            r.AmendmentNoticeSent(on=D("2025-06-03")),
            r.FinalAmendedPlanIssued(on=D("2025-07-15")),
        ],
    ),
    (  # held late, decided late
        _plan("KPI-R2", "2023-09-01"),
        D("2024-07-01"),
        [
            r.MeetingHeld(on=D("2025-07-20")),
            r.DecisionNotified(on=D("2025-09-01"), decision=r.Decision.MAINTAIN),
        ],
    ),
]


def _reviews(run: str) -> list[tuple[r.PlanRecord, date, list[r.ReviewEvent]]]:
    return [
        (plan.model_copy(update={"case_ref": f"{plan.case_ref}-{run}"}), last, events)
        for plan, last, events in REVIEWS
    ]


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ehc.db'}"
    return str(request.getfixturevalue("postgres_url"))


async def _terminate(client: Client, refs: list[str]) -> None:
    for ref in refs:
        for workflow_id in (assessment_workflow_id(ref), review_workflow_id(ref)):
            with contextlib.suppress(RPCError):
                await client.get_workflow_handle(workflow_id).terminate("test over")


@pytest_asyncio.fixture
async def ledger(
    time_skipping_env: WorkflowEnvironment, ledger_url: str, tmp_path: Path
) -> AsyncIterator[LedgerReader]:
    """Run the cases through the real workflows; the ledger they wrote."""
    client = time_skipping_env.client
    run = f"{uuid.uuid4().int % 10**6:06d}"  # digits: never reads like a name
    assessments_in, reviews_in = _assessments(run), _reviews(run)
    refs = [q.case_ref for q, _ in assessments_in] + [p.case_ref for p, _, _ in reviews_in]
    reader = LedgerReader(ledger_url)
    try:
        async with running_worker(client, Outbox(ledger_url)) as queue:
            settings = Settings(task_queue=queue, data_dir=tmp_path)
            assessments, reviews = Assessments(client, settings), Reviews(client, settings)
            for request, events in assessments_in:
                assert await assessments.start(request, events)
                await client.get_workflow_handle(assessment_workflow_id(request.case_ref)).result()
            for plan, last_review, review_events in reviews_in:
                assert await reviews.start(
                    plan, last_review=last_review, prior_events=review_events
                )
            await _outcomes_written(reader, len(ASSESSMENTS) + len(REVIEWS))
        yield reader
    finally:
        await _terminate(client, refs)
        reader.close()


async def _outcomes_written(reader: LedgerReader, count: int, within: float = 30.0) -> None:
    """The review cycles continue as new after writing their outcome: poll for it. The appeal
    windows the assessments' decisions opened write outcomes of their own: not counted."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within

    def written() -> int:
        return sum(o.process in ("assessment", "review") for o in reader.outcomes())

    while written() < count:
        assert loop.time() < deadline, f"only {written()} of {count} outcomes"
        await asyncio.sleep(0.1)


def _measure(report: KpiReport, key: str) -> Measure:
    return next(m for m in report.measures if m.key == key)


def _rate(report: KpiReport, key: str) -> tuple[int, int]:
    m = _measure(report, key)
    return m.period.met, m.period.total


async def test_kpis_from_the_ledger_the_workflows_wrote(ledger: LedgerReader) -> None:
    year = ledger_kpis(ledger, parse_period("2025"))
    assert _rate(year, "plans-20-weeks-including-exceptions") == (1, 3)
    assert _rate(year, "plans-20-weeks-excluding-exceptions") == (1, 2)
    assert _measure(year, "plans-20-weeks-including-exceptions").exceptions == 1
    assert _rate(year, "decisions-to-assess-6-weeks") == (3, 4)
    assert _rate(year, "advice-6-weeks") == (1, 2)
    advice = _measure(year, "advice-6-weeks").breakdown
    assert {k: (v.met, v.total) for k, v in advice["provider"].items()} == {
        "EPS": (0, 1),
        "Health": (1, 1),
    }
    assert set(advice["advice_type"]) == {"medical", "psychological"}
    assert _rate(year, "reviews-12-months") == (1, 2)
    assert _rate(year, "review-decisions-4-weeks") == (1, 2)
    assert _rate(year, "amended-plans-12-weeks") == (1, 1)
    months = _measure(year, "plans-20-weeks-including-exceptions").breakdown["month"]
    assert {k: (v.met, v.total) for k, v in months.items() if v.total} == {
        "2025-05": (1, 1),
        "2025-07": (0, 1),
        "2025-08": (0, 1),
    }
    july = ledger_kpis(ledger, parse_period("2025-07"))
    assert _rate(july, "plans-20-weeks-including-exceptions") == (0, 1)
    assert _measure(july, "plans-20-weeks-including-exceptions").year_to_date.total == 2
    assert _rate(july, "amended-plans-12-weeks") == (1, 1)  # finalised 15 July
    assert _rate(ledger_kpis(ledger, parse_period("2025"), team="south"), "advice-6-weeks") == (
        0,
        0,
    )


async def test_sen2_from_the_ledger_the_workflows_wrote(ledger: LedgerReader) -> None:
    table = sen2(ledger, 2025)
    year = table.rows[-1]
    assert year["period"] == "2025"
    assert year["requests_received"] == 4
    assert (year["decisions_made"], year["agreed_to_assess"], year["refused_to_assess"]) == (
        4,
        3,
        1,
    )
    assert year["decisions_within_6_weeks"] == 3
    assert (year["plans_issued"], year["plans_within_20_weeks"]) == (3, 1)
    assert (year["exception_cases"], year["plans_excluding_exceptions"]) == (1, 2)
    assert year["percent_within_20_weeks_excluding_exceptions"] == "50.0"
    assert sum(int(row["plans_issued"]) for row in table.rows[:-1]) == 3
