"""The secretariat's assessment over HTTP (issue 13, acceptance): a company uploads its report, the
report waits in the secretariat's queue, the secretariat reads it (as ``read_report``, through the
filter) and assesses it with a due-diligence score, and the public member listing shows the level.
Levels are the covenant's (docs/covenant.md): all sites known and a score of 65 is level 3 (3 needs
60, 4 needs 75); a medium company from level 3 has its action plan's progress reviewed the next year."""

from __future__ import annotations

import datetime as dt

from registry.domain.accounts import Role
from tests.e2e.matrix import OWN, client, tokens, world  # noqa: F401 - the fixtures are used by name
from tests.integration.report_files import csv_bytes, factory_row, quarry_row


def auth(tokens, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


def entries_of(world, response) -> list[tuple[str, str, str]]:
    request_id = response.headers["X-Request-ID"]
    return [
        (entry.actor, entry.action, str(entry.outcome))
        for entry in world.access_log.entries(limit=100_000)
        if entry.request_id == request_id
    ]


def test_an_uploaded_report_waits_is_assessed_and_its_level_is_published(client, world, tokens):
    upload = client.post(
        f"/api/v1/companies/{OWN}/reports/2025",
        headers=auth(tokens, Role.COMPANY),
        files={"file": ("r.csv", csv_bytes([quarry_row(chain="Y1"), factory_row(chain="Y1")]), "text/csv")},
    )
    assert upload.status_code == 200, upload.text

    queue = client.get("/api/v1/assessment/queue", headers=auth(tokens, Role.SECRETARIAT))
    assert queue.status_code == 200, queue.text
    waiting = {(item["company"], item["year"]): item for item in queue.json()}
    assert {key for key in waiting if key[0] == OWN} == {(OWN, 2024), (OWN, 2025)}
    ours = waiting[(OWN, 2025)]
    today = dt.date.today().isoformat()
    assert (ours["version"], ours["submitted_on"], ours["waiting_since"], ours["days_waiting"]) == (1, today, today, 0)
    assert [item["waiting_since"] for item in queue.json()] == sorted(item["waiting_since"] for item in queue.json())
    assert entries_of(world, queue) == [("secretariat.user", "read_assessment_queue", "granted")]

    read = client.get(f"/api/v1/companies/{OWN}/reports/2025", headers=auth(tokens, Role.SECRETARIAT))
    assert read.status_code == 200 and entries_of(world, read) == [("secretariat.user", "read_report", "granted")]

    assessed = client.post(
        f"/api/v1/assessment/{OWN}/2025",
        headers=auth(tokens, Role.SECRETARIAT),
        json={"version": 1, "due_diligence_score": 65},
    )
    assert assessed.status_code == 201, assessed.text
    body = assessed.json()
    assert (body["company"], body["year"]) == (OWN, 2025)
    record = body["assessment"]
    assert (record["version"], record["level"], record["next_kind"]) == (1, 3, "action_plan")
    assert (
        float(record["quarry_insight"]),
        float(record["factory_insight"]),
        float(record["due_diligence_score"]),
    ) == (
        100.0,
        100.0,
        65.0,
    )
    assert record["assessed_on"] == today and record["assessed_by"] == "secretariat.user"
    assert entries_of(world, assessed) == [("secretariat.user", "assess_report", "granted")]

    after = client.get("/api/v1/assessment/queue", headers=auth(tokens, Role.SECRETARIAT)).json()
    assert (OWN, 2025) not in {(item["company"], item["year"]) for item in after}
    listed = next(m for m in client.get("/api/v1/public/members").json() if m["ref"] == OWN)
    assert listed["level"] == 3
    assert [(p["year"], p["level"]) for p in listed["progress"]] == [(2025, 3)]


def test_the_same_version_twice_is_409_a_stale_version_409_and_a_bad_score_422(client, world, tokens):
    secretariat = auth(tokens, Role.SECRETARIAT)
    url = f"/api/v1/assessment/{OWN}/2024"
    stale = client.post(url, headers=secretariat, json={"version": 2, "due_diligence_score": 65})
    assert stale.status_code == 409 and "version 1 is" in stale.json()["detail"]
    bad = client.post(url, headers=secretariat, json={"version": 1, "due_diligence_score": 101})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "due_diligence_score", "message": "must be a percentage between 0 and 100"}
    ]
    assert entries_of(world, stale) == entries_of(world, bad) == []  # refused for its input: no grant logged
    assert client.post(url, headers=secretariat, json={"version": 1, "due_diligence_score": 65}).status_code == 201
    again = client.post(url, headers=secretariat, json={"version": 1, "due_diligence_score": 80})
    assert again.status_code == 409 and again.json()["detail"] == "version 1 of this report is assessed already"
    missing = client.post(
        f"/api/v1/assessment/{OWN}/2019", headers=secretariat, json={"version": 1, "due_diligence_score": 65}
    )
    assert missing.status_code == 404


def test_a_company_explains_its_delay_and_the_member_listing_shows_it(client, world, tokens):
    text = "The audits of our quarries in Rajasthan take until the autumn."
    explained = client.put(
        f"/api/v1/assessment/{OWN}/2024/delay-explanation",
        headers=auth(tokens, Role.COMPANY),
        json={"explanation": text},
    )
    assert explained.status_code == 200, explained.text
    assert explained.json() == {"company": OWN, "year": 2024, "explanation": text}
    assert entries_of(world, explained) == [("company.user", "explain_delay", "granted")]
    listed = next(m for m in client.get("/api/v1/public/members").json() if m["ref"] == OWN)
    assert listed["delay_explanations"] == [{"year": 2024, "explanation": text}]
    short = client.put(
        f"/api/v1/assessment/{OWN}/2024/delay-explanation",
        headers=auth(tokens, Role.COMPANY),
        json={"explanation": "late"},
    )
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "explanation"
