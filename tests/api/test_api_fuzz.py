"""The API fuzzed from its own OpenAPI schema (schemathesis): no input gives a server error.

``ehc api`` runs as a real process against a dev server of its own, with a worker in this
process, so generated starts and events reach real workflows. The server is not the
session's: schemathesis reuses case references it reads in responses, and a case left by
another test has no worker to answer (the API would rightly say 504). Bounded: a few
examples per operation, two tokens (a system caseworker token that may write to every case,
and a supervisor).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from tests.workflow.helpers import running_worker
from workflows import search_attributes as sa

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent
TOKENS = {"system": "fuzz-system-token-0001", "supervisor": "fuzz-supervisor-token-01"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _listening(port: int, process: subprocess.Popen[bytes], within: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        assert process.poll() is None, "ehc api exited"
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            assert loop.time() < deadline, "ehc api did not start listening"
            await asyncio.sleep(0.1)


def _fuzz(url: str, token: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(BIN / "schemathesis"),
            "run",
            f"{url}/openapi.json",
            "--checks",
            "not_a_server_error",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            "8",
            "--seed",
            "20261101",
            "--generation-database",
            "none",
            "--workers",
            "1",  # hypothesis's lambda descriptions are not thread-safe on CPython 3.11
            "--request-timeout",
            "30",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest_asyncio.fixture
async def own_dev_server() -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(BIN / "temporal"),
        data_converter=pydantic_data_converter,
        search_attributes=sa.ALL,
        dev_server_log_level="error",
    )
    yield env
    await env.shutdown()


async def test_no_generated_request_gets_a_server_error(
    own_dev_server: WorkflowEnvironment, tmp_path: Path
) -> None:
    port = _free_port()
    outbox = Outbox(f"sqlite:///{tmp_path / 'ehc.db'}")
    async with running_worker(own_dev_server.client, outbox) as queue:
        env = {
            **os.environ,
            "TEMPORAL_ADDRESS": own_dev_server.client.service_client.config.target_host,
            "EHC_TASK_QUEUE": queue,
            "EHC_DATA_DIR": str(tmp_path),
            "EHC_LOG_FORMAT": "json",
            "EHC_PAYLOAD_ENCRYPTION": "false",  # like the in-process worker
            "EHC_API_PORT": str(port),
            "EHC_API_TOKENS": f"{TOKENS['system']} caseworker *, {TOKENS['supervisor']} supervisor",
        }
        api = subprocess.Popen(
            [sys.executable, "-m", "ehc.cli.main", "api"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            await _listening(port, api)
            for token in TOKENS.values():
                # In a thread: the worker in this event loop keeps serving the API's updates.
                result = await asyncio.to_thread(_fuzz, f"http://127.0.0.1:{port}", token)
                assert result.returncode == 0, result.stdout[-3000:]
                assert "generated" in result.stdout and "Server error" not in result.stdout
        finally:
            api.terminate()
            api.wait(timeout=30)
