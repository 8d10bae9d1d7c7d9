"""Scenario files for the tests: the shipped ones, and variants of them built in memory."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

from scenarios import model

FILES = Path(__file__).resolve().parents[2] / "scenarios" / "files"


def shipped(name: str) -> Path:
    return FILES / f"{name}.toml"


def raw(name: str) -> dict[str, Any]:
    """A shipped scenario as plain TOML data, to change before validating."""
    return tomllib.loads(shipped(name).read_text(encoding="utf-8"))


def variant(name: str, changes: dict[str, Any]) -> model.Scenario:
    """A shipped scenario with ``changes`` ({"section.key": value}) applied, validated."""
    data = copy.deepcopy(raw(name))
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node = data
        for key in parents:
            node = node.setdefault(key, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return model.parse(data, f"{name} (variant)")
