"""Serving the web service: alone (``ehc web``) or inside ``ehc up`` beside the worker.

``serve`` runs uvicorn in the caller's event loop and returns when ``stop`` is set
(``ehc.asgi``), so ``ehc up`` can start it as one more task sharing the worker's Temporal
client.
"""

from __future__ import annotations

import asyncio
import socket

import structlog
from fastapi import FastAPI
from temporalio.client import Client

from ehc.asgi import serve_app
from ehc.settings import Settings
from ehc.web import WebCannotStart
from ehc.web.app import create_web_app
from ehc.web.assets import GOVUK_FRONTEND

log = structlog.get_logger(__name__)


def check_can_serve(settings: Settings) -> None:
    """Before starting anything: the assets are installed and the port is free, or
    ``WebCannotStart`` saying what to do."""
    GOVUK_FRONTEND.folder()
    web = settings.web
    family = socket.AF_INET6 if ":" in web.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((web.host, web.port))
        except OSError as error:
            raise WebCannotStart(
                f"the web service cannot listen on {web_address(settings)} "
                f"({error.strerror}): set EHC_WEB_PORT (or EHC_WEB_HOST) to a free one"
            ) from None


def web_address(settings: Settings) -> str:
    host = settings.web.host
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{settings.web.port}"


async def serve(
    settings: Settings,
    *,
    client: Client | None = None,
    stop: asyncio.Event | None = None,
    app: FastAPI | None = None,
) -> None:
    """Serve ``app`` (default: ``create_web_app(settings, client)``) until ``stop`` is set
    (or forever), on ``settings.web``'s host and port.

    Raises ``AssetsMissing`` without GOV.UK Frontend installed (``make install``).
    """
    app = app or create_web_app(settings, client)
    log.info("web service listening", url=web_address(settings))
    await serve_app(app, host=settings.web.host, port=settings.web.port, stop=stop)


def start_beside_worker(
    settings: Settings, client: Client, stop: asyncio.Event
) -> asyncio.Task[None]:
    """For ``ehc up``: the web service as a task sharing the worker's client, until ``stop``.
    Builds the app first, so a missing asset or directory fails here, in one line."""
    app = create_web_app(settings, client)
    return asyncio.create_task(serve(settings, client=client, stop=stop, app=app))
