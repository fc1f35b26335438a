"""The run over HTTP warns the secretariat by e-mail as the command line does (docs/retention.md): with
TRUSTONE_MAIL_SECRETARIAT set, ``POST /api/v1/retention/run`` sends the warning before it is recorded;
when the e-mail cannot be sent, nothing is recorded (409) and the next run warns again."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest

from registry.domain.accounts import Role
from tests.clock import FakeClock
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    client,
    tokens,
    world,
)
from tests.e2e.test_access_matrix_retention import a_closed_case
from trustone.bootstrap import Services, bootstrap

ADDRESS = "secretariaat@trustone.example"
CLOSED_AT = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def services(settings, smtp_server) -> Iterator[Services]:
    mail = (
        ("TRUSTONE_SMTP_HOST", smtp_server.host),
        ("TRUSTONE_SMTP_PORT", str(smtp_server.port)),
        ("TRUSTONE_MAIL_SECRETARIAT", ADDRESS),
    )
    built = bootstrap(dataclasses.replace(settings, mail_environ=mail))
    try:
        yield built
    finally:
        built.close()


def test_the_run_over_http_e_mails_the_warning_and_records_none_it_could_not_send(client, tokens, world, smtp_server):
    clock = FakeClock(CLOSED_AT)
    world.clock.set(clock)
    reference = a_closed_case(world)["ref"]
    clock.now = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)
    headers = {"Authorization": f"Bearer {tokens[Role.SECRETARIAT]}"}
    sessions = client.app.state.authenticator._sessions  # noqa: SLF001 - as tests/e2e/matrix.py issues them

    smtp_server.refuse.add(ADDRESS)
    refused = client.post("/api/v1/retention/run", headers=headers)
    assert refused.status_code == 409, refused.text
    assert "e-mail" in refused.json()["detail"]
    assert smtp_server.messages == []

    smtp_server.refuse.clear()
    ran = client.post("/api/v1/retention/run", headers=headers)
    assert ran.status_code == 200, ran.text
    assert [item["ref"] for item in ran.json()["warned"]] == [reference]  # warned again: none was recorded
    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == [ADDRESS]
    assert f"2027-03-03  closed case  {reference}" in received.message.get_content()

    again = client.post(
        "/api/v1/retention/run",
        headers={"Authorization": f"Bearer {sessions.issue('secretariat.user', dt.timedelta(hours=1))}"},
    )
    assert again.json()["warned"] == []
    assert len(smtp_server.messages) == 1  # once per record and expiry
