"""Every integer parameter of the API is bounded: out of range is a 422 naming it, never a 500 (issue 11 item 6).

``?after=9223372036854775808`` on the access log reached the database, which cannot hold it, and
the answer was a 500. The walk below reads ``/openapi.json``, and for every integer query or path
parameter of every /api/v1 operation sends values outside any range a column holds, as a logged-in
secretariat user (so authentication passes and the parameters are what is checked), with every
other parameter valid.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import Role
from registry.domain.organisations import OrganisationKind
from trustone.web.app import create_app

OUT_OF_RANGE = (2**63, -(2**63) - 1, 10**30)
VALID_PATH = {
    "reference": "TS-2026-0001",
    "ref": "eigen-steen",
    "year": "2024",
    "number": "1",
    "request_id": "1",
    "login": "someone",
    "government": "gemeente-utrecht",
    "entry_id": "an-entry",
    "check_id": "00000000-0000-4000-8000-000000000000",
}


@pytest.fixture
def client(services):
    services.registry.register_organisation("secretariaat", "Secretariaat", OrganisationKind.SECRETARIAT, "NL")
    services.registry.create_account("secretariat.user", Role.SECRETARIAT, "secretariaat", "S", "not-used", None)
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        token = test_client.app.state.authenticator._sessions.issue("secretariat.user", dt.timedelta(hours=1))  # noqa: SLF001
        test_client.headers["Authorization"] = f"Bearer {token}"
        yield test_client


def is_integer(schema: dict) -> bool:
    return schema.get("type") == "integer" or any(s.get("type") == "integer" for s in schema.get("anyOf", []))


def integer_schema(schema: dict) -> dict:
    return schema if schema.get("type") == "integer" else next(s for s in schema["anyOf"] if s.get("type") == "integer")


def integer_parameters(client) -> list[tuple[str, str, str, dict, list[dict]]]:
    """(method, path, parameter name, its schema, all the operation's parameters) per integer parameter."""
    found = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        for method, operation in operations.items():
            parameters = operation.get("parameters", [])
            for parameter in parameters:
                if (
                    path.startswith("/api/v1/")
                    and parameter["in"] in ("query", "path")
                    and is_integer(parameter["schema"])
                ):
                    found.append((method.upper(), path, parameter["name"], parameter["schema"], parameters))
    return found


def test_the_walk_finds_the_integer_parameters(client):
    names = {(path, name) for _, path, name, _, _ in integer_parameters(client)}
    assert {
        ("/api/v1/audit/access-log", "after"),
        ("/api/v1/audit/access-log", "limit"),
        ("/api/v1/companies/{ref}/reports/{year}", "version"),
    } <= names


def test_every_integer_parameter_declares_both_bounds(client):
    unbounded = [
        (method, path, name)
        for method, path, name, schema, _ in integer_parameters(client)
        if "maximum" not in integer_schema(schema) or "minimum" not in integer_schema(schema)
    ]
    assert unbounded == []


def test_an_out_of_range_integer_is_a_422_naming_the_parameter_never_a_500(client):
    for method, path, name, _, parameters in integer_parameters(client):
        for value in OUT_OF_RANGE:
            filled = path
            for parameter in parameters:
                if parameter["in"] == "path":
                    given = str(value) if parameter["name"] == name else VALID_PATH[parameter["name"]]
                    filled = filled.replace("{" + parameter["name"] + "}", given)
            params = {name: str(value)} if f"{{{name}}}" not in path else {}
            response = client.request(method, filled, params=params)
            assert response.status_code == 422, (method, path, name, value, response.status_code, response.text)
            # named (an upload sent without its file is also told the file is missing)
            assert name in [e["field"] for e in response.json()["errors"]], (method, path, name, value)


def test_the_bounds_themselves_are_answered_without_a_500(client):
    for method, path, name, schema, parameters in integer_parameters(client):
        for value in (integer_schema(schema)["minimum"], integer_schema(schema)["maximum"]):
            filled = path
            for parameter in parameters:
                if parameter["in"] == "path":
                    given = str(value) if parameter["name"] == name else VALID_PATH[parameter["name"]]
                    filled = filled.replace("{" + parameter["name"] + "}", given)
            params = {name: str(value)} if f"{{{name}}}" not in path else {}
            response = client.request(method, filled, params=params)
            assert response.status_code < 500, (method, path, name, value, response.text)
