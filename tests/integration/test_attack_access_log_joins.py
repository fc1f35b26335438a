"""Channel 2 of issue 11, from the attacker's position: a copy of the database files, no keyring.

A grievance case is matched (its ``Matched`` event carries the case's sites in clear) and the
secretariat searches the linked list. The attacker then reads only raw rows (SQL on the stores'
tables: no keyring, no application object) and tries

- to name the case's buyers, by joining access-log rows to the ``Matched`` event on time (the rows
  nearest to it, within a few seconds) and, from those, to every row with the same request id;
- to link one company's access-log entries together (any clear value, or the key named in a sealed
  value's header, or its size, shared by the entries about one company and not by another's).

Both must fail (docs/confidentiality.md, threat model: "a case's buyers" from "timestamps, request ids").
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import sqlite3

import pytest

from grievance.domain.filing import Filing, Reporter
from tests.principals import of_account

WINDOW = dt.timedelta(seconds=5)
REQUEST_ID = re.compile(r"^[0-9a-f]{32}$|^req-")
TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d")


# --- the attacker's tools: raw rows only -----------------------------------------------------------


def raw_tables(services) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table of both stores: name -> (column names, rows), read with plain SQL."""
    tables: dict[str, tuple[list[str], list[tuple]]] = {}
    if services.settings.backend == "sqlite":
        for path in sorted(services.settings.data_dir.glob("*.sqlite3")):
            with sqlite3.connect(path) as connection:
                for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
                    cursor = connection.execute(f'SELECT * FROM "{table}"')
                    tables[f"{path.stem}.{table}"] = ([d[0] for d in cursor.description], cursor.fetchall())
        return tables
    schema = services.sql.schema
    with services.sql.transaction() as cursor:
        names = [
            row[0]
            for row in cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
            ).fetchall()
        ]
        for table in names:
            columns = [
                row[0]
                for row in cursor.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s"
                    " ORDER BY ordinal_position",
                    (schema, table),
                ).fetchall()
            ]
            tables[table] = (columns, cursor.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall())
    return tables


def _text(value) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    return "" if value is None else str(value)


def _times(text: str) -> list[dt.datetime]:
    """Every timestamp written in a value (ISO 8601, with or without zone: taken as UTC)."""
    found = []
    for match in TIME.finditer(text):
        try:
            moment = dt.datetime.fromisoformat(text[match.start() : match.start() + 32].split('"')[0].split(" |")[0])
        except ValueError:
            moment = dt.datetime.fromisoformat(match.group(0))
        found.append(moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))
    return found


def access_log_rows(tables) -> list[dict[str, object]]:
    [(columns, rows)] = [value for name, value in tables.items() if name.split(".")[-1] == "access_log"]
    return [dict(zip(columns, row, strict=True)) for row in rows]


def digests_by_seq(tables) -> dict[int, dict[str, object]]:
    [(columns, rows)] = [value for name, value in tables.items() if name.split(".")[-1] == "access_log_digests"]
    return {row[0]: dict(zip(columns, row, strict=True)) for row in rows}


def matched_event_times(tables) -> list[dt.datetime]:
    """The times written in the case's ``Matched`` event (its sites are in clear beside them)."""
    times = []
    for columns, rows in tables.values():
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            if _text(values.get("topic")).endswith(".Matched"):
                times.extend(_times(_text(values.get("state"))))
    return times


def row_times(row: dict, digests: dict) -> list[dt.datetime]:
    """Every time an access-log row states in clear, its signed digest's time included."""
    text = " | ".join(_text(v) for k, v in row.items() if k not in ("details", "hash", "prev_hash"))
    return _times(text) + _times(_text(digests.get(row["seq"], {}).get("signed_at")))


def named_companies(row: dict, companies: set[str]) -> set[str]:
    """Public company refs (the member listing shows them) in the row's clear values, other than
    the acting user's own organisation."""
    return {_text(v) for k, v in row.items() if k != "organisation" and _text(v) in companies}


def features(row: dict) -> dict[str, str]:
    """What can be compared between two rows without a key: each clear value, the data key named
    in the sealed details' header (readable without any key) and the details' size."""
    found = {k: _text(v) for k, v in row.items() if k not in ("seq", "hash", "prev_hash", "details")}
    try:
        blob = base64.b64decode(_text(row.get("details")), validate=True)
        found["details key"] = blob[5 : 5 + blob[4]].decode("ascii", "replace")
        found["details size"] = str(len(blob))
    except (binascii.Error, ValueError, IndexError):
        pass
    return found


# --- the scenario ----------------------------------------------------------------------------------


@pytest.fixture
def scenario(services, demo):
    """A case matched over the API's path (one request id for the whole step) and a linked-list search
    by the secretariat; returns the case's buyers and the company refs an attacker knows."""
    secretariat, ngo = (of_account(services, demo.logins[role]) for role in ("secretariat", "ngo"))
    app = services.grievance
    reference, _ = app.file(
        ngo,
        Filing(
            case_type="complaint",
            description="Children seen carrying slabs at the quarry face.",
            themes=["child_labour"],
            site_ids=[demo.rajasthan_quarry],
            observed_on=dt.date(2025, 11, 2),
            reporter=Reporter("Sangh Kishanpura", "+91 98290 00000", "Kishanpura Mine Workers Collective"),
        ),
    )
    app.advance(secretariat, reference, "acknowledge", "received", request_id="a" * 32)
    assert app.match(
        secretariat,
        reference,
        [demo.rajasthan_quarry],
        None,
        "site confirmed",
        request_id="b" * 32,
        buyers=services.linked_search.grievance_buyers,
    ) == {
        "stage": "matched",
        "companies_found": 2,
    }
    services.catch_up()
    _, rows = services.linked_search.search(secretariat, site=demo.rajasthan_quarry, request_id="c" * 32)
    assert {row.company for row in rows} == set(demo.rajasthan_buyers)
    return {"buyers": set(demo.rajasthan_buyers), "companies": set(demo.company_refs)}


def test_the_buyers_of_a_matched_case_cannot_be_named_by_joining_on_time_or_request_id(services, scenario):
    tables = raw_tables(services)
    matched_at = matched_event_times(tables)
    assert matched_at, "the attack needs the Matched event's time, which is in clear"
    digests = digests_by_seq(tables)
    rows = access_log_rows(tables)

    def distance(row: dict) -> dt.timedelta:
        return min((abs(t - m) for t in row_times(row, digests) for m in matched_at), default=dt.timedelta.max)

    nearest = sorted((row for row in rows if distance(row) <= WINDOW), key=distance)[:3]
    request_ids = {_text(v) for row in nearest for v in row.values() if REQUEST_ID.match(_text(v))}
    joined = nearest + [row for row in rows if any(_text(v) in request_ids for v in row.values())]
    named = set().union(*(named_companies(row, scenario["companies"]) for row in joined))
    assert named & scenario["buyers"] == set(), f"the dump names the case's buyers: {sorted(named)}"


def test_one_companys_entries_cannot_be_linked_together(services, scenario):
    """Each buyer's data was read more than once (matching, then the search). The attacker links them if some
    key-free feature is equal on both of one company's entries and differs from another's."""
    about = {}  # the application's own reading (the oracle): seq -> company, for the secretariat's reads
    for entry in services.access_log.entries(limit=100_000):
        if entry.action == "read_linked_list" and entry.company in scenario["buyers"]:
            about[entry.seq] = entry.company
    first, second = sorted(scenario["buyers"])
    rows = {row["seq"]: features(row) for row in access_log_rows(raw_tables(services))}
    a1, a2, *_ = (rows[seq] for seq, company in sorted(about.items()) if company == first)
    b1, b2, *_ = (rows[seq] for seq, company in sorted(about.items()) if company == second)
    linking = sorted(
        name for name in a1 if a1[name] == a2.get(name) and b1.get(name) == b2.get(name) and a1[name] != b1.get(name)
    )
    assert linking == [], f"one company's entries are linked by: {linking}"
