"""The aggregated list and the linked-list search come in pages (issue 12 item 4): ``limit`` rows
(default 500) after ``cursor``, and ``next_cursor`` to ask for the next page, none after the last.
Walking the pages gives every row of the whole answer exactly once, in the same order; each page of
a linked-list search logs exactly the companies whose rows are on that page."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from fastapi.testclient import TestClient

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from tests.principals import secretariat
from trustone.web.app import create_app

COMPANIES = ("graniet-import", "natuursteen-noord", "steenhandel-zuid")
SHANDONG = {
    "graniet-import": ("Qingdao", "36.07", "120.38"),
    "natuursteen-noord": ("Yantai", "37.46", "121.45"),
    "steenhandel-zuid": ("Weifang", "36.71", "119.16"),
}


def report(ref: str) -> bytes:
    district, lat, lon = SHANDONG[ref]
    rows = [quarry_row(chain="C1"), factory_row(chain="C1")]
    rows += [quarry_row(chain=f"C{n}") for n in (3, 4, 5)]  # the same link three times more: rows alike
    rows += [
        quarry_row(
            chain="C2",
            name=f"{district} Granite Quarry",
            country="CN",
            province="Shandong",
            district=district,
            latitude=lat,
            longitude=lon,
            stone_type="granite",
        )
    ]
    return csv_bytes(rows)


@pytest.fixture
def client(services):
    registry = services.registry
    for ref in COMPANIES:
        registry.register_organisation(ref, ref.title(), OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
        registry.import_report(ref, 2024, report(ref), "r.csv", submitted_on=dt.date(2025, 3, 1))
    registry.register_organisation("secretariaat", "Secretariaat", OrganisationKind.SECRETARIAT, "NL")
    registry.create_account("secretariat.user", secretariat().role, "secretariaat", "s", "not-used-here", None)
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        sessions = test_client.app.state.authenticator._sessions  # noqa: SLF001
        test_client.headers["Authorization"] = f"Bearer {sessions.issue('secretariat.user', dt.timedelta(hours=1))}"
        yield test_client


def walk(client, url: str, field: str, limit: int) -> tuple[list[dict], list[str]]:
    rows, request_ids, cursor = [], [], None
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get(url, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page[field]) <= limit
        rows += page[field]
        request_ids.append(response.headers["X-Request-ID"])
        cursor = page["next_cursor"]
        if cursor is None:
            return rows, request_ids
        assert len(request_ids) <= 100, "the walk does not end"


def test_the_aggregated_list_walked_page_by_page_gives_every_site_once(client):
    whole = client.get("/api/v1/aggregated-list").json()
    assert whole["next_cursor"] is None  # 5 sites: one page at the default limit of 500
    assert len(whole["sites"]) == 5
    for limit in (1, 2, 3, 5):
        rows, _ = walk(client, "/api/v1/aggregated-list", "sites", limit)
        assert rows == whole["sites"], limit


def test_the_linked_list_walked_page_by_page_gives_every_row_once_and_logs_each_pages_companies(client, services):
    whole = client.get("/api/v1/linked-list").json()
    assert whole["next_cursor"] is None
    assert len(whole["links"]) == 3 * 6  # six rows a company, four of them alike
    assert Counter(row["company"] for row in whole["links"]) == {ref: 6 for ref in COMPANIES}
    for limit in (1, 2, 4, 7):
        rows, request_ids = walk(client, "/api/v1/linked-list", "links", limit)
        assert rows == whole["links"], limit
        for request_id in request_ids:
            page_companies = {row["company"] for row in rows_of(client, request_id, rows, limit, request_ids)}
            logged = {
                e.company for e in services.access_log.entries(actor="secretariat.user") if e.request_id == request_id
            }
            assert logged == (page_companies or {None}), (limit, request_id)


def rows_of(client, request_id, rows, limit, request_ids):
    index = request_ids.index(request_id)
    return rows[index * limit : (index + 1) * limit]


@pytest.mark.parametrize("url", ["/api/v1/aggregated-list", "/api/v1/linked-list"])
def test_a_cursor_no_page_gave_and_a_limit_out_of_range_are_refused_naming_the_field(client, url):
    for params, field in (
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WzFd"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 5001}, "limit"),
    ):
        response = client.get(url, params=params)
        assert response.status_code == 422, (params, response.text)
        assert [error["field"] for error in response.json()["errors"]] == [field]
