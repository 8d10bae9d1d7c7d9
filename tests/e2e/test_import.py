"""`ehc import` against the real dev server: every bad row reported, nothing half-done,
and importing the same file twice creates nothing new."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from tests.workflow.helpers import running_worker
from workflows.models import review_workflow_id

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).parents[2]
SAMPLES = ROOT / "samples"


async def ehc(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a thread, so the in-process worker keeps serving meanwhile."""
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "ehc.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def cli_env(dev_server_env: WorkflowEnvironment, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TEMPORAL_ADDRESS": dev_server_env.client.service_client.config.target_host,
        "EHC_DATA_DIR": str(tmp_path),
        "EHC_LOG_FORMAT": "json",
        "EHC_PAYLOAD_ENCRYPTION": "false",  # like the in-process worker (tests/e2e/test_codec.py)
    }


async def test_bad_rows_are_all_reported_and_nothing_is_started(
    dev_server_env: WorkflowEnvironment, cli_env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "plans.csv"
    bad.write_text(
        "case_ref,plan_date,last_review_date,caseworker,team\n"
        "IMP-0001,2024-01-10,2025-01-08,cw101,north\n"
        "IMP-0002,2024-02-30,,cw101,north\n"
        "Jane Smith,2024-01-10,,cw101,north\n"
        "IMP-0004,2024-05-01,2023-05-01,cw101,north\n"
        "IMP-0001,2024-01-10,,cw101,north\n"
    )
    dry = await ehc(cli_env, "import", "plans", str(bad), "--dry-run")
    assert dry.returncode == 2
    lines = dry.stderr.strip().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [
        "row 3 (IMP-0002)",
        "row 4",
        "row 5 (IMP-0004)",
        "row 6 (IMP-0001)",
    ]
    assert "not a real date" in lines[0]
    assert "not a valid case reference" in lines[1]
    assert "JANE" not in dry.stderr.upper().replace("ROW 4:", ""), "a name was echoed"
    assert "before the plan was made" in lines[2]
    assert "repeats row 2" in lines[3]
    assert "Dry run: 5 rows, 1 valid, 4 bad" in dry.stdout

    refused = await ehc(cli_env, "import", "plans", str(bad))
    assert refused.returncode == 2
    assert "Nothing imported: 4 of 5 rows are bad" in refused.stdout
    with pytest.raises(RPCError) as missing:
        await dev_server_env.client.get_workflow_handle(review_workflow_id("IMP-0001")).describe()
    assert missing.value.status == RPCStatusCode.NOT_FOUND


async def test_importing_the_samples_twice_creates_nothing_new(
    dev_server_env: WorkflowEnvironment, cli_env: dict[str, str], tmp_path: Path
) -> None:
    async with running_worker(dev_server_env.client, Outbox(f"sqlite:///{tmp_path}/o.db")) as q:
        env = {**cli_env, "EHC_TASK_QUEUE": q}
        rows = len((SAMPLES / "plans.csv").read_text().strip().splitlines()) - 1
        first = await ehc(env, "import", "plans", str(SAMPLES / "plans.csv"))
        assert first.returncode == 0, first.stderr
        assert f"{rows} rows: {rows} review workflows started, 0 already there." in first.stdout
        again = await ehc(env, "import", "plans", str(SAMPLES / "plans.csv"))
        assert again.returncode == 0, again.stderr
        assert f"0 review workflows started, {rows} already there" in again.stdout
        assert "Nothing new" in again.stdout

        shown = await ehc(env, "review", "show", "EHC-2020-0022", "--json")
        assert shown.returncode == 0, shown.stderr
        assert '"transfer_in_this_cycle": true' in shown.stdout

        cases = await ehc(env, "import", "assessments", str(SAMPLES / "assessments.csv"))
        assert cases.returncode == 0, cases.stderr
        assert "10 rows: 10 assessment workflows started" in cases.stdout
