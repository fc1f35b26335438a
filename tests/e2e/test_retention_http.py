"""The retention schedule over HTTP (issue 16; docs/retention.md), on SQLite and PostgreSQL: the schedule
with its literal periods, what expires seen from a later day, an extension with a reason, the run with
the services' clock moved past the period (a warning first, then the erasure, the case's reporter gone
and its summary kept), and bad input as 422 naming the field, an unknown record as 404."""

from __future__ import annotations

import datetime as dt

from registry.domain.accounts import Role
from tests.clock import FakeClock
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    Cell,
    client,
    tokens,
    world,
)
from tests.e2e.test_access_matrix_retention import a_closed_case, person

BASE = "/api/v1/retention"
CLOSED_AT = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def as_(tokens, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


def fresh(client, role: Role) -> dict[str, str]:
    """A new session of the role's user: with the services' clock moved to 2027, a run deletes the
    sessions issued on the real day (their expiry is more than a month before the services' today)."""
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001 - as tests/e2e/matrix.py issues them
    return {"Authorization": f"Bearer {sessions.issue(f'{role.value}.user', dt.timedelta(hours=1))}"}


def test_the_schedule_names_each_kinds_period_and_the_warning_window(client, tokens):
    response = client.get(f"{BASE}/schedule", headers=as_(tokens, Role.AUDITOR))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["warning_days"] == 30
    assert {row["kind"]: (row["days"], row["erased_by"]) for row in body["rows"]} == {
        "closed_case": (730, "job"),
        "reporter_identity": (None, "with_its_case"),
        "data_access_release": (365, "job"),
        "declaration": (1825, "with_its_organisation"),
        "withdrawn_company": (730, "job"),
        "session": (30, "job"),
        "access_log_details": (None, "not_erased"),
    }


def test_a_closed_case_is_warned_of_extended_and_erased_over_http(client, tokens, world):
    clock = FakeClock(CLOSED_AT)
    world.clock.set(clock)
    reference = a_closed_case(world)["ref"]
    secretariat = as_(tokens, Role.SECRETARIAT)

    due = client.get(f"{BASE}/due", params={"on": "2027-03-02"}, headers=as_(tokens, Role.AUDITOR)).json()
    assert [(i["kind"], i["ref"], i["standing"], i["expires_on"]) for i in due["items"]] == [
        ("closed_case", reference, "expiring", "2027-03-03")
    ]

    clock.now = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)  # the window's first day
    ran = client.post(f"{BASE}/run", headers=secretariat).json()
    assert [i["ref"] for i in ran["warned"]] == [reference]
    assert [e["kind"] for e in ran["erased"]] == ["session"]  # the walkers' sessions, issued on the real day
    secretariat = fresh(client, Role.SECRETARIAT)

    extend = f"{BASE}/records/closed_case/{reference}/extend"
    bad = client.post(extend, json={"days": 10, "reason": "why"}, headers=secretariat)
    assert bad.status_code == 422 and "reason" in bad.text
    both = client.post(
        extend, json={"days": 10, "until": "2027-09-01", "reason": "a related case"}, headers=secretariat
    )
    assert both.status_code == 422 and "until" in both.text
    unknown = client.post(
        f"{BASE}/records/closed_case/TS-2020-0999/extend",
        json={"days": 10, "reason": "a related case"},
        headers=secretariat,
    )
    assert unknown.status_code == 404
    session = client.post(
        f"{BASE}/records/session/{reference}/extend", json={"days": 10, "reason": "a related case"}, headers=secretariat
    )
    assert session.status_code == 422 and "kind" in session.text
    made = client.post(extend, json={"days": 10, "reason": "a related case is open"}, headers=secretariat)
    assert made.json() == {"kind": "closed_case", "ref": reference, "expires_on": "2027-03-13"}

    clock.now = dt.datetime(2027, 2, 11, 9, 0, tzinfo=dt.UTC)  # warned again, a window before the new expiry
    ran = client.post(f"{BASE}/run", headers=secretariat).json()
    assert [i["ref"] for i in ran["warned"]] == [reference]
    assert [e["kind"] for e in ran["erased"]] == ["session"]
    clock.now = dt.datetime(2027, 3, 13, 9, 0, tzinfo=dt.UTC)
    ran = client.post(f"{BASE}/run", headers=fresh(client, Role.SECRETARIAT)).json()
    assert [(e["kind"], e["ref"], e["destroyed"], e["on"], e["by"]) for e in ran["erased"]] == [
        ("closed_case", reference, 1, "2027-03-13", "secretariat.user"),
        ("session", "1 sessions ended before 2027-02-11", 1, "2027-03-13", "secretariat.user"),
    ]
    secretariat = fresh(client, Role.SECRETARIAT)
    erasures = client.get(f"{BASE}/erasures", headers=fresh(client, Role.AUDITOR)).json()
    assert [(e["kind"], e["ref"]) for e in erasures if e["kind"] != "session"] == [("closed_case", reference)]
    report = {row["kind"]: row for row in client.get(f"{BASE}/report", headers=secretariat).json()["rows"]}
    assert (report["closed_case"]["kept"], report["closed_case"]["erased"]) == (0, 1)
    assert report["access_log_details"]["kept"] is None
    gone = client.get(f"/api/v1/grievances/{reference}/reporter", headers=fresh(client, Role.NGO))
    assert gone.status_code == 410
    assert world.grievance_cases.read_case(person(world, Role.SECRETARIAT), reference)["stage"] == "closed"


def test_an_unknown_query_parameter_and_a_bad_day_are_refused(client, tokens):
    secretariat = as_(tokens, Role.SECRETARIAT)
    assert client.get(f"{BASE}/due", params={"on": "2027-02-30"}, headers=secretariat).status_code == 422
    assert client.get(f"{BASE}/report", params={"kind": "session"}, headers=secretariat).status_code in {400, 422}
