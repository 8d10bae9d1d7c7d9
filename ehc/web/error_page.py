"""The shell's error page (``error.html``): its title, which is also its h1, and a message of
one or two sentences that says what to do; and ``PageInstead``, to show one from deep in a
page's work."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from ehc.web.render import render


def error_page(request: Request, status_code: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code=status_code, title=title, message=message)


class PageInstead(Exception):
    """Show ``page`` instead of the page asked for (no such case, Temporal not answering, a
    form the case does not have): raised where that is found, shown as it is by the app's
    handler (``ehc.web.app``), so a page's handler reads only the path that succeeds."""

    def __init__(self, page: HTMLResponse) -> None:
        super().__init__(page.status_code)
        self.page = page
