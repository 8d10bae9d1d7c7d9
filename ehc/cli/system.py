"""``ehc up``, ``ehc worker`` and ``ehc demo``: run the system, or load the demo caseload."""

from __future__ import annotations

from typing import Annotated

import typer

from ehc.cli.common import FAILED, fail, out, parse_date, run, today_utc
from ehc.settings import get_settings


def up(
    demo: Annotated[bool, typer.Option(help="Load the demo caseload on first start.")] = True,
) -> None:
    """Start the whole system on its embedded defaults: Temporal dev server, worker, demo."""
    from ehc import system  # the server, the worker and the API: only when they run
    from ehc.web import WebCannotStart

    try:
        run(system.up(get_settings(), with_demo=demo, today=today_utc()))
    except WebCannotStart as error:  # assets not installed, port taken: one line
        fail(str(error), FAILED)


def worker() -> None:
    """Run a worker against the configured Temporal server (TEMPORAL_ADDRESS...)."""
    from ehc import system

    run(system.run_worker(get_settings()))


def load_demo(
    today: Annotated[
        str | None, typer.Option(help="Pretend today is this day (default: today).")
    ] = None,
) -> None:
    """Load the demo caseload (about 40 open assessments, 300 plans); existing cases are kept."""
    day = parse_date(today, "--today") if today else today_utc()
    from ehc import system
    from ehc.temporal import connect

    async def go() -> tuple[int, int]:
        settings = get_settings()
        return await system.load_demo(await connect(settings), settings, day)

    started, existing = run(go())
    out.print(f"Demo caseload: {started} started, {existing} already there.")
