"""Unknown query parameters are refused, for the whole JSON API, in one place.

Why: a filter the route does not know (``kind=quarry`` on a route without ``kind``, or ``yaer``)
would otherwise be ignored silently, and the answer would be wider than the person asked for, with
no sign of it. Every route under ``/api/v1`` declares its query parameters; this app-wide dependency
compares the request's parameter names with the declared ones and answers 422 naming each unknown
one (and what the route accepts), before any route body, so before any access check or confidential
read. The declared set is read from the route's dependency tree (``Dependant.query_params``), which
is also what FastAPI builds the OpenAPI document from: what is documented is what is accepted.

Only names are checked here; the values of declared parameters are validated by their types as usual.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel

API_PREFIX = "/api/v1/"
_LONGEST_NAME_SHOWN = 60


def declared_query_parameters(route: APIRoute) -> tuple[str, ...]:
    """The query parameter names a route declares, in declaration order (its dependencies' included).
    Walked per request: a few dozen attribute reads, cheaper than a cache keyed by route."""
    return tuple(dict.fromkeys(_query_names(route.dependant)))


def _query_names(dependant: Dependant) -> list[str]:
    names = []
    for sub in dependant.dependencies:
        names += _query_names(sub)
    for field in dependant.query_params:
        model = field.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):  # a query model: its fields are the names
            names += [info.alias or name for name, info in model.model_fields.items()]
        else:
            names.append(field.alias)
    return names


def refuse_unknown_query_parameters(request: Request) -> None:
    """App-wide dependency: 422 for a query parameter the matched ``/api/v1`` route does not declare."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not route.path_format.startswith(API_PREFIX):
        return  # /healthz and the like: monitoring probes may add what they like
    declared = declared_query_parameters(route)
    unknown = [name for name in dict.fromkeys(request.query_params.keys()) if name not in declared]
    if not unknown:
        return
    accepted = f"accepted: {', '.join(declared)}" if declared else "this route takes no query parameters"
    raise RequestValidationError(
        [
            {
                "loc": ("query", _shown(name)),
                "type": "unknown_query_parameter",
                "msg": f"unknown query parameter '{_shown(name)}'; {accepted}",
            }
            for name in unknown
        ]
    )


def _shown(name: str) -> str:
    return name if len(name) <= _LONGEST_NAME_SHOWN else name[:_LONGEST_NAME_SHOWN] + "..."
