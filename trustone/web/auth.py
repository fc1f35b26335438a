"""Login, logout and "who am I"; the ``PrincipalDep`` every protected route depends on.

Routes raise the errors of ``keys/logins/auth.py``; ``errors.py`` turns them into 401 (with
``WWW-Authenticate: Bearer``) or 429 (with ``Retry-After``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from keys.access.principal import Principal
from keys.logins.auth import AuthenticationError, Authenticator
from keys.logins.sessions import Clock, SessionStore, utc_now
from keys.logins.throttle import LoginThrottle
from keys.storage.sql import SqlStore
from registry.domain.accounts import Role


class LoginStores(Protocol):
    """What logins need of the services: the SQL store (sessions, throttle) and the registry (accounts)."""

    @property
    def sql(self) -> SqlStore: ...

    @property
    def registry(self) -> Any: ...


def build_authenticator(services: LoginStores, clock: Clock = utc_now) -> Authenticator:
    """The authenticator over the services' SQL store; creates its tables (idempotent)."""
    sessions = SessionStore(services.sql, clock)
    throttle = LoginThrottle(services.sql, clock)
    sessions.create_tables()
    throttle.create_tables()
    return Authenticator(services.registry, sessions, throttle, clock)


def get_authenticator(request: Request) -> Authenticator:
    return request.app.state.authenticator


AuthenticatorDep = Annotated[Authenticator, Depends(get_authenticator)]
_bearer = HTTPBearer(auto_error=False, description="The access_token from POST /api/v1/auth/login")


def get_bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None or not credentials.credentials:
        raise AuthenticationError()
    return credentials.credentials


BearerTokenDep = Annotated[str, Depends(get_bearer_token)]


def get_principal(token: BearerTokenDep, authenticator: AuthenticatorDep) -> Principal:
    principal = authenticator.principal_for(token)
    if principal is None:
        raise AuthenticationError("not logged in, or the session has expired")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


class LoginRequest(BaseModel):
    login: str = Field(min_length=1, max_length=80)
    # Bounded: argon2 over a megabyte of "password" is a cheap way to tie up a server.
    password: str = Field(min_length=1, max_length=1024)
    totp: str | None = Field(
        default=None, max_length=16, description="Current TOTP code; required for secretariat and auditor"
    )


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int  # seconds


@dataclass(frozen=True)
class Me:
    """Who the caller is: the principal without its internal organisation id."""

    login: str
    role: Role
    organisation_ref: str

    @classmethod
    def of(cls, principal: Principal) -> Me:
        return cls(login=principal.login, role=principal.role, organisation_ref=principal.organisation_ref)


router = APIRouter(prefix="/api/v1/auth", tags=["authentication"])


@router.post(
    "/login",
    response_model=TokenOut,
    responses={
        401: {"description": "Invalid login or password, or a second factor is required"},
        429: {"description": "Too many failed logins; see Retry-After"},
    },
)
def login(body: LoginRequest, authenticator: AuthenticatorDep, response: Response) -> TokenOut:
    token = authenticator.login(body.login, body.password, body.totp)
    response.headers["Cache-Control"] = "no-store"  # RFC 6749 5.1: no cached tokens
    return TokenOut(access_token=token, expires_in=int(authenticator.session_ttl.total_seconds()))


@router.post("/logout", status_code=204, response_class=Response)
def logout(token: BearerTokenDep, _: PrincipalDep, authenticator: AuthenticatorDep) -> Response:
    authenticator.logout(token)
    return Response(status_code=204)


@router.get("/me", response_model=Me)
def me(principal: PrincipalDep) -> Me:
    return Me.of(principal)
