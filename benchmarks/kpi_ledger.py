"""KPIs and the SEN2 table over a reporting ledger of 100,000 rows.

Fills a fresh ledger (SQLite in a temporary directory by default, or ``--database-url``,
e.g. an empty PostgreSQL database) with two years of a large council's steps and outcomes,
in the proportions the workflows write them (an assessment: its decision, three pieces of
advice, draft, plan and outcome; a review cycle: meeting, report, decision, maybe an
amendment, and its outcome), then times what ``ehc kpi`` and ``ehc export sen2`` do: read the
rows, compute. Prints one JSON object per measurement.

    .venv/bin/python benchmarks/kpi_ledger.py [--rows 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from activities.schema import ledger_outcomes, ledger_steps
from ehc.kpis import ledger_kpis, sen2
from ehc.ledger_reader import LedgerReader
from statutory.periods import parse_period

TEAMS = ("north", "south", "east", "west")
PROVIDERS = (
    ("psychological", "Educational Psychology Service"),
    ("medical", "Community Paediatrics"),
    ("educational", "Current school"),
    ("social-care", "Children's Social Care"),
)
FIRST_DAY = date(2025, 1, 1)
DAYS = 700


@dataclass(frozen=True)
class _Case:
    """One case's rows of the ledger: what every row of it repeats."""

    ref: str
    process: str
    cycle: int
    team: str
    detail: dict[str, str] = field(default_factory=dict)
    """Codes every step of the case carries (a review's category)."""

    def _row(self, what: str, **columns: Any) -> dict[str, Any]:
        """A ledger row as the workflows key it (workflow id, cycle, what is recorded)."""
        workflow_id = f"{self.process}-{self.ref}"
        return {
            "key": f"{workflow_id}:{self.cycle}:{what}",
            "recorded_at": datetime.now(UTC),
            "workflow_id": workflow_id,
            "case_ref": self.ref,
            "process": self.process,
            "cycle": self.cycle,
            **columns,
            "caseworker": "cw001",
            "team": self.team,
        }

    def step(self, name: str, due: date, done: date, **detail: str) -> dict[str, Any]:
        return self._row(
            name,
            step=name,
            regulation="",
            due=due,
            target=due,
            completed_on=done,
            met=done <= due,
            exception_applies=False,
            statutory=True,
        ) | {"detail": self.detail | detail}

    def outcome(self, ended: date, outcome: dict[str, Any]) -> dict[str, Any]:
        return self._row("outcome", ended_on=ended) | {"outcome": outcome}


def assessment_rows(n: int, rng: random.Random) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    case = _Case(f"KB-A{n:06d}", "assessment", 0, rng.choice(TEAMS))
    received = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    decided = received + timedelta(days=rng.randint(20, 60))
    steps = [case.step("decide-to-assess", received + timedelta(weeks=6), decided)]
    for i, (kind, provider) in enumerate(rng.sample(PROVIDERS, 3), start=1):
        back = decided + timedelta(days=rng.randint(20, 70))
        steps.append(
            case.step(
                f"advice-{i}",
                decided + timedelta(weeks=6),
                back,
                advice_type=kind,
                provider=provider,
            )
        )
    issued = received + timedelta(days=rng.randint(110, 200))
    due = received + timedelta(weeks=20)
    steps.append(case.step("draft-served", due - timedelta(days=15), issued - timedelta(days=20)))
    steps.append(case.step("final-plan", due, issued))
    exception = rng.random() < 0.08
    outcome = case.outcome(
        issued,
        {
            "ending": "plan-issued",
            "final_plan_due": due.isoformat(),
            "exceptions_apply": exception,
            "within_20_weeks": issued <= due,
            "within_20_weeks_excluding_exceptions": None if exception else issued <= due,
        },
    )
    return steps, outcome


def review_rows(n: int, rng: random.Random) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    ref, team = f"KB-R{n:06d}", rng.choice(TEAMS)
    due = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    held = due + timedelta(days=rng.randint(-40, 30))
    decided = held + timedelta(days=rng.randint(10, 45))
    category = rng.choice(("other", "other", "other", "secondary-transfer", "post16-transfer"))
    case = _Case(ref, "review", 1, team, {"category": category})
    steps = [
        case.step("review-meeting", due, held),
        case.step("report", held + timedelta(weeks=2), held + timedelta(days=rng.randint(3, 20))),
        case.step("decision", held + timedelta(weeks=4), decided),
    ]
    amend = rng.random() < 0.4
    if amend:
        final = decided + timedelta(days=rng.randint(30, 80))
        steps.append(case.step("final-amended-plan", decided + timedelta(weeks=8), final))
    outcome = case.outcome(
        decided,
        {
            "decision": "amend" if amend else "maintain",
            "category": category,
            "reviewed_within_12_months": held <= due,
            "amended_within_12_weeks": (final <= held + timedelta(weeks=12)) if amend else None,
        },
    )
    return steps, outcome


def fill(reader: LedgerReader, target: int) -> tuple[int, int]:
    rng = random.Random(2026)
    steps: list[dict[str, Any]] = []
    outcomes: list[dict[str, Any]] = []
    n = 0
    while len(steps) + len(outcomes) < target:
        made = assessment_rows(n, rng) if n % 3 == 0 else review_rows(n, rng)
        steps.extend(made[0])
        outcomes.append(made[1])
        n += 1
    with reader.engine.begin() as conn:
        for first in range(0, len(steps), 5000):
            conn.execute(insert(ledger_steps), steps[first : first + 5000])
        for first in range(0, len(outcomes), 5000):
            conn.execute(insert(ledger_outcomes), outcomes[first : first + 5000])
    return len(steps), len(outcomes)


def timed(repeat: int, work: Callable[[], object]) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        runs.append(time.perf_counter() - began)
    return {"median_s": round(statistics.median(runs), 3), "max_s": round(max(runs), 3)}


def main(rows: int, url: str | None, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        reader = LedgerReader(url or f"sqlite:///{Path(tmp) / 'ehc.db'}")
        began = time.perf_counter()
        step_rows, outcome_rows = fill(reader, rows)
        base = {
            "benchmark": "kpi_ledger",
            "database": reader.engine.dialect.name,
            "ledger_rows": step_rows + outcome_rows,
            "fill_seconds": round(time.perf_counter() - began, 1),
        }
        measurements: dict[str, Callable[[], object]] = {
            "kpi year 2025": lambda: ledger_kpis(reader, parse_period("2025")),
            "kpi month 2025-10": lambda: ledger_kpis(reader, parse_period("2025-10")),
            "kpi quarter 2025-Q3, one team": lambda: ledger_kpis(
                reader, parse_period("2025-Q3"), team="north"
            ),
            "sen2 2025": lambda: sen2(reader, 2025),
            "read only: steps and outcomes of 2025": lambda: (
                reader.steps(date(2025, 1, 1), date(2025, 12, 31)),
                reader.outcomes(date(2025, 1, 1)),
            ),
        }
        for label, work in measurements.items():
            print(
                json.dumps({**base, "what": label, **timed(repeat, work), "repeat": repeat}),
                flush=True,
            )
        reader.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    main(args.rows, args.database_url, args.repeat)
