"""Rendering a page: Jinja2 templates with the GOV.UK Frontend macros.

Every template gets ``user`` (the signed-in ``User`` or None), ``nav`` (the service
navigation, the current page marked), ``csrf_field()`` (the hidden token every POST form
holds), ``cspNonce`` (for GOV.UK Frontend's one inline script), and the filters ``day``
("1 Dec 2026"), ``rag_tag`` (a RAG rating -> the GOV.UK tag's classes), ``count``
(``n | count("replication")``: "1 replication", "20 replications") and ``account`` (who is
signed in: "cw101 · Caseworker, north team"). The macros are imported as ``{% from "govuk_frontend_jinja/components/button/macro.html" import
govukButton %}``.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)

from ehc.text import count
from ehc.web.auth import signed_in
from ehc.web.csrf import csrf_field
from ehc.web.nav import navigation
from ehc.web.staff import account_words
from statutory.dates import as_written

TEMPLATES = Path(__file__).resolve().parent / "templates"
SERVICE_NAME = "EHC statutory clock"

#: RAG rating (``statutory.steps.Rag``'s values) -> the GOV.UK tag's classes and words.
RAG_TAGS = {
    "red": ("govuk-tag govuk-tag--red", "Overdue"),
    "amber": ("govuk-tag govuk-tag--yellow", "Due soon"),
    "green": ("govuk-tag govuk-tag--green", "On time"),
    "complete": ("govuk-tag govuk-tag--grey", "Done"),
}


def day(value: date | datetime | str | None) -> str:
    """``date(2026, 12, 1)`` -> "1 Dec 2026"; an ISO string too; nothing -> an empty string."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return as_written(value)


def rag_tag(rag: object) -> str:
    """A RAG rating -> the classes of its GOV.UK tag (the tag's words must say it too)."""
    return RAG_TAGS.get(str(getattr(rag, "value", rag)).lower(), ("govuk-tag govuk-tag--grey", ""))[
        0
    ]


def rag_words(rag: object) -> str:
    """A RAG rating in words for a tag whose page says nothing else ("Overdue"...)."""
    return RAG_TAGS.get(str(getattr(rag, "value", rag)).lower(), ("", ""))[1]


def error_items(errors: list[tuple[str, str]]) -> list[dict[str, str]]:
    """``(field_id, message)`` pairs -> the error summary's links to each field."""
    return [{"text": message, "href": f"#{field_id}"} for field_id, message in errors]


def _environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(("html", "xml")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = day
    env.filters["rag_tag"] = rag_tag
    env.filters["rag_words"] = rag_words
    env.filters["error_items"] = error_items
    env.filters["count"] = count
    env.filters["account"] = account_words
    env.globals["service_name"] = SERVICE_NAME
    return env


templates = Jinja2Templates(env=_environment())


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """The page ``template`` (under ``ehc/web/templates``) with ``context``, as HTML."""
    user = signed_in(request)
    response: HTMLResponse = templates.TemplateResponse(
        request,
        template,
        {
            "user": user,
            "nav": navigation(user, request.url.path),
            "csrf_field": partial(csrf_field, request),
            "cspNonce": getattr(request.state, "csp_nonce", None),
            "api_docs_url": getattr(request.app.state, "api_docs_url", None),
            **context,
        },
        status_code=status_code,
    )
    return response
