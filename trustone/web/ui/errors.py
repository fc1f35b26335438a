"""Errors on a page: the JSON API's answer (trustone/web/errors.py) drawn as a page.

The one place that decides the status and the message stays ``trustone/web/errors.py``; for a page
(any path outside ``/api/`` and ``/healthz``) its answer is re-drawn in the visitor's language: a
title per status, the message naming the field or rule, and for a 500 the request id, never a
trace. Not logged in, or a session that expired, is a redirect to the login page instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from trustone.web.logging import request_id_of
from trustone.web.ui.session import LoginRequired, clear_session_cookie
from trustone.web.ui.templating import render


def is_page(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith(("/api/", "/static/")) or path in ("/healthz", "/openapi.json"))


def _login_redirect(request: Request, exc: LoginRequired) -> Response:
    response = RedirectResponse(exc.location(), status_code=303)
    if exc.expired:
        clear_session_cookie(response, request)
    return response


def _as_page(handler: Callable[[Request, Any], Any]) -> Callable[[Request, Any], Response]:
    """The handlers of trustone/web/errors.py are plain functions that return their answer."""

    def answer(request: Request, exc: Any) -> Response:
        response = handler(request, exc)
        if not is_page(request):
            return response
        if response.status_code == 401:
            return _login_redirect(request, LoginRequired(request.url.path, expired=False))
        try:
            body = json.loads(bytes(response.body))
        except ValueError:
            body = {}
        headers = {k: v for k, v in response.headers.items() if k.lower() in ("retry-after", "x-request-id")}
        return render(
            request,
            "error.html",
            {
                "status": response.status_code,
                "detail": body.get("detail") if response.status_code < 500 else None,
                "errors": body.get("errors") or [],
                "request_id": request_id_of(request.scope) if response.status_code >= 500 else None,
            },
            status_code=response.status_code,
            headers=headers,
        )

    return answer


def install_page_errors(app: FastAPI) -> None:
    """After ``install_error_handlers``: each handler's answer, drawn as a page for a page's request."""
    for error_class, handler in list(app.exception_handlers.items()):
        app.exception_handlers[error_class] = _as_page(handler)
    app.exception_handlers[LoginRequired] = _login_redirect
