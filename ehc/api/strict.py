"""Request bodies with no field the route does not take.

The rules' models ignore a field they do not know, so that a worker can still read a payload
written by a newer version. A person posting to the API should instead be told: a field such
as ``"name": "Jane Smith"`` is refused (422, naming the field, not repeating its value) rather
than silently dropped.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError


def no_unknown_fields(shape: Any) -> Any:
    """A route dependency refusing a JSON body with a field ``shape`` does not declare.

    Other problems with the body are left to the route's own validation and its messages.
    """
    adapter: TypeAdapter[Any] = TypeAdapter(shape)

    async def check(request: Request) -> None:
        try:
            body = await request.json()  # read already, within the gate's limit
        except ValueError:
            return  # not JSON: the route says so
        try:
            adapter.validate_python(body, extra="forbid")
        except ValidationError as error:
            unknown = [e for e in error.errors() if e["type"] == "extra_forbidden"]
            if unknown:
                first = unknown[0]
                raise RequestValidationError(
                    [{**first, "loc": ("body", *first["loc"]), "input": None}]
                ) from None

    return Depends(check)
