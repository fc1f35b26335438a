"""Issue 6's acceptance walk, over HTTP, with the demo data and a real local SMTP server.

An NGO files for a local partner about the demo's Rajasthan quarry, which two of the first three
demo companies buy from. The secretariat acknowledges and matches; exactly those two companies get
an e-mail and an in-app notice, neither naming the other; one responds; the NGO refers the case to
the committee; ruling; reminder after the compliance deadline; proposal to end membership. The
follow-up code shows only the stage and the dates throughout.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient

from grievance.mail import MailSettings, SmtpMailer
from keys.access.accesslog import open_details
from registry.domain.accounts import Role
from tests.clock import FakeClock
from trustone.demo import load_demo
from trustone.web.app import create_app

REPORTER = "Sangharsh Khan Mazdoor Samiti"  # the local partner: must never reach the secretariat or a company
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(services):
    demo = load_demo(services)
    services.clock.set(FakeClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)))
    second, third = demo.rajasthan_buyers[1], demo.rajasthan_non_buyer
    for login, ref in (("second.buyer", second), ("non.buyer", third)):
        services.registry.create_account(login, Role.COMPANY, ref, login, "not-used-here", None)
    return services, demo


@pytest.fixture
def client(world):
    services, _ = world
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def auth(client, world):
    """Bearer headers per user, issued as a login would (logging in is tested in test_auth_http.py)."""
    _, demo = world
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001
    logins = {**demo.logins, "second": "second.buyer", "non_buyer": "non.buyer"}
    return {
        who: {"Authorization": f"Bearer {sessions.issue(login, dt.timedelta(hours=2))}"}
        for who, login in logins.items()
    }


def test_a_report_about_a_rajasthan_quarry_reaches_exactly_its_two_buyers_and_ends_before_the_committee(
    world, client, auth, smtp_server
):
    services, demo = world
    clock = services.clock.source
    first, second = demo.rajasthan_buyers
    names = {ref: services.registry.organisation(ref).name for ref in (first, second, demo.rajasthan_non_buyer)}

    # --- the NGO files for its local partner -----------------------------------------------------
    filed = client.post(
        "/api/v1/grievances",
        headers=auth["ngo"],
        json={
            "site_ids": [demo.rajasthan_quarry],
            "themes": ["child_labour", "health_and_safety"],
            "description": "Children under 14 carry sandstone slabs at the quarry face; no protective gear.",
            "observed_on": "2025-11-20",
            "language": "hi",
            "reporter": {"name": REPORTER, "contact": "+91 98290 00000", "organisation": "local union"},
            "attachments": [
                {"filename": "quarry.png", "media_type": "image/png", "content_base64": base64.b64encode(PNG).decode()}
            ],
        },
    )
    assert filed.status_code == 201, filed.text
    reference, code = filed.json()["reference"], filed.json()["followup_code"]
    assert filed.json()["stage"] == "filed"

    def follow_up(expected_stage: str) -> None:
        body = client.post("/api/v1/grievances/follow-up", json={"code": code}).json()  # no login
        assert set(body) == {"stage", "filed_on", "stages"}
        assert body["stage"] == expected_stage
        assert all(set(entry) == {"stage", "on"} for entry in body["stages"])
        assert REPORTER not in json.dumps(body) and first not in json.dumps(body)

    follow_up("filed")

    def step(who: str, name: str, expected: str, **extra) -> None:
        response = client.post(
            f"/api/v1/grievances/{reference}/steps",
            headers=auth[who],
            json={"step": name, "reason": f"{name} by {who}", **extra},
        )
        assert response.status_code == 200, response.text
        assert response.json()["stage"] == expected
        follow_up(expected)

    # --- the secretariat acknowledges and matches through the filter --------------------------------
    clock.advance(days=2)
    step("secretariat", "acknowledge", "acknowledged")
    matched = client.post(
        f"/api/v1/grievances/{reference}/match",
        headers=auth["secretariat"],
        json={"site_ids": [demo.rajasthan_quarry], "reason": "site confirmed from the photos"},
    )
    assert matched.status_code == 200, matched.text
    assert matched.json() == {"reference": reference, "stage": "matched", "companies_found": 2}
    follow_up("matched")
    notified = client.post(
        f"/api/v1/grievances/{reference}/notify",
        headers=auth["secretariat"],
        json={"allegation": "Child labour and unsafe work were reported at this quarry in November 2025."},
    )
    assert notified.json()["companies_notified"] == 2
    follow_up("companies_notified")

    # each resolution was an access-log entry per buyer, purpose "grievance case N"
    resolutions = [
        e
        for e in services.access_log.entries(limit=100_000)
        if e.action == "read_linked_list"
        and open_details(services.datakeys, e)["purpose"] == f"grievance case {reference}"
    ]
    assert {e.company for e in resolutions} == {first, second}

    # --- exactly the two buyers get an e-mail, each naming only itself ------------------------------
    report = services.notice_delivery.deliver(SmtpMailer(MailSettings(host=smtp_server.host, port=smtp_server.port)))
    assert report.sent == 2
    mails = smtp_server.wait_for(2)
    assert sorted(m.rcpt_tos[0] for m in mails) == sorted(f"meldingen@{ref}.example" for ref in (first, second))
    for mail in mails:
        body = mail.message.get_content()
        own = first if first in mail.rcpt_tos[0] else second
        other = second if own == first else first
        assert reference in body and services.registry.site(demo.rajasthan_quarry).name in body
        assert names[own] in body
        assert other not in body and names[other] not in body and REPORTER not in body
    assert (
        services.notice_delivery.deliver(SmtpMailer(MailSettings(host=smtp_server.host, port=smtp_server.port))).sent
        == 0
    )
    assert len(smtp_server.messages) == 2  # recorded once: no second e-mail

    # --- and an in-app notice each; the third company sees nothing ---------------------------------
    for who, own, other in (("company", first, second), ("second", second, first)):
        inbox = client.get("/api/v1/grievances/notices", headers=auth[who])
        assert inbox.status_code == 200
        assert [n["reference"] for n in inbox.json()] == [reference]
        assert inbox.json()[0]["company"] == own
        assert other not in inbox.text and names[other] not in inbox.text and REPORTER not in inbox.text
    assert client.get("/api/v1/grievances/notices", headers=auth["non_buyer"]).json() == []
    assert client.get(f"/api/v1/grievances/{reference}", headers=auth["non_buyer"]).status_code == 403

    # --- one buyer responds; neither company nor the secretariat can read the reporter --------------
    clock.advance(days=5)
    responded = client.post(
        f"/api/v1/grievances/{reference}/messages",
        headers=auth["company"],
        json={"kind": "response", "text": "We have asked our importer for an inspection."},
    )
    assert responded.json()["stage"] == "in_dialogue"
    follow_up("in_dialogue")
    case_for_company = client.get(f"/api/v1/grievances/{reference}", headers=auth["company"])
    assert case_for_company.status_code == 200
    assert REPORTER not in case_for_company.text and second not in case_for_company.text
    for who in ("secretariat", "company", "second"):
        assert client.get(f"/api/v1/grievances/{reference}/reporter", headers=auth[who]).status_code == 403
    assert client.get(f"/api/v1/grievances/{reference}/reporter", headers=auth["ngo"]).json()["name"] == REPORTER

    # --- an illegal step is refused, naming what is allowed ---------------------------------------
    refused = client.post(
        f"/api/v1/grievances/{reference}/steps",
        headers=auth["secretariat"],
        json={"step": "close", "reason": "too early"},
    )
    assert refused.status_code == 409
    assert set(refused.json()["allowed_next"]) == {"resolve", "agree_remediation", "refer_to_committee"}

    # --- referral, hearing, binding ruling -----------------------------------------------------------
    clock.advance(days=30)
    step("ngo", "refer_to_committee", "referred")
    assert client.get(f"/api/v1/grievances/{reference}/reporter", headers=auth["committee"]).json()["name"] == REPORTER
    clock.advance(days=10)
    step("committee", "admit", "admitted", admissible=True)
    step("committee", "schedule_hearing", "hearing_scheduled", hearing_on="2026-05-20")
    clock.advance(days=40)
    deadline = (clock.now + dt.timedelta(days=60)).date()
    ruled = client.post(
        f"/api/v1/grievances/{reference}/ruling",
        headers=auth["committee"],
        json={
            "ruling": "The member addressed in its part must fund remediation at the quarry.",  # read by every party
            "parts": [
                {
                    "company": first,
                    "text": f"{names[first]} must fund the removal of children from the quarry and report monthly.",
                }
            ],
            "compliance_deadline": deadline.isoformat(),
            "published_summary": "A member must fund remediation of child labour at a sandstone quarry in India.",
        },
    )
    assert ruled.status_code == 200, ruled.text
    follow_up("ruled")

    # --- reminder after the compliance deadline, then the proposal to end membership ----------------
    early = client.post(
        f"/api/v1/grievances/{reference}/steps",
        headers=auth["committee"],
        json={"step": "send_reminder", "reason": "no proof of compliance"},
    )
    assert early.status_code == 409  # the deadline has not passed
    clock.advance(days=61)
    step("committee", "send_reminder", "reminded")
    clock.advance(days=14)
    step("committee", "propose_membership_end", "membership_end_proposed")

    # a company with a case pending before the committee cannot withdraw (Verklaring D)
    refused = client.post(
        f"/api/v1/organisations/{first}/withdraw",
        headers=auth["secretariat"],
        json={"on": clock.now.date().isoformat()},
    )
    assert refused.status_code == 409, refused.text
    assert "pending before the complaints committee" in refused.json()["detail"]

    # --- published: the anonymised ruling and the statistics ---------------------------------------
    rulings = client.get("/api/v1/public/rulings").json()
    assert [r["summary"] for r in rulings] == [
        "A member must fund remediation of child labour at a sandstone quarry in India."
    ]
    statistics = client.get("/api/v1/public/grievance-statistics").json()
    assert statistics["by_stage"] == {"membership_end_proposed": 1}
    assert statistics["deadlines"]["acknowledge"]["met"] == 1
    published = json.dumps(rulings) + json.dumps(statistics)
    assert all(ref not in published for ref in (first, second)) and REPORTER not in published


def test_a_case_left_unacknowledged_past_its_limit_is_overdue_in_the_queue_and_the_statistics(world, client, auth):
    services, demo = world
    clock = services.clock.source
    filed = client.post(
        "/api/v1/grievances",
        headers=auth["union"],
        json={
            "site_ids": [demo.rajasthan_quarry],
            "themes": ["freedom_of_association"],
            "description": "Union organisers were dismissed after a meeting at the quarry gate.",
            "reporter": {"name": "Quarry workers' committee"},
        },
    )
    reference = filed.json()["reference"]

    def secretariat_queue_item() -> dict:
        response = client.get("/api/v1/grievances", headers=auth["secretariat"])
        assert response.status_code == 200
        return next(item for item in response.json() if item["reference"] == reference)

    clock.advance(days=4)
    assert secretariat_queue_item()["overdue"] is False
    clock.advance(days=2)  # six days: the five-day limit to acknowledge has passed
    item = secretariat_queue_item()
    assert (item["deadline"], item["overdue"], item["responsible"]) == ("acknowledge", True, "secretariat")
    assert item["my_turn"] is True
    # the filing union sees its own case as overdue too; another role's queue does not list it
    assert any(
        i["reference"] == reference and i["overdue"]
        for i in client.get("/api/v1/grievances", headers=auth["union"]).json()
    )
    assert all(i["reference"] != reference for i in client.get("/api/v1/grievances", headers=auth["company"]).json())
    # the published statistics count it as overdue now, and as a missed deadline
    statistics = client.get("/api/v1/public/grievance-statistics").json()
    assert statistics["overdue_now"] >= 1
    assert statistics["deadlines"]["acknowledge"]["missed"] == 1
