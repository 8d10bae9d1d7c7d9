"""Serving an ASGI app (the API, the web pages) with uvicorn in the caller's event loop, so
``ehc up`` can run it as one more task beside the worker, sharing its Temporal client."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Generator

import uvicorn
from fastapi import FastAPI


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # The caller owns Ctrl-C (``ehc up`` stops server, worker, API and web in order).
        yield


async def serve_app(app: FastAPI, *, host: str, port: int, stop: asyncio.Event | None) -> None:
    """Serve ``app`` on ``host`` and ``port`` until ``stop`` is set (or forever).

    No access log: addresses hold case references. ``X-Forwarded-Proto`` from a proxy on this
    machine is believed (https behind it)."""
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=True
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    if stop is None:
        await task
        return
    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    await task
    waiter.cancel()
