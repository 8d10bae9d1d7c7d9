"""The embedded Temporal server a benchmark measures against, run as ``ehc up`` runs it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from temporalio.client import Client

from ehc.codec import ensure_local_key
from ehc.server import EmbeddedServer
from ehc.settings import Settings
from ehc.temporal import connect


@asynccontextmanager
async def embedded_server(settings: Settings) -> AsyncIterator[tuple[EmbeddedServer, Client]]:
    """The server on ``settings``' ports and data folder, and a client of it; stopped after.
    Payloads are encrypted, as ``ehc up`` runs (the CLI finds the key in the data folder)."""
    ensure_local_key(settings)
    server = EmbeddedServer(settings)
    await server.start()
    try:
        yield server, await connect(settings, target_host=server.address)
    finally:
        server.stop()
