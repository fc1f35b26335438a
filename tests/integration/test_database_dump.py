"""With only the database (no keyring), nothing confidential can be read (DESIGN.md section 8).

After loading the demo data, dump every table of both stores' databases and look for what must not
be there in plaintext: a company-site pair, a volume, a price, a contract note.
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
    return "\n".join(path.read_bytes().decode("utf-8", "replace")
                     for path in sorted(settings.data_dir.glob("*.sqlite3*")))


def postgres_dump(services) -> list[str]:
    rows: list[str] = []
    with services.sql.transaction() as cursor:
        tables = cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (services.sql.schema,)).fetchall()
        for (table,) in tables:
            for row in cursor.execute(f'SELECT * FROM "{services.sql.schema}"."{table}"').fetchall():
                rows.append(" | ".join(_text(value) for value in row))
    return rows


def _text(value) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


@pytest.fixture
def dump(services, demo) -> list[str]:
    """One string per table row, the lists' projections included."""
    services.projections.catch_up()
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
