"""``trustone grievances send-mail`` / ``remind`` with no mail server listening: the run fails (exit 1),
so cron and monitoring notice, and stderr says what failed (which kind of e-mail, for which case,
the error's type) without an address, a company, a site or anything sealed."""

from __future__ import annotations

import datetime as dt
import socket
import uuid

import pytest
from typer.testing import CliRunner

from grievance.domain.filing import Filing, Reporter
from keys.access.principal import Principal
from registry.domain.accounts import Role
from tests.principals import of_account
from trustone.cli import cli
from trustone.demo import load_demo

SECRETARIAT_ADDRESS = "secretariaat@trustone.example"
DESCRIPTION = "Workers at the sandstone quarry were not paid for three months."
ALLEGATION = "Wages withheld for three months at this quarry."
REPORTER = Reporter("Quarry workers", "+91 90000 00000")


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: every connection to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def invoke(settings, port: int, *args: str, **extra: str):
    env = {
        "TRUSTONE_DATA_DIR": str(settings.data_dir),
        "TRUSTONE_DATABASE_URL": settings.database_url,
        "TRUSTONE_SMTP_HOST": "127.0.0.1",
        "TRUSTONE_SMTP_PORT": str(port),
        "TRUSTONE_MAIL_SECRETARIAT": None,
        "TRUSTONE_MAIL_COMMITTEE": None,
        **extra,
    }
    return CliRunner().invoke(cli, ["grievances", *args], env=env, catch_exceptions=False)


def test_send_mail_exits_1_when_the_notices_could_not_be_sent_and_names_them_without_a_confidential_value(
    services, closed_port
):
    demo = load_demo(services)
    secretariat = of_account(services, demo.logins["secretariat"])
    reference, _code = services.grievance.file(
        of_account(services, demo.logins["ngo"]),
        Filing(
            case_type="complaint",
            description=DESCRIPTION,
            themes=["living_wage"],
            site_ids=[demo.rajasthan_quarry],
            reporter=REPORTER,
        ),
    )
    services.grievance.advance(secretariat, reference, "acknowledge", "received")
    services.grievance.match(
        secretariat,
        reference,
        [demo.rajasthan_quarry],
        None,
        "site confirmed",
        buyers=services.linked_search.grievance_buyers,
    )
    assert services.grievance.notify_companies(secretariat, reference, ALLEGATION) == 2

    result = invoke(services.settings, closed_port, "send-mail")

    assert result.exit_code == 1
    assert result.stdout.strip() == "0 notice e-mail(s) sent, 0 without an address, 0 unreadable, 2 failed"
    assert result.stderr.count(f"notice e-mail for case {reference} not sent: ConnectionRefusedError") == 2
    assert "tried again on the next run" in result.stderr
    confidential = [
        DESCRIPTION,
        ALLEGATION,
        REPORTER.name,
        REPORTER.contact,
        demo.rajasthan_quarry,
        "@",
        *demo.rajasthan_buyers,
        *(services.registry.organisation(ref).name for ref in demo.rajasthan_buyers),
    ]
    for value in confidential:
        assert value not in result.stdout + result.stderr, value
    assert "Traceback" not in result.stderr


def test_send_mail_with_nothing_to_send_still_exits_0(settings, closed_port):
    result = invoke(settings, closed_port, "send-mail")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "0 notice e-mail(s) sent, 0 without an address, 0 unreadable, 0 failed"


def test_remind_exits_1_when_a_reminder_could_not_be_sent(services, closed_port):
    services.clock.set(lambda: dt.datetime.now(dt.UTC) - dt.timedelta(days=6))
    reference, _code = services.grievance.file(
        Principal("ngo-e2e", Role.NGO, uuid.uuid4(), "arisa"),
        Filing(case_type="complaint", description=DESCRIPTION, themes=["living_wage"], country="IN", reporter=REPORTER),
    )

    result = invoke(services.settings, closed_port, "remind", TRUSTONE_MAIL_SECRETARIAT=SECRETARIAT_ADDRESS)

    assert result.exit_code == 1
    assert result.stdout.strip() == "0 notice e-mail(s) sent, 0 reminder(s) sent, 1 case(s) overdue"
    assert f"reminder e-mail for case {reference} not sent: ConnectionRefusedError" in result.stderr
    for value in (SECRETARIAT_ADDRESS, "@", DESCRIPTION, REPORTER.name, REPORTER.contact, "arisa"):
        assert value not in result.stdout + result.stderr, value
