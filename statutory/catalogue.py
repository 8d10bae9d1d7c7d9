"""Every step the rules know, by name: its label, regulation and kind.

Overdue lists, outbox rows and chronologies show the regulation behind a step name read from a
search attribute or the ledger. The answers are the declarations in ``statutory.processes``
themselves; numbered steps (``advice-2``, ``setting-reply-1``) share the declaration of their
family (``advice``, ``setting-reply``).
"""

from __future__ import annotations

from statutory.process import StepDef, step_family
from statutory.processes import PROCESSES

#: What ``describe`` answers about a step: its declaration (label, regulation, kind, statutory).
StepInfo = StepDef


def family(step: str) -> str:
    """``advice-3`` -> ``advice``, ``advice:medical`` -> ``advice`` (an advice workflow's
    next step); other names are their own family."""
    return step_family(step)


def describe(step: str, process: str | None = None) -> StepInfo | None:
    """The declaration of ``step`` (None for a name the rules do not know); ``process``
    first, then any process that has it."""
    order = [PROCESSES[process]] if process in PROCESSES else []
    order += [p for p in PROCESSES.values() if p.name != process]
    for proc in order:
        defn = proc.find(step)
        if defn is not None:
            return defn
    return None


def regulation_of(step: str, process: str | None = None) -> str:
    info = describe(step, process)
    return info.regulation if info else ""
