"""Signing in and out.

Two ways in: the council's identity provider (OpenID Connect, ``ehc.web.oidc``) when
``EHC_WEB_OIDC_*`` is configured, and the local sign-in, which lists the demo staff for the
embedded default. The local sign-in is refused (403) to any request that did not come to,
and from, a loopback address, whatever the settings say: anyone who can reach it can be
anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ehc.web.auth import Forbidden, User, put_in_session, safe_next, signed_in
from ehc.web.context import WebContext, web_context
from ehc.web.csrf import verify_csrf
from ehc.web.error_page import error_page
from ehc.web.identity import NoAccess, user_from_claims
from ehc.web.oidc import CALLBACK_PATH, OpenIdSignIn, ProviderRefused
from ehc.web.render import render
from ehc.web.security import is_loopback, is_loopback_request
from ehc.web.settings import WebSettings
from ehc.web.staff import local_staff

router = APIRouter()
NEXT = "sign_in_next"  # where to go after the provider sends the user back


@dataclass(frozen=True, slots=True)
class SignInOptions:
    """How people may sign in here (``app.state.sign_in``)."""

    local: bool
    """The local sign-in is switched on (it still answers only loopback requests)."""
    oidc: OpenIdSignIn | None

    @classmethod
    def from_settings(cls, web: WebSettings) -> SignInOptions:
        local = web.local_sign_in == "on" or (web.local_sign_in == "auto" and is_loopback(web.host))
        return cls(local=local, oidc=OpenIdSignIn(web) if web.oidc_configured else None)


def _options(request: Request) -> SignInOptions:
    options: SignInOptions = request.app.state.sign_in
    return options


def _local_allowed(request: Request) -> bool:
    return _options(request).local and is_loopback_request(request.scope)


def _sign_in_page(
    request: Request,
    web: WebContext,
    next_path: str,
    *,
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    options = _options(request)
    title = "Sign in"
    return render(
        request,
        "sign_in.html",
        status_code=status_code,
        title=f"Error: {title}" if errors else title,
        next_path=next_path,
        oidc=options.oidc is not None,
        local=_local_allowed(request),
        local_switched_on=options.local,
        staff=local_staff(web.directory) if _local_allowed(request) else [],
        errors=errors or [],
    )


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in(
    request: Request,
    web: Annotated[WebContext, Depends(web_context)],
    next: str | None = None,
) -> Response:
    return _sign_in_page(request, web, safe_next(next))


def _local_only(request: Request) -> None:
    """Before anything else (the CSRF token too): the local sign-in answers only loopback."""
    if not _local_allowed(request):
        raise Forbidden(
            signed_in(request),
            "The local sign-in is only for this machine (a loopback address, such as "
            "127.0.0.1): sign in with your council account.",
        )


@router.post(
    "/sign-in/local",
    response_class=HTMLResponse,
    dependencies=[Depends(_local_only), Depends(verify_csrf)],
)
async def sign_in_locally(
    request: Request,
    web: Annotated[WebContext, Depends(web_context)],
    staff_id: Annotated[str | None, Form()] = None,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    next_path = safe_next(next)
    by_id = {u.staff_id: u for u in local_staff(web.directory)}
    user: User | None = by_id.get(staff_id or "")
    if user is None:
        return _sign_in_page(
            request,
            web,
            next_path,
            errors=[("staff_id", "Select who you are signing in as")],
            status_code=400,
        )
    put_in_session(request, user)
    return RedirectResponse(next_path, status_code=303)


@router.get("/sign-in/oidc")
async def sign_in_with_provider(request: Request, next: str | None = None) -> Response:
    oidc = _options(request).oidc
    if oidc is None:
        return RedirectResponse("/sign-in", status_code=303)
    request.session[NEXT] = safe_next(next)
    try:
        return await oidc.redirect(request)
    except ProviderRefused as error:
        return error_page(request, 503, "Sign-in is not available", str(error))


@router.get(CALLBACK_PATH, name="oidc_callback")
async def provider_callback(
    request: Request, web: Annotated[WebContext, Depends(web_context)]
) -> Response:
    oidc = _options(request).oidc
    if oidc is None:
        return RedirectResponse("/sign-in", status_code=303)
    next_path = safe_next(request.session.get(NEXT))
    try:
        claims = await oidc.claims(request)
        user = user_from_claims(claims, oidc.web, web.directory)
    except ProviderRefused as error:
        return error_page(request, 400, "Sign-in did not complete", str(error))
    except NoAccess as error:
        request.session.clear()
        raise Forbidden(None, str(error)) from error
    put_in_session(request, user)
    return RedirectResponse(next_path, status_code=303)


@router.post("/sign-out", dependencies=[Depends(verify_csrf)])
async def sign_out(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/signed-out", status_code=303)


@router.get("/signed-out", response_class=HTMLResponse)
async def signed_out(request: Request) -> Response:
    return render(request, "sign_in_signed_out.html")
