"""What every request handler needs: the services, the ledger, and who is asking."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from temporalio.client import Client

from ehc.api.auth import NotAuthenticated, Principal, Role, Tokens, authenticate
from ehc.cases import Assessments
from ehc.ledger_reader import LedgerReader
from ehc.reviews import Reviews
from ehc.settings import Settings
from statutory.kpi import KpiTargets

T = TypeVar("T")


class NoAnswer(RuntimeError):
    """Temporal (or the case's worker) did not answer in time."""


@dataclass(slots=True)
class ApiContext:
    client: Client
    settings: Settings
    ledger: LedgerReader
    tokens: Tokens
    targets: KpiTargets
    temporal_timeout: float = 20.0

    async def within(self, work: Awaitable[T]) -> T:
        """Await a Temporal call, or raise ``NoAnswer`` (504) after ``temporal_timeout``.

        A query or update waits for a worker: with none running it would wait for ever.
        """
        try:
            async with asyncio.timeout(self.temporal_timeout):
                return await work
        except TimeoutError as error:
            raise NoAnswer(
                f"Temporal did not answer within {self.temporal_timeout:g} s: is a worker "
                f"running on task queue '{self.settings.task_queue}'?"
            ) from error

    @property
    def assessments(self) -> Assessments:
        return Assessments(self.client, self.settings)

    @property
    def reviews(self) -> Reviews:
        return Reviews(self.client, self.settings)


def context(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.ctx
    return ctx


Context = Annotated[ApiContext, Depends(context)]
_bearer = HTTPBearer(auto_error=False, description="A token configured in EHC_API_TOKENS.")


def principal(
    ctx: Context,
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],  # for the docs
) -> Principal:
    # The gate (``ehc.api.gate``) has already refused a request without a known token; this
    # is the same check, for the route's roles.
    try:
        return authenticate(request.headers.get("authorization"), ctx.tokens)
    except NotAuthenticated as error:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, str(error), headers={"WWW-Authenticate": "Bearer"}
        ) from error


def allow(*roles: Role, what: str) -> Any:
    """A dependency admitting only ``roles``; others get 403 saying what they tried."""

    def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"a {who.role.value} token cannot {what}"
            )
        return who

    return Depends(check)


def require_owner(who: Principal, caseworker: str, case_ref: str) -> None:
    if not who.owns(caseworker):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"{case_ref} is not a case of this caseworker token"
        )


def require_reader(who: Principal, caseworker: str, case_ref: str) -> None:
    if not who.may_read(caseworker):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"{case_ref} is not a case this token may read"
        )
