"""``ehc`` starts quickly: the top-level help and the calculator import no heavy library, and
the one-line summaries ``ehc --help`` shows without importing a command are that command's
own help."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest

from ehc.cli.main import COMMANDS, load
from tests.unit.cli_driver import ROOT

#: Libraries (and our modules built on them) that only some commands need, when they run.
HEAVY = (
    "temporalio",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "uvicorn",
    "matplotlib",
    "numpy",
    "ehc.system",
    "ehc.api",
    "ehc.cases",
    "workflows",
    "activities",
    "scenarios",
    "structlog",  # the calculator writes no log line
    "pydantic_settings",  # ... and reads no setting
)

#: Runs ``ehc`` in-process with the given arguments and prints which HEAVY modules it loaded.
PROBE = """
import json, sys
from ehc.cli.main import _run
heavy = tuple(json.loads(sys.argv[1]))
sys.argv = ["ehc", *sys.argv[2:]]
code = _run()
loaded = [h for h in heavy if any(m == h or m.startswith(h + ".") for m in sys.modules)]
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def _loaded(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    result = json.loads(done.stderr.strip().splitlines()[-1])
    assert result["code"] == 0, done.stderr
    return list(result["loaded"])


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["deadlines", "assessment", "--received", "2025-05-21", "--json"],
        ["deadlines", "review", "--plan-date", "2025-03-01", "--json"],
    ],
    ids=["help", "assessment-calculator", "review-calculator"],
)
def test_help_and_calculator_load_no_heavy_library(args: list[str]) -> None:
    assert _loaded(*args) == []


def test_each_summary_is_the_first_paragraph_of_the_commands_own_help() -> None:
    for name, lazy in COMMANDS.items():
        command = load(name)
        assert command.name == name
        first = inspect.cleandoc(command.help or "").split("\n\n")[0]
        assert lazy.summary == first, f"ehc.cli.main.COMMANDS[{name!r}] is out of date"
