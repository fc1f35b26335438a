"""Issue 10 item 4 for data-access requests: a refused request leaves no granted access-log entry.

The download opens the local partner's name (for the watermark). A download refused because the
request is not approved (409) must not have opened it first; a clause, a decision or a revocation
refused for the request's status or its input must not have been logged as granted. Concrete cases,
then a property: random requests by every role on one request, on both stores.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pyotp
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from registry.domain.accounts import ROLES_REQUIRING_TOTP, Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from trustone.web.app import create_app

BASE = "/api/v1/data-access-requests"
ORGS = {
    Role.SECRETARIAT: ("secretariaat", OrganisationKind.SECRETARIAT),
    Role.NGO: ("arisa", OrganisationKind.NGO_PARTY),
    Role.UNION: ("fnv", OrganisationKind.UNION_PARTY),
    Role.COMPANY: ("eigen-steen", OrganisationKind.MEMBER_COMPANY),
}
REQUEST = {
    "local_partner": {"name": "Bijolia Khan Mazdoor Samiti", "contact": "+91 94140 00000"},
    "country": "IN",
    "region": "Rajasthan",
    "stone_type": "sandstone",
    "purpose": "Monitoring working conditions at the sandstone quarries of Bhilwara.",
}
CLAUSE_TITLE = "TruStone geheimhoudingsclausule lokale partner"
CLAUSE = {
    "title": CLAUSE_TITLE,
    "version": "2025-1",
    "sha256": hashlib.sha256(CLAUSE_TITLE.encode()).hexdigest(),
    "signed_on": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
    "valid_until": (dt.date.today() + dt.timedelta(days=365)).isoformat(),
}


@pytest.fixture
def client(services):
    registry = services.registry
    for role, (ref, kind) in ORGS.items():
        registry.register_organisation(ref, ref.title(), kind, "NL")
        secret = pyotp.random_base32() if role in ROLES_REQUIRING_TOTP else None
        registry.create_account(f"{role.value}.user", role, ref, role.value, "not-used-here", secret)
    registry.join("eigen-steen", dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def as_(client):
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001
    return {
        role: {"Authorization": f"Bearer {sessions.issue(f'{role.value}.user', dt.timedelta(hours=1))}"}
        for role in ORGS
    }


def _last_seq(services) -> int:
    """The log's last entry once the server's follower has applied everything written so far: it
    reads reports for the views (``system:projection:...``), and a refused request writes no event,
    so any entry after this is the request's own."""
    services.projections.wait()
    entries = services.access_log.entries(limit=1_000_000)
    return entries[-1].seq if entries else 0


def _granted_since(services, seq: int) -> list:
    """Granted entries after ``seq`` (taken by ``_last_seq``)."""
    return [e for e in services.access_log.entries(limit=1_000_000, after_seq=seq) if e.outcome == "granted"]


def test_a_download_before_approval_is_refused_without_opening_the_local_partner(client, as_, services):
    access_id = client.post(BASE, json=REQUEST, headers=as_[Role.NGO]).json()["id"]
    before = _last_seq(services)

    early = client.get(f"{BASE}/{access_id}/release", headers=as_[Role.NGO])

    assert early.status_code == 409
    assert _granted_since(services, before) == []


def test_a_decision_refused_for_the_status_is_not_logged_as_granted(client, as_, services):
    access_id = client.post(BASE, json=REQUEST, headers=as_[Role.NGO]).json()["id"]
    before = _last_seq(services)

    early = client.post(
        f"{BASE}/{access_id}/decision", json={"approve": True, "reason": "fits"}, headers=as_[Role.SECRETARIAT]
    )  # no clause yet

    assert early.status_code == 409
    assert _granted_since(services, before) == []


def _request():
    who = st.sampled_from(list(ORGS))
    clause = st.sampled_from(
        [
            CLAUSE,
            {**CLAUSE, "sha256": "not-a-digest"},
            {**CLAUSE, "signed_on": (dt.date.today() + dt.timedelta(days=3)).isoformat()},
        ]
    )
    decision = st.builds(lambda a, r: {"approve": a, "reason": r}, st.booleans(), st.sampled_from(["fits", "  "]))
    action = st.one_of(
        st.tuples(st.just("POST"), st.just("clause"), clause),
        st.tuples(st.just("POST"), st.just("decision"), decision),
        st.tuples(
            st.just("POST"), st.just("revoke"), st.builds(lambda r: {"reason": r}, st.sampled_from(["misused", "  "]))
        ),
        st.tuples(st.just("GET"), st.sampled_from(["release", "release?format=json", ""]), st.none()),
    )
    return st.tuples(who, action)


def test_no_refused_data_access_request_leaves_a_granted_entry(client, as_, services):
    refusals: list[int] = []

    @hypothesis_settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(requester=st.sampled_from([Role.NGO, Role.UNION]), requests=st.lists(_request(), min_size=1, max_size=8))
    def run(requester, requests):
        created = client.post(BASE, json=REQUEST, headers=as_[requester])
        assert created.status_code == 201, created.text
        access_id = created.json()["id"]
        for who, (method, path, body) in requests:
            url = f"{BASE}/{access_id}" + (f"/{path}" if path else "")
            before = _last_seq(services)
            response = (
                client.get(url, headers=as_[who]) if method == "GET" else client.post(url, json=body, headers=as_[who])
            )
            assert response.status_code < 500, response.text
            if 400 <= response.status_code < 500:
                refusals.append(response.status_code)
                assert _granted_since(services, before) == [], (who, method, path, body, response.text)
                request_id = response.headers["X-Request-ID"]
                assert [
                    e
                    for e in services.access_log.entries(limit=1_000_000)
                    if e.request_id == request_id and e.outcome == "granted"
                ] == []

    run()
    assert {403, 409, 422} <= set(refusals)
