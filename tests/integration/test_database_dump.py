"""With only the database (no keyring), nothing confidential can be read (docs/confidentiality.md).

After loading the demo data, three companies importing reports with new sites, a grievance case
taken through notification, a company's response and a ruling, and a data-access release, dump
every table of both stores' databases and look for what must not be there: a company-site pair (by
content, by id, by the order of the events or by their times), a volume, a price, a contract note,
the reporter's identity, the case's words.
"""

from __future__ import annotations

import sqlite3

import pytest


def sqlite_dump(settings) -> list[str]:
    """Every row of every table of every SQLite file in the data directory."""
    rows: list[str] = []
    for path in sorted(settings.data_dir.glob("*.sqlite3")):
        with sqlite3.connect(path) as connection:
            for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
                for row in connection.execute(f'SELECT * FROM "{table}"'):
                    rows.append(" | ".join(_text(value) for value in row))
    return rows


def sqlite_raw_text(settings) -> str:
    """The files' raw bytes (write-ahead logs and free pages included)."""
    return "\n".join(
        path.read_bytes().decode("utf-8", "replace") for path in sorted(settings.data_dir.glob("*.sqlite3*"))
    )


def postgres_dump(services) -> list[str]:
    rows: list[str] = []
    with services.sql.transaction() as cursor:
        tables = cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (services.sql.schema,)
        ).fetchall()
        for (table,) in tables:
            for row in cursor.execute(f'SELECT * FROM "{services.sql.schema}"."{table}"').fetchall():
                rows.append(" | ".join(_text(value) for value in row))
    return rows


def _text(value) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


REPORTER = {"name": "Kamla Devi Meghwal", "contact": "+91 94140 55511", "organisation": "Bijolia Mine Workers"}
CASE_WORDS = {
    "description": "Eleven-year-old Ramesh works the night shift at the splitting yard of this quarry.",
    "allegation": "Night work by children was reported at the splitting yard in January.",
    "response": "Our purchasing manager Pieter Vos will visit the splitting yard next week.",
    "ruling": "Remediation fund of 18,500 euro to be paid by the importer within 60 days.",
}


@pytest.fixture
def grievance(services, demo):
    """A complaint about the demo's Rajasthan quarry: filed, matched, notified, answered, ruled on."""
    import datetime as dt

    from grievance.domain.filing import Filing, Reporter
    from tests.principals import of_account

    def principal(role: str):
        return of_account(services, demo.logins[role])

    ngo, secretariat, company, committee = (principal(r) for r in ("ngo", "secretariat", "company", "committee"))
    app = services.grievance
    reference, _ = app.file(
        ngo,
        Filing(
            case_type="complaint",
            description=CASE_WORDS["description"],
            themes=["child_labour"],
            site_ids=[demo.rajasthan_quarry],
            reporter=Reporter(**REPORTER),
        ),
    )
    app.advance(secretariat, reference, "acknowledge", "received")
    app.match(
        secretariat,
        reference,
        [demo.rajasthan_quarry],
        None,
        "confirmed",
        buyers=services.linked_search.grievance_buyers,
    )
    app.notify_companies(secretariat, reference, CASE_WORDS["allegation"])
    app.company_writes(company, reference, "response", CASE_WORDS["response"])
    app.advance(ngo, reference, "refer_to_committee", "stalled")
    app.admit(committee, reference, True, "admissible")
    app.advance(committee, reference, "schedule_hearing", "hearing", hearing_on=dt.date.today())
    app.rule(
        committee,
        reference,
        CASE_WORDS["ruling"],
        dt.date.today() + dt.timedelta(days=60),
        "A member must pay into a remediation fund for a quarry in India.",
    )
    services.catch_up()
    case_id = app.case(reference).id
    return {
        "login": company.login,
        "case_marks": (str(case_id), case_id.hex, reference, demo.rajasthan_quarry),
        **REPORTER,
        **CASE_WORDS,
    }


NEW_SITE_WORDS = ("Lotus", "Banyan", "Peacock")


@pytest.fixture
def imports(services, demo) -> dict[str, set[str]]:
    """Three demo companies upload their latest report again as a file that adds two quarries
    nobody knows: company ref -> the ids of its new sites (the truth an attacker is after)."""
    import datetime as dt

    from tests.integration.report_files import csv_bytes, quarry_row

    year = max(year for _, year in demo.reports)
    # companies the grievance case below does not concern (their file replaces their latest report)
    refs = sorted({ref for ref, y in demo.reports if y == year} - set(demo.rajasthan_buyers))[:3]
    assert len(refs) == 3
    truth = {}
    for number, ref in enumerate(refs):
        rows = [
            quarry_row(
                chain=f"N{n}",
                name=f"{word} Quarry {['Bundi', 'Kota', 'Jhalawar'][number]}",
                district=["Bundi", "Kota", "Jhalawar"][number],
                latitude=f"{24.2 + number * 0.3 + n * 0.05:.4f}",
                longitude=f"{75.1 + n * 0.07:.4f}",
            )
            for n, word in enumerate(NEW_SITE_WORDS[:2])
        ]
        result = services.registry.import_report(
            ref, year, csv_bytes(rows), f"{ref}.csv", submitted_on=dt.date(year + 1, 3, 1)
        )
        assert result.changed and result.new_sites == 2
        truth[ref] = {
            link.site_id
            for link in services.registry.read_report(_secretariat(), ref, year, purpose="test: the truth").links
        }
    return truth


def _secretariat():
    import uuid

    from keys.access.principal import Principal
    from registry.domain.accounts import Role

    return Principal(
        login="secretariat-test", role=Role.SECRETARIAT, organisation_id=uuid.uuid4(), organisation_ref="secretariat"
    )


@pytest.fixture
def released(services, demo):
    """A data-access request of the demo NGO, approved and downloaded."""
    import datetime as dt
    import hashlib

    from tests.principals import of_account

    ngo, secretariat = (of_account(services, demo.logins[role]) for role in ("ngo", "secretariat"))
    access = services.data_access
    access_id = access.request(
        ngo,
        {"name": "Kishanpura Khan Mazdoor Sangathan", "contact": "+91 94140 77123"},
        "IN",
        "Rajasthan",
        "sandstone",
        purpose="Monitoring child labour at sandstone quarries in Rajasthan.",
    ).id
    today = dt.date.today()
    access.record_clause(
        ngo,
        access_id,
        "TruStone geheimhoudingsclausule lokale partner",
        "2025-2",
        hashlib.sha256(b"clause 2025-2").hexdigest(),
        today - dt.timedelta(days=1),
        today + dt.timedelta(days=200),
    )
    assert access.decide(secretariat, access_id, True, "scope fits the stated purpose").status == "approved"
    _, content = access.release(ngo, access_id, "csv")
    assert content
    return access_id


@pytest.fixture
def dump(services, demo, imports, grievance, released) -> list[str]:
    """One string per table row, the lists' projections and case views included."""
    services.catch_up()
    return sqlite_dump(services.settings) if services.settings.backend == "sqlite" else postgres_dump(services)


@pytest.fixture
def everything(services, dump) -> str:
    """All the rows, and on SQLite the raw files too, as one text to search."""
    raw = sqlite_raw_text(services.settings) if services.settings.backend == "sqlite" else ""
    return "\n".join(dump) + "\n" + raw


@pytest.fixture
def confidential(services, demo, content_of):
    """What the demo reports hold, read through the filter: pairs and commercial terms."""
    pairs, numbers, notes = set(), set(), set()
    for ref, year in demo.reports:
        company = services.registry.company(ref)
        content = content_of(ref, year)
        for link, terms in zip(content.links, content.terms):
            if link.site_id:
                pairs.add((ref, company.name, str(company.id), company.id.hex, link.site_id))
            for number in (terms.volume, terms.price_eur_per_unit):
                if number is not None and len(str(number)) >= 5:  # short numbers occur everywhere
                    numbers.add(str(number))
            if terms.contract_notes:
                notes.add(terms.contract_notes)
    assert pairs and numbers and notes
    return pairs, numbers, notes


def test_no_row_pairs_a_company_with_a_site_it_buys_from(dump, confidential):
    pairs, _, _ = confidential
    for row in dump:
        for ref, name, company_id, company_hex, site_id in pairs:
            if site_id in row:
                assert not any(mark in row for mark in (ref, name, company_id, company_hex)), site_id


def test_no_volume_price_or_contract_note_is_in_any_row(everything, confidential):
    _, numbers, notes = confidential
    text = everything
    assert not [note for note in notes if note in text]
    assert not [number for number in numbers if f'"{number}"' in text or f":{number}," in text]


def test_no_totp_secret_is_in_any_row(everything, services, demo):
    import json

    logins = json.loads((services.settings.data_dir / "demo-logins.json").read_text())
    secrets = [entry["totp_secret"] for entry in logins.values() if "totp_secret" in entry]
    assert secrets
    text = everything
    assert not [secret for secret in secrets if secret in text]


def test_no_reporter_identity_or_case_text_is_in_any_row(everything, grievance):
    """The reporter is sealed with the case's key, and the case's words with it."""
    words = {name: value for name, value in grievance.items() if name not in ("login", "case_marks")}
    assert not [name for name, value in words.items() if value in everything]


def test_no_row_ties_the_answering_company_user_to_the_case(dump, grievance):
    """A company user's login next to the case (or its site) would say who buys there: the login
    goes inside the sealed message."""
    rows = [row for row in dump if grievance["login"] in row]
    assert rows  # the account itself
    assert not [row for row in rows if any(mark in row for mark in grievance["case_marks"])]


def test_no_companys_new_sites_follow_from_the_order_or_the_times_of_the_events(services, dump, imports, demo):
    """Commit adjacency and timestamps (DESIGN 8a): each registered site is given to the company
    whose report event is nearest to it in the store's order, or in time. For none of the three
    importing companies does that give its new sites."""
    from tests.integration.test_attack_commit_adjacency import by_position, by_time, event_rows, report_ids_of

    events = event_rows(services)
    reports = report_ids_of({ref for ref, _ in demo.reports}, {year for _, year in demo.reports})
    registered = {
        event["state"]["public_id"] for event in events if event["topic"].endswith("ProductionSite.Registered")
    }
    assert set().union(*imports.values()) <= registered
    for attack in (by_position(events, reports), by_time(events, reports)):
        for ref, sites in imports.items():
            assert attack.get(ref, set()) != sites, ref
