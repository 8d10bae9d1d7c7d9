"""`ehc import` against the real dev server: every bad row reported, nothing half-done,
importing the same file twice creates nothing new, and a file that cannot be read or a server
that goes away mid-import ends with one line saying what to do."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from tests.workflow.helpers import running_worker
from workflows.models import assessment_workflow_id, review_workflow_id

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


# --- a file that cannot be read, and a server that goes away -----------------------------------


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command's error: one line on stderr, starting "ehc: "."""
    errors = [line for line in result.stderr.splitlines() if line.startswith("ehc: ")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return errors[0]


async def test_a_file_that_cannot_be_read_is_one_line_naming_the_line(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    header = "case_ref,plan_date,caseworker,team\n"
    huge = tmp_path / "huge.csv"
    huge.write_text(header + "EHC-2024-0001,2024-01-10,cw101,north\n" + "x" * 140_000 + "\n")
    split = tmp_path / "split.csv"
    split.write_text(header + 'EHC-2024-0001,2024-01-10,cw101,"north\nsouth"\n')
    for args, expected in [
        ((str(tmp_path),), f"ehc: {tmp_path}: is a folder; give the CSV file itself"),
        ((str(huge),), f"ehc: {huge}: line 3: a value is longer than 131,072 characters"),
        ((str(split),), f"ehc: {split}: line 2: a value runs over 2 lines (to line 3)"),
    ]:
        result = await ehc(cli_env, "import", "plans", *args)
        assert result.returncode == 2, result.stderr
        assert _one_error_line(result).startswith(expected)


async def test_a_server_gone_mid_import_is_one_line_and_running_again_finishes_it(
    tmp_path: Path,
) -> None:
    rows = 300
    received = (datetime.now(UTC).date() - timedelta(days=10)).isoformat()
    cases = tmp_path / "assessments.csv"
    cases.write_text(
        "case_ref,received,caseworker,team\n"
        + "".join(f"GONE-{n:05d},{received},cw101,north\n" for n in range(1, rows + 1))
    )
    database = tmp_path / "temporal.db"  # the server's state outlives it, as a real one's does

    async def server() -> WorkflowEnvironment:
        return await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
            data_converter=pydantic_data_converter,
            dev_server_log_level="error",
            dev_server_extra_args=["--db-filename", str(database)],
        )

    def env_for(running: WorkflowEnvironment, concurrency: int) -> dict[str, str]:
        return {
            **os.environ,
            "TEMPORAL_ADDRESS": running.client.service_client.config.target_host,
            "EHC_DATA_DIR": str(tmp_path),
            "EHC_LOG_FORMAT": "json",
            "EHC_IMPORT_CONCURRENCY": str(concurrency),
            "EHC_PAYLOAD_ENCRYPTION": "false",  # no worker reads these cases
        }

    first = await server()
    importing = asyncio.create_task(ehc(env_for(first, 1), "import", "assessments", str(cases)))
    # The server goes away once the import is under way (its first case exists).
    handle = first.client.get_workflow_handle(assessment_workflow_id("GONE-00001"))
    while True:
        assert not importing.done(), importing.result().stderr
        try:
            await handle.describe()
            break
        except RPCError:
            await asyncio.sleep(0.05)
    await first.shutdown()
    stopped = await importing
    assert stopped.returncode == 1, stopped.stderr
    line = _one_error_line(stopped)
    said = re.search(r"import stopped: the Temporal server stopped answering after (\d+) of", line)
    assert said is not None, line
    started = int(said.group(1))
    assert 1 <= started < rows
    assert line.endswith(
        f"run the same command again; the {started} rows done are counted as already there, "
        "and only the rest started."
    )

    second = await server()
    try:
        again = await ehc(env_for(second, 32), "import", "assessments", str(cases))
        assert again.returncode == 0, again.stderr
        done = re.search(r"(\d+) assessment workflows started, (\d+) already there", again.stdout)
        assert done is not None, again.stdout
        assert int(done.group(1)) + int(done.group(2)) == rows
        assert int(done.group(2)) >= started, "a start the server took before it went is kept"
    finally:
        await second.shutdown()
