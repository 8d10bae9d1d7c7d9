"""Entry point of the ``ehc`` command."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from ehc import system
from ehc.cli import (
    api,
    assessment,
    case,
    db,
    deadlines,
    export,
    imports,
    kpi,
    overdue,
    review,
    simulate,
)
from ehc.cli import digest as digest_cli
from ehc.cli.common import Fail, err, out, parse_date, run, today_utc
from ehc.cli.outbox import outbox
from ehc.logs import configure
from ehc.settings import get_settings
from ehc.temporal import connect

app = typer.Typer(
    help="EHC statutory clock: deadlines, durable case workflows and reminders for SEND teams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(deadlines.app, name="deadlines")
app.add_typer(assessment.app, name="assessment")
app.add_typer(review.app, name="review")
app.add_typer(imports.app, name="import")
app.command("outbox")(outbox)
app.add_typer(digest_cli.app, name="digest")
app.add_typer(simulate.app, name="simulate")
# Supervisor views, KPIs, statutory exports, migrations and the HTTP API (issue 5).
app.command("overdue")(overdue.overdue)
app.command("case")(case.case)
app.command("kpi")(kpi.kpi)
app.add_typer(export.app, name="export")
app.add_typer(db.app, name="db")
app.command("api")(api.api)


@app.callback()
def _setup() -> None:
    settings = get_settings()
    configure(settings.log_level, settings.log_format)


@app.command()
def up(
    demo: Annotated[bool, typer.Option(help="Load the demo caseload on first start.")] = True,
) -> None:
    """Start the whole system on its embedded defaults: Temporal dev server, worker, demo."""
    run(system.up(get_settings(), with_demo=demo, today=today_utc()))


@app.command()
def worker() -> None:
    """Run a worker against the configured Temporal server (TEMPORAL_ADDRESS...)."""
    run(system.run_worker(get_settings()))


@app.command("demo")
def load_demo(
    today: Annotated[
        str | None, typer.Option(help="Pretend today is this day (default: today).")
    ] = None,
) -> None:
    """Load the demo caseload (about 40 open assessments, 300 plans); existing cases are kept."""
    day = parse_date(today, "--today") if today else today_utc()

    async def go() -> tuple[int, int]:
        return await system.load_demo(await connect(), get_settings(), day)

    started, existing = run(go())
    out.print(f"Demo caseload: {started} started, {existing} already there.")


def main() -> None:
    code = _run()
    # The Temporal SDK's native runtime can abort the interpreter while it finalises after a
    # command that used a client (temporalio/sdk-python#300): everything is done and flushed
    # by now, so leave without finalising.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _run() -> int:
    try:
        result = app(standalone_mode=False)
    except Fail as failure:
        err.print(f"ehc: {failure}", soft_wrap=True)
        return failure.code
    except typer.Abort:
        return 130
    except Exception as error:
        # Typer's (vendored click) usage errors: a wrong or missing option is bad input too.
        if hasattr(error, "format_message") and hasattr(error, "exit_code"):
            err.print(f"ehc: {error.format_message()}", soft_wrap=True)
            return 2
        raise
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    main()
