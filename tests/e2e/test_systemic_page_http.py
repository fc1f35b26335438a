"""The secretariat records a systemic problem (art. 6 lid 4d) on a case page: the same call as POST
/api/v1/grievances/{reference}/systemic; a missing field named with what was typed kept; another
role refused and logged."""

from __future__ import annotations

from registry.domain.accounts import Role
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    client,
    tokens,
    world,
)
from tests.e2e.test_access_matrix import case_in_stage


def _form(client, token, reference, **fields):
    client.cookies.set("trustone_session", token)
    client.get("/login")
    data = {"csrftoken": client.cookies["csrftoken"], **fields}
    return client.post(f"/secretariat/cases/{reference}/systemic", data=data, follow_redirects=False)


def test_the_secretariat_records_a_systemic_problem_on_the_case_page(client, world, tokens):
    reference = case_in_stage(world, "companies_notified")
    secretariat = tokens[Role.SECRETARIAT]
    missing = _form(client, secretariat, reference, joint_project="Veilig splijten in Bijolia", reason="")
    assert missing.status_code == 422
    assert 'id="error-reason"' in missing.text
    assert 'value="Veilig splijten in Bijolia"' in missing.text  # what was typed is kept
    done = _form(client, secretariat, reference, joint_project="Veilig splijten in Bijolia", reason="Hele regio.")
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert "Veilig splijten in Bijolia" in page.text
    over_json = client.get(f"/api/v1/grievances/{reference}", headers={"Authorization": f"Bearer {secretariat}"})
    assert over_json.json()["systemic"] == {"joint_project": "Veilig splijten in Bijolia"}


def test_the_committee_may_not_record_it(client, world, tokens):
    reference = case_in_stage(world, "companies_notified")
    refused = _form(client, tokens[Role.COMMITTEE], reference, joint_project="x", reason="")
    assert refused.status_code == 403
    entries = [e for e in world.access_log.entries(limit=100_000) if e.request_id == refused.headers["X-Request-ID"]]
    assert [(e.action, str(e.outcome)) for e in entries] == [("manage_case", "denied")]
