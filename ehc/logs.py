"""structlog set-up: JSON lines when not on a terminal, readable lines when on one.

The Temporal SDK logs through the standard library (its Python side) and, once
``ehc.temporal.use_project_logging`` has run, its Rust core forwards there too (logger
``temporalio.sdk_core``); both then go through the same structlog format as the project's
own lines. A person at a terminal sees SDK lines only with ``EHC_LOG_LEVEL=DEBUG``: at other
levels they are internals (server capabilities, poller retries) that say nothing about a case.
Machines reading JSON keep the SDK's warnings and errors, as before.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO, cast

import structlog

#: Every logger of the Temporal SDK sits under this one.
SDK_LOGGER = "temporalio"
#: Where the SDK's Rust core forwards its lines (``ehc.temporal.use_project_logging``).
SDK_CORE_LOGGER = "temporalio.sdk_core"
#: The project's own workflow code logs through the SDK's workflow logger (sandbox-safe):
#: those lines are the project's, not the SDK's.
PROJECT_WORKFLOW_LOGGER = "temporalio.workflow"
#: Above CRITICAL: nothing passes.
SILENT = logging.CRITICAL + 1

_sdk_core_level = "WARN"


class _CurrentStderr:
    """A file that writes to ``sys.stderr`` as it is at the time of writing."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure(level: str = "INFO", fmt: str = "auto") -> None:
    global _sdk_core_level
    as_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    )
    processors: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    numeric = logging.getLevelName(level.upper())
    structlog.configure(
        processors=[*processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        # Whatever stderr is when a line is written (a test harness may swap it), not the
        # stream of the day ``configure`` ran.
        logger_factory=structlog.PrintLoggerFactory(file=cast(TextIO, _CurrentStderr())),
        cache_logger_on_first_use=True,
    )
    # Standard-library records (the Temporal SDK's) in structlog's format, with the logger's
    # name, their ``extra`` as fields (workflow code's, and the SDK's ``temporal_workflow``)
    # and without the formatter's own bookkeeping keys.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.stdlib.add_logger_name,
                structlog.stdlib.ExtraAdder(),
                _drop_sdk_core_entry,
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *processors[1:],
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root_level = max(numeric, logging.WARNING)
    root.setLevel(root_level)
    debug = numeric <= logging.DEBUG
    logging.getLogger(SDK_LOGGER).setLevel(
        logging.DEBUG if debug else logging.WARNING if as_json else SILENT
    )
    logging.getLogger(PROJECT_WORKFLOW_LOGGER).setLevel(logging.DEBUG if debug else root_level)
    # Core at DEBUG writes a line per poll: INFO is as much of it as a person can read.
    _sdk_core_level = "INFO" if debug else "WARN"


def _drop_sdk_core_entry(
    logger: object, name: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """The SDK core's own record of a forwarded line (``extra['temporal_log']``): an object,
    not a field, and its fields are already on the line's message."""
    event.pop("temporal_log", None)
    return event


def sdk_core_level() -> str:
    """The level the SDK's Rust core should log at, as the last ``configure`` decided
    (``ehc.temporal.use_project_logging`` reads it when it builds the SDK runtime)."""
    return _sdk_core_level
