"""What ``ehc api`` and ``ehc web`` share: the address given on the command line, and
stopping on Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ehc.settings import Settings


def at_address(
    settings: Settings, service: Literal["api", "web"], host: str | None, port: int | None
) -> Settings:
    """``settings`` with the ``--host`` and ``--port`` given for ``service`` (those not given
    stay as configured)."""
    given = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    section = getattr(settings, service).model_copy(update=given)
    return settings.model_copy(update={service: section})


def stop_on_signals() -> asyncio.Event:
    """An event that Ctrl-C or SIGTERM sets, in the running event loop."""
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    return stop
