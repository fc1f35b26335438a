"""Reports about tenders walked over HTTP (art. 7 lid 12; docs/tender-signals.md), on SQLite and
PostgreSQL: an NGO, a company and a buyer report; each reporter reads its own and not another's; the
secretariat contacts and resolves with the services' dates; an illegal step is a 409 naming what is
allowed; the public counts need no login and carry no name or title; and the database holds neither
the reporter's login nor its organisation's name (nor the tender's authority and title) in clear."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from registry.domain.accounts import ROLES_REQUIRING_TOTP, Role
from registry.domain.organisations import OrganisationKind
from tests.clock import FakeClock
from trustone.web.app import create_app

BASE = "/api/v1/tender-signals"
PUBLIC = "/api/v1/public/tender-signals"
ORGS = {
    Role.SECRETARIAT: ("secretariaat", "Secretariaat IMVO Natuursteen", OrganisationKind.SECRETARIAT),
    Role.NGO: ("arisa", "Stichting Arisa Meldingen", OrganisationKind.NGO_PARTY),
    Role.COMPANY: ("eigen-steen", "Eigen Steenhandel Zwijndrecht BV", OrganisationKind.MEMBER_COMPANY),
    Role.BUYER: ("gemeente-utrecht", "Gemeente Utrecht Inkoop", OrganisationKind.PUBLIC_BUYER),
    Role.AUDITOR: ("audit-firma", "Audit Firma Natuursteen", OrganisationKind.AUDITOR),
}
LOGIN = {role: f"{role.value}.melder" for role in ORGS}


def tender(authority: str, title: str, **extra) -> dict:
    return {
        "authority": authority,
        "title": title,
        "reference": f"https://www.tenderned.nl/aankondigingen/{len(title)}",
        "missing": "Het bestek vraagt geen due diligence en geen ISV-clausule voor natuursteen.",
        **extra,
    }


NGO_TENDER = tender("Gemeente Zeewolde-Noord", "Herinrichting Dorpsplein Zeewolde", tender_date="2026-01-15")
COMPANY_TENDER = tender("Waterschap Rivierland-Oost", "Kadeherstel Waalbandijk graniet")
BUYER_TENDER = tender("Provincie Flevoland-Zuid", "Fietsbrug Lelystad natuursteen")


@pytest.fixture
def client(services):
    services.clock.set(FakeClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)))
    for role, (ref, name, kind) in ORGS.items():
        services.registry.register_organisation(ref, name, kind, "NL")
        secret = "JBSWY3DPEHPK3PXP" if role in ROLES_REQUIRING_TOTP else None
        services.registry.create_account(LOGIN[role], role, ref, role.value, "not-used-here", secret)
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def as_(client):
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001
    return {role: {"Authorization": f"Bearer {sessions.issue(LOGIN[role], dt.timedelta(hours=1))}"} for role in ORGS}


def reported(client, headers, body) -> str:
    response = client.post(BASE, json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "received"
    return response.json()["id"]


def test_reports_are_tracked_from_received_to_resolved_and_counted_in_public(client, as_, services):
    ngo = reported(client, as_[Role.NGO], NGO_TENDER)
    company = reported(client, as_[Role.COMPANY], COMPANY_TENDER)
    services.clock.source.advance(days=1)  # type: ignore[attr-defined]
    buyer = reported(client, as_[Role.BUYER], BUYER_TENDER)

    # Each reporter reads its own, with its state, its date and itself as reporter; not another's.
    mine = client.get(BASE, headers=as_[Role.NGO]).json()
    assert [item["id"] for item in mine] == [ngo]
    assert mine[0]["status"] == "received"
    assert mine[0]["received_on"] == "2026-03-02"
    assert mine[0]["authority"] == "Gemeente Zeewolde-Noord"
    assert mine[0]["tender_date"] == "2026-01-15"
    assert mine[0]["reporter"] == {"login": "ngo.melder", "organisation": "Stichting Arisa Meldingen"}
    assert mine[0]["allowed_next"] == ["contact"]
    assert [item["id"] for item in client.get(BASE, headers=as_[Role.BUYER]).json()] == [buyer]
    assert client.get(BASE, headers=as_[Role.AUDITOR]).json() == []
    assert client.get(f"{BASE}/{ngo}", headers=as_[Role.COMPANY]).status_code == 403
    assert (
        client.get(f"{BASE}/{company}", headers=as_[Role.COMPANY]).json()["title"] == "Kadeherstel Waalbandijk graniet"
    )

    # The secretariat's queue: every report, newest first, with its reporter.
    queue = client.get(BASE, headers=as_[Role.SECRETARIAT]).json()
    assert queue[0]["id"] == buyer
    assert {item["id"] for item in queue} == {ngo, company, buyer}
    assert {item["reporter"]["organisation"] for item in queue} == {
        "Stichting Arisa Meldingen",
        "Eigen Steenhandel Zwijndrecht BV",
        "Gemeente Utrecht Inkoop",
    }

    # Only the secretariat tracks; resolving before contact is a 409 naming the allowed step.
    assert client.post(f"{BASE}/{ngo}/contact", json={"note": "gebeld"}, headers=as_[Role.NGO]).status_code == 403
    early = client.post(f"{BASE}/{ngo}/resolve", json={"outcome": "klaar"}, headers=as_[Role.SECRETARIAT])
    assert early.status_code == 409
    assert early.json()["allowed_next"] == ["contact"]
    logged = [e for e in services.access_log.entries(limit=10_000) if e.request_id == early.headers["X-Request-ID"]]
    assert [str(e.outcome) for e in logged] == []  # a refused step leaves no granted entry
    services.clock.source.advance(days=2)  # type: ignore[attr-defined]
    contacted = client.post(
        f"{BASE}/{ngo}/contact", json={"note": "Gebeld met de inkoper van Zeewolde."}, headers=as_[Role.SECRETARIAT]
    )
    assert contacted.status_code == 200, contacted.text
    assert contacted.json()["status"] == "contacted"
    client.post(f"{BASE}/{company}/contact", json={"note": "Mail aan het waterschap."}, headers=as_[Role.SECRETARIAT])
    services.clock.source.advance(days=10)  # type: ignore[attr-defined]
    resolved = client.post(
        f"{BASE}/{ngo}/resolve", json={"outcome": "De ISV staat in het volgende bestek."}, headers=as_[Role.SECRETARIAT]
    )
    assert resolved.json()["status"] == "resolved"
    again = client.post(f"{BASE}/{ngo}/contact", json={"note": "nog eens"}, headers=as_[Role.SECRETARIAT])
    assert again.status_code == 409
    assert again.json()["allowed_next"] == []

    # The reporter sees the steps with their dates.
    seen = client.get(f"{BASE}/{ngo}", headers=as_[Role.NGO]).json()
    assert seen["status"] == "resolved"
    assert seen["contact"] == {
        "on": "2026-03-05",
        "by": "secretariat.melder",
        "note": "Gebeld met de inkoper van Zeewolde.",
    }
    assert seen["resolution"] == {
        "on": "2026-03-15",
        "by": "secretariat.melder",
        "note": "De ISV staat in het volgende bestek.",
    }

    # The public counts: no login, per year, nothing but numbers.
    counts = client.get(PUBLIC)
    assert counts.status_code == 200
    assert counts.json() == [{"year": 2026, "received": 3, "contacted": 2, "resolved": 1}]
    for secret in (
        "Zeewolde",
        "Waalbandijk",
        "Flevoland",
        "melder",
        "Arisa",
        "Eigen Steenhandel",
        "Gemeente Utrecht",
        "tenderned",
    ):
        assert secret not in counts.text


def test_bad_input_is_422_naming_the_field_and_an_unknown_report_404(client, as_):
    short = client.post(BASE, json={**NGO_TENDER, "missing": "niets"}, headers=as_[Role.NGO])
    assert short.status_code == 422
    assert "missing" in short.text
    blank = client.post(BASE, json={**NGO_TENDER, "authority": "   "}, headers=as_[Role.NGO])
    assert blank.status_code == 422
    assert "authority" in blank.text
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"{BASE}/{unknown}", headers=as_[Role.SECRETARIAT]).status_code == 404
    assert (
        client.post(f"{BASE}/{unknown}/contact", json={"note": "x"}, headers=as_[Role.SECRETARIAT]).status_code == 404
    )
    assert client.get(PUBLIC).json() == []


def test_anonymous_may_not_report_or_read_but_sees_the_counts(client):
    assert client.post(BASE, json=NGO_TENDER).status_code == 401
    assert client.get(BASE).status_code == 401
    assert client.get(PUBLIC).status_code == 200


def stored_bytes(settings) -> bytes:
    """What a copy of the database holds: the SQLite files' raw bytes (write-ahead logs and free pages
    included), or every row of the PostgreSQL event table of the registry."""
    if settings.database_url is None:
        return b"\n".join(path.read_bytes() for path in sorted(Path(settings.data_dir).glob("*.sqlite3*")))
    url, _, schema = settings.database_url.partition("?schema=")
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(f'SELECT topic, state FROM "{schema}".registry_events').fetchall()
    return b"\n".join(topic.encode() + b" " + bytes(state) for topic, state in rows)


def test_the_reporter_and_the_tender_are_not_stored_in_clear(client, as_, services, settings):
    signal = reported(client, as_[Role.COMPANY], COMPANY_TENDER)
    note = {"note": "Gesprek met de inkoper over het kadeherstel."}
    assert client.post(f"{BASE}/{signal}/contact", json=note, headers=as_[Role.SECRETARIAT]).status_code == 200
    # The signal's own events: neither who reported (the login and the organisation's name are
    # elsewhere in clear, in the accounts and the public register of organisations) nor what.
    events = [
        stored.state
        for stored in services.registry.recorder.select_notifications(start=1, limit=1_000_000)
        if "TenderSignal" in stored.topic
    ]
    assert len(events) == 4  # reported and contacted; the register opened and its entry
    for state in events:
        for secret in ("company.melder", "Eigen Steenhandel", "eigen-steen", "Rivierland", "Kadeherstel", "inkoper"):
            assert secret.encode() not in state, f"{secret} is in a stored event in clear"
    # The whole database: what was reported appears nowhere in clear.
    stored = stored_bytes(settings)
    assert b"TenderSignal" in stored  # the events are there, in the copy read
    for secret in ("Waterschap Rivierland-Oost", "Kadeherstel Waalbandijk", "tenderned", "over het kadeherstel"):
        assert secret.encode() not in stored, f"{secret} is in the database in clear"


def test_a_year_with_fewer_than_three_reports_shows_no_figures_in_public(client, as_):
    """Review finding: with one report in a year, watching the public counts would show when that report
    was taken up with the authority. Below three reports the year's figures are not shown."""
    first = reported(client, as_[Role.NGO], NGO_TENDER)
    reported(client, as_[Role.BUYER], BUYER_TENDER)
    client.post(f"{BASE}/{first}/contact", json={"note": "Gebeld met de inkoper."}, headers=as_[Role.SECRETARIAT])
    [year] = client.get(PUBLIC).json()
    assert (year["received"], year["contacted"], year["resolved"]) == (None, None, None)
    reported(client, as_[Role.COMPANY], COMPANY_TENDER)
    [year] = client.get(PUBLIC).json()
    assert (year["received"], year["contacted"], year["resolved"]) == (3, 1, 0)
