"""Every step the rules know, by name: its process, label, regulation and kind.

Overdue lists, outbox rows and chronologies show the regulation behind a step name read from a
search attribute or the ledger. The answers come straight from the declarations in
``statutory.processes``; numbered steps (``advice-2``, ``setting-reply-1``) share the entry of
their family (``advice``, ``setting-reply``).
"""

from __future__ import annotations

from dataclasses import dataclass

from statutory.process import StepDef, StepKind, step_family
from statutory.processes import PROCESSES


@dataclass(frozen=True, slots=True)
class StepInfo:
    process: str
    definition: StepDef

    @property
    def step(self) -> str:
        """The step's family name (``advice`` for ``advice-3``)."""
        return self.definition.id.value

    @property
    def label(self) -> str:
        return self.definition.label

    @property
    def regulation(self) -> str:
        return self.definition.regulation

    @property
    def kind(self) -> StepKind:
        return self.definition.kind

    @property
    def statutory(self) -> bool:
        """A legal duty (escalated when missed) rather than guidance or a planning date."""
        return self.definition.statutory


def family(step: str) -> str:
    """``advice-3`` -> ``advice``, ``advice:medical`` -> ``advice`` (an advice workflow's
    next step); other names are their own family."""
    return step_family(step)


def describe(step: str, process: str | None = None) -> StepInfo | None:
    """What the rules say about ``step`` (None for a name they do not know); ``process``
    first, then any process that has it."""
    order = [PROCESSES[process]] if process in PROCESSES else []
    order += [p for p in PROCESSES.values() if p.name != process]
    for proc in order:
        defn = proc.find(step)
        if defn is not None:
            return StepInfo(proc.name, defn)
    return None


def regulation_of(step: str, process: str | None = None) -> str:
    info = describe(step, process)
    return info.regulation if info else ""
