"""How a command shows its result: one JSON document (``--json``), or worded for people."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")


def show(result: M, as_json: bool, for_people: Callable[[M], None]) -> None:
    """``result`` as indented JSON on stdout, or as ``for_people`` prints it."""
    if as_json:
        print(result.model_dump_json(indent=2))
    else:
        for_people(result)
