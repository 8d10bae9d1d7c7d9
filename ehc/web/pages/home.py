"""The start page: what the service is, and the pages the signed-in user may use."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ehc.web.auth import signed_in
from ehc.web.nav import pages_for
from ehc.web.render import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return render(request, "home.html", pages=pages_for(signed_in(request)))
