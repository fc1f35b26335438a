"""The docs/access.md matrix walked through the HTTP layer, allowed and denied.

Every attempt by a logged-in principal, allowed or denied, must leave exactly one access-log entry
naming the action and the outcome; a linked-list search that returns several companies' links
leaves one entry per company in the answer (auditors must see whose supplier data was read).
Anonymous requests are refused at authentication (401) and are
not logged: there is nobody to attribute them to.

Grievance cells run against a case prepared in the stage the action needs (filed by the NGO, about
a quarry both member companies buy from). Cells of docs/lifecycles.md (releasing part of the
aggregated list to a local partner) run against a data-access request the NGO made, prepared in the
status the action needs: only the secretariat approves, and only the requesting party downloads (a
union party may request, but not download another party's release).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json

import pytest

from registry.domain.accounts import Role
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    OTHER,
    OWN,
    PASSWORD,
    THIRD,
    Cell,
    _everyone_but,
    assert_anonymous_refused,
    assert_walked,
    client,
    csv_bytes,
    factory_row,
    quarry_row,
    send,
    tokens,
    walk,
    walk_ids,
    world,
)

CELLS = [
    Cell(
        "submit own report",
        "submit_report",
        "POST",
        f"/api/v1/companies/{OWN}/reports/2024",
        frozenset({Role.COMPANY}),
        upload=True,
    ),
    Cell(
        "submit another company's report",
        "submit_report",
        "POST",
        f"/api/v1/companies/{OTHER}/reports/2024",
        frozenset(),
        upload=True,
    ),
    Cell(
        "read own report",
        "read_report",
        "GET",
        f"/api/v1/companies/{OWN}/reports/2024",
        frozenset({Role.SECRETARIAT, Role.COMPANY}),
    ),
    Cell(
        "read another company's report",
        "read_report",
        "GET",
        f"/api/v1/companies/{OTHER}/reports/2024",
        frozenset({Role.SECRETARIAT}),
    ),
    Cell(
        "linked list",
        "read_linked_list",
        "GET",
        "/api/v1/linked-list",
        frozenset({Role.SECRETARIAT, Role.NGO}),
        per_company=True,
    ),  # the NGO user has a valid declaration
    Cell(
        "aggregated list",
        "read_aggregated_list",
        "GET",
        "/api/v1/aggregated-list",
        frozenset({Role.SECRETARIAT, Role.NGO, Role.UNION, Role.COMMITTEE}),
    ),
    Cell("access log", "read_access_log", "GET", "/api/v1/audit/access-log", _everyone_but(Role.COMMITTEE, Role.BUYER)),
    Cell("key rotation", "administer_keys", "POST", "/api/v1/admin/keys/rotate", frozenset({Role.SECRETARIAT})),
    Cell(
        "shredding", "administer_keys", "POST", f"/api/v1/admin/companies/{OTHER}/shred", frozenset({Role.SECRETARIAT})
    ),
    Cell(
        "key report", "read_key_report", "GET", "/api/v1/admin/keys/report", frozenset({Role.SECRETARIAT, Role.AUDITOR})
    ),
    Cell(
        "user admin",
        "administer_users",
        "POST",
        "/api/v1/users",
        frozenset({Role.SECRETARIAT}),
        json={
            "login": "new.person",
            "role": "ngo",
            "organisation_ref": "arisa",
            "display_name": "New",
            "password": PASSWORD,
        },
    ),
]
COMPLAINT = {
    "site_ids": ["{site}"],
    "themes": ["child_labour"],
    "reporter": {"name": "Local partner"},
    "description": "Children were seen carrying stone at the quarry in March.",
}
DISPUTE = {
    "case_type": "dispute_between_parties",
    "parties": [OTHER],
    "themes": ["other"],
    "description": "The parties disagree on the remediation plan that was agreed.",
}
CASE = "/api/v1/grievances/{ref}"
CELLS += [
    Cell(
        "file a report",
        "file_grievance",
        "POST",
        "/api/v1/grievances",
        frozenset({Role.NGO, Role.UNION}),
        json=COMPLAINT,
    ),
    Cell(
        "file a dispute",
        "file_grievance",
        "POST",
        "/api/v1/grievances",
        frozenset({Role.NGO, Role.UNION, Role.COMPANY}),
        json=DISPUTE,
    ),
    Cell("case queue", "read_case_queue", "GET", "/api/v1/grievances", _everyone_but(Role.AUDITOR, Role.BUYER)),
    Cell(
        "read a notified case",
        "read_case",
        "GET",
        CASE,
        frozenset({Role.SECRETARIAT, Role.NGO, Role.COMPANY}),
        case_stage="companies_notified",
    ),
    Cell(
        "read a case before the committee",
        "read_case",
        "GET",
        CASE,  # referred before any company was notified
        frozenset({Role.SECRETARIAT, Role.NGO, Role.COMMITTEE}),
        case_stage="referred",
    ),
    Cell(
        "reporter identity",
        "read_reporter_identity",
        "GET",
        CASE + "/reporter",
        frozenset({Role.NGO, Role.COMMITTEE}),
        case_stage="referred",
    ),
    Cell(
        "evidence",
        "read_evidence",
        "GET",
        CASE + "/evidence/1",
        frozenset({Role.SECRETARIAT, Role.NGO, Role.COMMITTEE}),
        case_stage="referred",
    ),
    Cell(
        "acknowledge a report",
        "manage_case",
        "POST",
        CASE + "/steps",
        frozenset({Role.SECRETARIAT}),
        json={"step": "acknowledge", "reason": "received"},
        case_stage="filed",
    ),
    Cell(
        "notify affected companies",
        "notify_companies",
        "POST",
        CASE + "/notify",
        frozenset({Role.SECRETARIAT}),
        json={"allegation": "Child labour was reported at this quarry."},
        case_stage="matched",
    ),
    Cell(
        "see notified companies",
        "see_notified_companies",
        "GET",
        CASE + "/notified-companies",  # case-scoped
        frozenset({Role.SECRETARIAT, Role.NGO, Role.COMMITTEE}),
        case_stage="referred_after_notice",
    ),
    Cell(
        "respond to a case",
        "respond_to_case",
        "POST",
        CASE + "/messages",
        frozenset({Role.COMPANY}),
        json={"kind": "response", "text": "We are looking into it."},
        case_stage="companies_notified",
    ),
    Cell(
        "refer to the committee",
        "refer_to_committee",
        "POST",
        CASE + "/steps",
        frozenset({Role.SECRETARIAT, Role.NGO}),
        json={"step": "refer_to_committee", "reason": "stalled"},
        case_stage="filed",
    ),
    Cell(
        "committee decision",
        "record_committee_decision",
        "POST",
        CASE + "/steps",
        frozenset({Role.COMMITTEE}),
        json={"step": "admit", "admissible": True, "reason": "admissible"},
        case_stage="referred",
    ),
    # the committee's "case files only" and "case-scoped": a company notified of a case before it
    Cell(
        "read a report in a case file",
        "read_report",
        "GET",
        f"/api/v1/companies/{OWN}/reports/2024",
        frozenset({Role.SECRETARIAT, Role.COMPANY, Role.COMMITTEE}),
        case_stage="referred_after_notice",
    ),
    Cell(
        "linked list for a case's site",
        "read_linked_list",
        "GET",
        "/api/v1/linked-list?site={site}",
        frozenset({Role.SECRETARIAT, Role.NGO, Role.COMMITTEE}),
        per_company=True,
        case_stage="referred_after_notice",
    ),
]
RELEASE_REQUEST = {
    "local_partner": {"name": "Local partner", "contact": "via the field office"},
    "country": "IN",
    "region": "Rajasthan",
    "purpose": "Monitoring the quarries in Rajasthan with the local partner.",
}
RELEASE = "/api/v1/data-access-requests/{id}"
CELLS += [
    Cell(
        "request a release",
        "request_release",
        "POST",
        "/api/v1/data-access-requests",
        frozenset({Role.NGO, Role.UNION}),
        json=RELEASE_REQUEST,
    ),
    Cell(
        "approve a release",
        "approve_release",
        "POST",
        RELEASE + "/decision",
        frozenset({Role.SECRETARIAT}),
        json={"approve": True, "reason": "the scope fits the purpose"},
        request_stage="clause_signed",
    ),
    Cell(
        "download a release",
        "request_release",
        "GET",
        RELEASE + "/release?format=csv",
        frozenset({Role.NGO}),
        request_stage="approved",
    ),  # the NGO's own request: the union (another party) is denied
]
WALK = walk(CELLS)
PNG = "iVBORw0KGgoAAAAAAAAAAAAAAAAAAAA="  # base64 of a PNG signature and some bytes


def principal_of(world, role: Role):
    from keys.access.principal import Principal

    account = world.registry.account(f"{role.value}.user")
    return Principal(
        account.login, account.role, account.organisation_id, world.registry.repository.get(account.organisation_id).ref
    )


def case_in_stage(world, stage: str) -> str:
    """A complaint by the NGO about the quarry both companies report, taken to ``stage``."""
    from grievance.domain.filing import Attachment, Filing, Reporter

    grievance = world.grievance
    ngo, secretariat = principal_of(world, Role.NGO), principal_of(world, Role.SECRETARIAT)
    site = world.registry.current_site_id(quarry_site_id(world))
    reference, _ = grievance.file(
        ngo,
        Filing(
            case_type="complaint",
            description=COMPLAINT["description"],
            themes=["child_labour"],
            site_ids=[site],
            reporter=Reporter("Local partner"),
            attachments=[Attachment("photo.png", "image/png", base64.b64decode(PNG))],
        ),
    )
    if stage == "referred":
        grievance.advance(ngo, reference, "refer_to_committee", "no answer")
    if stage in ("matched", "companies_notified", "referred_after_notice"):
        grievance.advance(secretariat, reference, "acknowledge", "received")
        grievance.match(
            secretariat, reference, [site], [2024], "confirmed", buyers=world.linked_search.grievance_buyers
        )
    if stage in ("companies_notified", "referred_after_notice"):
        grievance.notify_companies(secretariat, reference, "Child labour was reported at this quarry.")
    if stage == "referred_after_notice":
        grievance.advance(ngo, reference, "refer_to_committee", "no remediation")
        stage = "referred"
    assert grievance.case(reference).stage.value == stage
    return reference


def request_in_stage(world, stage: str) -> str:
    """A data-access request by the NGO for Rajasthan, its local partner's clause recorded, taken to ``stage``."""
    access = world.data_access
    ngo, secretariat = principal_of(world, Role.NGO), principal_of(world, Role.SECRETARIAT)
    body = RELEASE_REQUEST
    access_id = access.request(ngo, body["local_partner"], body["country"], body["region"], None, body["purpose"]).id
    clause = "TruStone geheimhoudingsclausule lokale partner"
    access.record_clause(
        ngo,
        access_id,
        clause,
        "2025-1",
        hashlib.sha256(clause.encode()).hexdigest(),
        dt.date.today() - dt.timedelta(days=1),
        dt.date.today() + dt.timedelta(days=365),
    )
    if stage == "approved":
        access.decide(secretariat, access_id, True, "the scope fits the purpose")
    assert world.registry.repository.get(access_id).status.value == stage
    return str(access_id)


def quarry_site_id(world) -> str:
    world.projections.catch_up()
    return next(site.site_id for site in world.aggregated_list.sites(2024)[1] if site.kind == "quarry")


def prepared(world, cell: Cell) -> tuple[str, dict | None]:
    """The cell's path and body, with a grievance case or a data-access request in the stage it
    needs and the real site id."""
    values = {"site": quarry_site_id(world)}
    if cell.case_stage:
        values["ref"] = case_in_stage(world, cell.case_stage)
    if cell.request_stage:
        values["id"] = request_in_stage(world, cell.request_stage)
    path = cell.path.format(**values)
    body = json.loads(json.dumps(cell.json).replace("{site}", quarry_site_id(world))) if cell.json else None
    return path, body


@pytest.mark.parametrize(("cell", "role"), WALK, ids=walk_ids(WALK))
def test_each_cell_is_allowed_or_denied_and_logged_exactly_once(client, world, tokens, cell, role):
    path, body = prepared(world, cell)
    assert_walked(client, world, tokens, cell, role, path, body)


@pytest.mark.parametrize("cell", CELLS, ids=[c.name for c in CELLS])
def test_anonymous_requests_are_refused_before_any_data_is_touched(client, world, cell):
    path, body = prepared(world, cell)
    assert_anonymous_refused(world, lambda: send(client, cell, None, path, body))


@pytest.mark.parametrize("role", list(Role))
def test_published_member_status_is_open_to_everyone_and_anonymous(client, tokens, role):
    for token in (tokens[role], None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = client.get(f"/api/v1/public/members/{OWN}/status", headers=headers)
        assert response.status_code == 200 and response.json()["member"] is True


def test_a_company_reads_its_own_report_content_and_the_secretariat_reads_any(client, tokens):
    own = client.get(
        f"/api/v1/companies/{OWN}/reports/2024", headers={"Authorization": f"Bearer {tokens[Role.COMPANY]}"}
    )
    assert own.status_code == 200
    assert own.json()["terms"][0]["price_eur_per_unit"] == "4321.77"
    assert {link["site_kind"] for link in own.json()["links"]} == {"quarry", "factory"}


def test_the_access_log_scope_follows_the_role(client, world, tokens):
    client.get(f"/api/v1/companies/{OWN}/reports/2024", headers={"Authorization": f"Bearer {tokens[Role.SECRETARIAT]}"})
    mine = client.get("/api/v1/audit/access-log", headers={"Authorization": f"Bearer {tokens[Role.NGO]}"}).json()
    assert {entry["actor"] for entry in mine} <= {"ngo.user"}
    about_me = client.get(
        "/api/v1/audit/access-log?limit=1000", headers={"Authorization": f"Bearer {tokens[Role.COMPANY]}"}
    ).json()
    assert about_me and {entry["company"] for entry in about_me} == {OWN}
    assert any(e["actor"] == "secretariat.user" and e["action"] == "read_report" for e in about_me)
    everything = client.get(
        "/api/v1/audit/access-log?limit=1000", headers={"Authorization": f"Bearer {tokens[Role.AUDITOR]}"}
    ).json()
    assert len(everything) > len(about_me)
    assert any(e["purpose"] == "read report" for e in everything)  # sealed details, opened for the auditor


def test_the_aggregated_list_over_http_shows_sites_and_no_company(client, tokens):
    response = client.get("/api/v1/aggregated-list", headers={"Authorization": f"Bearer {tokens[Role.NGO]}"})
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2024
    assert {site["name"] for site in body["sites"]} == {
        "Mahadev Sandstone Quarry Bijolia",
        "Kota Stone Processing Works",
    }
    assert OWN not in response.text and OTHER not in response.text


def test_an_ngo_without_a_valid_declaration_is_refused_the_linked_list_and_the_notified_companies(
    client, world, tokens
):
    """The NGO cells are conditional (art. 6 lid 3): the walk above has a declared NGO; here its
    declaration is revoked, and both reads are refused, each with one denied entry."""
    reference = case_in_stage(world, "companies_notified")
    for declaration in world.registry.declarations("ngo.user"):
        world.registry.revoke_declaration(declaration.id, dt.date.today() - dt.timedelta(days=1), "left the NGO")
    for path, action in (
        ("/api/v1/linked-list", "read_linked_list"),
        (f"/api/v1/grievances/{reference}/notified-companies", "see_notified_companies"),
    ):
        before = len(world.access_log.entries(limit=100_000))
        response = client.get(path, headers={"Authorization": f"Bearer {tokens[Role.NGO]}"})
        assert response.status_code == 403
        new = [e for e in world.access_log.entries(limit=100_000)[before:] if not e.actor.startswith("system:")]
        assert [(e.actor, e.action, str(e.outcome)) for e in new] == [("ngo.user", action, "denied")]
