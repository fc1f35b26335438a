"""The assessment over HTTP goes by the services' one clock (issue 13 review): set to 2025-04-01,
the queue counts the days a report waits to that day and the assessment is recorded on it."""

from __future__ import annotations

import datetime as dt

from registry.domain.accounts import Role
from tests.clock import FakeClock
from tests.e2e.matrix import OWN, client, tokens, world  # noqa: F401 - the fixtures are used by name
from tests.e2e.test_assessment_http import auth


def test_the_queue_and_the_assessment_go_by_the_services_clock(client, world, tokens):
    world.clock.set(FakeClock(dt.datetime(2025, 4, 1, 9, 0, tzinfo=dt.UTC)))
    secretariat = auth(tokens, Role.SECRETARIAT)
    queue = client.get("/api/v1/assessment/queue", headers=secretariat)
    assert queue.status_code == 200, queue.text
    ours = next(item for item in queue.json() if (item["company"], item["year"]) == (OWN, 2024))
    # submitted 2025-03-01 (the world's report): 31 days to 2025-04-01
    assert (ours["waiting_since"], ours["days_waiting"]) == ("2025-03-01", 31)
    assessed = client.post(
        f"/api/v1/assessment/{OWN}/2024", headers=secretariat, json={"version": 1, "due_diligence_score": 65}
    )
    assert assessed.status_code == 201, assessed.text
    assert assessed.json()["assessment"]["assessed_on"] == "2025-04-01"
    assert assessed.json()["assessment"]["next_due"] == "2026-04-01"
