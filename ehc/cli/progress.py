"""The progress bar of a long command: on stderr, so stdout keeps only the command's answer,
and gone once the work is done."""

from __future__ import annotations

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from ehc.cli.common import err


def progress_bar(label: str, *after: ProgressColumn, disable: bool = False) -> Progress:
    """A bar headed by ``label`` (a ``TextColumn`` format: ``{task.description}`` shows each
    task's own), with the items done of all and the time elapsed, then the columns ``after``."""
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        *after,
        console=err,
        transient=True,
        disable=disable,
    )
