"""The read model at 20,000 open cases: overdue lists through the API, and how soon an event
shows.

Fills the read model of a fresh database (SQLite in a temporary directory, or
``--database-url``, e.g. an empty PostgreSQL database) with open cases as the workflows write
them (the writer's rows, inserted in bulk): assessments, plans' reviews and requests for
advice, four teams, forty caseworkers, next targets spread from four months overdue to a year
ahead, each case with its steps. Then times ``GET /overdue`` through the API (httpx against
the app, ASGI transport): one team's list, and the whole council's.

Then, with the embedded Temporal dev server and a worker writing to the same database, starts
assessments, records a decision to assess on each (the ``record`` update) and times how long
after the update returns the read model shows it. Prints one JSON object per measurement.

    .venv/bin/python benchmarks/read_model.py [--cases 20000] [--repeat 60] [--events 30]
        [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).parents[1]))  # benchmarks/ and testsupport/

import httpx
from sqlalchemy import Engine, insert
from temporalio.client import Client

from activities.read_model import ReadModelWriter, case_row, step_rows
from activities.schema import case_view, step_view
from benchmarks.embedded_server import embedded_server
from ehc.api.app import create_app
from ehc.api.settings import ApiSettings
from ehc.cases import Assessments
from ehc.logs import configure
from ehc.read_model import ReadModel
from ehc.settings import Settings
from ehc.worker import running_worker
from statutory import assessment as rules
from statutory.process import StepKind
from statutory.read_model import CaseView, StepView
from statutory.steps import StepState
from testsupport.servers import free_port
from workflows.models import assessment_workflow_id

TEAMS = ("north", "south", "east", "west")
TOKEN = "benchmark-supervisor-token"
BATCH = 2_000
#: The steps each kind of case carries, with their regulations (as the rules declare them).
STEPS: dict[str, list[tuple[str, str]]] = {
    "assessment": [
        ("decide-to-assess", "reg 4(1), 5(1)"),
        ("advice-1", "reg 8(1)"),
        ("advice-2", "reg 8(1)"),
        ("decide-not-to-issue", "reg 10(1)"),
        ("draft-served", "reg 13(2)"),
        ("final-plan", "reg 13(2)"),
    ],
    "review": [
        ("arrange-meeting", "reg 18"),
        ("invitations", "reg 20(1)"),
        ("advice-circulated", "reg 20(4)"),
        ("review-meeting", "CFA s44(1), reg 18"),
        ("report", "reg 20(7)"),
        ("decision", "reg 20(10)"),
    ],
    "advice": [("advice", "reg 8(1)")],
}
STAGES = {"assessment": "assessment", "review": "awaiting-meeting", "advice": "awaiting-advice"}


def emit(common: dict[str, Any], **found: Any) -> None:
    """One measurement as a JSON line, with the machine's load then (it is shared)."""
    print(json.dumps({**common, **found, "load_average": round(os.getloadavg()[0], 1)}), flush=True)


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def figures(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(max(ms), 1),
    }


# --- filling the read model ------------------------------------------------------------------


def views(count: int, today: date, now: datetime) -> Iterator[CaseView]:
    rng = random.Random(20_000)
    for n in range(count):
        kind = "assessment" if n % 10 < 3 else "advice" if n % 10 == 3 else "review"
        ref = f"BEN-{n:06d}"
        next_due = today + timedelta(days=rng.randint(-120, 365))
        steps = STEPS[kind]
        open_from = rng.randrange(len(steps))  # the steps before it are done
        step_views = []
        for i, (name, regulation) in enumerate(steps):
            due = next_due + timedelta(days=14 * (i - open_from))
            done = due - timedelta(days=2) if i < open_from else None
            step_views.append(
                StepView(
                    step=name,
                    label=name.replace("-", " ").capitalize(),
                    regulation=regulation,
                    statutory=True,
                    step_kind=StepKind.DUTY,
                    due=due,
                    operational_due=due,
                    done_on=done,
                    status=StepState.MET if done else StepState.OPEN,
                )
            )
        nxt = step_views[open_from]
        suffix = "-educational-1" if kind == "advice" else ""
        yield CaseView(
            workflow_id=f"{kind}-{ref}{suffix}",
            case_ref=ref,
            kind=kind,
            cycle=1 if kind == "review" else 0,
            stage=STAGES[kind],
            caseworker=f"cw{rng.randint(1, 40):03d}",
            team=rng.choice(TEAMS),
            is_open=True,
            next_step="advice:educational" if kind == "advice" else nxt.step,
            next_label=nxt.label,
            next_regulation=nxt.regulation,
            next_statutory=True,
            next_due=nxt.operational_due,
            provider="Current school" if kind == "advice" else None,
            review_due=next_due if kind == "review" else None,
            final_plan_due=next_due if kind == "assessment" else None,
            steps=tuple(step_views),
            version=12,
            updated_at=now,
        )


def fill(engine: Engine, count: int, today: date) -> tuple[float, int]:
    """Insert ``count`` open cases in bulk; seconds taken and step rows written."""
    began, steps = time.perf_counter(), 0
    batch: list[CaseView] = []
    now = datetime.now(UTC)

    def flush() -> None:
        nonlocal steps
        with engine.begin() as conn:
            conn.execute(insert(case_view), [case_row(v) for v in batch])
            rows = [r for v in batch for r in step_rows(v)]
            conn.execute(insert(step_view), rows)
        steps += len(rows)
        batch.clear()

    for view in views(count, today, now):
        batch.append(view)
        if len(batch) == BATCH:
            flush()
    if batch:
        flush()
    return time.perf_counter() - began, steps


# --- timing ----------------------------------------------------------------------------------


async def timed(work: Callable[[], Awaitable[int]], repeat: int) -> dict[str, Any]:
    for _ in range(3):  # warm: connections, caches
        await work()
    seconds, cpu, found = [], [], 0
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        found = await work()
        seconds.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    # CPU time (every thread of this process) says what a request costs whatever else the
    # machine is doing; the wall-clock percentiles say what a user waits.
    cpu_ms = [c * 1000 for c in cpu]
    return {
        "lines": found,
        **figures(seconds),
        "cpu_p50_ms": round(percentile(cpu_ms, 50), 1),
        "cpu_p95_ms": round(percentile(cpu_ms, 95), 1),
        "repeat": repeat,
    }


async def api_figures(settings: Settings, client: Client, repeat: int) -> dict[str, dict[str, Any]]:
    app = create_app(settings, client)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    out: dict[str, dict[str, Any]] = {}
    async with app.router.lifespan_context(app):
        gc.freeze()  # as ``ehc api`` does once its app is made (ehc.api.serve)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
            for label, params in (
                ("one_team_api", {"team": "north"}),
                ("whole_council_api", {}),
                ("one_team_within_14_days_api", {"team": "north", "within_days": "14"}),
            ):

                async def get(params: dict[str, str] = params) -> int:
                    answer = await http.get("/overdue", params=params, headers=headers)
                    answer.raise_for_status()
                    return len(answer.content)  # parsed after the timing: the client's work

                out[label] = await timed(get, repeat)
                answer = await http.get("/overdue", params=params, headers=headers)
                out[label]["lines"] = len(answer.json()["lines"])
    return out


async def direct_figures(read_model: ReadModel, today: date, repeat: int) -> dict[str, Any]:
    async def one_team() -> int:
        return len(read_model.overdue(today=today, team="north"))

    return await timed(one_team, repeat)


async def event_latency(client: Client, settings: Settings, events: int) -> dict[str, Any]:
    """Record a decision on ``events`` fresh assessments; how long after each update returns
    the read model shows it."""
    read_model = ReadModel(settings.resolved_database_url)
    service = Assessments(client, settings)
    today = datetime.now(UTC).date()
    refs = [f"LAT-{n:04d}{random.randrange(10**6):06d}" for n in range(events)]
    async with running_worker(client, settings):
        for ref in refs:
            request = rules.AssessmentRequest(
                case_ref=ref, received=today - timedelta(days=10), caseworker="cw001", team="north"
            )
            await service.start(request)
        ids = [assessment_workflow_id(ref) for ref in refs]
        deadline = time.perf_counter() + 120
        while any(read_model.case(i) is None for i in ids):
            if time.perf_counter() > deadline:
                raise SystemExit("the read model did not show the new cases within 120 s")
            await asyncio.sleep(0.05)
        updates, shown = [], []
        for ref, workflow_id in zip(refs, ids, strict=True):
            began = time.perf_counter()
            await service.record(ref, rules.DecidedToAssess(on=today))
            returned = time.perf_counter()
            while True:
                row = read_model.case(workflow_id)
                if row is not None and row.stage == "assessment":
                    break
                if time.perf_counter() - returned > 60:
                    raise SystemExit(f"{ref}: the decision did not show within 60 s")
                await asyncio.sleep(0.002)
            shown.append(time.perf_counter() - returned)
            updates.append(returned - began)
    read_model.close()
    return {
        "events": events,
        **figures(shown),
        "update_p50_ms": round(percentile([u * 1000 for u in updates], 50), 1),
    }


async def main(cases: int, repeat: int, events: int, database_url: str | None) -> None:
    configure("WARNING", "json")
    today = datetime.now(UTC).date()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            server_port=free_port(),
            ui_port=free_port(),
            database_url=database_url,
            api=ApiSettings(tokens=f"{TOKEN} supervisor"),
        )
        database = "postgresql" if database_url else "sqlite"
        writer = ReadModelWriter(settings.resolved_database_url)  # migrates
        fill_s, step_count = fill(writer.engine, cases, today)
        common = {
            "benchmark": "read_model",
            "database": database,
            "open_cases": cases,
        }
        emit(common, query="fill", seconds=round(fill_s, 1), step_rows=step_count)
        read_model = ReadModel(writer.engine, migrate=False)
        direct = await direct_figures(read_model, today, repeat)
        emit(common, query="one_team_direct", **direct)

        # The API alone: its overdue route reads the database, never Temporal, so it is
        # measured with no server beside it (a stand-in where its client would be).
        no_temporal = cast(Client, object())
        for label, found in (await api_figures(settings, no_temporal, repeat)).items():
            emit(common, query=label, **found)
        read_model.close()
        if not events:
            return
        async with embedded_server(settings) as (_, client):
            latency = await event_latency(client, settings, events)
            emit(common, query="event_to_read_model", **latency)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--events", type=int, default=30, help="0: no latency measurement")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(main(args.cases, args.repeat, args.events, args.database_url))
    os._exit(0)  # see ehc.cli.main: the SDK runtime can abort at interpreter exit
