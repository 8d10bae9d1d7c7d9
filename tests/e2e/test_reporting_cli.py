"""`ehc overdue`, `ehc case`, `ehc kpi`, `ehc export sen2` and `ehc db` as a supervisor runs
them, against the real dev server with a worker."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from ehc.cases import Assessments
from ehc.settings import Settings
from statutory import assessment as rules
from tests.e2e.test_import import ehc
from tests.workflow.helpers import running_worker

pytestmark = pytest.mark.e2e


@pytest.fixture
def cli_env(dev_server_env: WorkflowEnvironment, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TEMPORAL_ADDRESS": dev_server_env.client.service_client.config.target_host,
        "EHC_DATA_DIR": str(tmp_path),
        "EHC_LOG_FORMAT": "json",
        "EHC_PAYLOAD_ENCRYPTION": "false",  # like the in-process worker (tests/e2e/test_codec.py)
    }


def same_steps(visible: list[dict[str, object]], ours: list[dict[str, object]]) -> bool:
    """The same lines, but for the words of a request for advice: visibility knows only its
    published step (the catalogue's words), the read model the case's own."""
    own = ("label", "regulation", "statutory")

    def key(line: dict[str, object]) -> dict[str, object]:
        return {k: v for k, v in line.items() if line["kind"] != "advice" or k not in own}

    return [key(x) for x in visible] == [key(x) for x in ours]


async def test_a_supervisor_sees_overdue_cases_a_chronology_kpis_and_sen2(
    dev_server_env: WorkflowEnvironment,
    cli_env: dict[str, str],
    tmp_path: Path,
) -> None:
    today = datetime.now(UTC).date()
    team = f"a{uuid.uuid4().hex[:6]}"  # sorts early among the known teams an error lists
    late = rules.AssessmentRequest(
        case_ref=f"REP-{uuid.uuid4().int % 10**6:06d}",
        received=today - timedelta(days=60),
        caseworker="cw101",
        team=team,
    )
    soon = late.model_copy(
        update={
            "case_ref": f"REP-{uuid.uuid4().int % 10**6:06d}",
            "received": today - timedelta(days=130),
        }
    )
    # decided in time; its one request for advice is 8 days late (reg 8(1)); its final plan
    # is 10 weeks away: one late step, listed once, as kind advice
    advised = late.model_copy(
        update={
            "case_ref": f"REP-{uuid.uuid4().int % 10**6:06d}",
            "received": today - timedelta(days=70),
        }
    )
    outbox = Outbox(f"sqlite:///{tmp_path / 'ehc.db'}")
    async with running_worker(dev_server_env.client, outbox) as queue:
        env = {**cli_env, "EHC_TASK_QUEUE": queue}
        service = Assessments(dev_server_env.client, Settings(task_queue=queue, data_dir=tmp_path))
        assert await service.start(late)
        # decided in time, draft served: next statutory step the final plan, due in 10 days
        assert await service.start(
            soon,
            [
                rules.DecidedToAssess(on=today - timedelta(days=100)),
                rules.DraftServed(on=today - timedelta(days=20)),
            ],
        )

        assert await service.start(
            advised,
            [
                rules.DecidedToAssess(on=today - timedelta(days=60)),
                rules.AdviceRequested(
                    on=today - timedelta(days=50),
                    advice_type=rules.AdviceType.EDUCATIONAL,
                    provider="Current school",
                ),
            ],
        )

        deadline = asyncio.get_running_loop().time() + 30
        while True:
            listed = await ehc(env, "overdue", "--team", team, "--within", "2w", "--json")
            assert listed.returncode == 0, listed.stderr
            report = json.loads(listed.stdout)
            if len(report["lines"]) >= 3 or asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.25)
        assert [
            (x["case_ref"], x["kind"], x["step"], x["days_overdue"]) for x in report["lines"]
        ] == [
            (late.case_ref, "assessment", "decide-to-assess", 60 - 42),
            (advised.case_ref, "advice", "advice:educational", 50 - 42),
            (soon.case_ref, "assessment", "final-plan", -10),
        ]
        assert report["lines"][0]["regulation"] == "reg 4(1), 5(1)"
        assert report["totals"] == {
            "overdue_steps": 2,
            "overdue_cases": 2,
            "due_soon_steps": 1,
            "due_soon_cases": 1,
        }
        assert report["freshness"].startswith("Read from the read model")
        # The same lines from Temporal visibility, once it has caught up (eventually
        # consistent).
        deadline = asyncio.get_running_loop().time() + 30
        while True:
            visible = await ehc(
                env, "overdue", "--team", team, "--within", "2w", "--json", "--source", "temporal"
            )
            assert visible.returncode == 0, visible.stderr
            seen = json.loads(visible.stdout)
            if same_steps(seen["lines"], report["lines"]):
                break
            if asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.25)
        assert same_steps(seen["lines"], report["lines"])
        assert "eventually consistent" in seen["freshness"]

        table = await ehc(env, "overdue", "--team", team)
        assert (
            "Overdue: 2 steps on 2 cases." in table.stdout
            and "Read from the read model" in table.stdout
        )
        rows = list(
            csv.DictReader(io.StringIO((await ehc(env, "overdue", "--team", team, "--csv")).stdout))
        )
        assert [r["case_ref"] for r in rows] == [late.case_ref, advised.case_ref]
        assert (await ehc(env, "overdue", "--kind", "plans")).returncode == 2

        # A filter that names no one is refused, naming the known ones, not answered "0 overdue".
        for command in (
            ("overdue", "--team", "nrth"),
            ("kpi", "--team", "nrth"),
            ("assessment", "list", "--team", "nrth"),
            ("export", "sen2", "--year", str(today.year), "--module", "requests", "--team", "nrth"),
        ):
            refused = await ehc(env, *command)
            assert refused.returncode == 2, (command, refused.stdout)
            assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
            assert "--team: no case has team 'nrth' (known: " in refused.stderr
            assert team in refused.stderr
        nobody = await ehc(env, "overdue", "--caseworker", "cw999")
        assert nobody.returncode == 2 and "cw101" in nobody.stderr
        wrong_stage = await ehc(env, "overdue", "--kind", "review", "--stage", "decision")
        assert wrong_stage.returncode == 2 and "awaiting-meeting" in wrong_stage.stderr

        case = await ehc(env, "case", soon.case_ref, "--json")
        assert case.returncode == 0, case.stderr
        entries = json.loads(case.stdout)["entries"]
        assert [e["kind"] for e in entries[:3]] == ["event", "event", "done"]
        assert entries[2]["regulation"] == "reg 4(1), 5(1)"
        assert (await ehc(env, "case", "Jane Smith")).returncode == 2

        kpi = await ehc(env, "kpi", "--period", str(today.year), "--team", team, "--json")
        assert kpi.returncode == 0, kpi.stderr
        figures = json.loads(kpi.stdout)
        decisions = next(
            m for m in figures["measures"] if m["key"] == "decisions-to-assess-6-weeks"
        )
        assert (decisions["period"]["met"], decisions["period"]["total"]) == (2, 2)
        assert figures["caseload"]["open"] == {"advice": 1, "assessment": 3}
        assert figures["caseload"]["overdue"] == {"advice": 1, "assessment": 1}
        assert figures["caseload"]["per_caseworker"] == {"cw101": 3}
        assert (await ehc(env, "kpi", "--period", "2026-Q5")).returncode == 2

        out = tmp_path / "sen2"
        year = str(today.year)
        export = await ehc(env, "export", "sen2", "--year", year, "--out-dir", str(out))
        assert export.returncode == 0, export.stderr
        modules = ("requests", "assessments", "named-plans", "active-plans", "transfers-in")
        assert sorted(p.name for p in out.iterdir()) == sorted(
            f"sen2-{year}-{m}.csv" for m in modules
        )
        assert f"SEN2 {today.year + 1} return: calendar year {year}" in export.stdout
        assert len(export.stdout.strip().splitlines()) == 1 + len(modules)
        requests = (out / f"sen2-{year}-requests.csv").read_text()
        assert requests.splitlines()[0] == "CaseRef,ReceivedDate,RequestOutcomeDate,RequestOutcome"
        one = await ehc(env, "export", "sen2", "--year", year, "--module", "requests")
        assert one.returncode == 0 and one.stdout == requests
        assert (
            await ehc(env, "export", "sen2", "--year", year, "--module", "plans")
        ).returncode == 2


async def test_db_upgrade_migrates_once_and_says_so(cli_env: dict[str, str]) -> None:
    first = await ehc(cli_env, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert "Upgraded from an empty database" in first.stdout
    again = await ehc(cli_env, "db", "upgrade")
    assert "Already at revision" in again.stdout
