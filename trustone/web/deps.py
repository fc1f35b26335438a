"""Dependencies shared by the routers: the services, and the request id every log entry carries."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from trustone.bootstrap import Services


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_request_id(request: Request) -> str:
    """Set by the middleware in app.py; also returned to the client as ``X-Request-ID``."""
    return getattr(request.state, "request_id", None) or uuid.uuid4().hex


ServicesDep = Annotated[Services, Depends(get_services)]
RequestIdDep = Annotated[str, Depends(get_request_id)]
