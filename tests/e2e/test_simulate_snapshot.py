"""`ehc simulate snapshot` on a reporting database written by the real workflows: the demo
caseload started on the dev server (as `ehc up` loads it) with the production worker; the
scenario written starts from the demo's open assessments and plans, measures what its cases
did, and runs."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from activities.read_model import ReadModelWriter
from activities.schema import case_view, ledger_outcomes, ledger_requests, ledger_steps
from ehc import demo
from ehc.settings import Settings
from ehc.snapshot.caseload import assessment_groups, plan_groups, week_reached
from ehc.snapshot.measures import ENOUGH, last_twelve_months
from ehc.system import load_demo
from scenarios import model
from scenarios.model import Stage
from statutory import assessment as rules
from statutory import review as review_rules
from tests.e2e.test_import import ehc
from tests.workflow.helpers import running_worker

pytestmark = pytest.mark.e2e


def _replayed(case: demo.DemoCase, today: date) -> rules.AssessmentCase:
    state = rules.open_case(case.request, today)
    for event in case.events:
        state = rules.apply(state, event, today, datetime.now(UTC))
    return state


def _stage(case: rules.AssessmentCase) -> Stage:
    if case.stage is rules.Stage.DECISION:
        return Stage.DECISION
    if case.stage is rules.Stage.DRAFT:
        return Stage.FINALISING
    awaited = not case.advice or any(a.outstanding for a in case.advice)
    return Stage.ADVICE if awaited else Stage.DRAFTING


def _next_review(plan: demo.DemoPlan, today: date) -> date:
    cycle = review_rules.first_cycle(
        plan.plan, last_review=plan.last_review, transfer=plan.transfer
    )
    for event in plan.events:
        cycle = review_rules.apply(cycle, event, today, datetime.now(UTC))
    if cycle.meeting_held_on is not None:  # reviewed: the next is due 12 months on
        return review_rules.review_due(cycle.meeting_held_on)
    return cycle.dates().review_due_by


async def test_a_snapshot_of_the_demo_caseload_starts_from_it_and_runs(
    dev_server_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    client = dev_server_env.client
    url = f"sqlite:///{tmp_path / 'ehc.db'}"
    outbox = Outbox(url)
    writer = ReadModelWriter(outbox.engine)
    today = datetime.now(UTC).date()
    start = today - timedelta(days=today.weekday())
    when = last_twelve_months(start)

    cases = [(c, _replayed(c, today)) for c in demo.caseload(today)]
    still_open = [s for _, s in cases if not s.closed]
    closed = [s for _, s in cases if s.closed]
    issued = [s for s in closed if s.final_issued_on is not None]
    plans = demo.plans(today)
    advice = sum(a.outstanding for s in still_open for a in s.advice)
    steps_done = sum(st.state.is_done for _, s in cases for st in rules.steps(s, today))

    def written() -> tuple[int, ...]:
        """What the workflows have written so far: open and closed assessments, plans and
        open requests for advice in the read model; requests, the assessments' completed
        steps and their outcomes in the ledger (written in the background)."""
        with outbox.engine.connect() as conn:
            views = Counter(
                (kind, bool(is_open))
                for kind, is_open in conn.execute(select(case_view.c.kind, case_view.c.is_open))
            )
            requests = conn.scalar(select(func.count()).select_from(ledger_requests))
            steps = conn.scalar(
                select(func.count())
                .select_from(ledger_steps)
                .where(ledger_steps.c.process == "assessment")
            )
            outcomes = conn.scalar(
                select(func.count())
                .select_from(ledger_outcomes)
                .where(ledger_outcomes.c.process == "assessment")
            )
        return (
            views["assessment", True],
            views["assessment", False],
            views["review", True],
            views["advice", True],
            requests or 0,
            steps or 0,
            outcomes or 0,
        )

    everything = (
        len(still_open),
        len(closed),
        len(plans) + len(issued),
        advice,
        len(cases),
        steps_done,
        len(closed),
    )
    async with running_worker(client, outbox) as queue:
        settings = Settings(task_queue=queue, data_dir=tmp_path, database_url=url)
        try:
            started, _ = await load_demo(client, settings, today)
            assert started == len(cases) + len(plans)
            deadline = asyncio.get_running_loop().time() + 180
            while written() != everything:
                assert asyncio.get_running_loop().time() < deadline, (written(), everything)
                await asyncio.sleep(0.5)

            env = {
                **os.environ,
                "EHC_DATA_DIR": str(tmp_path),
                "EHC_DATABASE_URL": url,
                "EHC_LOG_FORMAT": "json",
            }
            file = tmp_path / "today.toml"
            made = await ehc(env, "simulate", "snapshot", "--out", str(file))
            assert made.returncode == 0, made.stderr
        finally:
            # Each case before its requests for advice: a child ended under a running parent
            # is reported as an error the parent never retrieves.
            for workflow_id in sorted(writer.open_workflows(), key=lambda w: "advice" in w):
                with contextlib.suppress(RPCError):
                    await client.get_workflow_handle(workflow_id).terminate("test over")

    scenario = model.load(file)
    assert scenario.scenario.start == start
    opened = [(_stage(s), week_reached(s.request.received, start)) for s in still_open]
    assert [(g.stage, g.weeks, g.count) for g in scenario.start_state.open_assessments] == [
        (g.stage, g.weeks, g.count) for g in assessment_groups(opened)
    ]
    expected_dues = [_next_review(p, today) for p in plans] + [
        review_rules.review_due(s.final_issued_on) for s in issued if s.final_issued_on
    ]
    assert [(p.due_from, p.due_to, p.count) for p in scenario.start_state.plans] == [
        (g.due_from, g.due_to, g.count) for g in plan_groups(expected_dues, start)
    ]
    received = sum(s.request.received in when for _, s in cases)
    requests = scenario.demand.requests_per_week
    assert received >= ENOUGH, "the demo's 40 open cases were all received within 30 weeks"
    assert requests.source == f"ledger: {received} requests received {when}"
    decisions = [s.decided_to_assess_on or s.decided_not_to_assess_on for _, s in cases]
    made_in = [d for d in decisions if d is not None and d in when]
    assessed = scenario.decisions.share_assessed
    if len(made_in) >= ENOUGH:
        assert f"of {len(made_in)} decisions whether to assess" in str(assessed.source)
    else:
        assert assessed.assumed and assessed.note.startswith(f"only {len(made_in)} decisions")
    assert f"Open requests for advice on these assessments: {advice}." in made.stdout
    assert "DEMO" not in file.read_text(), "no case is named"

    ran = await ehc(env, "simulate", str(file), "-n", "2", "--out", str(tmp_path / "run"))
    assert ran.returncode == 0, ran.stderr
    assert "Open assessments at the end" in ran.stdout
