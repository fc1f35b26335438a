"""What the access log still shows through the application once nothing joinable is in clear.

The auditor, over HTTP, sees who read which company's data, with the exact time and the request id
(returned to the caller as ``X-Request-ID``); a company sees exactly the entries about its own data,
found by the entries' per-entry tags (there is no clear company column to filter on).
"""

from __future__ import annotations

import datetime as dt

from registry.domain.accounts import Role
from tests.e2e.test_access_matrix import OTHER, OWN, client, tokens, world  # noqa: F401 - fixtures

READ = "/api/v1/companies/{}/reports/2024"


def _bearer(tokens, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


def test_the_auditor_sees_company_exact_time_and_request_id(client, tokens):
    before = dt.datetime.now(dt.UTC)
    response = client.get(READ.format(OWN), headers=_bearer(tokens, Role.SECRETARIAT))
    after = dt.datetime.now(dt.UTC)
    assert response.status_code == 200, response.text
    request_id = response.headers["X-Request-ID"]
    entries = client.get("/api/v1/audit/access-log?limit=1000", headers=_bearer(tokens, Role.AUDITOR)).json()
    [entry] = [e for e in entries if e["request_id"] == request_id]
    assert (entry["actor"], entry["role"], entry["action"], entry["company"], entry["outcome"]) == (
        "secretariat.user",
        "secretariat",
        "read_report",
        OWN,
        "granted",
    )
    assert before <= dt.datetime.fromisoformat(entry["at"]) <= after  # to the microsecond, not the day
    assert "unreadable" not in entry


def test_a_company_sees_exactly_the_entries_about_its_own_data(client, world, tokens):
    for company in (OWN, OTHER, OWN):
        assert client.get(READ.format(company), headers=_bearer(tokens, Role.SECRETARIAT)).status_code == 200
    everything = client.get("/api/v1/audit/access-log?limit=1000", headers=_bearer(tokens, Role.AUDITOR)).json()
    expected = [e["seq"] for e in everything if e["company"] == OWN]
    about_me = client.get("/api/v1/audit/access-log?limit=1000", headers=_bearer(tokens, Role.COMPANY)).json()
    # system readers (projections following the writes) may log entries meanwhile: compare up to the
    # auditor's last seq
    assert [e["seq"] for e in about_me if e["seq"] <= everything[-1]["seq"]] == expected
    assert len([e for e in about_me if e["actor"] == "secretariat.user" and e["action"] == "read_report"]) == 2
    assert {e["company"] for e in about_me} == {OWN}
    paged = client.get(
        f"/api/v1/audit/access-log?limit=1&after={expected[0]}", headers=_bearer(tokens, Role.COMPANY)
    ).json()
    assert [e["seq"] for e in paged] == expected[1:2]
