"""A report is submitted on the services' clock's day, over HTTP and from the command line's use case
(the upload took the machine's date while every other use case took the services' one clock)."""

from __future__ import annotations

import datetime as dt

from registry.domain.accounts import Role
from tests.clock import FakeClock
from tests.e2e.matrix import OWN, client, tokens, world  # noqa: F401 - the fixtures are used by name
from tests.integration.report_files import csv_bytes, factory_row, quarry_row


def test_an_upload_is_submitted_on_the_services_day(client, world, tokens):
    world.clock.set(FakeClock(dt.datetime(2025, 4, 1, 10, 0, tzinfo=dt.UTC)))
    response = client.post(
        f"/api/v1/companies/{OWN}/reports/2025",
        headers={"Authorization": f"Bearer {tokens[Role.COMPANY]}"},
        files={"file": ("r.csv", csv_bytes([quarry_row(), factory_row()]), "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert world.registry.report(OWN, 2025).latest_version.submitted_on == dt.date(2025, 4, 1)
