"""The web service's FastAPI application: pages, sign-in, assets, and the error pages.

``create_web_app(settings)`` connects to Temporal and opens the reporting database at start
(the lifespan); tests hand it a ready ``client``, ``ledger``, ``read_model`` or ``directory``
instead. Every answer carries the security headers (``ehc.web.security``); an anonymous
request for a page is sent to sign in, a role that may not use a page gets the 403 page, a
POST without the session's CSRF token the 400 page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.client import Client

from activities.directory import Directory
from ehc.api.auth import TokenConfigError
from ehc.ledger_reader import LedgerReader, open_ledger
from ehc.read_model import ReadModel, open_read_model
from ehc.settings import Settings
from ehc.temporal import TemporalUnreachable, connect
from ehc.web.assets import NODE_MODULES, mount_govuk_frontend
from ehc.web.auth import Forbidden, SignInNeeded, sign_in_url
from ehc.web.context import WebContext
from ehc.web.csrf import CsrfRefused
from ehc.web.error_page import PageInstead, error_page
from ehc.web.pages import case, duty, home, my_cases, performance, scenarios, sign_in, team
from ehc.web.pages.sign_in import SignInOptions
from ehc.web.render import SERVICE_NAME
from ehc.web.security import SecurityHeaders, Sessions, is_loopback, session_secret

log = structlog.get_logger(__name__)

#: Every page module, in the order their routes are tried.
PAGES = (home, sign_in, my_cases, team, case, duty, performance, scenarios)

_TITLES = {404: "Page not found", 405: "Page not found", 400: "There is a problem"}
_MESSAGES = {
    404: "If you typed the web address, check it is correct. A case's page is at /case/ "
    "followed by its reference.",
    405: "If you typed the web address, check it is correct.",
}


def api_docs_url(settings: Settings) -> str | None:
    """Where the JSON API's documentation is, if the API is configured to be served."""
    api = settings.api
    try:
        api.load_tokens()
    except TokenConfigError:
        return None
    host = api.host if api.host not in ("0.0.0.0", "::", "") else None
    return f"http://{host}:{api.port}/docs" if host else None


def _error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInNeeded)
    async def sign_in_needed(_: Request, error: SignInNeeded) -> Response:
        return RedirectResponse(sign_in_url(error.next_path), status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, error: Forbidden) -> Response:
        return error_page(request, 403, "You cannot use this page", error.message)

    @app.exception_handler(PageInstead)
    async def page_instead(_: Request, error: PageInstead) -> Response:
        return error.page

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _: CsrfRefused) -> Response:
        return error_page(
            request,
            400,
            "The form had expired",
            "Nothing was saved. Go back, reload the page and send the form again "
            "(a form is only good for the session it was opened in).",
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        code = error.status_code
        title = _TITLES.get(code, "There is a problem")
        return error_page(request, code, title, _MESSAGES.get(code, str(error.detail)))

    @app.exception_handler(RequestValidationError)
    async def unreadable(request: Request, _: RequestValidationError) -> Response:
        # Pages check their own forms and show an error summary; this is for an address or
        # form that no page offers (a value is never repeated: it may be a child's name).
        return error_page(
            request,
            400,
            "There is a problem",
            "The page could not understand the address or the form it was sent.",
        )

    @app.exception_handler(TemporalUnreachable)
    async def unreachable(request: Request, error: TemporalUnreachable) -> Response:
        return error_page(
            request,
            503,
            "Sorry, the service is unavailable",
            f"The cases cannot be read or written at the moment ({error}).",
        )


def create_web_app(
    settings: Settings,
    client: Client | None = None,
    *,
    ledger: LedgerReader | None = None,
    read_model: ReadModel | None = None,
    directory: Directory | None = None,
    node_modules: Path = NODE_MODULES,
) -> FastAPI:
    """The web service, configured by ``settings`` (its own in ``settings.web``).

    With no ``client`` it connects to Temporal at start; with no ``ledger`` or
    ``read_model`` it opens them on the reporting database; with no ``directory`` it loads
    ``EHC_DIRECTORY_FILE``. Raises ``AssetsMissing`` at once if GOV.UK Frontend is not
    installed in ``node_modules``, ``DirectoryError`` for an unusable directory file.
    """
    web = settings.web
    staff = directory if directory is not None else Directory.load(settings.directory_file)
    targets = settings.kpi.kpi_targets()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_ledger = ledger is None
        reader = ledger if ledger is not None else open_ledger(settings)
        model = read_model if read_model is not None else open_read_model(settings)
        try:
            app.state.web = WebContext(
                client=client or await connect(settings),
                settings=settings,
                ledger=reader,
                directory=staff,
                targets=targets,
                read_model=model,
            )
            yield
        finally:
            if own_ledger:
                reader.close()
            if read_model is None:
                model.close()

    app = FastAPI(
        title=SERVICE_NAME,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.sign_in = SignInOptions.from_settings(web)
    app.state.api_docs_url = api_docs_url(settings)
    _error_pages(app)
    mount_govuk_frontend(app, node_modules)
    for page in PAGES:
        app.include_router(page.router)
    # Outermost last: the headers wrap every answer, the session every page.
    app.add_middleware(Sessions, secret_key=session_secret(settings))
    app.add_middleware(SecurityHeaders)
    if app.state.sign_in.local and not is_loopback(web.host):
        log.warning("local sign-in switched on, but only loopback requests may use it")
    return app
