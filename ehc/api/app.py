"""The FastAPI application: routes, error handling, and its Temporal client and ledger.

Errors are JSON ``{"detail": "<one sentence>"}``: 401 without a known bearer token (answered
before the body is read), 403 for a role or case the token does not cover, 404 for an unknown
case, 409 for a duplicate start, 413 for a body over ``EHC_API_MAX_BODY_BYTES``, 422 for input
the schema or the rules refuse (an unknown field too; nothing is written, and the value given
is never repeated), 503 when Temporal cannot be reached, 504 when no worker answers a case's
query or update in time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from temporalio.client import Client
from temporalio.service import RPCError

from ehc.api import cases, codec, docs, duties, reports
from ehc.api.context import ApiContext, NoAnswer
from ehc.api.gate import Gate
from ehc.cases import CaseError, CaseNotFound
from ehc.ledger_reader import open_ledger
from ehc.settings import Settings
from ehc.temporal import TemporalUnreachable, connect
from statutory.errors import RuleViolation

DESCRIPTION = """
Durable statutory timelines for English SEND EHC plans: start assessments and the duty
clocks (re-assessments, Tribunal orders, transfers, appeals), record what happened (the same
rules as the command line; a rejected event writes nothing), read timelines, chronologies,
overdue lists, KPIs and the SEN2 table.

Every data route needs `Authorization: Bearer TOKEN`, with a token configured in
`EHC_API_TOKENS` or `EHC_API_TOKEN_FILE`. Roles: **caseworker** (write events and read its
own cases), **supervisor** (read everything), **analyst** (KPIs and SEN2 only).

A request body is at most `EHC_API_MAX_BODY_BYTES` (64 KiB; 413 past it), takes only the fields
its route documents (422 names any other), and its dates must be ones a case can have (1 Sep
2014 to 31 Dec 2099; see README). Errors never repeat the value given.
"""


def _detail(code: int, message: str) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=code)


def _one_line(error: RequestValidationError) -> str:
    """The first problem, where it is; never the value given (it may be a child's name)."""
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if not isinstance(p, int))
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    match first.get("type"):
        case "extra_forbidden":
            message = "unknown field (not one this route takes)"
        case "union_tag_invalid":
            # pydantic's own message repeats the type given.
            context = first.get("ctx") or {}
            discriminator = str(context.get("discriminator", "type")).strip("'")
            where = f"{where}.{discriminator}" if where else discriminator
            message = f"not a known type (known: {context.get('expected_tags', '')})"
    return f"{where}: {message}" if where else message


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        return _detail(422, _one_line(error))

    @app.exception_handler(CaseNotFound)
    async def not_found(_: Request, error: CaseNotFound) -> JSONResponse:
        return _detail(status.HTTP_404_NOT_FOUND, str(error))

    @app.exception_handler(CaseError)
    async def refused(_: Request, error: CaseError) -> JSONResponse:
        return _detail(422, str(error))

    @app.exception_handler(RuleViolation)
    async def rule(_: Request, error: RuleViolation) -> JSONResponse:
        return _detail(422, str(error))

    @app.exception_handler(OverflowError)
    async def overflow(_: Request, error: OverflowError) -> JSONResponse:
        return _detail(422, "a date is out of range")

    @app.exception_handler(TemporalUnreachable)
    async def unreachable(_: Request, error: TemporalUnreachable) -> JSONResponse:
        return _detail(status.HTTP_503_SERVICE_UNAVAILABLE, str(error))

    @app.exception_handler(NoAnswer)
    async def no_answer(_: Request, error: NoAnswer) -> JSONResponse:
        return _detail(status.HTTP_504_GATEWAY_TIMEOUT, str(error))

    @app.exception_handler(RPCError)
    async def temporal(_: Request, error: RPCError) -> JSONResponse:
        return _detail(status.HTTP_503_SERVICE_UNAVAILABLE, f"Temporal said: {error.message}")


def create_app(settings: Settings, client: Client | None = None) -> FastAPI:
    """The API, configured by ``settings`` (its own in ``settings.api``, the KPI targets in
    ``settings.kpi``); with no ``client`` it connects to Temporal (``TEMPORAL_ADDRESS``...) at
    start.

    Raises ``TokenConfigError`` at once if no usable token is configured.
    """
    api = settings.api
    tokens = api.load_tokens()
    targets = settings.kpi.kpi_targets()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ledger = open_ledger(settings)
        app.state.ctx = ApiContext(
            client=client or await connect(settings),
            settings=settings,
            ledger=ledger,
            tokens=tokens,
            targets=targets,
            temporal_timeout=api.temporal_timeout,
        )
        try:
            yield
        finally:
            ledger.close()

    app = FastAPI(
        title="EHC statutory clock",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by ``ehc.api.docs`` from installed assets, not a CDN
        redoc_url=None,
    )
    _handlers(app)
    app.include_router(cases.router)
    app.include_router(duties.router)
    app.include_router(reports.router)
    # Before any route (or FastAPI) reads a body: a known token, and a body within bounds.
    app.add_middleware(
        Gate,
        tokens=tokens,
        max_body_bytes=api.max_body_bytes,
        larger_bodies={codec.PREFIX + "/": api.max_codec_body_bytes},
    )
    codec.mount(app, settings)
    docs.mount(app, settings)
    return app
