"""Entry point of the ``ehc`` command.

Each sub-command's module is imported only when that command runs or shows its own help, so
``ehc --help`` and the deadline calculator start without loading Temporal, the API, the
database layer or the simulator's charts. ``ehc --help`` lists every command from the
one-line summaries below.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, NamedTuple

import typer
from typer.core import TyperCommand, TyperGroup

from ehc.cli.common import Fail, err, fail


class Lazy(NamedTuple):
    """Where a sub-command is defined, and the line ``ehc --help`` shows for it."""

    module: str
    attribute: str
    summary: str
    """The first paragraph of the command's help (tests/unit/test_cli_start.py checks it)."""
    standalone: bool = False
    """True for a command that reads no setting and writes no log line: the set-up (settings,
    structlog) is skipped."""

    @property
    def is_group(self) -> bool:
        """A sub-app (``ehc deadlines ...``) rather than a single command (``ehc kpi``)."""
        return self.attribute == "app" or self.attribute.endswith("_app")


#: Every sub-command, in the order ``ehc --help`` lists them.
COMMANDS: dict[str, Lazy] = {
    "outbox": Lazy(
        "ehc.cli.outbox",
        "app",  # `ehc outbox [options]` lists; `ehc outbox resend` sends again
        "Messages by case, step, recipient and channel, with their delivery status.",
    ),
    # Supervisor views, KPIs, statutory exports, migrations and the HTTP API (issue 5).
    "overdue": Lazy(
        "ehc.cli.overdue",
        "overdue",
        "Statutory steps past their target (or due soon), most overdue first.",
    ),
    "case": Lazy(
        "ehc.cli.case",
        "case",
        "What happened, what is due and what was missed, across the case's workflows.",
    ),
    "kpi": Lazy(
        "ehc.cli.kpi",
        "kpi",
        "KPIs against target with RAG ratings, beside England's figures (see docs/REPORTING.md).",
    ),
    "api": Lazy(
        "ehc.cli.api",
        "api",
        "Serve the HTTP API; tokens from EHC_API_TOKENS or EHC_API_TOKEN_FILE (no anonymous use).",
    ),
    "web": Lazy(
        "ehc.cli.web",
        "web",
        "Serve the web pages for caseworkers, supervisors and analysts (EHC_WEB_*; see README).",
    ),
    "up": Lazy(
        "ehc.cli.system",
        "up",
        "Start the whole system on its embedded defaults: Temporal dev server, worker, demo.",
    ),
    "worker": Lazy(
        "ehc.cli.system",
        "worker",
        "Run a worker against the configured Temporal server (TEMPORAL_ADDRESS...).",
    ),
    "demo": Lazy(
        "ehc.cli.system",
        "load_demo",
        "Load the demo caseload (about 40 open assessments, 300 plans); existing cases are kept.",
    ),
    "deadlines": Lazy(
        "ehc.cli.deadlines",
        "app",
        "Statutory deadlines for a case, computed without a server.",
        standalone=True,  # the calculator: pure rules, no server, no I/O but its output
    ),
    "assessment": Lazy(
        "ehc.cli.assessment", "app", "EHC needs assessments: one durable workflow per case."
    ),
    "review": Lazy(
        "ehc.cli.review", "app", "Annual reviews of EHC plans: one durable workflow per plan."
    ),
    # The duty clocks (issue 13): one group per declared process, built by ehc.cli.duty.
    "reassessment": Lazy(
        "ehc.cli.duty",
        "reassessment_app",
        "Re-assessment of an EHC plan: one durable workflow per case.",
    ),
    "tribunal-order": Lazy(
        "ehc.cli.duty",
        "tribunal_order_app",
        "Complying with a Tribunal order or a concession: one durable workflow per case.",
    ),
    "transfer-in": Lazy(
        "ehc.cli.duty",
        "transfer_in_app",
        "Plan transferred in from another council: one durable workflow per case.",
    ),
    "transfer-out": Lazy(
        "ehc.cli.duty",
        "transfer_out_app",
        "Transfer of a plan to another council: one durable workflow per case.",
    ),
    "appeal": Lazy(
        "ehc.cli.duty", "appeal_app", "Appeal rights and mediation: one durable workflow per case."
    ),
    "import": Lazy(
        "ehc.cli.imports",
        "app",
        "Import an existing caseload exported from a case-management system.",
    ),
    "digest": Lazy(
        "ehc.cli.digest", "app", "The weekly digest of overdue and soon-due work, per team."
    ),
    "simulate": Lazy(
        "ehc.cli.simulate",
        "app",
        "Simulate a caseload from a scenario file (scenarios/README.md): "
        "`ehc simulate FILE`, `ehc simulate compare A B ...` or `ehc simulate snapshot`.",
    ),
    "export": Lazy(
        "ehc.cli.export", "app", "Tables for statutory returns, as CSV (see docs/REPORTING.md)."
    ),
    "db": Lazy(
        "ehc.cli.db",
        "app",
        "The outbox and reporting database: schema migrations, and the read model's rebuild.",
    ),
}


class _Summary(TyperCommand):
    """Stands in for a sub-command not imported yet: enough to list it in ``ehc --help``."""


class _LazyGroup(TyperGroup):
    """``ehc`` itself: sub-commands are summaries until one is resolved to be run."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        # Every name is known up front, so "No such command ... Did you mean" is unchanged.
        for name, lazy in COMMANDS.items():
            self.commands.setdefault(name, _Summary(name, help=lazy.summary))
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = self.commands.get(cmd_name)
        if isinstance(command, _Summary) and not self._listing:
            command = self.commands[cmd_name] = load(cmd_name)
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True  # list the summaries; import nothing
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    cls=_LazyGroup,
    help="EHC statutory clock: deadlines, durable case workflows and reminders for SEND teams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def load(name: str) -> Any:
    """The real command, built exactly as ``app.command(name)`` or ``app.add_typer(...,
    name=name)`` on ``app`` would build it."""
    lazy = COMMANDS[name]
    target = getattr(importlib.import_module(lazy.module), lazy.attribute)
    holder = typer.Typer(
        pretty_exceptions_short=app.pretty_exceptions_short,
        rich_markup_mode=app.rich_markup_mode,
        suggest_commands=app.suggest_commands,
    )
    if lazy.is_group:
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    return typer.main.get_group(holder).commands[name]


@app.callback()
def _setup(ctx: typer.Context) -> None:
    lazy = COMMANDS.get(ctx.invoked_subcommand or "")
    if lazy is not None and lazy.standalone:
        return
    # Imported here: ``ehc --help`` and the calculator need neither the settings nor structlog.
    from ehc.logs import configure
    from ehc.settings import SettingsError, get_settings

    try:
        settings = get_settings()  # the command's one Settings: every EHC_* variable, once
    except SettingsError as error:
        fail(str(error))
    configure(settings.log_level, settings.log_format)


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
        err.print(f"ehc: {failure}", soft_wrap=True, markup=False)  # "[capacity.costs]" is words
        return failure.code
    except typer.Abort:
        return 130
    except Exception as error:
        # Typer's (vendored click) usage errors: a wrong or missing option is bad input too.
        if hasattr(error, "format_message") and hasattr(error, "exit_code"):
            err.print(f"ehc: {error.format_message()}", soft_wrap=True, markup=False)
            return 2
        raise
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    main()
