"""The one place that turns errors into HTTP responses.

Clients get a status and a short message naming the field or rule; never a stack trace, never a
value from the request (it could be a price or a supplier name). Unexpected errors are logged with
a request id that the response repeats, so support can find them.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from grievance.domain.stages import StaleStageError
from keys.access.filter import AccessDeniedError, IntegrityError
from keys.logins.auth import AuthenticationError, LockedOutError
from registry.domain.errors import ConflictError, GoneError, NotFoundError, ValidationError
from registry.domain.transitions import StepNotAllowedError
from registry.reportfile import ReportFileError
from trustone.storage_errors import classify as classify_storage_error
from trustone.web.logging import request_id_of

log = logging.getLogger("trustone.web")


def _field_of(location: tuple) -> str:
    parts = [str(p) for p in location if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


# pydantic's error types for a value that is not a date (not for a date outside a range): its own
# texts ("invalid character in year") do not tell a person that 31-12-2024 must be 2024-12-31.
_DATE_PARSING_ERRORS = frozenset(
    {"date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact", "date_type"}
)


def _message_of(field: str, error: dict) -> str:
    if error.get("type") in _DATE_PARSING_ERRORS:
        return f"{field}: write the date as YYYY-MM-DD (for example 2024-12-31)"
    return error.get("msg", "invalid")


def _store_error_classes() -> tuple[type[Exception], ...]:
    import sqlite3

    from eventsourcing.persistence import PersistenceError
    from psycopg import Error as PostgresError

    return (sqlite3.Error, PersistenceError, PostgresError, OSError)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [(_field_of(tuple(e.get("loc", ()))), e) for e in exc.errors()]
        errors = [{"field": field, "message": _message_of(field, e)} for field, e in fields]
        return JSONResponse(status_code=422, content={"detail": "invalid input", "errors": errors})

    @app.exception_handler(ValidationError)
    def invalid_value(_: Request, exc: ValidationError) -> JSONResponse:
        return JSONResponse(
            status_code=422,
            content={"detail": "invalid input", "errors": [{"field": exc.field, "message": exc.message}]},
        )

    @app.exception_handler(ReportFileError)
    def invalid_file(_: Request, exc: ReportFileError) -> JSONResponse:
        errors = [{"sheet": e.sheet, "row": e.row, "column": e.column, "message": e.message} for e in exc.errors]
        return JSONResponse(status_code=422, content={"detail": str(exc), "errors": errors})

    @app.exception_handler(NotFoundError)
    def not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse(status_code=404, content={"detail": str(exc)})

    @app.exception_handler(AccessDeniedError)
    def denied(_: Request, exc: AccessDeniedError) -> JSONResponse:
        if exc.anonymous:
            return JSONResponse(status_code=401, content={"detail": str(exc)}, headers={"WWW-Authenticate": "Bearer"})
        return JSONResponse(status_code=403, content={"detail": str(exc)})

    @app.exception_handler(GoneError)
    def gone(_: Request, exc: GoneError) -> JSONResponse:
        return JSONResponse(status_code=410, content={"detail": str(exc)})

    @app.exception_handler(IntegrityError)
    def integrity_failure(_: Request, exc: IntegrityError) -> JSONResponse:
        # 503: the stored data, not the request, is wrong; nothing is answered until it is restored.
        # The filter has logged it and written the access-log entry; the message names no value.
        return JSONResponse(status_code=503, content={"detail": str(exc), "code": "integrity_failure"})

    @app.exception_handler(ConflictError)
    def conflict(_: Request, exc: ConflictError) -> JSONResponse:
        # Also a lost race: the save path raises a version conflict as VersionConflictError, a
        # ConflictError first and the store's IntegrityError second, so it lands here, not in
        # storage_error below (registry/sealed_application.py).
        content: dict = {"detail": str(exc)}
        # A step the state does not allow, or one chosen for a stage the case has left: both name
        # the steps that are allowed (now).
        if isinstance(exc, StepNotAllowedError | StaleStageError):
            content["allowed_next"] = exc.allowed
        return JSONResponse(status_code=409, content=content)

    @app.exception_handler(AuthenticationError)
    def not_authenticated(_: Request, exc: AuthenticationError) -> JSONResponse:
        # Generic by design: never the login, never which part of the credentials was wrong.
        return JSONResponse(
            status_code=401, content={"detail": str(exc), "code": exc.code}, headers={"WWW-Authenticate": "Bearer"}
        )

    @app.exception_handler(LockedOutError)
    def locked_out(_: Request, exc: LockedOutError) -> JSONResponse:
        return JSONResponse(
            status_code=429,
            content={"detail": str(exc), "code": exc.code},
            headers={"Retry-After": str(exc.retry_after)},
        )

    @app.exception_handler(StarletteHTTPException)
    def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code, content={"detail": exc.detail}, headers=getattr(exc, "headers", None)
        )

    def storage_error(request: Request, exc: Exception) -> JSONResponse:
        # A store that cannot take the write (full disk, out of resources): the store rolled the
        # transaction back; the client may retry later. Any other store error stays unexpected.
        refusal = classify_storage_error(exc)
        if refusal is None:
            return unexpected(request, exc)
        log.error(
            "store refused a write on %s %s: %s",
            request.method,
            getattr(request.scope.get("route"), "path", "(no route)"),
            refusal.code,
        )
        return JSONResponse(
            status_code=503,
            content={"detail": refusal.detail, "code": refusal.code},
            headers={"Retry-After": str(refusal.retry_after)},
        )

    # The classes the store's errors come as (each checked by classify, not by its class alone).
    # Registered by class, not left to the catch-all: that one hands the error on to the server after answering.
    for error_class in _store_error_classes():
        app.add_exception_handler(error_class, storage_error)

    @app.exception_handler(Exception)
    def unexpected(request: Request, exc: Exception) -> JSONResponse:
        request_id = request_id_of(request.scope)  # the id of the request line and of the header
        # The type only: an exception's message can quote data.
        log.error(
            "unexpected error %s on %s %s: %s",
            request_id,
            request.method,
            getattr(request.scope.get("route"), "path", "(no route)"),  # the template: a path can name a company
            type(exc).__name__,
        )
        return JSONResponse(
            status_code=500,
            content={"detail": "internal error", "request_id": request_id},
            # answered by the server's own error handler, outside RequestLog: the header is set here
            headers={"X-Request-ID": request_id},
        )
