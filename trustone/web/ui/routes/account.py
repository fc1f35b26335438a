"""Login, logout, the language switch, the home page and "waiting for me"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from keys.logins.auth import (
    AuthenticationError,
    InvalidCredentialsError,
    LockedOutError,
    TotpRequiredError,
    TotpReusedError,
)
from trustone.web.auth import AuthenticatorDep
from trustone.web.deps import RequestIdDep, WaitingForMeDep
from trustone.web.ui import i18n
from trustone.web.ui.forms import FormState
from trustone.web.ui.i18n import N_
from trustone.web.ui.navigation import START_PAGE
from trustone.web.ui.session import (
    SESSION_COOKIE,
    OptionalPrincipalDep,
    PagePrincipalDep,
    clear_session_cookie,
    safe_next,
    set_session_cookie,
)
from trustone.web.ui.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, principal: OptionalPrincipalDep) -> Response:
    if principal is not None:
        return RedirectResponse(START_PAGE.get(principal.role, "/waiting"), status_code=303)
    return render(request, "home.html")


@router.get("/login")
def login_page(request: Request, next: str = "/", expired: int = 0, out: int = 0) -> Response:  # noqa: A002 - the parameter's name in the address
    notice = "expired" if expired else "logged_out" if out else None
    return render(request, "login.html", {"form": FormState(), "next": safe_next(next), "notice": notice})


@router.post("/login")
def login(
    request: Request,
    authenticator: AuthenticatorDep,
    login: Annotated[str, Form(max_length=80)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    code: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",  # noqa: A002 - the form field's name
) -> Response:
    form = FormState(values={"login": login})  # never the password or the code back into the page
    status = 401
    try:
        token = authenticator.login(login.strip(), password, code.strip() or None)
    except TotpRequiredError:
        form.error("code", N_("enter the 6-digit code from your authenticator app"))
    except TotpReusedError:
        form.error("code", N_("this code was already used: wait for the next one"))
    except LockedOutError as locked:
        status = 429
        form.error("login", N_("too many failed logins"))
        return render(
            request,
            "login.html",
            {
                "form": form,
                "next": safe_next(next),
                "notice": "locked",
                "retry_minutes": max(1, -(-locked.retry_after // 60)),
            },
            status_code=status,
            headers={"Retry-After": str(locked.retry_after)},
        )
    except (InvalidCredentialsError, AuthenticationError):
        form.error("password", N_("the login or password is wrong"))
    else:
        response = RedirectResponse(safe_next(next), status_code=303)
        set_session_cookie(response, request, token, int(authenticator.session_ttl.total_seconds()))
        return response
    return render(request, "login.html", {"form": form, "next": safe_next(next), "notice": None}, status_code=status)


@router.post("/logout")
def logout(request: Request, authenticator: AuthenticatorDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        authenticator.logout(token)
    response = RedirectResponse("/login?out=1", status_code=303)
    clear_session_cookie(response, request)
    return response


@router.get("/language/{code}")
def choose_language(request: Request, code: str, next: str = "/") -> Response:  # noqa: A002 - the parameter's name in the address
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in i18n.FOLLOW_UP_LANGUAGES:
        response.set_cookie(
            i18n.LANGUAGE_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            path="/",
            samesite="strict",
            secure=request.url.scheme == "https",
        )
    return response


@router.get("/waiting")
def waiting(request: Request, principal: PagePrincipalDep, desk: WaitingForMeDep, request_id: RequestIdDep) -> Response:
    summary = desk.summary(principal, request_id=request_id)
    return render(request, "waiting.html", {"summary": summary})
