"""The aggregated list over HTTP answers with an ETag that names the year's release and the query
(issue 12): the same tag for every request within a release, a new one at the next release, and
``304 Not Modified`` to ``If-None-Match`` with the current tag.

A 304 tells its reader that the list it holds is still the list: that is reading the list, so every
request is decided and logged as before, a 304 as well (one access-log entry each), and a party
the policy refuses gets its 403, never a 304, whatever tag it sends.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from tests.principals import secretariat
from trustone.web.app import create_app

COMPANIES = ("graniet-import", "natuursteen-noord", "steenhandel-zuid")
URL = "/api/v1/aggregated-list"


def report(registry, ref: str, product: str = "slabs") -> None:
    rows = [quarry_row(), factory_row(product=product)]
    registry.import_report(ref, 2024, csv_bytes(rows), "r.csv", submitted_on=dt.date(2025, 3, 1))


@pytest.fixture
def client(services):
    registry = services.registry
    for ref in COMPANIES:  # k = 3 companies reported 2024: its first release
        registry.register_organisation(ref, ref.title(), OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
        report(registry, ref)
    registry.register_organisation("secretariaat", "Secretariaat", OrganisationKind.SECRETARIAT, "NL")
    registry.create_account("secretariat.user", secretariat().role, "secretariaat", "s", "not-used-here", None)
    registry.create_account("company.user", Role.COMPANY, COMPANIES[0], "c", "not-used-here", None)
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        sessions = test_client.app.state.authenticator._sessions  # noqa: SLF001
        test_client.tokens = {
            login: sessions.issue(login, dt.timedelta(hours=1)) for login in ("secretariat.user", "company.user")
        }
        test_client.headers["Authorization"] = f"Bearer {test_client.tokens['secretariat.user']}"
        yield test_client


def entries_of(services, response) -> list[tuple]:
    request_id = response.headers["X-Request-ID"]
    return [
        (entry.actor, entry.action, str(entry.outcome))
        for entry in services.access_log.entries(limit=100_000)
        if entry.request_id == request_id
    ]


def test_the_tag_stays_within_a_release_and_changes_at_the_next(client, services):
    first = client.get(URL)
    assert first.status_code == 200 and first.json()["year"] == 2024
    tag = first.headers["ETag"]
    assert tag.startswith('"') and tag.endswith('"')
    again = client.get(URL)
    assert again.headers["ETag"] == tag and again.content == first.content
    report(services.registry, COMPANIES[0], product="tiles")  # one company changed: no release is cut
    assert client.get(URL).headers["ETag"] == tag
    assert client.get(URL, params={"country": "IN"}).headers["ETag"] != tag  # another query, another tag
    for ref in COMPANIES[1:]:  # k companies changed: the next release
        report(services.registry, ref, product="tiles")
    after = client.get(URL)
    assert after.status_code == 200 and after.json() == first.json()  # the same sites, in a new release
    assert after.headers["ETag"] != tag


def test_the_current_tag_is_answered_304_and_an_old_one_with_the_list(client, services):
    first = client.get(URL)
    tag = first.headers["ETag"]
    same = client.get(URL, headers={"If-None-Match": tag})
    assert same.status_code == 304 and same.content == b"" and same.headers["ETag"] == tag
    assert "private" in same.headers["Cache-Control"]  # no shared cache keeps it: each use asks again
    assert client.get(URL, headers={"If-None-Match": f'"other", {tag}'}).status_code == 304
    for ref in COMPANIES:
        report(services.registry, ref, product="tiles")
    newer = client.get(URL, headers={"If-None-Match": tag})
    assert newer.status_code == 200 and newer.json() == first.json() and newer.headers["ETag"] != tag


def test_every_request_has_its_access_log_entry_a_304_too(client, services):
    first = client.get(URL)
    not_modified = client.get(URL, headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304
    for response in (first, not_modified):
        assert entries_of(services, response) == [("secretariat.user", "read_aggregated_list", "granted")]


def test_a_refused_party_gets_403_not_304_whatever_tag_it_sends(client, services):
    tag = client.get(URL).headers["ETag"]
    refused = client.get(
        URL, headers={"If-None-Match": tag, "Authorization": f"Bearer {client.tokens['company.user']}"}
    )
    assert refused.status_code == 403 and "ETag" not in refused.headers
    assert entries_of(services, refused) == [("company.user", "read_aggregated_list", "denied")]
