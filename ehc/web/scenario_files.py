"""The scenarios an analyst may run: those shipped with the service and those saved by the
council in the data directory (``$EHC_DATA_DIR/scenarios/*.toml``, scenarios/README.md).

A saved file that cannot be read as a scenario is still listed, with the reason, so a
mistake in it is seen rather than the file silently missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

import scenarios
from scenarios.model import Scenario, ScenarioError, load

SHIPPED_FOLDER = Path(scenarios.__file__).parent / "files"
SAVED_FOLDER = "scenarios"
"""Under the data directory."""
SAVED_FOLDER_WORDS = f"EHC_DATA_DIR/{SAVED_FOLDER}"
"""The saved folder as the page names it: by the setting, never by the server's own path."""


class Source(StrEnum):
    SHIPPED = "shipped"
    SAVED = "saved"

    @property
    def words(self) -> str:
        return "Shipped with the service" if self is Source.SHIPPED else "Saved by the council"


@dataclass(frozen=True, slots=True)
class ScenarioFile:
    """One scenario file; ``key`` (``shipped:england-2024``) names it in forms and runs."""

    key: str
    source: Source
    path: Path
    scenario: Scenario | None
    problem: str | None = None
    """Why the file cannot be run (a saved file only)."""

    @property
    def title(self) -> str:
        return self.scenario.scenario.title if self.scenario else self.path.name

    @property
    def description(self) -> str:
        return self.scenario.scenario.description if self.scenario else ""

    @property
    def weeks(self) -> int | None:
        return self.scenario.scenario.weeks if self.scenario else None

    @property
    def start(self) -> date | None:
        return self.scenario.scenario.start if self.scenario else None


def saved_folder(data_dir: Path) -> Path:
    return data_dir / SAVED_FOLDER


def _read(source: Source, path: Path) -> ScenarioFile:
    key = f"{source.value}:{path.stem}"
    try:
        return ScenarioFile(key, source, path, load(path))
    except ScenarioError as error:
        # The message names the file by its full path; the page already shows which file.
        problem = str(error).removeprefix(f"{path}: ")
        return ScenarioFile(key, source, path, None, problem)


def scenario_files(data_dir: Path) -> list[ScenarioFile]:
    """Shipped scenarios, then saved ones, each in file-name order."""
    found = [_read(Source.SHIPPED, p) for p in sorted(SHIPPED_FOLDER.glob("*.toml"))]
    saved = saved_folder(data_dir)
    if saved.is_dir():
        found += [_read(Source.SAVED, p) for p in sorted(saved.glob("*.toml"))]
    return found


def find(data_dir: Path, key: str) -> ScenarioFile | None:
    return next((f for f in scenario_files(data_dir) if f.key == key), None)
