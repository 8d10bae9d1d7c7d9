"""Connecting to Temporal the standard way, so the same code runs on a laptop or in the cloud.

``TEMPORAL_ADDRESS`` (default ``localhost:7233``), ``TEMPORAL_NAMESPACE`` (default ``default``),
``TEMPORAL_API_KEY``, ``TEMPORAL_TLS_*`` and ``TEMPORAL_PROFILE`` / ``temporal.toml`` are read
by ``temporalio.envconfig``. Payloads use the pydantic data converter.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.envconfig import ClientConfig
from temporalio.service import RPCError

DEFAULT_ADDRESS = "localhost:7233"


class TemporalUnreachable(RuntimeError):
    """No Temporal server answered at the configured address."""


def connect_config() -> dict[str, Any]:
    config: dict[str, Any] = dict(ClientConfig.load_client_connect_config())
    config.setdefault("target_host", DEFAULT_ADDRESS)
    config.setdefault("namespace", "default")
    return config


async def connect(**overrides: Any) -> Client:
    config = {**connect_config(), **overrides}
    try:
        return await Client.connect(data_converter=pydantic_data_converter, **config)
    except (RPCError, RuntimeError) as error:
        raise TemporalUnreachable(
            f"cannot reach Temporal at {config['target_host']} (namespace "
            f"{config['namespace']}): start the embedded system with `make run` (or `ehc up`), "
            "or set TEMPORAL_ADDRESS"
        ) from error
