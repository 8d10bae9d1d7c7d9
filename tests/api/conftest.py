"""API tests: the app in process (httpx ASGI transport) on the real dev server, with a worker."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from activities.outbox import Outbox
from ehc.api.app import create_app
from ehc.api.settings import ApiSettings
from ehc.settings import Settings
from tests.workflow.helpers import running_worker

TOKENS = {
    "supervisor": "supervisor-token-0001",
    "analyst": "analyst-token-000001",
    "cw101": "caseworker-token-cw101",
    "cw202": "caseworker-token-cw202",
}
TOKEN_LINES = ",".join(
    [
        f"{TOKENS['supervisor']} supervisor",
        f"{TOKENS['analyst']} analyst",
        f"{TOKENS['cw101']} caseworker cw101",
        f"{TOKENS['cw202']} caseworker cw202",
    ]
)


def bearer(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[who]}"}


def ref() -> str:
    """A fresh case reference; digits only, as API-ABCDEFAB (two words) reads like a name."""
    return f"API-{uuid.uuid4().int % 10**8:08d}"


@dataclass
class Api:
    http: httpx.AsyncClient
    settings: Settings
    env: WorkflowEnvironment


@pytest_asyncio.fixture
async def api(dev_server_env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[Api]:
    url = f"sqlite:///{tmp_path / 'ehc.db'}"
    async with running_worker(dev_server_env.client, Outbox(url)) as queue:
        settings = Settings(
            task_queue=queue,
            data_dir=tmp_path,
            database_url=url,
            api=ApiSettings(tokens=TOKEN_LINES),
        )
        app = create_app(settings, dev_server_env.client)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
                yield Api(http, settings, dev_server_env)
