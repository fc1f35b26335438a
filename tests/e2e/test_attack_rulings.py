"""Channel 4 of issue 11: a ruling seen by every notified company (docs/confidentiality.md, threat model).

A notified company must learn nothing of any other company's involvement, also not from the
committee's ruling. Attacked over HTTP, on both stores, as notified company B and as the filing
NGO reading a case whose ruling is about company A. The design: a ruling is recorded in parts, a
general text for every party that names no company, and per company a part addressed to it, sealed
with that company's grievance key (like its notice). Each party reads its own copy: the general
text and its own part; the committee (and the secretariat) read every part.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cache

import pytest
from fastapi.testclient import TestClient

from grievance.domain.filing import Filing, Reporter
from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from trustone.web.app import create_app

A, A_NAME = "eigen-steen", "Eigen Steen BV"
B, B_NAME = "andere-steen", "Andere Steen BV"
C, C_NAME = "derde-steen", "Derde Steen BV"  # a member that does not buy at the quarry
ORGS = {  # ref -> (name, kind, role of its user)
    "secretariaat": ("Secretariaat", OrganisationKind.SECRETARIAT, Role.SECRETARIAT),
    "arisa": ("Arisa", OrganisationKind.NGO_PARTY, Role.NGO),
    "andere-ngo": ("Andere NGO", OrganisationKind.NGO_PARTY, Role.NGO),
    "klachtencommissie": ("Klachtencommissie", OrganisationKind.COMPLAINTS_COMMITTEE, Role.COMMITTEE),
    A: (A_NAME, OrganisationKind.MEMBER_COMPANY, Role.COMPANY),
    B: (B_NAME, OrganisationKind.MEMBER_COMPANY, Role.COMPANY),
    C: (C_NAME, OrganisationKind.MEMBER_COMPANY, Role.COMPANY),
}
DESCRIPTION = "Children were seen carrying stone at the quarry in March."
ALLEGATION = "Child labour was reported at this quarry in March."
SUMMARY = "Two members must fund remediation of child labour at a sandstone quarry in India."


@cache
def declaration() -> tuple[str, str]:
    text = "TruStone verklaring gekoppelde lijst"
    return text, hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def world(services):
    """Three member companies, two of which (A and B) report the same quarry for 2024; an NGO
    (with a declaration), a second NGO (also declared), the secretariat and the committee."""
    registry = services.registry
    for ref, (name, kind, role) in ORGS.items():
        registry.register_organisation(ref, name, kind, "NL")
        registry.create_account(f"user.{ref}", role, ref, name, "not-used-here", None)
    for login in ("user.arisa", "user.andere-ngo"):
        title, digest = declaration()
        registry.record_declaration(
            login,
            title,
            "2025-1",
            digest,
            dt.date.today() - dt.timedelta(days=1),
            dt.date.today() + dt.timedelta(days=365),
        )
    for ref in (A, B, C):
        registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
    for ref in (A, B):
        registry.import_report(
            ref, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=dt.date(2025, 3, 1)
        )
    registry.import_report(C, 2024, csv_bytes([factory_row()]), "r.csv", submitted_on=dt.date(2025, 3, 1))
    return services


def principal(world, ref: str) -> Principal:
    account = world.registry.account(f"user.{ref}")
    return Principal(account.login, account.role, account.organisation_id, ref)


def quarry(world) -> str:
    """The quarry's site id, as the secretariat reads it from A's report (through the filter)."""
    content = world.registry.read_report(principal(world, "secretariaat"), A, 2024, purpose="test")
    return next(link.site_id for link in content.links if str(link.site_kind) == "quarry")


def notified_case(world, filer: str = "arisa") -> str:
    """A complaint by ``filer`` about the quarry; A and B are matched and notified."""
    grievance, secretariat = world.grievance, principal(world, "secretariaat")
    site = quarry(world)
    reference, _ = grievance.file(
        principal(world, filer),
        Filing(
            case_type="complaint",
            description=DESCRIPTION,
            themes=["child_labour"],
            site_ids=[site],
            reporter=Reporter("Local partner"),
        ),
    )
    grievance.advance(secretariat, reference, "acknowledge", "received")
    assert (
        grievance.match(
            secretariat, reference, [site], [2024], "confirmed", buyers=world.linked_search.grievance_buyers
        )["companies_found"]
        == 2
    )
    grievance.notify_companies(secretariat, reference, ALLEGATION)
    return reference


def case_before_hearing(world) -> str:
    """The notified case, referred by the NGO, admitted, a hearing held: ready for the ruling."""
    reference = notified_case(world)
    committee = principal(world, "klachtencommissie")
    world.grievance.advance(principal(world, "arisa"), reference, "refer_to_committee", "no remediation")
    world.grievance.admit(committee, reference, True, "admissible")
    world.grievance.advance(committee, reference, "schedule_hearing", "hearing", hearing_on=dt.date.today())
    return reference


@pytest.fixture
def client(world):
    with TestClient(create_app(world), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def auth(client, world):
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001
    return {ref: {"Authorization": f"Bearer {sessions.issue(f'user.{ref}', dt.timedelta(hours=1))}"} for ref in ORGS}


def rule(client, auth, reference: str, ruling: str, parts: list[dict] | None = None):
    body = {
        "ruling": ruling,
        "compliance_deadline": (dt.date.today() + dt.timedelta(days=60)).isoformat(),
        "published_summary": SUMMARY,
    }
    if parts is not None:
        body["parts"] = parts
    return client.post(f"/api/v1/grievances/{reference}/ruling", headers=auth["klachtencommissie"], json=body)


def read(client, auth, reference: str, who: str) -> dict:
    response = client.get(f"/api/v1/grievances/{reference}", headers=auth[who])
    assert response.status_code == 200, (who, response.text)
    return response.json()


def names_a(text: str) -> bool:
    return A in text or A_NAME in text or A_NAME.casefold() in text.casefold()


def test_a_ruling_written_about_company_a_never_reaches_company_b_or_the_filer(client, auth, world):
    """The attack as it works today: the committee rules in one text naming A; B and the filer read the case."""
    reference = case_before_hearing(world)
    ruled = rule(client, auth, reference, f"{A_NAME} must fund the removal of children from the quarry.")
    for reader in (B, "arisa"):
        seen = json.dumps(read(client, auth, reference, reader))
        assert not names_a(seen), f"{reader} reads company A's name in the ruling"
    # the general text goes to every party: naming a company there is refused, naming the field
    assert ruled.status_code == 422, ruled.text
    assert [e["field"] for e in ruled.json()["errors"]] == ["ruling"]
    assert read(client, auth, reference, "klachtencommissie")["stage"] == "hearing_scheduled"


def test_each_party_reads_its_own_copy_of_the_ruling_and_the_committee_reads_all(client, auth, world):
    reference = case_before_hearing(world)
    general = "The two members that buy from this quarry must fund remediation; details in each part."
    part_a = f"{A_NAME} must fund the removal of children from the quarry and report monthly."
    part_b = f"{B_NAME} must verify the remediation at its importer within 60 days."
    ruled = rule(client, auth, reference, general, [{"company": A, "text": part_a}, {"company": B, "text": part_b}])
    assert ruled.status_code == 200, ruled.text
    assert ruled.json()["stage"] == "ruled"

    as_b = read(client, auth, reference, B)
    assert not names_a(json.dumps(as_b))
    assert as_b["ruling"] == general and as_b["ruling_parts"] == [{"company": B, "text": part_b}]

    as_filer = read(client, auth, reference, "arisa")
    assert not names_a(json.dumps(as_filer)) and B not in json.dumps(as_filer) and B_NAME not in json.dumps(as_filer)
    assert as_filer["ruling"] == general and as_filer["ruling_parts"] == []

    as_a = read(client, auth, reference, A)
    assert B not in json.dumps(as_a) and B_NAME not in json.dumps(as_a)
    assert as_a["ruling"] == general and as_a["ruling_parts"] == [{"company": A, "text": part_a}]

    as_committee = read(client, auth, reference, "klachtencommissie")
    assert as_committee["ruling"] == general
    assert sorted(as_committee["ruling_parts"], key=lambda p: p["company"]) == [
        {"company": B, "text": part_b},
        {"company": A, "text": part_a},
    ]

    published = client.get("/api/v1/public/rulings").json()
    assert [r["summary"] for r in published] == [SUMMARY]


@pytest.mark.parametrize(
    ("parts", "field"),
    [
        ([{"company": C, "text": "Derde Steen BV must do nothing."}], "parts[1].company"),  # not in the case
        ([{"company": "no-such-company", "text": "Whoever must pay."}], "parts[1].company"),
        ([{"company": A, "text": "Fund remediation."}, {"company": A, "text": "Again."}], "parts[2].company"),
        ([{"company": B, "text": f"Like {A_NAME}, fund remediation."}], "parts[1].text"),  # another company
        ([{"company": B, "text": f"Verify the remediation with {A}."}], "parts[1].text"),
        ([{"company": B, "text": "Pay the Local partner directly."}], "parts[1].text"),  # the reporter
    ],
)
def test_a_part_goes_to_a_company_of_the_case_only_and_names_no_one_else(client, auth, world, parts, field):
    reference = case_before_hearing(world)
    ruled = rule(client, auth, reference, "The members that buy from this quarry must fund remediation.", parts)
    assert ruled.status_code == 422, ruled.text
    assert [e["field"] for e in ruled.json()["errors"]] == [field]
    assert read(client, auth, reference, "klachtencommissie")["stage"] == "hearing_scheduled"
    assert "ruling" not in read(client, auth, reference, B)
