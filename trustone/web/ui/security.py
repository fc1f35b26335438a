"""Headers every answer carries, and CSRF protection for the pages' forms.

CSRF: ``asgi-csrf`` (a maintained library) sets a signed token cookie and refuses any POST with
cookies whose form field ``csrftoken`` (the first field of a form: ``forms.html``) does not match.
The JSON API is left out: it is authorised by the bearer token alone, which a browser never sends
by itself. The signing secret is one file in the data directory, shared by every worker process.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import asgi_csrf as _asgi_csrf_module  # type: ignore[import-untyped]  # the library ships no type information
import python_multipart
from asgi_csrf import asgi_csrf
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _TokenFirstFormParser(python_multipart.FormParser):
    """The multipart parser asgi-csrf 0.11 expects: it passes ``FileClass`` (a file class that
    refuses a file part before the token), which python-multipart 0.0.13+ no longer takes, so
    every form with a file was a 500. Here a file part before the token is refused when it ends."""

    def __init__(self, content_type, on_field, on_file, boundary=None, FileClass=None):  # noqa: ARG002 - asgi-csrf's call
        def refuse(_file: object) -> None:
            raise _asgi_csrf_module.FileBeforeToken

        super().__init__(content_type, on_field, refuse, boundary=boundary)


_asgi_csrf_module.FormParser = _TokenFirstFormParser

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; "
    "script-src 'self'; "  # no inline script, no eval
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'none'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),  # a follow-up page's address must not travel to another site
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


class SecurityHeaders:
    """Adds ``SECURITY_HEADERS`` to every answer (and HSTS to those over HTTPS)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                if https:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def csrf_secret(data_dir: Path) -> str:
    """The signing secret of the CSRF tokens: made once (mode 0600), then read by every worker."""
    path = data_dir / "csrf-secret"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def _outside_the_pages(scope: Scope) -> bool:
    path = scope.get("path", "")
    return path.startswith("/api/") or path == "/healthz"


async def _refused(scope: Scope, send: Send, _error: object) -> None:  # noqa: ARG001 - asgi-csrf's signature
    body = (
        b"<!doctype html><html lang='nl'><meta charset='utf-8'><title>403</title>"
        b"<p>Dit formulier is verlopen: laad de pagina opnieuw en probeer het nog eens.</p>"
        b"<p lang='en'>This form has expired: reload the page and try again.</p></html>"
    )
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class CsrfProtection:
    """asgi-csrf, its cookie Secure when the page came over HTTPS (one wrapped app per scheme).

    asgi-csrf hands the app a copy of the request's scope; the route the router then writes into
    the copy is copied back, for ``RequestLog`` (trustone/web/logging.py), which logs by route."""

    def __init__(self, app: ASGIApp, secret: str) -> None:
        options = {
            "signing_secret": secret,
            "cookie_samesite": "Strict",
            "skip_if_scope": _outside_the_pages,
            "send_csrf_failed": _refused,
        }
        inner = _RouteBack(app)
        self._plain = asgi_csrf(inner, cookie_secure=False, **options)
        self._secure = asgi_csrf(inner, cookie_secure=True, **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self._secure if scope.get("scheme") == "https" else self._plain
        scope[_OUTER_SCOPE] = scope
        await handler(scope, receive, send)


_OUTER_SCOPE = "trustone.outer_scope"


class _RouteBack:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            outer = scope.get(_OUTER_SCOPE)
            if outer is not None and "route" in scope:
                outer["route"] = scope["route"]
