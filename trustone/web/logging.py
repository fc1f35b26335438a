"""What the server writes to its own log: no query string, no exception message, no traceback.

The access log (keys/access/accesslog.py) seals what a request was about; the server's log, which a backup
operator holds too (docs/confidentiality.md, threat model), must not undo that:

- uvicorn's access log prints each request line with its query string (``?company=...``), so it is
  off. ``RequestLog`` writes one line per request instead: the method, the route's path template
  (``/api/v1/companies/{ref}/reports/{year}``, never the values in it), the status and the duration.
- An exception's message and its traceback can quote input (a company, a site, a search term, a
  row of SQL). ``TypeOnly`` reduces every record that carries an exception to the exception's type.
  It sits on the handler, so it holds for every logger that reaches it: ours, uvicorn's ("Exception
  in ASGI application") and the libraries'.

``LOG_CONFIG`` is what ``trustone serve`` gives uvicorn.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

log = logging.getLogger("trustone.web.requests")


class TypeOnly(logging.Filter):
    """Every record leaves with its exception reduced to the type: no message, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _type_only(record.msg)  # log.error(error): the message is the exception's
        if record.exc_info and record.exc_info[0] is not None:
            record.msg = f"{str(record.msg).rstrip()} [{record.exc_info[0].__name__}]"
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        if isinstance(record.args, Mapping):
            record.args = {key: _type_only(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_type_only(value) for value in record.args)
        return True


def _type_only(value: Any) -> Any:
    return type(value).__name__ if isinstance(value, BaseException) else value


class RequestLog:
    """One line per HTTP request: method, route template, status, milliseconds, request id (ASGI
    middleware, the outermost but the server's own error handler).

    The request id is made here, so the one line, the ``X-Request-ID`` header, every access-log
    entry of the request (routes take it as ``RequestIdDep``) and a failure's answer
    carry the same id: an operator finds the request a user quotes."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def sending(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            log.error(
                "%s %s 500 %.0fms id=%s %s",
                scope["method"],
                _template(scope),
                _since(started),
                request_id,
                type(error).__name__,
            )
            raise
        log.info("%s %s %d %.0fms id=%s", scope["method"], _template(scope), status, _since(started), request_id)


def request_id_of(scope: Mapping[str, Any]) -> str:
    """The id ``RequestLog`` gave this request; a new one where no ``RequestLog`` runs (a bare app)."""
    state = scope.get("state") or {}
    return str(state.get("request_id") or uuid.uuid4().hex)


def _template(scope: dict) -> str:
    """The matched route's path template; a path that matched no route is not written at all."""
    return getattr(scope.get("route"), "path", None) or "(no route)"


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"type_only": {"()": TypeOnly}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "plain",
            "filters": ["type_only"],
        }
    },
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},  # RequestLog instead
        "trustone": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
