"""What failed is shown with its reason and sent again: by ``ehc outbox --failed`` and
``ehc outbox resend`` (a caseworker's commands), and by the worker's re-drive schedule."""

from __future__ import annotations

import asyncio
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.alerts import deliver
from activities.channels import SmtpChannel
from activities.directory import Recipient
from activities.outbox import Outbox
from ehc import redrive
from tests.delivery.sample import CW, DIRECTORY, KEY, ROW, ROW_KEY, TEXT, send, smtp_row
from tests.unit.cli_driver import EHC, ROOT
from tests.workflow.helpers import running_worker
from testsupport.servers import free_port, smtp_server
from workflows.redrive import REDRIVE_SCHEDULE_ID


def ehc(args: list[str], cwd: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """``ehc ARGS`` as a caseworker runs it, with these EHC_ settings and no others."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EHC_", "TEMPORAL_"))}
    env.pop("COLUMNS", None)
    env |= {"PYTHONPATH": str(ROOT)} | {f"EHC_{k.upper()}": v for k, v in settings.items()}
    return subprocess.run(
        [*EHC, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120, check=False
    )


def test_a_failed_delivery_is_shown_with_its_reason_and_sent_again_by_resend(
    tmp_path: Path, database_url: str
) -> None:
    outbox = Outbox(database_url)
    # The caseworker's address was missing from the directory: failed for good.
    no_address = Recipient(CW.role, CW.id, None)
    smtp = SmtpChannel("127.0.0.1", free_port(), timeout=2)
    deliver(outbox, [smtp], [no_address], TEXT, key=KEY, row=ROW, last_attempt=False)
    assert smtp_row(outbox)["status"] == "failed"
    directory = tmp_path / "directory.toml"
    directory.write_text(f'[people]\ncw101 = {{ email = "{CW.email}" }}\n')
    common = dict(database_url=database_url, smtp_host="127.0.0.1", smtp_timeout="5")

    shown = ehc(["outbox", "--failed"], tmp_path, database_url=database_url)
    down = ehc(
        ["outbox", "resend", "--case", "ehc-7"],
        tmp_path,
        smtp_port=str(free_port()),
        directory_file=str(directory),
        **common,
    )
    after_down = smtp_row(outbox)
    with smtp_server() as (port, mailbox):
        back = ehc(
            ["outbox", "resend", "--case", "EHC-7"],
            tmp_path,
            smtp_port=str(port),
            directory_file=str(directory),
            **common,
        )
        again = ehc(
            ["outbox", "resend"],
            tmp_path,
            smtp_port=str(port),
            directory_file=str(directory),
            **common,
        )

    assert shown.returncode == 0, shown.stderr
    assert "failed for good" in shown.stdout and "no email address" in shown.stdout
    # Still down: said so, with the reason; the row waits for the worker's re-drive.
    assert down.returncode == 1
    assert "still failing" in down.stdout and "Connection refused" in down.stdout
    assert down.stderr.count("\n") == 1 and "1 message not sent" in down.stderr
    assert (after_down["status"], after_down["last_error"] is not None) == ("due", True)
    # Back: sent, once.
    assert back.returncode == 0, back.stderr
    assert "1 message sent, 0 not." in back.stdout
    assert again.returncode == 0 and "Nothing to send again" in again.stdout
    assert mailbox.by_key() == {ROW_KEY: 1}
    assert smtp_row(outbox)["status"] == "sent"


@pytest.mark.e2e
async def test_the_worker_schedule_sends_what_is_still_due(
    dev_server_env: WorkflowEnvironment, database_url: str
) -> None:
    client, outbox = dev_server_env.client, Outbox(database_url)
    port = free_port()
    send(outbox, SmtpChannel("127.0.0.1", port, timeout=2), last_attempt=True)  # SMTP down
    assert smtp_row(outbox)["status"] == "due"
    smtp = [SmtpChannel("127.0.0.1", port, timeout=10)]
    with smtp_server(port) as (_, mailbox):
        async with running_worker(client, outbox, directory=DIRECTORY, channels=smtp) as queue:
            assert await redrive.ensure_schedule(client, queue, timedelta(seconds=1))
            try:
                await until_sent(outbox)
            finally:
                await client.get_schedule_handle(REDRIVE_SCHEDULE_ID).delete()
    assert mailbox.by_key() == {ROW_KEY: 1}


async def until_sent(outbox: Outbox, within: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while smtp_row(outbox)["status"] != "sent":
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"the re-drive did not send the row within {within}s")
        await asyncio.sleep(0.1)
