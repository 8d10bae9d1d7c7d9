"""Connecting to Temporal the standard way, so the same code runs on a laptop or in the cloud.

``TEMPORAL_ADDRESS`` (default ``localhost:7233``), ``TEMPORAL_NAMESPACE`` (default ``default``),
``TEMPORAL_API_KEY``, ``TEMPORAL_TLS_*`` and ``TEMPORAL_PROFILE`` / ``temporal.toml`` are read
by ``temporalio.envconfig``. Payloads use the pydantic data converter.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from temporalio.client import Client
from temporalio.envconfig import ClientConfig
from temporalio.service import RPCError

from ehc import codec, logs
from ehc.settings import Settings

DEFAULT_ADDRESS = "localhost:7233"

_runtime_installed = False


def use_project_logging() -> None:
    """Send the SDK core's log lines through Python logging, so ``ehc.logs`` decides whether
    and how they show (structlog's format; on a terminal only at DEBUG).

    Left alone, the Rust core writes its warnings straight to stderr in its own coloured
    format (a "Temporal Server 1.16.0 or newer is required..." line under the simulator's
    progress bar, say). Its runtime is built once per process, before the first client or
    test server, so this must run before either; a default runtime made elsewhere first (a
    test's) is kept.
    """
    global _runtime_installed
    if _runtime_installed:
        return
    _runtime_installed = True
    from temporalio.runtime import (
        LogForwardingConfig,
        LoggingConfig,
        Runtime,
        TelemetryConfig,
        TelemetryFilter,
    )

    runtime = Runtime(
        telemetry=TelemetryConfig(
            logging=LoggingConfig(
                filter=TelemetryFilter(core_level=logs.sdk_core_level(), other_level="ERROR"),
                forwarding=LogForwardingConfig(logger=logging.getLogger(logs.SDK_CORE_LOGGER)),
            )
        )
    )
    with contextlib.suppress(RuntimeError):  # already set: keep that one
        Runtime.set_default(runtime, error_if_already_set=True)


class TemporalUnreachable(RuntimeError):
    """No Temporal server answered at the configured address."""


def connect_config() -> dict[str, Any]:
    config: dict[str, Any] = dict(ClientConfig.load_client_connect_config())
    config.setdefault("target_host", DEFAULT_ADDRESS)
    config.setdefault("namespace", "default")
    return config


async def connect(settings: Settings, **overrides: Any) -> Client:
    """A client whose payloads are encrypted with the configured keys (``ehc.codec``); its
    workers use the same converter. Raises ``CodecError`` in one line without a usable key."""
    use_project_logging()
    converter = codec.converter_for(settings)
    config = {**connect_config(), **overrides}
    try:
        return await Client.connect(data_converter=converter, **config)
    except (RPCError, RuntimeError) as error:
        raise TemporalUnreachable(
            f"cannot reach Temporal at {config['target_host']} (namespace "
            f"{config['namespace']}): start the embedded system with `make run` (or `ehc up`), "
            "or set TEMPORAL_ADDRESS"
        ) from error
