"""What every ``trustone`` sub-command shares (trustone/cli_common.py): the operator it runs as,
named in the access log, and a refusal or bad input as one line on stderr and exit 1, the
services closed either way."""

from __future__ import annotations

import getpass

import pytest
import typer

from trustone.cli_common import command_services, operator, services_or_exit


@pytest.fixture
def environment(settings, monkeypatch):
    monkeypatch.setenv("TRUSTONE_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("TRUSTONE_DATABASE_URL", raising=False)
    if settings.database_url:
        monkeypatch.setenv("TRUSTONE_DATABASE_URL", settings.database_url)
    return settings


def test_the_operator_is_named_by_its_role_and_os_user():
    assert operator().name == f"secretariat-cli:{getpass.getuser()}"
    assert operator("keys-admin").name == f"keys-admin:{getpass.getuser()}"


def test_the_operator_cannot_be_renamed_by_the_environment(monkeypatch):
    """``LOGNAME=anna trustone ...`` must not put anna's name on another user's access-log entries
    (issue 13 review): the name is the process's own user's, from its effective uid."""
    import os
    import pwd

    own = pwd.getpwuid(os.geteuid()).pw_name
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(variable, "anna-forged")
    assert operator().name == f"secretariat-cli:{own}"


def test_a_refusal_is_one_line_and_exit_1(environment, capsys):
    with pytest.raises(typer.Exit) as stopped, command_services() as services:
        services.organisations.show(operator(), "nobody-at-all")
    assert stopped.value.exit_code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


def test_the_operators_attempt_is_logged_under_its_name(environment):
    with command_services() as services:
        services.organisations.listing(operator())
    reader = services_or_exit()
    try:
        actors = [entry.actor for entry in reader.access_log.entries(limit=1000)]
    finally:
        reader.close()
    assert actors == [f"system:secretariat-cli:{getpass.getuser()}"], actors


def test_a_bad_setting_exits_with_the_code_asked(monkeypatch, capsys):
    monkeypatch.setenv("TRUSTONE_DATABASE_URL", "mysql://nowhere/at-all")
    with pytest.raises(typer.Exit) as stopped:
        services_or_exit(2)
    assert stopped.value.exit_code == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_other_errors_go_on_up(environment):
    with pytest.raises(ZeroDivisionError), command_services():
        _ = 1 / 0
