"""A full verification round over HTTP (issue 16; docs/verification.md), on SQLite and PostgreSQL:
the secretariat opens a round for 2024 (the frame frozen, the beacon announced), draws once the
beacon's day has come (the same seed redraws the same sample; another frame gives another sample),
assigns the checks to an NGO and a union party; the parties record their local partners' findings
(each sees its own checks' sites, not the companies); the company whose link was not confirmed is
told and corrects its report; the confirmed link shows as verified; the published figures name no
company and leave out every cell of fewer than k = 3 companies.

The frame is every reported link with a known site: six companies, seven links (below), so a sample
of all seven makes each cell's company count known from the source:
  by country: IN has companies A, B, C (3: shown), CN has D only (1: left out), ZW has E and F (2: left
  out); CN and ZW left out together hold 3 companies, so the total minus IN names neither;
  by site kind: quarry A, B, E, F (4: shown), factory A, C, D (3: shown); in all 6 companies (shown).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from keys.access.principal import SystemPrincipal
from registry.domain.accounts import ROLES_REQUIRING_TOTP, Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from registry.domain.sampling import Dimension, FrameEntry, draw, draw_seed, frame_digest
from tests.clock import FakeClock
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from tests.principals import of_account
from trustone.web.app import create_app

API = "/api/v1/verification"
PUBLIC = "/api/v1/public/verification"
BEACON_SOURCE = "EuroJackpot, trekking van vrijdag 4 april 2025 (hoofdgetallen en eurogetallen)"
BEACON_VALUE = "7 19 23 38 44 + 2 9"
COMPANIES = {
    "steen-a": "Steenhandel Aalsmeer BV",
    "steen-b": "Bouwsteen Breda BV",
    "steen-c": "Natuursteen Cuijk BV",
    "steen-d": "Dordtse Graniet BV",
    "steen-e": "Eindhovense Steengroep BV",
    "steen-f": "Friese Natuursteen BV",
}
QUARRY_A = quarry_row(name="Bijolia Quarry North", latitude="25.17", longitude="75.33")
FACTORY_A = factory_row(name="Kota Works Alpha", latitude="25.21", longitude="75.86", origin_confidence="claimed")
QUARRY_B = quarry_row(name="Bhilwara Quarry South", latitude="25.35", longitude="74.63")
FACTORY_C = factory_row(name="Kota Works Gamma", latitude="25.18", longitude="75.83", origin_confidence="claimed")
FACTORY_D = factory_row(
    name="Xiamen Granite Works",
    country="CN",
    province="Fujian",
    district="Xiamen",
    latitude="24.48",
    longitude="118.09",
    stone_type="granite",
    origin_confidence="partly_known",
)
QUARRY_E = quarry_row(
    name="Mutoko Black Granite Quarry", country="ZW", province="Mashonaland East", district="Mutoko",
    latitude="-17.40", longitude="32.22", stone_type="granite",
)  # fmt: skip
QUARRY_F = quarry_row(
    name="Nyanga Granite Quarry", country="ZW", province="Manicaland", district="Nyanga",
    latitude="-18.22", longitude="32.74", stone_type="granite",
)  # fmt: skip
ROWS = {
    "steen-a": [QUARRY_A, FACTORY_A],
    "steen-b": [QUARRY_B],
    "steen-c": [FACTORY_C],
    "steen-d": [FACTORY_D],
    "steen-e": [QUARRY_E],
    "steen-f": [QUARRY_F],
}
PEOPLE = {
    Role.SECRETARIAT: ("secretariaat", OrganisationKind.SECRETARIAT),
    Role.NGO: ("arisa", OrganisationKind.NGO_PARTY),
    Role.UNION: ("fnv", OrganisationKind.UNION_PARTY),
    Role.AUDITOR: ("audit-firma", OrganisationKind.AUDITOR),
}


@pytest.fixture
def client(services):
    services.clock.set(FakeClock(dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)))
    registry = services.registry
    for ref, name in COMPANIES.items():
        registry.register_organisation(ref, name, OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
        registry.import_report(ref, 2024, csv_bytes(ROWS[ref]), f"{ref}.csv", submitted_on=dt.date(2025, 3, 3))
        registry.create_account(f"{ref}.user", Role.COMPANY, ref, "company", "not-used-here", None)
    for role, (ref, kind) in PEOPLE.items():
        registry.register_organisation(ref, ref.title(), kind, "NL")
        secret = "JBSWY3DPEHPK3PXP" if role in ROLES_REQUIRING_TOTP else None
        registry.create_account(f"{role.value}.user", role, ref, role.value, "not-used-here", secret)
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def as_(client):
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001
    logins = {role.value: f"{role.value}.user" for role in PEOPLE} | {ref: f"{ref}.user" for ref in COMPANIES}
    return {
        who: {"Authorization": f"Bearer {sessions.issue(login, dt.timedelta(hours=1))}"}
        for who, login in logins.items()
    }


def days(services, n: int) -> None:
    services.clock.source.advance(days=n)  # type: ignore[attr-defined]


def opened(client, as_, **changes) -> dict:
    body = {
        "year": 2024,
        "dimensions": ["country"],
        "size": 7,
        "beacon_source": BEACON_SOURCE,
        "beacon_on": "2025-03-07",
        **changes,
    }
    response = client.post(f"{API}/rounds", json=body, headers=as_["secretariat"])
    assert response.status_code == 201, response.text
    return response.json()


def redrawn(record: dict) -> list[str]:
    """The sample as the documented procedure gives it, from the record's public values only."""
    frame = [FrameEntry.from_list(entry) for entry in record["frame"]]
    assert frame_digest(frame) == record["frame_digest"]
    seed = draw_seed(record["frame_digest"], record["beacon"]["value"])
    assert seed == record["seed"]
    chosen = draw(frame, [Dimension(d) for d in record["dimensions"]], record["sample_size"], seed)
    return [entry.token for entry in chosen]


def test_a_full_round_from_opening_to_published_figures(client, as_, services, tmp_path):
    # --- open: the frame of 2024 is frozen, the beacon announced for a later day -----------------
    round_ = opened(client, as_)
    assert (round_["status"], round_["frame_size"], round_["companies"], round_["sample_size"]) == ("frozen", 7, 6, 7)
    assert round_["beacon_value"] is None and round_["seed"] is None
    too_early = client.post(
        f"{API}/rounds/{round_['id']}/draw", json={"beacon_value": BEACON_VALUE}, headers=as_["secretariat"]
    )
    assert too_early.status_code == 409 and "2025-03-07" in too_early.json()["detail"]

    # --- draw, on the beacon's day --------------------------------------------------------------
    days(services, 4)
    drawn = client.post(
        f"{API}/rounds/{round_['id']}/draw", json={"beacon_value": BEACON_VALUE}, headers=as_["secretariat"]
    )
    assert drawn.status_code == 200, drawn.text
    assert (drawn.json()["status"], drawn.json()["checks"]) == ("drawn", 7)
    again = client.post(f"{API}/rounds/{round_['id']}/draw", json={"beacon_value": "1 2 3"}, headers=as_["secretariat"])
    assert again.status_code == 409  # drawn once, for good

    record = client.get(f"{API}/rounds/{round_['id']}/record", headers=as_["auditor"]).json()
    assert sorted(redrawn(record)) == sorted(record["sample"])  # the same seed redraws the same sample
    assert "steen" not in str(record["frame"])  # tokens, countries and kinds: no company
    # ... and the auditor's own script, which does not import the registry, agrees from the record alone
    (tmp_path / "round.json").write_text(json.dumps(record), encoding="utf-8")
    script = Path(__file__).resolve().parents[2] / "scripts" / "redraw_sample.py"
    redraw = subprocess.run(
        [sys.executable, "-I", str(script), str(tmp_path / "round.json")], capture_output=True, text=True, check=False
    )
    assert redraw.returncode == 0, redraw.stdout + redraw.stderr
    assert "[ok]   order: the frame was frozen on 2025-03-03, before the beacon's day" in redraw.stdout

    # a second round over another frozen link set (one company's corrected report adds a link):
    # another digest, so another seed and another sample under the very same beacon value
    registry = services.registry
    registry.import_report(
        "steen-b", 2024, csv_bytes([*ROWS["steen-b"], factory_row(name="Kota Works Beta")]), "b2.csv",
        submitted_on=dt.date(2025, 3, 7),
    )  # fmt: skip
    second = opened(client, as_, size=2, beacon_on="2025-03-08")
    days(services, 1)
    client.post(f"{API}/rounds/{second['id']}/draw", json={"beacon_value": BEACON_VALUE}, headers=as_["secretariat"])
    other = client.get(f"{API}/rounds/{second['id']}/record", headers=as_["secretariat"]).json()
    assert other["frame_digest"] != record["frame_digest"] and other["seed"] != record["seed"]
    assert len(other["frame"]) == 8 and not set(other["sample"]) & set(record["sample"])

    # --- assign: two checks to the NGO party, five to the union party ----------------------------
    checks = client.get(f"{API}/checks", params={"round_id": round_["id"]}, headers=as_["secretariat"]).json()
    assert len(checks) == 7 and all(check["status"] == "drawn" for check in checks)
    by_site = {check["site_name"]: check for check in checks}
    assert set(by_site) == {
        "Bijolia Quarry North",
        "Kota Works Alpha",
        "Bhilwara Quarry South",
        "Kota Works Gamma",
        "Xiamen Granite Works",
        "Mutoko Black Granite Quarry",
        "Nyanga Granite Quarry",
    }
    assert by_site["Xiamen Granite Works"]["company_ref"] == "steen-d"  # the secretariat sees the company
    to_ngo = ["Bijolia Quarry North", "Bhilwara Quarry South"]
    for site, check in by_site.items():
        party = "arisa" if site in to_ngo else "fnv"
        response = client.post(
            f"{API}/checks/{check['id']}/assign",
            json={"party": party, "method": "site_visit"},
            headers=as_["secretariat"],
        )
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "assigned"
    refused = client.post(
        f"{API}/checks/{by_site['Kota Works Gamma']['id']}/assign",
        json={"party": "steen-a", "method": "site_visit"},
        headers=as_["secretariat"],
    )
    assert refused.status_code == 422 and "party" in refused.text

    # --- each party sees its own checks' sites, not the companies --------------------------------
    ngo_checks = client.get(f"{API}/checks", headers=as_["ngo"]).json()
    assert sorted(check["site_name"] for check in ngo_checks) == sorted(to_ngo)
    assert all(
        check["company_ref"] is None and check["company_name"] is None and check["chain"] is None
        for check in ngo_checks
    )
    assert len(client.get(f"{API}/checks", headers=as_["union"]).json()) == 5
    union_check = by_site["Kota Works Gamma"]["id"]
    assert client.get(f"{API}/checks/{union_check}", headers=as_["ngo"]).status_code == 403

    # --- findings, recorded by the party for its local partner -----------------------------------
    photo = {
        "filename": "groeve.jpg",
        "content_type": "image/jpeg",
        "data": base64.b64encode(b"\xff\xd8 photo").decode(),
    }
    findings = {
        "site_exists": "yes",
        "site_as_reported": "yes",
        "checked_on": "2025-03-08",
        "partner": "Bhilwara Mines Workers Collective, Ramesh Kumar",
        "notes": "Bezoek met twee arbeiders; de groeve levert via een handelaar in Bijolia.",
    }
    results = {
        "Bijolia Quarry North": "confirmed",
        "Bhilwara Quarry South": "not_confirmed",
        "Kota Works Alpha": "confirmed",
        "Kota Works Gamma": "unclear",
        "Xiamen Granite Works": "confirmed",
        "Mutoko Black Granite Quarry": "confirmed",
        "Nyanga Granite Quarry": "confirmed",
    }
    wrong_party = client.post(
        f"{API}/checks/{by_site['Bijolia Quarry North']['id']}/findings",
        json={**findings, "link": "confirmed"},
        headers=as_["union"],
    )
    assert wrong_party.status_code == 403
    bad = client.post(
        f"{API}/checks/{by_site['Bijolia Quarry North']['id']}/findings",
        json={**findings, "link": "probably"},
        headers=as_["ngo"],
    )
    assert bad.status_code == 422 and "link" in bad.text
    for site, outcome in results.items():
        party = "ngo" if site in to_ngo else "union"
        body = {**findings, "link": outcome, "attachments": [photo] if site == "Bijolia Quarry North" else []}
        response = client.post(f"{API}/checks/{by_site[site]['id']}/findings", json=body, headers=as_[party])
        assert response.status_code == 200, response.text
        assert response.json()["status"] == ("correction_requested" if outcome == "not_confirmed" else "checked")
    evidence = client.get(f"{API}/checks/{by_site['Bijolia Quarry North']['id']}/attachments/0", headers=as_["ngo"])
    assert evidence.status_code == 200 and evidence.content == b"\xff\xd8 photo"

    # --- a party's own access-log entries do not name the company of a site it checked or was refused
    for party in ("union", "ngo"):
        own_log = client.get("/api/v1/audit/access-log", params={"limit": 200}, headers=as_[party])
        assert own_log.status_code == 200, own_log.text
        assert own_log.json() and [e for e in own_log.json() if e["company"]] == []
        assert not any(ref in own_log.text for ref in COMPANIES)

    # --- the company is told; the not-confirmed link asks it to correct its report ---------------
    mine = client.get(f"{API}/checks", params={"round_id": round_["id"]}, headers=as_["steen-b"]).json()
    assert [(c["site_name"], c["status"], c["findings"]["link"]) for c in mine] == [
        ("Bhilwara Quarry South", "correction_requested", "not_confirmed")
    ]
    assert mine[0]["findings"]["partner"] is None and mine[0]["findings"]["notes"] is None  # not the company's
    assert mine[0]["company_ref"] == "steen-b" and mine[0]["chain"] == "C1"
    theirs = client.get(f"{API}/checks", params={"round_id": round_["id"]}, headers=as_["steen-c"]).json()
    assert [check["site_name"] for check in theirs] == ["Kota Works Gamma"]
    assert client.get(f"{API}/checks/{mine[0]['id']}", headers=as_["steen-c"]).status_code == 403
    assert client.get(f"{API}/checks/{mine[0]['id']}/attachments/0", headers=as_["steen-b"]).status_code == 404

    check_b = mine[0]["id"]
    answer = client.post(f"{API}/checks/{check_b}/answer", json={"answer": "corrected"}, headers=as_["steen-b"])
    assert answer.status_code == 409  # its latest report still holds the link (submitted before the request)
    days(services, 2)
    registry.import_report(
        "steen-b", 2024, csv_bytes([factory_row(name="Kota Works Beta")]), "b3.csv", submitted_on=dt.date(2025, 3, 10)
    )
    answer = client.post(
        f"{API}/checks/{check_b}/answer",
        json={"answer": "corrected", "explanation": "De groeve was een tussenhandelaar; gecorrigeerd."},
        headers=as_["steen-b"],
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "corrected" and answer.json()["answer"]["report_version"] == 3

    # --- outcomes: the confirmed link is verified in the company's own view ----------------------
    own_checks = client.get(f"{API}/checks", params={"round_id": round_["id"]}, headers=as_["steen-a"]).json()
    own_a = {c["site_name"]: c["origin_confidence"] for c in own_checks}
    assert own_a == {"Bijolia Quarry North": "verified", "Kota Works Alpha": "verified"}

    # ... in the company's own links (its latest report) and in the linked list (the secretariat)
    links = client.get("/api/v1/companies/steen-a/reports/2024/links", headers=as_["steen-a"]).json()
    assert sorted(link["origin_confidence"] for link in links["report"]["links"]) == ["verified", "verified"]
    links = client.get("/api/v1/companies/steen-c/reports/2024/links", headers=as_["steen-c"]).json()
    assert [link["origin_confidence"] for link in links["report"]["links"]] == ["claimed"]  # unclear: as reported
    linked = client.get("/api/v1/linked-list", params={"year": 2024}, headers=as_["secretariat"]).json()["links"]
    marked = {(row["company"], row["site_id"]): row["origin_confidence"] for row in linked}
    assert marked[("steen-d", by_site["Xiamen Granite Works"]["site_id"])] == "verified"  # reported: partly known
    assert marked[("steen-c", by_site["Kota Works Gamma"]["site_id"])] == "claimed"  # unclear: as reported

    # --- published figures: no company, no cell of fewer than 3 companies ------------------------
    assert client.get(PUBLIC).json() == []  # nothing before publishing
    assert client.post(f"{API}/rounds/{round_['id']}/publish", headers=as_["ngo"]).status_code == 403
    published = client.post(f"{API}/rounds/{round_['id']}/publish", headers=as_["secretariat"])
    assert published.status_code == 200, published.text
    figures = client.get(PUBLIC).json()
    assert len(figures) == 1
    body = str(figures)
    assert not any(name in body for name in [*COMPANIES, *COMPANIES.values()]) and "Kota" not in body
    statistics = figures[0]
    commitment = ("frame_digest", "beacon_source", "beacon_on", "beacon_value", "seed", "sample_size")
    assert [statistics[key] for key in commitment] == [
        record["frame_digest"], BEACON_SOURCE, "2025-03-07", BEACON_VALUE, record["seed"], 7
    ]  # fmt: skip
    assert statistics["total"] == {
        "key": "total", "sampled": 7, "checked": 7, "confirmed": 5, "not_confirmed": 1, "unclear": 1
    }  # fmt: skip
    assert statistics["by_country"] == [
        {"key": "CN", "sampled": None, "checked": None, "confirmed": None, "not_confirmed": None, "unclear": None},
        {"key": "IN", "sampled": 4, "checked": 4, "confirmed": 2, "not_confirmed": 1, "unclear": 1},
        {"key": "ZW", "sampled": None, "checked": None, "confirmed": None, "not_confirmed": None, "unclear": None},
    ]
    assert statistics["by_site_kind"] == [
        {"key": "factory", "sampled": 3, "checked": 3, "confirmed": 2, "not_confirmed": 0, "unclear": 1},
        {"key": "quarry", "sampled": 4, "checked": 4, "confirmed": 3, "not_confirmed": 1, "unclear": 0},
    ]
    years = client.get(f"{PUBLIC}/years").json()
    # the latest published frame (7 links: the second round is not published) and its 5 confirmed
    assert years == [{"year": 2024, "links": 7, "verified": 5}]
    too_late = client.post(
        f"{API}/checks/{by_site['Kota Works Gamma']['id']}/assign",
        json={"party": "arisa", "method": "site_visit"},
        headers=as_["secretariat"],
    )
    assert too_late.status_code == 409 and "published" in too_late.text  # its figures are final

    # --- the attacker with the database alone: no round, check or mark names a company or a site -----
    secrets = [
        *COMPANIES,
        *COMPANIES.values(),
        *(str(registry.organisation(ref).id) for ref in COMPANIES),
        *(check["site_id"] for check in checks),
        *(check["site_name"] for check in checks),
        findings["partner"],
        "tussenhandelaar",  # the company's explanation
        "arbeiders",  # the notes
    ]
    stored = [
        notification
        for notification in registry.recorder.select_notifications(start=1, limit=1_000_000)
        if notification.topic.startswith("registry.domain.verification:")
    ]
    assert {n.topic.split(":", 1)[1] for n in stored} >= {
        "VerificationRound.Opened", "VerificationRound.Drawn", "FieldCheck.Drawn", "FieldCheck.FindingsRecorded",
        "FieldCheck.CorrectionAnswered", "VerificationRegister.LinkVerified",
    }  # fmt: skip
    for notification in stored:
        state = bytes(notification.state)
        for secret in secrets:
            assert secret.encode() not in state, (notification.topic, secret)


def test_the_round_record_and_the_secretariats_steps_are_refused_to_others(client, as_):
    round_ = opened(client, as_)
    for who in ("ngo", "union", "steen-a"):
        assert client.get(f"{API}/rounds/{round_['id']}/record", headers=as_[who]).status_code == 403
        assert (
            client.post(
                f"{API}/rounds",
                json={"year": 2024, "size": 1, "beacon_source": BEACON_SOURCE, "beacon_on": "2025-03-07"},
                headers=as_[who],
            ).status_code
            == 403
        )
    assert client.get(f"{API}/rounds", headers=as_["auditor"]).status_code == 200
    assert client.get(f"{API}/rounds").status_code == 401


def test_bad_round_input_names_the_field_before_any_report_is_read(client, as_, services):
    cases = [
        ({"beacon_on": "2025-03-03"}, "beacon_on"),  # today: the value may be public already
        ({"dimensions": ["company"]}, "dimensions"),
        ({"size": None, "share": "1.5"}, "share"),
        ({"size": 8}, "size"),  # more than the frame's seven links
        ({"size": 2, "share": "0.5"}, "size"),  # both
    ]
    for change, field in cases:
        body = {
            "year": 2024,
            "dimensions": ["country"],
            "size": 5,
            "beacon_source": BEACON_SOURCE,
            "beacon_on": "2025-03-07",
            **change,
        }
        reads_before = len(frame_reads(services))
        response = client.post(f"{API}/rounds", json=body, headers=as_["secretariat"])
        assert response.status_code == 422, (change, response.text)
        assert field in response.text, (change, response.text)
        if change != {"size": 8}:  # only the frame's own size needs the reports read
            assert len(frame_reads(services)) == reads_before, change


def frame_reads(services) -> list:
    return [
        e
        for e in services.access_log.entries(limit=100_000)
        if e.action == "read_report" and e.actor == "secretariat.user"
    ]


def test_one_round_of_a_year_at_a_time_waits_for_its_beacon(client, as_):
    """Otherwise the secretariat could freeze several frames on one beacon and draw the one it likes."""
    opened(client, as_)
    second = client.post(
        f"{API}/rounds",
        json={"year": 2024, "size": 2, "beacon_source": BEACON_SOURCE, "beacon_on": "2025-03-08"},
        headers=as_["secretariat"],
    )
    assert second.status_code == 409 and "waiting for its beacon" in second.text


def test_a_shredded_company_leaves_the_frame_and_blocks_no_round(client, as_, services):
    """Shredding (e.g. the retention job's, for a withdrawn company) erases the company's part of a
    frozen frame: the round still draws, without a check for it, and a new frame leaves it out."""
    round_ = opened(client, as_, dimensions=[])  # frozen with steen-d's Xiamen link in the frame
    services.shredding.shred("steen-d", SystemPrincipal("keys-admin:test"))
    secretariat = of_account(services, "secretariat.user")
    owners = services.verification.frame_companies(secretariat, round_["id"])
    assert sorted(set(owners.values())) == ["steen-a", "steen-b", "steen-c", "steen-e", "steen-f"]
    days(services, 4)
    drawn = client.post(
        f"{API}/rounds/{round_['id']}/draw", json={"beacon_value": BEACON_VALUE}, headers=as_["secretariat"]
    )
    assert drawn.status_code == 200, drawn.text
    assert (drawn.json()["sample_size"], drawn.json()["checks"]) == (7, 6)  # all seven drawn; six still readable
    checks = client.get(f"{API}/checks", params={"round_id": round_["id"]}, headers=as_["secretariat"]).json()
    assert "steen-d" not in {check["company_ref"] for check in checks}
    later = opened(client, as_, size=2, beacon_on="2025-03-14")
    assert (later["frame_size"], later["companies"]) == (6, 5)
