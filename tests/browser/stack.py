"""The live stack the browser tests use: the web service served by uvicorn on a free loopback
port, beside a worker running the real workflows on the embedded Temporal dev server, so the
read model the lists show is written by the workflows as in production.

Also the cases the tests start behind the browser's back (``start_case``) and waiting until
the read model shows them (``until_listed``): the lists read the read model, which the
workflows fill asynchronously.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from temporalio.client import Client
from temporalio.service import RPCError

from activities.outbox import Outbox
from ehc.cases import Assessments
from ehc.read_model import CaseViewRow, ReadModel
from ehc.settings import Settings
from ehc.web.app import create_web_app
from ehc.web.serve import serve
from ehc.web.settings import WebSettings
from statutory import assessment as rules
from tests.workflow.helpers import running_worker
from workflows.models import assessment_workflow_id, review_workflow_id

LOOPBACK = "127.0.0.1"  # the local sign-in answers only a loopback address


@dataclass
class Site:
    """The web service under test and what stands behind it."""

    url: str
    settings: Settings
    client: Client
    app: FastAPI
    refs: list[str] = field(default_factory=list)
    """Case references started by the tests: their workflows are ended with the stack."""

    @property
    def read_model(self) -> ReadModel:
        model: ReadModel = self.app.state.web.read_model
        return model

    def new_ref(self, prefix: str = "WEB") -> str:
        """A fresh case reference (with digits: a reference of two words reads like a
        name), remembered so its workflows are ended with the stack."""
        ref = f"{prefix}-{uuid.uuid4().int % 10**8:08d}"
        self.refs.append(ref)
        return ref


def today() -> date:
    return datetime.now(UTC).date()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        port: int = s.getsockname()[1]
        return port


async def until_serving(url: str, server: asyncio.Task[None], within: float = 30.0) -> None:
    """Poll the sign-in page until it answers; the server's own error if it stops first."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    async with httpx.AsyncClient(base_url=url) as http:
        while True:
            if server.done():
                server.result()  # raises why it stopped
                raise RuntimeError(f"the web service at {url} stopped before it answered")
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/sign-in")).status_code == 200:
                    return
            if loop.time() > deadline:
                raise TimeoutError(f"the web service at {url} did not answer in {within}s")
            await asyncio.sleep(0.05)


@asynccontextmanager
async def live_site(client: Client, data_dir: Path) -> AsyncIterator[Site]:
    """A worker on a fresh task queue and the web service on a free port, both in this
    event loop; on leaving, the tests' workflows are ended while the worker still runs."""
    port = free_port()
    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'ehc.db'}",
        task_queue=f"browser-{uuid.uuid4().hex[:8]}",
        web=WebSettings(host=LOOPBACK, port=port, local_sign_in="auto"),
    )
    outbox = Outbox(settings.resolved_database_url)
    async with running_worker(
        client, outbox, task_queue=settings.task_queue, terminate_on_exit=False
    ):
        app = create_web_app(settings, client)
        stop = asyncio.Event()
        server = asyncio.create_task(serve(settings, app=app, stop=stop))
        url = f"http://{LOOPBACK}:{port}"
        site = Site(url=url, settings=settings, client=client, app=app)
        try:
            await until_serving(url, server)
            yield site
        finally:
            for ref in site.refs:
                for workflow_id in (assessment_workflow_id(ref), review_workflow_id(ref)):
                    with contextlib.suppress(RPCError):
                        await client.get_workflow_handle(workflow_id).terminate("test over")
            stop.set()
            await server


async def start_case(
    site: Site,
    *,
    caseworker: str,
    received: date,
    events: Sequence[rules.AssessmentEvent] = (),
    team: str = "north",
) -> str:
    """Start an assessment with its history through the service the CLI and pages use, and
    wait until the read model lists it; its reference."""
    ref = site.new_ref()
    request = rules.AssessmentRequest(
        case_ref=ref, received=received, caseworker=caseworker, team=team
    )
    service = Assessments(site.client, site.settings)
    assert await service.start(request, prior_events=events)
    stage = (await service.view(ref)).case.stage.value
    await until_listed(site, ref, lambda row: row.stage == stage)
    return ref


async def until_listed(
    site: Site,
    ref: str,
    ready: Callable[[CaseViewRow], bool] = lambda _: True,
    within: float = 30.0,
) -> CaseViewRow:
    """Poll the read model until the case's assessment row is there and ``ready``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    workflow_id = assessment_workflow_id(ref)
    while True:
        row = site.read_model.case(workflow_id)
        if row is not None and ready(row):
            return row
        if loop.time() > deadline:
            raise TimeoutError(f"{ref} is not in the read model as expected after {within}s: {row}")
        await asyncio.sleep(0.05)
