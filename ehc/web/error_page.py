"""The shell's error page (``error.html``): its title, which is also its h1, and a message of
one or two sentences that says what to do."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from ehc.web.render import render


def error_page(request: Request, status_code: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status_code, title=title, message=message)
