"""``trustone retention`` (docs/retention.md): the report as a plain table, an extension with a reason,
the run; each runs as the key administration's operator on the server and is an access-log entry
naming it."""

from __future__ import annotations

import datetime as dt
import getpass

from typer.testing import CliRunner

from grievance.domain.filing import Filing, Reporter
from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.organisations import OrganisationKind
from tests.principals import secretariat


def closed_case(services) -> str:
    services.registry.register_organisation("arisa", "Arisa", OrganisationKind.NGO_PARTY, "NL")
    ngo = Principal("ngo.user", Role.NGO, services.registry.organisation_id("arisa"), "arisa")
    reference, _code = services.grievance.file(
        ngo,
        Filing(
            case_type="complaint",
            description="Wages at the quarry fell below the state minimum this season.",
            themes=["living_wage"],
            country="IN",
            region="Bhilwara",
            reporter=Reporter("Kamla Devi Meghwal"),
        ),
    )
    for step in ("acknowledge", "declare_inadmissible", "close"):
        services.grievance.advance(secretariat(), reference, step, "as decided")
    return reference


def test_the_report_extend_and_run_from_the_command_line(services):
    from trustone.cli import cli

    reference = closed_case(services)
    env = {
        "TRUSTONE_DATA_DIR": str(services.settings.data_dir),
        "TRUSTONE_DATABASE_URL": services.settings.database_url or "",
    }
    runner = CliRunner()
    result = runner.invoke(cli, ["retention", "report"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:8] == [
        "kind                 period (days)  kept  expiring (30 days)  due  erased",
        "closed_case          730            1     0                   0    0",
        "reporter_identity    -              -     -                   -    0",
        "data_access_release  365            0     0                   0    0",
        "declaration          1825           -     -                   -    0",
        "withdrawn_company    730            0     0                   0    0",
        "session              30             0     -                   0    0",
        "access_log_details   -              -     -                   -    0",
    ]
    assert lines[-1] == f"on {dt.date.today().isoformat()}; last run: never"

    short = runner.invoke(
        cli,
        ["retention", "extend", "--kind", "closed_case", "--record", reference, "--days", "30", "--reason", "why"],
        env=env,
    )
    assert short.exit_code == 1 and "reason" in short.output
    made = runner.invoke(
        cli,
        [
            "retention",
            "extend",
            "--kind",
            "closed_case",
            "--record",
            reference,
            "--days",
            "30",
            "--reason",
            "a related case is open",
        ],
        env=env,
    )
    assert made.exit_code == 0, made.output
    expected = dt.date.today() + dt.timedelta(days=760)
    assert made.output.strip() == f"closed_case {reference} is kept until {expected.isoformat()}"

    ran = runner.invoke(cli, ["retention", "run"], env=env)
    assert ran.exit_code == 0, ran.output
    assert ran.output.splitlines()[-1] == "0 warning(s), 0 erasure(s)"
    operator = f"system:keys-admin:{getpass.getuser()}"
    entries = [
        (e.actor, e.action, e.outcome) for e in services.access_log.entries(limit=1000) if e.subject_kind == "retention"
    ]
    assert entries == [
        (operator, "read_retention", "granted"),
        (operator, "manage_retention", "granted"),
        (operator, "manage_retention", "granted"),
    ]


def test_the_run_warns_the_secretariat_by_e_mail_once_and_a_failed_e_mail_erases_nothing(services, smtp_server):
    from trustone.cli import cli

    reference = closed_case(services)
    address = "secretariaat@trustone.example"
    env = {
        "TRUSTONE_DATA_DIR": str(services.settings.data_dir),
        "TRUSTONE_DATABASE_URL": services.settings.database_url or "",
        "TRUSTONE_RETENTION": "closed_case=10",  # within the 30-day warning window from the start
        "TRUSTONE_SMTP_HOST": smtp_server.host,
        "TRUSTONE_SMTP_PORT": str(smtp_server.port),
        "TRUSTONE_MAIL_SECRETARIAT": address,
    }
    runner = CliRunner()
    smtp_server.refuse.add(address)
    failed = runner.invoke(cli, ["retention", "run"], env=env)
    assert failed.exit_code == 1
    assert "the warning e-mail could not be sent (SMTPRecipientsRefused): nothing was erased" in failed.output
    assert services.retention.report(secretariat()).last_run is None  # nothing recorded

    smtp_server.refuse.clear()
    ran = runner.invoke(cli, ["retention", "run"], env=env)
    assert ran.exit_code == 0, ran.output
    expires = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    assert ran.output.splitlines() == [
        f"warned: closed_case {reference} expires on {expires}",
        "1 warning(s), 0 erasure(s)",
    ]
    smtp_server.wait_for(1)
    [received] = smtp_server.messages
    assert received.rcpt_tos == [address]
    body = received.message.get_content()
    assert f"{expires}  closed case  {reference}" in body
    assert "Kamla" not in body
    again = runner.invoke(cli, ["retention", "run"], env=env)
    assert again.output.splitlines()[-1] == "0 warning(s), 0 erasure(s)"
    assert len(smtp_server.messages) == 1  # once per record and expiry
