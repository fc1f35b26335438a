"""Every route under /api/v1 accepts only the query parameters it declares: anything else is a 422
naming the parameter, never silently ignored (a misspelt filter would otherwise widen the answer)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from trustone.web.app import create_app


@pytest.fixture
def client(services):
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


def api_operations(client):
    """(method, path with its path parameters filled) for every operation the OpenAPI document lists."""
    paths = client.get("/openapi.json").json()["paths"]
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, operations in paths.items()
        if path.startswith("/api/v1/")
        for method in operations
    ]


def test_every_api_operation_refuses_a_query_parameter_it_does_not_declare(client):
    operations = api_operations(client)
    assert len(operations) > 30 and ("GET", "/api/v1/linked-list") in operations
    for method, path in operations:
        response = client.request(method, path, params={"colour": "red"})
        assert response.status_code == 422, (method, path, response.status_code)
        assert response.json()["errors"][0]["field"] == "colour", (method, path)
        assert response.json()["errors"][0]["message"].startswith("unknown query parameter 'colour'"), (method, path)


def test_the_refusal_names_the_parameters_the_route_does_accept(client):
    response = client.get("/api/v1/public/quarry-regions", params={"yaer": "2024"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "yaer", "message": "unknown query parameter 'yaer'; accepted: year, format"}
    ]


def test_declared_parameters_pass_and_routes_outside_the_api_are_left_alone(client):
    assert client.get("/api/v1/public/quarry-regions", params={"year": 2031}).status_code == 404  # not 422
    assert client.get("/healthz", params={"probe": "1"}).status_code == 200
