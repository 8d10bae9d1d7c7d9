"""The API's own pages, served without a token and without the internet: ``/`` (what the
service is) and ``/docs`` (Swagger UI from the ``swagger-ui-dist`` npm package that ``make``
installs, not from a CDN), with the OpenAPI document at ``/openapi.json``."""

from __future__ import annotations

from html import escape

import structlog
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.staticfiles import StaticFiles

from ehc.settings import Settings
from ehc.web.assets import NODE_MODULES, SWAGGER_UI, AssetsMissing

log = structlog.get_logger(__name__)

ASSETS = "/docs-assets"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"


def web_address(settings: Settings) -> str:
    host = settings.web.host
    return f"http://{f'[{host}]' if ':' in host else host}:{settings.web.port}/"


def home_page(title: str, settings: Settings) -> str:
    web = escape(web_address(settings))
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<main>
<h1>{escape(title)}: the JSON API</h1>
<p>Durable statutory timelines for English SEND Education, Health and Care (EHC) plans: start
assessments and reviews, record what happened, and read timelines, chronologies, overdue lists,
KPIs and the SEN2 table. Every data route needs a bearer token (<code>EHC_API_TOKENS</code>).</p>
<ul>
<li><a href="/docs">API documentation</a> (Swagger UI; the OpenAPI document is at
<a href="/openapi.json">/openapi.json</a>)</li>
<li><a href="{web}">The web pages</a> for caseworkers, supervisors and analysts
(<code>ehc web</code>, or <code>ehc up</code>)</li>
</ul>
</main>
</body>
</html>
"""


def mount(app: FastAPI, settings: Settings) -> None:
    """``/``, ``/docs`` and its assets on ``app`` (created with ``docs_url=None``).

    Without Swagger UI installed the API still serves its data; ``/docs`` then says how to
    install it.
    """
    title = app.title
    page = home_page(title, settings)

    @app.get("/", include_in_schema=False)
    async def home() -> HTMLResponse:
        return HTMLResponse(page)

    try:
        folder = SWAGGER_UI.folder(NODE_MODULES)
    except AssetsMissing as error:
        log.warning("api documentation not served", reason=str(error))
        missing = str(error)

        @app.get("/docs", include_in_schema=False)
        async def no_docs() -> Response:
            return PlainTextResponse(missing, status_code=503)

        return
    app.mount(ASSETS, StaticFiles(directory=folder), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title} – API documentation",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            oauth2_redirect_url=OAUTH2_REDIRECT,
            swagger_ui_parameters={"validatorUrl": None},  # no call to an outside validator
        )

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
