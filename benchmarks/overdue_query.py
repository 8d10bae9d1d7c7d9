"""The overdue query (``ehc overdue``) at 1,000 and 10,000 open cases on the embedded server.

Starts the embedded Temporal dev server (SQLite file, WAL pragmas, as ``ehc up``), starts open
assessment and review workflows with the search attributes their workflows publish (next
step, next deadline spread from four months overdue to a year ahead, caseworker, team,
stage), waits until visibility counts them all, then times the same function ``ehc overdue``
and the API call, prints one JSON object per measurement, and also times the CLI end to end.

No worker runs: the cases stay exactly as started, so the query is measured alone. Starts
are bounded (50 in flight; docs/ARCHITECTURE.md, known traps).

    .venv/bin/python benchmarks/overdue_query.py [--sizes 1000,10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1]))  # benchmarks/ and testsupport/

from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from benchmarks.embedded_server import embedded_server
from ehc.logs import configure
from ehc.overdue import overdue_report
from ehc.settings import Settings
from statutory import assessment, review
from testsupport.servers import free_port
from workflows import search_attributes as sa
from workflows.models import AssessmentStart, ReviewStart

IN_FLIGHT = 50
TEAMS = ("north", "south", "east", "west")
ASSESSMENT_STEPS = ("decide-to-assess", "advice-1", "final-plan")
REVIEW_STEPS = ("review-meeting", "report", "decision", "final-amended-plan")


def _attributes(n: int, kind: str, rng: random.Random, today: date) -> TypedSearchAttributes:
    deadline = today + timedelta(days=rng.randint(-120, 365))
    steps = ASSESSMENT_STEPS if kind == "assessment" else REVIEW_STEPS
    stage = "assessment" if kind == "assessment" else "awaiting-meeting"
    pairs: list[SearchAttributePair[Any]] = [
        SearchAttributePair(sa.CASE_REF, f"BEN-{n:06d}"),
        SearchAttributePair(sa.KIND, kind),
        SearchAttributePair(sa.STAGE, stage),
        SearchAttributePair(sa.NEXT_STEP, rng.choice(steps)),
        SearchAttributePair(sa.NEXT_DEADLINE, sa.end_of(deadline)),
        SearchAttributePair(sa.CASEWORKER, f"cw{rng.randint(1, 40):03d}"),
        SearchAttributePair(sa.TEAM, rng.choice(TEAMS)),
    ]
    return TypedSearchAttributes(pairs)


async def start_cases(client: Client, first: int, last: int, today: date) -> None:
    rng = random.Random(first)
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(n: int) -> None:
        kind = "assessment" if n % 10 < 3 else "review"  # more plans than open assessments
        attrs = _attributes(n, kind, rng, today)
        ref = f"BEN-{n:06d}"
        arg: Any
        if kind == "assessment":
            request = assessment.AssessmentRequest(
                case_ref=ref, received=today - timedelta(days=30), caseworker="cw001", team="north"
            )
            arg, workflow = AssessmentStart(request=request), "AssessmentWorkflow"
        else:
            plan = review.PlanRecord(
                case_ref=ref,
                plan_date=today - timedelta(days=300),
                caseworker="cw001",
                team="north",
            )
            arg, workflow = ReviewStart(cycle=review.first_cycle(plan)), "ReviewWorkflow"
        async with gate:
            await client.start_workflow(
                workflow,
                arg,
                id=f"{kind}-{ref}",
                task_queue="benchmark-no-worker",
                search_attributes=attrs,
            )

    await asyncio.gather(*(one(n) for n in range(first, last)))


async def visible(client: Client, count: int, within: float = 300.0) -> float:
    began = time.perf_counter()
    while (await client.count_workflows("ExecutionStatus = 'Running'")).count < count:
        if time.perf_counter() - began > within:
            raise SystemExit(f"visibility did not reach {count} cases in {within:.0f} s")
        await asyncio.sleep(0.5)
    return time.perf_counter() - began


async def measure(client: Client, repeat: int, **filters: Any) -> dict[str, Any]:
    timings, found = [], 0
    for _ in range(repeat):
        began = time.perf_counter()
        report = await overdue_report(client, now=datetime.now(UTC), **filters)
        timings.append(time.perf_counter() - began)
        found = len(report.lines)
    return {
        "lines": found,
        "median_s": round(statistics.median(timings), 4),
        "max_s": round(max(timings), 4),
        "min_s": round(min(timings), 4),
    }


def cli_seconds(address: str, tmp: str) -> float:
    env = {**os.environ, "TEMPORAL_ADDRESS": address, "EHC_DATA_DIR": tmp, "EHC_LOG_FORMAT": "json"}
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "ehc.cli.main", "overdue", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"ehc overdue failed: {done.stderr}")
    return time.perf_counter() - began


async def main(sizes: list[int], repeat: int) -> None:
    configure("WARNING", "json")
    today = datetime.now(UTC).date()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), server_port=free_port(), ui_port=free_port())
        async with embedded_server(settings) as (server, client):
            started = 0
            for size in sizes:
                began = time.perf_counter()
                await start_cases(client, started, size, today)
                start_s = time.perf_counter() - began
                lag_s = await visible(client, size)
                started = size
                cases: dict[str, dict[str, Any]] = {
                    "all": await measure(client, repeat),
                    "one_team": await measure(client, repeat, team="north"),
                    "within_14_days": await measure(client, repeat, within_days=14),
                    "assessments_only": await measure(client, repeat, kinds=("assessment",)),
                }
                cli = await asyncio.to_thread(cli_seconds, server.address, tmp)
                for label, figures in cases.items():
                    print(
                        json.dumps(
                            {
                                "benchmark": "overdue_query",
                                "open_cases": size,
                                "query": label,
                                **figures,
                                "repeat": repeat,
                                "start_seconds": round(start_s, 1),
                                "visibility_catch_up_seconds": round(lag_s, 1),
                                "cli_end_to_end_seconds": round(cli, 2),
                            }
                        ),
                        flush=True,
                    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(main([int(s) for s in args.sizes.split(",")], args.repeat))
    os._exit(0)  # see ehc.cli.main: the SDK runtime can abort at interpreter exit
