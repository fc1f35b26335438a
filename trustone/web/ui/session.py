"""Who is looking at a page: the session cookie, holding the same server-side session as a bearer token.

The cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it) and
Secure when the page came over HTTPS. It is accepted by the pages only: the JSON API takes the
bearer token alone, so a cookie never authorises an API call and the API needs no CSRF token.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response

from keys.access.principal import Principal
from trustone.web.auth import AuthenticatorDep

SESSION_COOKIE = "trustone_session"


class LoginRequired(Exception):
    """Answered with a redirect to the login page, which says why (``expired``) and comes back (``next``)."""

    def __init__(self, next_path: str, expired: bool) -> None:
        super().__init__("login required")
        self.next_path = next_path
        self.expired = expired

    def location(self) -> str:
        reason = "&expired=1" if self.expired else ""
        return f"/login?next={quote(self.next_path, safe='/')}{reason}"


def safe_next(path: str | None) -> str:
    """A place to return to after logging in: a path on this site only (no ``//host`` or scheme)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or "\n" in path:
        return "/"
    return path


def is_secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=is_secure(request),
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=is_secure(request))


def page_principal(request: Request, authenticator: AuthenticatorDep) -> Principal:
    """The logged-in person, or a redirect to the login page (saying so when the session expired)."""
    token = request.cookies.get(SESSION_COOKIE)
    principal = authenticator.principal_for(token) if token else None
    if principal is None:
        here = request.url.path if request.method == "GET" else "/"
        raise LoginRequired(
            here + (f"?{request.url.query}" if request.url.query and request.method == "GET" else ""),
            expired=bool(token),
        )
    request.state.principal = principal  # the page's header shows who is logged in
    return principal


def optional_principal(request: Request, authenticator: AuthenticatorDep) -> Principal | None:
    """For public pages: the header shows the person's menu when they are logged in."""
    token = request.cookies.get(SESSION_COOKIE)
    principal = authenticator.principal_for(token) if token else None
    request.state.principal = principal
    return principal


PagePrincipalDep = Annotated[Principal, Depends(page_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]
