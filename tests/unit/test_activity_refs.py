"""The activities the workflows call are the ones the worker runs: each stub declared in
``workflows.activity_refs`` has exactly one registered implementation, under the same name,
taking and returning the same types; every registered activity has a stub; and no workflow
calls an activity by a bare name."""

from __future__ import annotations

import ast
import inspect
import typing
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity

from activities.directory import Directory
from activities.outbox import Outbox
from ehc.worker import activities
from workflows import activity_refs

WORKFLOWS = Path(activity_refs.__file__).parent


def name_of(fn: Callable[..., Any]) -> str:
    definition = activity._Definition.must_from_callable(fn)
    assert definition.name, f"{fn.__qualname__} has no activity name"
    return definition.name


def signature_of(fn: Callable[..., Any]) -> tuple[list[tuple[str, object]], object, bool]:
    """Parameter names and types (``self`` left out), return type, and whether it is async."""
    hints = typing.get_type_hints(fn)
    params = [(p.name, hints.get(p.name)) for p in inspect.signature(fn).parameters.values()]
    return params, hints.get("return"), inspect.iscoroutinefunction(fn)


STUBS = {
    name_of(fn): fn
    for _, fn in inspect.getmembers(activity_refs, inspect.isfunction)
    if activity._Definition.from_callable(fn) is not None
}


async def nothing_due(by: datetime) -> Sequence[tuple[str, Any]]:
    return []


@pytest.fixture
def registered(tmp_path: Path) -> list[Callable[..., Any]]:
    return activities(nothing_due, Outbox(f"sqlite:///{tmp_path / 'ehc.db'}"), Directory(), [])


def test_every_stub_has_exactly_one_implementation_and_every_implementation_a_stub(
    registered: list[Callable[..., Any]],
) -> None:
    names = Counter(name_of(fn) for fn in registered)
    assert [n for n, times in names.items() if times > 1] == []
    assert set(names) == set(STUBS)
    assert len(STUBS) == 7  # a stub dropped with its implementation would pass the rest


def test_each_implementation_takes_and_returns_what_its_stub_declares(
    registered: list[Callable[..., Any]],
) -> None:
    for fn in registered:
        stub = STUBS[name_of(fn)]
        assert signature_of(fn) == signature_of(stub), name_of(fn)
        assert fn.__module__.startswith("activities."), f"{name_of(fn)} is not activities/'s"


def test_a_stub_never_runs() -> None:
    with pytest.raises(NotImplementedError, match="declaration"):
        activity_refs.redrive_outbox()


def test_no_workflow_calls_an_activity_by_a_bare_name() -> None:
    by_name = []
    for path in sorted(WORKFLOWS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("execute_activity", "start_activity")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                by_name.append(f"{path.name}:{node.lineno}")
    assert by_name == []
