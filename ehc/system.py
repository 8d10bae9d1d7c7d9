"""Running the system: the worker loop, the embedded stack of ``ehc up``, loading the demo."""

from __future__ import annotations

import asyncio
import signal
from datetime import date, timedelta

import structlog
from temporalio.client import Client
from temporalio.service import RPCError

from ehc import codec, demo, redrive
from ehc.api.serve import start_beside_worker
from ehc.cases import Assessments
from ehc.digest import ensure_schedule
from ehc.reviews import Reviews
from ehc.server import EmbeddedServer, ServerError
from ehc.settings import Settings
from ehc.temporal import connect
from ehc.web.serve import check_can_serve, web_address
from ehc.web.serve import start_beside_worker as start_web_beside_worker
from ehc.worker import running_worker

log = structlog.get_logger(__name__)
DEMO_MARKER = ".demo-loaded"
DEMO_CONCURRENCY = 16  # the embedded SQLite server overloads with hundreds of starts in flight


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def load_demo(client: Client, settings: Settings, today: date) -> tuple[int, int]:
    """Start the demo caseload; returns (started, already there). Safe to run twice."""
    assessments, reviews = Assessments(client, settings), Reviews(client, settings)
    gate = asyncio.Semaphore(DEMO_CONCURRENCY)

    async def case(c: demo.DemoCase) -> bool:
        async with gate:
            # The demo's histories are complete: its overdue steps escalate at once.
            return await assessments.start(c.request, c.events, today=today, settle=False)

    async def plan(p: demo.DemoPlan) -> bool:
        async with gate:
            return await reviews.start(
                p.plan,
                last_review=p.last_review,
                transfer=p.transfer,
                prior_events=p.events,
                today=today,
                settle=False,
            )

    results = await asyncio.gather(
        *(case(c) for c in demo.caseload(today)), *(plan(p) for p in demo.plans(today))
    )
    return sum(results), len(results) - sum(results)


async def ensure_redrive(client: Client, settings: Settings) -> None:
    """The outbox re-drive's schedule: without it, a message whose channel was down for
    longer than its retries would wait for ``ehc outbox resend``."""
    every = timedelta(minutes=settings.outbox_redrive_minutes)
    try:
        await redrive.ensure_schedule(client, settings.task_queue, every)
    except RPCError as error:  # e.g. a namespace where this worker may not manage schedules
        log.error("outbox re-drive schedule not set up", error=str(error))


async def run_worker(settings: Settings) -> None:
    """The worker of ``ehc worker`` and ``python worker.py``, against the configured Temporal
    (``TEMPORAL_ADDRESS``...), until SIGINT or SIGTERM."""
    client = await connect(settings)  # refuses to start without an encryption key
    if client.data_converter.payload_codec is None:
        log.warning("payload encryption is off: case data goes to Temporal in clear")
    stop = _stop_on_signals()
    async with running_worker(client, settings):
        await ensure_redrive(client, settings)
        log.info(
            "worker running",
            task_queue=settings.task_queue,
            activity_threads=settings.worker_activity_threads,
        )
        await stop.wait()
    log.info("worker stopped")


async def up(settings: Settings, *, with_demo: bool, today: date) -> None:
    """Server, worker, web service and (once) demo data; runs until Ctrl-C, then stops them
    in order."""
    check_can_serve(settings)  # the web pages' assets and port: before starting anything
    codec.ensure_local_key(settings)  # the embedded default: a key of its own, made once
    server = EmbeddedServer(settings)
    await server.start()
    stop = _stop_on_signals()
    try:
        client = await connect(settings, target_host=server.address, namespace="default")
        async with running_worker(client, settings):
            await ensure_schedule(client, settings.task_queue)
            await ensure_redrive(client, settings)
            marker = settings.data_dir / DEMO_MARKER
            if with_demo and not marker.exists():
                started, existing = await load_demo(client, settings, today)
                marker.write_text(f"{today.isoformat()}\n")
                log.info("demo caseload loaded", started=started, already_there=existing)
            api = start_beside_worker(settings, client, stop)
            web = start_web_beside_worker(settings, client, stop)
            _banner(server, settings, api_url=api_address(settings) if api else None)
            died = await server.until(stop)  # Ctrl-C, or the server dying
            log.info("stopping")
            if api is not None:
                await api  # uvicorn finishes its requests and exits on `stop`
            await web  # likewise
    finally:
        server.stop()
    if died is not None:  # the cases cannot be kept without it: say so, and fail
        raise ServerError(server.stopped_unexpectedly(died))


def api_address(settings: Settings) -> str:
    return f"http://{settings.api.host}:{settings.api.port}/docs"


def _banner(server: EmbeddedServer, settings: Settings, *, api_url: str | None) -> None:
    default_address = server.address in ("127.0.0.1:7233", "localhost:7233")
    env = "" if default_address else f"TEMPORAL_ADDRESS={server.address} "
    print(
        f"""
EHC statutory clock is running (Ctrl-C to stop; cases persist in {settings.data_dir}/).
  Temporal server  {server.address}   (SQLite: {server.db_file})
  Temporal UI      {server.ui_url}
  Outbox, ledger   {settings.resolved_database_url}
  Web service      {web_address(settings)}   (sign in as a demo member of staff)
  HTTP API         {api_url or "off (set EHC_API_TOKENS to serve it)"}
  Case data        {codec.describe(settings)}

In another terminal (after `. .venv/bin/activate`):
  {env}ehc assessment list --overdue
  {env}ehc assessment show DEMO-0001
  {env}ehc review list --overdue
  {env}ehc review show DEMO-P0001
  {env}ehc import plans samples/plans.csv --dry-run
  {env}ehc assessment start EHC-2026-0001 --received 2026-10-01 --caseworker cw101 --team north
  ehc deadlines assessment --received 2025-05-21
""",
        flush=True,
    )
