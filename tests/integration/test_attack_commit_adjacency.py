"""Channel 1 of issue 11, from the attacker's position: a copy of the database files, no keyring.

Three member companies each upload a report that describes five production sites the registry does
not know yet. The attacker reads raw rows only (SQL on the stores' tables) and knows what the public
member listing tells: each company's reference. From a reference the organisation id follows
(``Organisation.create_id``), from that and a year the report's aggregate id. The attacker then tries
to say which registered sites each company added:

- by position: each site registration goes to the company whose report event is nearest to it in the
  event order (the same commit, or the one next to it);
- by time: each site registration goes to the company whose report event is nearest in time;
- by order inside a batch, given each company's count of new sites (which we hand the attacker):
  the first sites go to the first company to upload, and so on.

Each must fail: sites become public only together with other companies' new sites, never in a step
that is one company's upload (docs/design-notes.md, threat model; DESIGN 8a "which sites one company
added (commit adjacency, timestamps, request ids, sizes)").
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid

import pytest

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, quarry_row
from tests.integration.test_attack_access_log_joins import _text, raw_tables

YEAR = 2024
COMPANIES = ("arduin-steen", "belgica-stone", "corvo-natuursteen")  # upload order
DISTRICTS = {"arduin-steen": "Bundi", "belgica-stone": "Kota", "corvo-natuursteen": "Jhalawar"}


def report_file(company: str) -> bytes:
    """Five quarries no registry knows, all in one district per company (names and places differ
    enough from every other site that none is taken for a duplicate)."""
    district = DISTRICTS[company]
    rows = [
        quarry_row(
            chain=f"C{n}",
            name=f"{district} {word} Quarry",
            district=district,
            latitude=f"{24 + n * 0.37:.4f}",
            longitude=f"{74 + n * 0.41:.4f}",
        )
        for n, word in enumerate(("Lotus", "Banyan", "Peacock", "Monsoon", "Saffron"), start=1)
    ]
    return csv_bytes(rows)


# --- the attacker's tools: raw rows only -------------------------------------------------------------


def event_rows(services) -> list[dict]:
    """Every stored event of the registry's store in the order it was recorded, read with SQL:
    position, aggregate id, topic and the clear part of its state."""
    events = []
    for name, (columns, rows) in _tables_with_row_order(services).items():
        if "topic" not in columns or "state" not in columns or "registry" not in name or "snapshot" in name:
            continue  # not the registry's events (a snapshot is a state, not a step in the order)
        for values in (dict(zip(columns, row, strict=True)) for row in rows):
            position = values.get("notification_id") or values.get("rowid")
            state = json.loads(_text(values["state"]))
            events.append(
                {
                    "position": position,
                    "originator_id": uuid.UUID(str(values["originator_id"])),
                    "topic": _text(values["topic"]),
                    "state": state,
                }
            )
    assert events, "no event table found"
    return sorted(events, key=lambda event: event["position"])


def _tables_with_row_order(services) -> dict[str, tuple[list[str], list[tuple]]]:
    """As ``raw_tables``; on SQLite each row with its rowid (the order it was inserted in)."""
    if services.settings.backend != "sqlite":
        return raw_tables(services)
    tables = {}
    for path in sorted(services.settings.data_dir.glob("*.sqlite3")):
        with sqlite3.connect(path) as connection:
            for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
                try:
                    cursor = connection.execute(f'SELECT rowid AS "rowid", * FROM "{table}"')
                except sqlite3.OperationalError:  # a table without rowid
                    cursor = connection.execute(f'SELECT * FROM "{table}"')
                tables[f"{path.stem}.{table}"] = ([d[0] for d in cursor.description], cursor.fetchall())
    return tables


def event_time(event: dict) -> dt.datetime:
    stamp = event["state"]["timestamp"]
    value = stamp.get("_data_", stamp) if isinstance(stamp, dict) else stamp
    return dt.datetime.fromisoformat(value)


def site_registrations(events: list[dict]) -> list[dict]:
    return [e for e in events if e["topic"].endswith("ProductionSite.Registered")]


def report_events(events: list[dict], report_ids: dict[uuid.UUID, str]) -> list[tuple[dict, str]]:
    return [
        (e, report_ids[e["originator_id"]])
        for e in events
        if e["topic"].endswith("SupplyChainReport.VersionSubmitted") and e["originator_id"] in report_ids
    ]


def public_id(registration: dict) -> str:
    return registration["state"]["public_id"]


def by_position(events, report_ids) -> dict[str, set[str]]:
    reports = report_events(events, report_ids)
    guess: dict[str, set[str]] = {}
    for site in site_registrations(events):
        _, company = min(reports, key=lambda r: abs(r[0]["position"] - site["position"]))
        guess.setdefault(company, set()).add(public_id(site))
    return guess


def by_time(events, report_ids) -> dict[str, set[str]]:
    reports = report_events(events, report_ids)
    guess: dict[str, set[str]] = {}
    for site in site_registrations(events):
        _, company = min(reports, key=lambda r: abs(event_time(r[0]) - event_time(site)))
        guess.setdefault(company, set()).add(public_id(site))
    return guess


def by_order_in_batch(events, counts: dict[str, int]) -> dict[str, set[str]]:
    sites = [public_id(site) for site in site_registrations(events)]
    guess, start = {}, 0
    for company in COMPANIES:
        guess[company] = set(sites[start : start + counts[company]])
        start += counts[company]
    return guess


# --- the scenario ------------------------------------------------------------------------------------


@pytest.fixture
def members(services):
    registry = services.registry
    for ref in COMPANIES:
        registry.register_organisation(ref, ref.replace("-", " ").title(), OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, dt.date(2021, 3, 1), CompanyCategory.C, CompanySize.MEDIUM)
    return {_report_id(ref): ref for ref in COMPANIES}


def report_ids_of(refs: set[str], years: set[int]) -> dict[uuid.UUID, str]:
    """Every report id the attacker can compute from public references and years -> the company."""
    from registry.domain.organisations import Organisation
    from registry.domain.reports import SupplyChainReport

    return {SupplyChainReport.create_id(Organisation.create_id(ref), year): ref for ref in refs for year in years}


def _report_id(ref: str) -> uuid.UUID:
    """What the attacker computes from a public reference (no lookup in the store needed)."""
    from registry.domain.organisations import Organisation
    from registry.domain.reports import SupplyChainReport

    return SupplyChainReport.create_id(Organisation.create_id(ref), YEAR)


def upload(services, ref: str) -> set[str]:
    """The company's upload; returns the ids of the sites it added (read through the filter: the
    truth the attacker is after)."""
    result = services.registry.import_report(
        ref, YEAR, report_file(ref), f"{ref}.csv", submitted_on=dt.date(2025, 3, 1)
    )
    assert result.changed and result.new_sites == 5
    content = services.registry.read_report(_secretariat(), ref, YEAR, purpose="test: the truth")
    return {link.site_id for link in content.links}


def _secretariat():
    from keys.access.principal import Principal
    from registry.domain.accounts import Role

    return Principal(
        login="secretariat-test", role=Role.SECRETARIAT, organisation_id=uuid.uuid4(), organisation_ref="secretariat"
    )


def test_one_companys_upload_registers_no_site_a_copy_of_the_database_shows(services, members):
    before = {public_id(site) for site in site_registrations(event_rows(services))}
    added = upload(services, COMPANIES[0])
    after = {public_id(site) for site in site_registrations(event_rows(services))}
    assert after - before == set()
    assert not added & after


def test_no_company_s_new_sites_can_be_told_by_position_time_or_order(services, members):
    truth = {ref: upload(services, ref) for ref in COMPANIES}
    assert all(len(sites) == 5 for sites in truth.values())
    events = event_rows(services)
    registered = {public_id(site) for site in site_registrations(events)}
    assert set().union(*truth.values()) <= registered  # three companies: their new sites are public now
    for attack in (by_position(events, members), by_time(events, members)):
        for ref in COMPANIES:
            assert attack.get(ref, set()) != truth[ref], ref
    # a random order in the batch: the chance that the upload order survives is 1 in 756,756
    ordered = by_order_in_batch([e for e in events if public_id_of(e) in registered], {r: 5 for r in COMPANIES})
    assert ordered != truth


def public_id_of(event: dict) -> str | None:
    return event["state"].get("public_id") if event["topic"].endswith("ProductionSite.Registered") else None


def test_a_report_with_new_sites_is_as_long_in_the_store_as_one_without(services, members):
    """Sizes: a report's stored event must not tell whether it describes a new site. One company
    describes a new quarry, another names a registered one in an otherwise equal row."""
    from registry.domain.geography import RegionPath
    from registry.domain.sites import SiteKind

    registry = services.registry
    known = registry.register_site(SiteKind.QUARRY, "Bundi Lotus Quarry", RegionPath.create("IN", "Rajasthan", "Bundi"))
    new_row = quarry_row(name="Kota Banyan Quarry", district="Kota", latitude="", longitude="")
    known_row = {
        **quarry_row(site_id=known.public_id),
        "site_name": "",
        "country": "",
        "province": "",
        "district": "",
        "latitude": "",
        "longitude": "",
    }
    registry.import_report(COMPANIES[0], YEAR, csv_bytes([new_row]), "a.csv", submitted_on=dt.date(2025, 3, 1))
    registry.import_report(COMPANIES[1], YEAR, csv_bytes([known_row]), "b.csv", submitted_on=dt.date(2025, 3, 1))
    sizes = {
        members[e["originator_id"]]: len(json.dumps(e["state"]))
        for e in event_rows(services)
        if e["topic"].endswith("SupplyChainReport.VersionSubmitted") and e["originator_id"] in members
    }
    assert sizes[COMPANIES[0]] == sizes[COMPANIES[1]]
