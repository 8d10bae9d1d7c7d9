"""Serving the API: alone (``ehc api``) or inside ``ehc up`` beside the worker.

``serve`` runs uvicorn in the caller's event loop and returns when ``stop`` is set
(``ehc.asgi``), so ``ehc up`` can start it as one more task that shares the worker's Temporal
client.
"""

from __future__ import annotations

import asyncio
import gc

import structlog
from temporalio.client import Client

from ehc.api.app import create_app
from ehc.api.auth import TokenConfigError
from ehc.asgi import serve_app
from ehc.settings import Settings

log = structlog.get_logger(__name__)


async def serve(
    settings: Settings,
    *,
    client: Client | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve until ``stop`` is set (or forever), on ``settings.api``'s host and port. Raises
    ``TokenConfigError`` without tokens."""
    api = settings.api
    app = create_app(settings, client)
    # What is loaded by now (modules, the app) lives as long as the process: kept out of the
    # cyclic collector's way, so the objects of a long list (an overdue list of thousands of
    # lines) do not make each full collection walk it all again (benchmarks/read_model.py).
    gc.freeze()
    log.info("api listening", url=f"http://{api.host}:{api.port}", docs="/docs")
    await serve_app(app, host=api.host, port=api.port, stop=stop)


def start_beside_worker(
    settings: Settings, client: Client, stop: asyncio.Event
) -> asyncio.Task[None] | None:
    """For ``ehc up``: serve the API as a task sharing the worker's client, until ``stop``.

    Without any configured token the API is not started (there is no anonymous access):
    logs why and returns None.
    """
    api = settings.api
    try:
        api.load_tokens()
    except TokenConfigError as error:
        # Tokens given but unusable is a mistake to shout about; none at all is a choice.
        configured = bool(api.tokens.strip()) or api.token_file is not None
        (log.warning if configured else log.info)("api not started", reason=str(error))
        return None
    return asyncio.create_task(serve(settings, client=client, stop=stop))
