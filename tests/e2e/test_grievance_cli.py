"""``trustone grievances``, run as the daily timer would: a subprocess with the store and the mail
server in its environment, against a real local SMTP server."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid

from grievance.domain.filing import Filing, Reporter
from keys.access.principal import Principal
from registry.domain.accounts import Role

SECRETARIAT_ADDRESS = "secretariaat@trustone.example"
DESCRIPTION = "Workers at the sandstone quarry were not paid for three months."


def run(settings, *args, **mail_env: str):
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TRUSTONE_SMTP_", "TRUSTONE_MAIL_", "TRUSTONE_DATABASE_URL"))
    }
    env["TRUSTONE_DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        env["TRUSTONE_DATABASE_URL"] = settings.database_url
    env.update(mail_env)
    return subprocess.run(
        [sys.executable, "-m", "trustone.cli", "grievances", *args],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )


def smtp_env(smtp_server, **extra: str) -> dict[str, str]:
    return {"TRUSTONE_SMTP_HOST": smtp_server.host, "TRUSTONE_SMTP_PORT": str(smtp_server.port), **extra}


def test_remind_on_a_fresh_store_prints_the_counts_and_exits_0(settings, smtp_server):
    result = run(settings, "remind", **smtp_env(smtp_server))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 notice e-mail(s) sent, 0 reminder(s) sent, 0 case(s) overdue"
    assert smtp_server.messages == []


def test_send_mail_on_a_fresh_store_prints_the_counts_and_exits_0(settings, smtp_server):
    result = run(settings, "send-mail", **smtp_env(smtp_server))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 notice e-mail(s) sent, 0 without an address, 0 unreadable, 0 failed"


def test_remind_mails_the_secretariat_about_a_case_filed_six_days_ago_once(services, smtp_server):
    services.clock.set(lambda: dt.datetime.now(dt.UTC) - dt.timedelta(days=6))
    ngo = Principal("ngo-e2e", Role.NGO, uuid.uuid4(), "arisa")
    reference, _code = services.grievance.file(
        ngo,
        Filing(
            case_type="complaint",
            description=DESCRIPTION,
            themes=["living_wage"],
            country="IN",
            reporter=Reporter("Quarry workers", "+91 90000 00000"),
        ),
    )
    env = smtp_env(smtp_server, TRUSTONE_MAIL_SECRETARIAT=SECRETARIAT_ADDRESS)

    first = run(services.settings, "remind", **env)
    again = run(services.settings, "remind", **env)

    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "0 notice e-mail(s) sent, 1 reminder(s) sent, 1 case(s) overdue"
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "0 notice e-mail(s) sent, 0 reminder(s) sent, 1 case(s) overdue"
    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == [SECRETARIAT_ADDRESS]
    assert reference in received.message.get_content() and DESCRIPTION not in str(received.message)


def test_remind_with_a_bad_smtp_port_exits_1_naming_the_variable(settings, smtp_server):
    result = run(settings, "remind", **smtp_env(smtp_server, TRUSTONE_SMTP_PORT="smtp"))

    assert result.returncode == 1
    assert result.stderr.startswith("error: TRUSTONE_SMTP_PORT")
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_send_mail_with_a_bad_smtp_port_exits_1_naming_the_variable(settings, smtp_server):
    result = run(settings, "send-mail", **smtp_env(smtp_server, TRUSTONE_SMTP_PORT="99999"))

    assert result.returncode == 1
    assert "error: TRUSTONE_SMTP_PORT" in result.stderr and "Traceback" not in result.stderr


def test_remind_when_the_mail_server_is_down_names_the_failed_reminder_and_exits_1(services, smtp_server):
    services.clock.set(lambda: dt.datetime.now(dt.UTC) - dt.timedelta(days=6))
    services.grievance.file(
        Principal("ngo-e2e", Role.NGO, uuid.uuid4(), "arisa"),
        Filing(
            case_type="complaint",
            description=DESCRIPTION,
            themes=["living_wage"],
            country="IN",
            reporter=Reporter("Quarry workers"),
        ),
    )
    smtp_server.stop()

    result = run(services.settings, "remind", **smtp_env(smtp_server, TRUSTONE_MAIL_SECRETARIAT=SECRETARIAT_ADDRESS))

    assert result.returncode == 1
    assert result.stdout.strip() == "0 notice e-mail(s) sent, 0 reminder(s) sent, 1 case(s) overdue"
    assert "error: 1 e-mail(s) could not be sent" in result.stderr
    assert "failed: reminder e-mail for case TS-" in result.stderr
    assert SECRETARIAT_ADDRESS not in result.stderr and "Traceback" not in result.stderr
