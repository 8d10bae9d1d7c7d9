"""Talking to the web app in process as a browser would: cookies kept, forms with their CSRF
token, signed in through the local sign-in (which needs a loopback address)."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

LOOPBACK = "127.0.0.1"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def browser(
    app: FastAPI, *, host: str = LOOPBACK, client_host: str = LOOPBACK
) -> httpx.AsyncClient:
    """An HTTP client for ``app``: requests go to ``host`` (the address the service was
    reached at, and the Host header) from ``client_host``; cookies are kept."""
    transport = httpx.ASGITransport(app=app, client=(client_host, 50123))
    return httpx.AsyncClient(transport=transport, base_url=f"http://{host}:8080")


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _TOKEN.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


async def post_form(
    http: httpx.AsyncClient, path: str, data: dict[str, str], *, form_page: str | None = None
) -> httpx.Response:
    """POST ``data`` to ``path`` with the token from ``form_page`` (default: ``path``)."""
    page = await http.get(form_page or path)
    return await http.post(path, data={**data, "csrf_token": csrf_of(page.text)})


async def sign_in(http: httpx.AsyncClient, staff_id: str) -> None:
    """Sign in through the local sign-in as ``staff_id`` (a demo member of staff)."""
    response = await post_form(http, "/sign-in/local", {"staff_id": staff_id}, form_page="/sign-in")
    assert response.status_code == 303, f"sign-in as {staff_id} refused ({response.status_code})"
