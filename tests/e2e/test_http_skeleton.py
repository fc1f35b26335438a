import datetime as dt

import pytest
from fastapi.testclient import TestClient

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from trustone.web.app import create_app


@pytest.fixture
def client(services):
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


def test_health_answers_with_the_store_in_use(client, services):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "backend": services.settings.backend}


def test_the_openapi_document_lists_the_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "/healthz" in paths and "/api/v1/public/members/{ref}/status" in paths


def test_a_member_status_on_a_date_shows_published_fields(client, services):
    services.registry.register_organisation("stenen-bv", "Stenen BV", OrganisationKind.MEMBER_COMPANY, "NL")
    services.registry.join("stenen-bv", dt.date(2022, 1, 10), CompanyCategory.B, CompanySize.SMALL)
    before = client.get("/api/v1/public/members/stenen-bv/status", params={"on": "2022-01-09"}).json()
    after = client.get("/api/v1/public/members/stenen-bv/status", params={"on": "2022-01-10"}).json()
    assert (before["member"], after["member"]) == (False, True)
    assert after["joined_on"] == "2022-01-10"


def test_an_unknown_member_is_a_404_in_json(client):
    response = client.get("/api/v1/public/members/no-such-company/status")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_invalid_input_is_a_422_naming_the_field(client):
    response = client.get("/api/v1/public/members/stenen-bv/status", params={"on": "31-12-2024"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["on"]


def test_an_unexpected_error_reaches_the_client_without_trace_or_message(client, services, monkeypatch):
    def explode(*_args, **_kwargs):
        raise RuntimeError("price 4321.77 leaked")

    monkeypatch.setattr(services.registry, "member_status_on", explode)
    response = client.get("/api/v1/public/members/x-y-z/status")
    assert response.status_code == 500
    body = response.text
    assert "4321.77" not in body and "Traceback" not in body and "RuntimeError" not in body
    assert response.json()["request_id"]
