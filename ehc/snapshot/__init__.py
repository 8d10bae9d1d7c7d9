"""A scenario that starts from the caseload the engine holds today (``ehc simulate snapshot``).

The start state comes from the read model (``caseload``), the figures from the ledger's 12
months before the start (``measures``), and the file is written from both (``scenario_file``).
Nothing that names a child, a family, a member of staff or a provider is written: only dates,
stages and counts (and the teams' names, with ``--teams``).
"""

from ehc.snapshot.caseload import STAGE_WORDS, Caseload, read_caseload
from ehc.snapshot.measures import Measures, measure
from ehc.snapshot.scenario_file import scenario_text, teams

__all__ = [
    "STAGE_WORDS",
    "Caseload",
    "Measures",
    "measure",
    "read_caseload",
    "scenario_text",
    "teams",
]
