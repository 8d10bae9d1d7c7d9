"""A worker in a process of its own, for the fault tests to kill with SIGKILL.

    python -m tests.e2e.fault_worker [--heartbeat SECONDS]

It is the worker ``ehc worker`` runs (the same workflows, activities, settings from ``EHC_*``
and log format), with the timers that notice a dead worker scaled from minutes to seconds,
so a takeover happens within a test; what happens at a takeover is unchanged:

- the alert activity's heartbeat timeout (``DELIVERY_HEARTBEAT``, 12 minutes) becomes
  ``--heartbeat`` seconds, and its retry interval one second (``ALERT_RETRY``: 5 s and up);
- a claim's lease outlasts the SMTP timeout (``EHC_SMTP_TIMEOUT``) by one second, not by
  ``LEASE_MARGIN``'s minute.

Runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import signal
import sys
from datetime import timedelta
from typing import Any

import structlog
from temporalio.common import RetryPolicy
from temporalio.plugin import SimplePlugin
from temporalio.worker import (
    Interceptor,
    StartActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from activities import sending
from ehc.logs import configure
from ehc.settings import Settings
from ehc.temporal import connect
from ehc.worker import running_worker
from workflows.activity_refs import SEND_ALERT

QUICK_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=1.0,
    maximum_interval=timedelta(seconds=1),
)


def scaled_timers(heartbeat: timedelta) -> Interceptor:
    """An interceptor giving the alert activity ``heartbeat`` and QUICK_RETRY."""

    class Outbound(WorkflowOutboundInterceptor):
        def start_activity(self, input: StartActivityInput) -> Any:
            if input.activity == SEND_ALERT:
                input = dataclasses.replace(
                    input, heartbeat_timeout=heartbeat, retry_policy=QUICK_RETRY
                )
            return super().start_activity(input)

    class Inbound(WorkflowInboundInterceptor):
        def init(self, outbound: WorkflowOutboundInterceptor) -> None:
            super().init(Outbound(outbound))

    class Scaled(Interceptor):
        def workflow_interceptor_class(
            self, input: WorkflowInterceptorClassInput
        ) -> type[WorkflowInboundInterceptor]:
            return Inbound

    return Scaled()


async def main(heartbeat: timedelta) -> None:
    settings = Settings()
    configure(settings.log_level, settings.log_format)
    sending.LEASE_MARGIN = timedelta(seconds=1)
    plugin = SimplePlugin("ehc-fault-tests", interceptors=[scaled_timers(heartbeat)])
    client = await connect(settings, plugins=[plugin])
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with running_worker(client, settings):
        structlog.get_logger(__name__).info("worker running", task_queue=settings.task_queue)
        await stop.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heartbeat", type=float, default=5.0)
    asyncio.run(main(timedelta(seconds=parser.parse_args().heartbeat)))
    sys.stderr.flush()
    os._exit(0)  # see ehc.cli.main: the SDK runtime can abort at interpreter exit
