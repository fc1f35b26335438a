"""Headers every answer carries, and CSRF protection for the pages' forms.

CSRF: ``asgi-csrf`` (a maintained library) sets a signed token cookie and refuses any POST with
cookies whose form field ``csrftoken`` (the first field of a form: ``forms.html``) does not match.
The JSON API is left out: it is authorised by the bearer token alone, which a browser never sends
by itself. The signing secret is one file in the data directory, shared by every worker process.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import asgi_csrf as _asgi_csrf_module  # type: ignore[import-untyped]  # the library ships no type information
import python_multipart
from asgi_csrf import asgi_csrf
from python_multipart.multipart import parse_options_header
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks


@dataclass(frozen=True)
class _Field:
    field_name: bytes
    value: bytes


class _TokenFirstFormParser:
    """The multipart parser asgi-csrf 0.11 calls as python-multipart's ``FormParser`` used to be
    called (python-multipart 0.0.13 and later no longer take its ``FileClass``: every file upload
    from a page was a 500). It reports each field to asgi-csrf, which stops at the token, and
    refuses a file part before the token as soon as the part's headers say it is a file, before a
    byte of it is read; a field before the token may be at most ``_FIELD_LIMIT`` bytes."""

    _FIELD_LIMIT = 64 * 1024

    def __init__(self, content_type, on_field, on_file, boundary=None, FileClass=None):  # noqa: ARG002 - asgi-csrf's call
        self._on_field = on_field
        self._header_name = b""
        self._header_value = b""
        self._name = b""
        self._value = b""
        callbacks: MultipartCallbacks = {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value_part,
            "on_header_end": self._header_end,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }
        self._parser = python_multipart.MultipartParser(boundary, callbacks)

    def write(self, data: bytes) -> int:
        return self._parser.write(data)

    def _part_begin(self) -> None:
        self._name, self._value, self._header_name, self._header_value = b"", b"", b"", b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_part(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            _, options = parse_options_header(self._header_value)
            if b"filename" in options:
                raise _asgi_csrf_module.FileBeforeToken
            self._name = options.get(b"name", b"")
        self._header_name, self._header_value = b"", b""

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]
        if len(self._value) > self._FIELD_LIMIT:
            raise _asgi_csrf_module.FileBeforeToken

    def _part_end(self) -> None:
        self._on_field(_Field(self._name, self._value))


_asgi_csrf_module.FormParser = _TokenFirstFormParser  # the name asgi-csrf's multipart check calls

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
    # An address never travels to another site; same-origin, not no-referrer: with no-referrer a
    # browser sends "Origin: null" on the site's own form posts, which the CSRF check must refuse.
    (b"referrer-policy", b"same-origin"),
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


def _answer(status: int, body: bytes) -> Message:
    return {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())],
    }


_EXPIRED = (
    b"<!doctype html><html lang='nl'><meta charset='utf-8'><title>403</title>"
    b"<p>Dit formulier is verlopen: laad de pagina opnieuw en probeer het nog eens.</p>"
    b"<p lang='en'>This form has expired: reload the page and try again.</p></html>"
)
_TOO_LARGE = (
    b"<!doctype html><html lang='nl'><meta charset='utf-8'><title>413</title>"
    b"<p>Dit formulier is te groot.</p><p lang='en'>This form is too large.</p></html>"
)
_MALFORMED = (
    b"<!doctype html><html lang='nl'><meta charset='utf-8'><title>400</title>"
    b"<p>Dit formulier kon niet gelezen worden.</p><p lang='en'>This form could not be read.</p></html>"
)


async def _refuse(send: Send, status: int, body: bytes) -> None:
    await send(_answer(status, body))
    await send({"type": "http.response.body", "body": body})


async def _refused(scope: Scope, send: Send, _error: object) -> None:  # noqa: ARG001 - asgi-csrf's signature
    await _refuse(send, 403, _EXPIRED)


class _TooMuchBeforeTheToken(Exception):
    pass


_OUTER_SCOPE = "trustone.outer_scope"
_APP_REACHED = "trustone.csrf_passed"
_FORM_TYPES = (b"application/x-www-form-urlencoded", b"multipart/form-data")


class CsrfProtection:
    """The pages' forms: asgi-csrf's double-submit token, and around it what that library leaves open.

    Before asgi-csrf sees a page's POST (the JSON API is bearer-only and left out):
    - a request the browser says comes from another site (``Sec-Fetch-Site`` other than
      same-origin/none, or an ``Origin`` that is not this site) is refused, token or not;
    - a request with no cookie at all is refused: asgi-csrf lets those through, and every cookie of
      this site is SameSite=Strict, so a cross-site post (a login CSRF) arrives with none;
    - a body that is not a form (urlencoded, or multipart with a boundary) is refused;
    - asgi-csrf reads the body to find the token before the app runs: it may read at most
      ``PRE_CHECK_BYTES`` (a form's fields; in a multipart form the token comes first and a file
      part before it is refused at its headers), so a large body without a valid token is refused
      without being held in memory. Over HTTPS its cookie is ``__Host-csrftoken`` (Secure, Path=/,
      no Domain: a sibling host cannot plant one).

    asgi-csrf hands the app a copy of the request's scope; the route the router then writes into
    the copy is copied back, for ``RequestLog`` (trustone/web/logging.py), which logs by route."""

    PRE_CHECK_BYTES = 2 * 1024 * 1024

    def __init__(self, app: ASGIApp, secret: str) -> None:
        options = {
            "signing_secret": secret,
            "cookie_samesite": "Strict",
            "skip_if_scope": _outside_the_pages,
            "send_csrf_failed": _refused,
        }
        inner = _RouteBack(app)
        self._plain = asgi_csrf(inner, cookie_secure=False, **options)
        self._secure = asgi_csrf(inner, cookie_secure=True, cookie_name="__Host-csrftoken", **options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._plain(scope, receive, send)
            return
        scope[_OUTER_SCOPE] = scope
        handler = self._secure if scope.get("scheme") == "https" else self._plain
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "TRACE") or _outside_the_pages(scope):
            await handler(scope, receive, send)
            return
        refusal = _refusal_before_the_token(scope)
        if refusal is not None:
            await _refuse(send, *refusal)
            return
        started = False

        async def counted_receive() -> Message:
            message = await receive()
            if not scope.get(_APP_REACHED):
                read = scope.get("trustone.pre_check_bytes", 0) + len(message.get("body", b""))
                scope["trustone.pre_check_bytes"] = read
                if read > self.PRE_CHECK_BYTES:
                    raise _TooMuchBeforeTheToken
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await handler(scope, counted_receive, watched_send)
        except _TooMuchBeforeTheToken:
            if not started:
                await _refuse(send, 413, _TOO_LARGE)
        except UnicodeDecodeError:  # asgi-csrf decodes an urlencoded body as UTF-8
            if started or scope.get(_APP_REACHED):
                raise
            await _refuse(send, 400, _MALFORMED)


def _refusal_before_the_token(scope: Scope) -> tuple[int, bytes] | None:
    headers = dict(scope.get("headers") or [])
    fetch_site = headers.get(b"sec-fetch-site")
    if fetch_site is not None and fetch_site not in (b"same-origin", b"none"):
        return 403, _EXPIRED
    origin = headers.get(b"origin")
    if origin is not None and origin != _own_origin(scope, headers):
        return 403, _EXPIRED
    if not headers.get(b"cookie"):
        return 403, _EXPIRED
    media_type, _, parameters = headers.get(b"content-type", b"").partition(b";")
    media_type = media_type.strip().lower()
    if not media_type:
        return 403, _EXPIRED  # no form, so no token
    if media_type not in _FORM_TYPES:
        return 415, _MALFORMED
    if media_type == b"multipart/form-data" and b"boundary=" not in parameters:
        return 400, _MALFORMED
    return None


def _own_origin(scope: Scope, headers: dict[bytes, bytes]) -> bytes:
    host = headers.get(b"host", b"")
    return f"{scope.get('scheme', 'http')}://".encode() + host


class _RouteBack:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        outer = scope.get(_OUTER_SCOPE)
        if outer is not None:
            outer[_APP_REACHED] = True  # the token checked: the app reads the body as it likes
        try:
            await self.app(scope, receive, send)
        finally:
            if outer is not None and "route" in scope:
                outer["route"] = scope["route"]
