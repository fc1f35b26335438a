"""Contributions over HTTP (issue 17; docs/contributions.md), on SQLite and PostgreSQL: what each role
sees (the secretariat everything; a company its own statements only; every other role nothing; the
risk-country list to anyone), the invoices CSV, bad input as 422 naming the field, and the attack
with the database alone: a prepared statement's facts (regime, chains, amount) are nowhere in clear.

The world is tests/e2e/matrix.py's: three category-C members since 2022 (eigen-steen, andere-steen,
derde-steen), each with a 2024 report of one chain through an Indian factory. So each 2025 statement
is bijlage 4's importer under full due diligence with at most 2 chains: EUR 1200."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

from keys.access.principal import Principal
from registry.application import RegistryApplication
from registry.domain.accounts import Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    OTHER,
    OWN,
    THIRD,
    client,
    tokens,
    world,
)
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from trustone.bootstrap import bootstrap

API = "/api/v1/contributions"
PUBLIC = "/api/v1/public/risk-countries"
EEA = [
    *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE"),
    *("IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK"),
]
OTHER_ROLES = (Role.NGO, Role.UNION, Role.COMMITTEE, Role.AUDITOR, Role.BUYER)
BASIS = {"member_type": "associated", "establishments": 3}


def as_(tokens, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


def risk_change(days_ahead: int = 30) -> dict:
    return {
        "in_force_from": (dt.date.today() + dt.timedelta(days=days_ahead)).isoformat(),
        "become_risk": [],
        "stop_being_risk": ["TR"],
        "reason": "the parties judged Turkey's natural-stone sector no longer a risk",
    }


def every_route(ref: str = OWN) -> list[tuple[str, str, dict | None]]:
    """(method, path, body) of every route behind a login."""
    return [
        ("POST", f"{API}/risk-countries", risk_change()),
        ("PUT", f"{API}/basis/{ref}", BASIS),
        ("POST", f"{API}/2025/prepare", None),
        ("GET", f"{API}/2025", None),
        ("GET", f"{API}/2025/invoices.csv", None),
        ("GET", f"{API}/companies/{ref}", None),
    ]


def prepared(client, tokens) -> None:
    response = client.post(f"{API}/2025/prepare", headers=as_(tokens, Role.SECRETARIAT))
    assert response.status_code == 200, response.text
    assert response.json() == {"year": 2025, "prepared": 3, "revised": 0, "unchanged": 0}


# --- each role's view ------------------------------------------------------------------------------


def test_the_secretariat_sees_every_statement_of_the_year(client, tokens):
    prepared(client, tokens)
    response = client.get(f"{API}/2025", headers=as_(tokens, Role.SECRETARIAT))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["year"], body["total"], body["budget"]) == (2025, 3600, 60_000)  # 3 x 1200; bijlage 5
    assert (body["mismatches"], body["members_without_statement"], body["unreadable"]) == ([], [], [])
    statement = {s["company_ref"]: s for s in body["statements"]}[OWN]
    assert set({s["company_ref"] for s in body["statements"]}) == {OWN, OTHER, THIRD}
    chain = statement.pop("chain_list")
    assert len(chain) == 1 and chain[0]["key"].startswith("factory:")
    assert (chain[0]["names"], chain[0]["verdict"], chain[0]["countries"]) == (["C1"], "risk_country", ["IN"])
    assert statement.pop("deciding") == chain
    assert statement.pop("prepared_on") == dt.date.today().isoformat()
    assert statement == {
        "company_ref": OWN,
        "name": "Eigen Steen",
        "year": 2025,
        "report_year": 2024,
        "report_version": 1,
        "basis": "report",
        "member_type": "importer",
        "basis_recorded": False,
        "category": "C",
        "regime": "full",
        "recorded_regime": "full",
        "mismatch": False,
        "chains": 1,
        "establishments": 0,
        "membership_year": 4,
        "amount": 1200,
        "base": 1200,
        "chains_part": 0,
        "establishments_part": 0,
        "cap": None,
        "risk_list_version": 1,
        "judged_on": "2025-05-01",
        "revisions": 0,
    }
    other = client.get(f"{API}/companies/{OTHER}", headers=as_(tokens, Role.SECRETARIAT))
    assert [(s["company_ref"], s["year"], s["amount"]) for s in other.json()] == [(OTHER, 2025, 1200)]


def test_a_company_sees_its_own_statements_and_nothing_else(client, tokens):
    prepared(client, tokens)
    company = as_(tokens, Role.COMPANY)
    own = client.get(f"{API}/companies/{OWN}", headers=company)
    assert own.status_code == 200, own.text
    assert [(s["company_ref"], s["year"], s["regime"], s["amount"]) for s in own.json()] == [(OWN, 2025, "full", 1200)]
    assert client.get(f"{API}/companies/{OTHER}", headers=company).status_code == 403
    for method, path, body in every_route(OWN)[:5]:  # every route but its own statements
        assert client.request(method, path, json=body, headers=company).status_code == 403, (method, path)


def test_every_other_role_is_refused_every_read_and_write(client, tokens):
    prepared(client, tokens)
    for role in OTHER_ROLES:
        for method, path, body in every_route(OWN):
            response = client.request(method, path, json=body, headers=as_(tokens, role))
            assert response.status_code == 403, (role, method, path, response.text)


def test_anonymous_is_refused_everything_but_the_public_risk_list(client, tokens):
    for method, path, body in every_route(OWN):
        response = client.request(method, path, json=body)
        assert response.status_code == 401, (method, path)
    assert client.get(PUBLIC).status_code == 200


def test_the_risk_list_is_public_and_names_no_staff_login(client, tokens):
    before = client.get(PUBLIC).json()
    first = {
        "number": 1,
        "in_force_from": "2019-05-01",
        "not_risk": EEA,
        "reason": "covenant art. 5 lid 2a: for now, the risk countries are those outside the EEA",
        "recorded_on": None,
    }
    assert before == {"in_force": first, "versions": [first]}

    changed = client.post(f"{API}/risk-countries", json=risk_change(), headers=as_(tokens, Role.SECRETARIAT))
    assert changed.status_code == 201, changed.text
    second = {
        "number": 2,
        "in_force_from": risk_change()["in_force_from"],
        "not_risk": sorted([*EEA, "TR"]),
        "reason": "the parties judged Turkey's natural-stone sector no longer a risk",
        "recorded_on": dt.date.today().isoformat(),
    }
    assert changed.json() == second
    for role in (None, *Role):  # the same list for anyone, logged in or not
        headers = as_(tokens, role) if role else {}
        after = client.get(PUBLIC, headers=headers).json()
        assert after == {"in_force": first, "versions": [first, second]}  # not in force before its day
    assert "secretariat.user" not in client.get(PUBLIC).text


# --- the invoices ----------------------------------------------------------------------------------


def test_the_invoices_csv_has_one_row_per_statement_in_whole_euros(client, tokens, world):
    prepared(client, tokens)
    secretariat = as_(tokens, Role.SECRETARIAT)
    assert client.put(f"{API}/basis/{OTHER}", json=BASIS, headers=secretariat).status_code == 204
    assert client.post(f"{API}/2025/prepare", headers=secretariat).json()["revised"] == 1
    response = client.get(f"{API}/2025/invoices.csv", headers=secretariat)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="contributions-2025.csv"'
    lines = response.text.split("\r\n")
    assert lines[0] == (
        "company_ref,company_name,year,member_type,regime,basis,report_year,report_version,chains,"
        "establishments,membership_year,base_eur,chains_eur,establishments_eur,amount_eur"
    )
    assert sorted(lines[1:-1]) == [
        # associated, full: 1200 plus 3 x 200 per establishment
        "andere-steen,Andere Steen BV,2025,associated,full,report,2024,1,1,3,4,1200,0,600,1800",
        "derde-steen,Derde Steen BV,2025,importer,full,report,2024,1,1,0,4,1200,0,0,1200",
        "eigen-steen,Eigen Steen,2025,importer,full,report,2024,1,1,0,4,1200,0,0,1200",
    ]
    assert lines[-1] == ""


# --- bad input -------------------------------------------------------------------------------------


def fields_of(response) -> list[str]:
    assert response.status_code == 422, response.text
    return [error["field"] for error in response.json()["errors"]]


def test_bad_input_is_a_422_naming_the_field(client, tokens):
    secretariat = as_(tokens, Role.SECRETARIAT)
    bad_changes = [
        ({"in_force_from": (dt.date.today() - dt.timedelta(days=1)).isoformat()}, "in_force_from"),
        ({"in_force_from": "not a day"}, "in_force_from"),
        ({"stop_being_risk": ["XQ"]}, "stop_being_risk"),
        ({"stop_being_risk": ["NL"]}, "stop_being_risk"),  # not a risk country
        ({"stop_being_risk": [], "become_risk": ["TR"]}, "become_risk"),  # already one
        ({"stop_being_risk": []}, "become_risk"),  # no change at all
        ({"reason": "because"}, "reason"),
    ]
    for change, field in bad_changes:
        response = client.post(f"{API}/risk-countries", json={**risk_change(), **change}, headers=secretariat)
        assert field in fields_of(response), (change, response.text)
    for body, field in [
        ({"member_type": "exporter", "establishments": 1}, "member_type"),
        ({"member_type": "associated", "establishments": -1}, "establishments"),
        ({"member_type": "associated", "establishments": "many"}, "establishments"),
        ({"member_type": "associated", "establishments": True}, "establishments"),  # not a number
        ({"member_type": "associated", "establishments": "3"}, "establishments"),  # a number, not text
        ({"member_type": "associated"}, "establishments"),
    ]:
        assert field in fields_of(client.put(f"{API}/basis/{OWN}", json=body, headers=secretariat)), body
    assert fields_of(client.post(f"{API}/2018/prepare", headers=secretariat)) == ["year"]  # before the covenant
    assert fields_of(client.get(f"{API}/2200", headers=secretariat)) == ["year"]
    assert fields_of(client.get(f"{API}/next/invoices.csv", headers=secretariat)) == ["year"]
    assert client.put(f"{API}/basis/no-such-company", json=BASIS, headers=secretariat).status_code == 404
    assert client.get(f"{API}/companies/no-such-company", headers=secretariat).status_code == 404
    assert client.get(PUBLIC).json()["versions"][-1]["number"] == 1  # nothing was changed


# --- the attack with the database alone ---------------------------------------------------------------

CHAIN_NAMES = ("Keten-Bijolia-Noord", "Keten-Jodhpur-Zuid", "Keten-Udaipur-Oost")
SEALED_KEYS = ("chain_list", "regime", "amount", "membership_year", "establishments_part")


def distinctive_report(registry) -> None:
    """eigen-steen's 2024 report again, with three chains through three factories and names to look for."""
    rows = []
    for number, name in enumerate(CHAIN_NAMES):
        rows += [
            quarry_row(chain=name, name=f"Quarry {number} of {name}"),
            factory_row(chain=name, name=f"Works {number} of {name}"),
        ]
    registry.import_report(OWN, 2024, csv_bytes(rows), "again.csv", submitted_on=dt.date(2025, 3, 20))


def statement_rows(services, settings) -> list[bytes]:
    """The stored ContributionStatement events as the database holds them, read past the application:
    SQLite's file with the sqlite3 module, PostgreSQL's rows with a plain query."""
    table = services.registry.recorder.events_table_name
    if settings.database_url is None:
        with sqlite3.connect(settings.data_dir / "registry.sqlite3") as connection:
            rows = connection.execute(f"SELECT state FROM {table} WHERE topic LIKE '%ContributionStatement%'")
            return [bytes(state) for (state,) in rows.fetchall()]
    with services.sql.transaction() as cursor:
        found = cursor.execute(
            f'SELECT state FROM "{services.sql.schema}"."{table}" WHERE topic LIKE %s', ("%ContributionStatement%",)
        ).fetchall()
    return [bytes(state) for (state,) in found]


def in_clear(rows: list[bytes]) -> set[str]:
    """What of a statement's facts the rows show in clear."""
    found = {key for key in SEALED_KEYS for row in rows if f'"{key}"'.encode() in row}
    found |= {name for name in CHAIN_NAMES for row in rows if name.encode() in row}
    found |= {"chains: <number>" for row in rows if re.search(rb'"chains":\s*\d', row)}
    return found


def raw_sqlite_text(settings) -> bytes:
    """Every SQLite file's raw bytes: write-ahead logs and free pages included."""
    return b"\n".join(path.read_bytes() for path in sorted(settings.data_dir.glob("*.sqlite3*")))


def test_the_database_alone_shows_no_statements_facts(client, tokens, world, settings):
    distinctive_report(world.registry)
    prepared(client, tokens)
    rows = statement_rows(world, settings)
    assert len(rows) == 3  # one Prepared event per member
    own = client.get(f"{API}/companies/{OWN}", headers=as_(tokens, Role.SECRETARIAT)).json()
    assert (own[0]["chains"], own[0]["amount"]) == (3, 1600)  # the facts exist: 1200 + 1 extra chain x 400
    assert in_clear(rows) == set()
    if settings.database_url is None:
        raw = raw_sqlite_text(settings)
        assert b"ContributionStatement" in raw  # the scan reads the store the statements are in
        assert [name for name in CHAIN_NAMES if name.encode() in raw] == []


def test_control_the_scan_finds_the_facts_when_they_are_not_sealed(settings, monkeypatch):
    """The same scan over a store whose statement events are written unsealed (the contribution events
    taken off the sealing list): it must find every fact, or the test above proves nothing."""
    unsealed = {k: v for k, v in RegistryApplication.confidential_events.items() if "ContributionStatement" not in k}
    assert len(unsealed) < len(RegistryApplication.confidential_events)
    monkeypatch.setattr(RegistryApplication, "confidential_events", unsealed)
    services = bootstrap(settings)
    try:
        registry = services.registry
        registry.register_organisation("secretariaat", "Secretariaat", OrganisationKind.SECRETARIAT, "NL")
        clerk = Principal(
            "secretariat.user", Role.SECRETARIAT, registry.organisation_id("secretariaat"), "secretariaat"
        )
        registry.register_organisation(OWN, "Eigen Steen", OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(OWN, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
        distinctive_report(registry)
        assert services.contributions.prepare(clerk, 2025).prepared == 1
        rows = statement_rows(services, settings)
        assert len(rows) == 1
        assert in_clear(rows) == {*SEALED_KEYS, *CHAIN_NAMES, "chains: <number>"}
        if settings.database_url is None:
            raw = raw_sqlite_text(settings)
            # a statement's facts are padded to 8 KiB (registry/usecases/contributions.py), so its
            # row runs over SQLite's pages and a name may be cut in two at a page's end: the raw scan
            # must find the names, though not each one whole
            assert [name for name in CHAIN_NAMES if name.encode() in raw] != []
    finally:
        services.close()
