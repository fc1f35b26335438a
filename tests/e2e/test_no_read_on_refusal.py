"""Issue 10 item 4: a refused request reads nothing confidential and leaves no granted access-log entry.

Every refusal (404, 409, 422, 403) must come before the first confidential read: the policy is asked
first (a denial is logged as denied), then the case's stage and the input, and only then is a grant
logged and anything opened. Checked on the concrete case from the issue (``match`` on a case still
``filed``) and as a property: random requests by every role against a case prepared up to a random
stage, on both stores. The middleware gives every request an id (``X-Request-ID``), which the
access-log entries of that request carry.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from registry.domain.accounts import Role
from tests.clock import FakeClock
from trustone.demo import load_demo
from trustone.web.app import create_app

DESCRIPTION = "Children under 14 carry sandstone slabs at the quarry face; no protective gear."
ALLEGATION = "Child labour and unsafe work were reported at this quarry in November 2025."
SUMMARY = "The committee found the complaint well-founded and asked for a remediation plan."


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
    _, demo = world
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001
    logins = {**demo.logins, "second": "second.buyer", "non_buyer": "non.buyer"}
    return {
        who: {"Authorization": f"Bearer {sessions.issue(login, dt.timedelta(hours=2))}"}
        for who, login in logins.items()
    }


def _file(client, auth, demo) -> str:
    filed = client.post(
        "/api/v1/grievances",
        headers=auth["ngo"],
        json={
            "site_ids": [demo.rajasthan_quarry],
            "themes": ["child_labour"],
            "description": DESCRIPTION,
            "observed_on": "2025-11-20",
            "reporter": {"name": "Local partner", "contact": "+91 98290 00000"},
        },
    )
    assert filed.status_code == 201, filed.text
    return filed.json()["reference"]


def _added(services, after: int) -> list:
    """Every entry after ``after`` (see ``_last_seq``: the follower had nothing left to read)."""
    return services.access_log.entries(limit=100_000, after_seq=after)


def _last_seq(services) -> int:
    """The log's last entry once the server's follower has applied everything written so far: it
    reads reports for the views (``system:projection:...``), and a refused request writes no event,
    so any entry after this is the request's own."""
    services.projections.wait()
    entries = services.access_log.entries(limit=1_000_000)
    return entries[-1].seq if entries else 0


def test_match_on_a_filed_case_is_refused_before_the_linked_list_is_read(world, client, auth):
    services, demo = world
    reference = _file(client, auth, demo)
    before = _last_seq(services)

    refused = client.post(
        f"/api/v1/grievances/{reference}/match",
        headers=auth["secretariat"],
        json={"site_ids": [demo.rajasthan_quarry], "reason": "site confirmed"},
    )

    assert refused.status_code == 409, refused.text
    assert refused.json()["allowed_next"] == ["acknowledge", "refer_to_committee"]
    added = _added(services, before)
    assert [e for e in added if e.action == "read_linked_list"] == []
    assert [e for e in added if e.outcome == "granted"] == []


# --- the property -------------------------------------------------------------------------------

WHO = ("secretariat", "ngo", "union", "company", "second", "non_buyer", "committee", "auditor", "buyer")
STEPS = (
    "acknowledge",
    "declare_inadmissible",
    "agree_remediation",
    "monitor_remediation",
    "resolve",
    "close",
    "refer_to_committee",
    "admit",
    "schedule_hearing",
    "send_reminder",
    "propose_membership_end",
    "record_compliance",
    "match",
    "respond",
    "bogus",
)

# How a case is prepared up to a stage: (who, path, body) over HTTP, each expected to succeed.
PREPARE = {
    "filed": [],
    "acknowledged": [("secretariat", "steps", {"step": "acknowledge", "reason": "received"})],
    "matched": [
        ("secretariat", "steps", {"step": "acknowledge", "reason": "received"}),
        ("secretariat", "match", "QUARRY"),
    ],
    "companies_notified": [
        ("secretariat", "steps", {"step": "acknowledge", "reason": "received"}),
        ("secretariat", "match", "QUARRY"),
        ("secretariat", "notify", {"allegation": ALLEGATION}),
    ],
    "in_dialogue": [
        ("secretariat", "steps", {"step": "acknowledge", "reason": "received"}),
        ("secretariat", "match", "QUARRY"),
        ("secretariat", "notify", {"allegation": ALLEGATION}),
        ("company", "messages", {"kind": "response", "text": "We are looking into it."}),
    ],
    "referred": [("ngo", "steps", {"step": "refer_to_committee", "reason": "no progress"})],
    "hearing_scheduled": [
        ("ngo", "steps", {"step": "refer_to_committee", "reason": "no progress"}),
        ("committee", "steps", {"step": "admit", "admissible": True, "reason": "admissible"}),
        ("committee", "steps", {"step": "schedule_hearing", "hearing_on": "2026-04-01", "reason": "hearing"}),
    ],
}


def _request(demo):
    """One request: (who, method, path suffix, json body or None)."""
    site = st.sampled_from([demo.rajasthan_quarry, "IN-RJ-Q-999999", "not a site"])
    reason = st.sampled_from(["a reason", "", "   "])
    day = st.sampled_from(["2026-04-01", "2020-01-01", "2030-12-31"])
    step = st.builds(
        lambda s, r, d, a: {"step": s, "reason": r, "hearing_on": d, "admissible": a},
        st.sampled_from(STEPS),
        reason,
        st.one_of(st.none(), day),
        st.one_of(st.none(), st.booleans()),
    )
    bodies = st.one_of(
        st.tuples(st.just("POST"), st.just("steps"), step),
        st.tuples(
            st.just("POST"),
            st.just("match"),
            st.builds(
                lambda s, y, r: {"site_ids": [s], "years": y, "reason": r},
                site,
                st.sampled_from([None, [2025], [1999], [2031]]),
                reason,
            ),
        ),
        st.tuples(
            st.just("POST"),
            st.just("notify"),
            st.builds(lambda a: {"allegation": a}, st.sampled_from([ALLEGATION, "short"])),
        ),
        st.tuples(
            st.just("POST"),
            st.just("messages"),
            st.builds(
                lambda k, t: {"kind": k, "text": t},
                st.sampled_from(["response", "remediation_proposal", "progress"]),
                st.sampled_from(["We will inspect.", ""]),
            ),
        ),
        st.tuples(
            st.just("POST"),
            st.just("ruling"),
            st.builds(
                lambda d, s: {"ruling": "Remediate within 60 days.", "compliance_deadline": d, "published_summary": s},
                day,
                st.sampled_from([SUMMARY, "too short"]),
            ),
        ),
        st.tuples(
            st.just("POST"),
            st.just("systemic"),
            st.builds(lambda r: {"joint_project": "Quarry safety programme", "reason": r}, reason),
        ),
        st.tuples(
            st.just("GET"),
            st.sampled_from(["", "reporter", "evidence/1", "evidence/7", "notified-companies"]),
            st.none(),
        ),
    )
    return st.tuples(st.sampled_from(WHO), bodies)


def _send(client, auth, demo, reference: str, who: str, method: str, path: str, body):
    url = f"/api/v1/grievances/{reference}" + (f"/{path}" if path else "")
    if body == "QUARRY":
        body = {"site_ids": [demo.rajasthan_quarry], "reason": "site confirmed"}
    if method == "GET":
        return client.get(url, headers=auth[who])
    return client.post(url, headers=auth[who], json=body)


@pytest.fixture
def property_world(world, client, auth):
    return world, client, auth


def test_no_refused_request_leaves_a_granted_access_log_entry(property_world):
    (services, demo), client, auth = property_world
    refusals: list[int] = []

    @hypothesis_settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(start=st.sampled_from(sorted(PREPARE)), requests=st.lists(_request(demo), min_size=1, max_size=6))
    def run(start, requests):
        reference = _file(client, auth, demo)
        for who, path, body in PREPARE[start]:
            prepared = _send(client, auth, demo, reference, who, "POST", path, body)
            assert prepared.status_code == 200, (start, path, prepared.text)
        for who, (method, path, body) in requests:
            before = _last_seq(services)
            response = _send(client, auth, demo, reference, who, method, path, body)
            assert response.status_code < 500, response.text
            if 400 <= response.status_code < 500:
                refusals.append(response.status_code)
                request_id = response.headers["X-Request-ID"]
                granted = [e for e in _added(services, before) if e.outcome == "granted"]
                assert granted == [], (
                    who,
                    method,
                    path,
                    body,
                    response.status_code,
                    response.text,
                    [(e.action, e.company) for e in granted],
                )
                tagged = [
                    e
                    for e in services.access_log.entries(limit=1_000_000)
                    if e.request_id == request_id and e.outcome == "granted"
                ]
                assert tagged == []

    run()
    assert {403, 409, 422} <= set(refusals)  # the property was exercised on each kind of refusal
