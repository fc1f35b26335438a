"""``trustone organisations`` and ``trustone users`` as an operator runs them on the server: one line
per result, an error as one line on stderr with exit 1, and every command an access-log entry of the
system principal ``secretariat-cli:<os user>``."""

from __future__ import annotations

import getpass

from typer.testing import CliRunner

from registry.domain.organisations import OrganisationKind
from trustone.cli import cli

PASSWORD = "correct horse battery staple"


def run(settings, *args: str):
    env = {"TRUSTONE_DATA_DIR": str(settings.data_dir), "TRUSTONE_DATABASE_URL": settings.database_url}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_an_operator_keeps_the_register_from_the_command_line(services):
    settings = services.settings
    registered = run(
        settings, "organisations", "register", "de-steenhouwer", "--name", "De Steenhouwer BV",
        "--kind", "member_company", "--country", "nl",
    )  # fmt: skip
    assert registered.exit_code == 0, registered.output
    assert registered.stdout == "de-steenhouwer\tmember_company\tNL\tDe Steenhouwer BV\tnever a member\n"
    run(settings, "organisations", "register", "fnv", "--name", "FNV", "--kind", "union_party", "--country", "NL")
    joined = run(
        settings, "organisations", "join", "de-steenhouwer", "--on", "2025-03-01", "--category", "C", "--size", "small"
    )
    assert joined.stdout == "de-steenhouwer\tmember_company\tNL\tDe Steenhouwer BV\tmember from 2025-03-01\n"
    contact = run(settings, "organisations", "contact", "de-steenhouwer", "--email", "info@steenhouwer.nl")
    assert contact.stdout == "de-steenhouwer\tcontact info@steenhouwer.nl\n"
    assert run(settings, "organisations", "list", "--kind", "union_party").stdout == "fnv\tunion_party\tNL\tFNV\n"
    assert run(settings, "organisations", "list").stdout.splitlines() == [
        "de-steenhouwer\tmember_company\tNL\tDe Steenhouwer BV\tmember from 2025-03-01",
        "fnv\tunion_party\tNL\tFNV",
    ]
    withdrawn = run(settings, "organisations", "withdraw", "de-steenhouwer", "--on", "2025-09-01")
    assert withdrawn.stdout.endswith("\tmember from 2025-03-01, withdrawn on 2025-09-01\n")
    run(settings, "organisations", "join", "de-steenhouwer", "--on", "2025-10-01", "--category", "B", "--size", "small")
    excluded = run(settings, "organisations", "exclude", "de-steenhouwer", "--on", "2025-12-01")
    assert excluded.stdout.endswith("\tmember from 2025-10-01, excluded on 2025-12-01\n")
    assert run(settings, "organisations", "show", "de-steenhouwer").stdout.splitlines() == [
        (
            "de-steenhouwer\tmember_company\tNL\tDe Steenhouwer BV\tmember from 2025-10-01, excluded on 2025-12-01"
            "\tcontact info@steenhouwer.nl"
        ),
        "de-steenhouwer\tjoined 2025-03-01\tcategory C\tsize small\twithdrawn on 2025-09-01",
        "de-steenhouwer\tjoined 2025-10-01\tcategory B\tsize small\texcluded on 2025-12-01",
    ]
    operator = f"system:secretariat-cli:{getpass.getuser()}"
    mine = [(e.action, str(e.outcome)) for e in services.access_log.entries(limit=100_000) if e.actor == operator]
    manage, read = ("manage_organisations", "granted"), ("read_organisations", "granted")
    # register x2, join, contact; list x2; withdraw, join, exclude; show
    assert mine == [manage] * 4 + [read] * 2 + [manage] * 3 + [read]


def test_errors_are_one_line_on_stderr_with_exit_1(services):
    settings = services.settings
    unknown = run(settings, "organisations", "withdraw", "niemand", "--on", "2025-09-01")
    assert (unknown.exit_code, unknown.stderr) == (1, "error: no organisation with that reference\n")
    bad_kind = run(
        settings, "organisations", "register", "x-bv", "--name", "X BV", "--kind", "quarry", "--country", "NL"
    )
    assert bad_kind.exit_code == 1
    assert bad_kind.stderr == "error: kind: one of: member_company, ngo_party, union_party, public_buyer\n"
    bad_date = run(settings, "organisations", "exclude", "niemand", "--on", "01-12-2025")
    assert (bad_date.exit_code, bad_date.stderr) == (
        1,
        "error: --on: write the date as YYYY-MM-DD (for example 2025-03-01)\n",
    )


def test_an_operator_administers_logins_from_the_command_line(services):
    settings = services.settings
    services.registry.register_organisation("secretariaat", "Secretariaat", OrganisationKind.SECRETARIAT, "NL")
    services.registry.register_organisation("arisa", "Arisa", OrganisationKind.NGO_PARTY, "NL")
    mismatch = run(
        settings, "users", "create", "jan@arisa.nl", "--role", "company", "--organisation", "arisa",
        "--name", "Jan", "--password", PASSWORD,
    )  # fmt: skip
    assert mismatch.exit_code == 1
    assert mismatch.stderr == (
        "error: role: a company login belongs to an organisation of kind member_company, not ngo_party\n"
    )
    created = run(
        settings, "users", "create", "piet@secretariaat.nl", "--role", "secretariat", "--organisation", "secretariaat",
        "--name", "Piet", "--password", PASSWORD,
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    first, second = created.stdout.splitlines()
    assert first == "piet@secretariaat.nl\tsecretariat\tsecretariaat\tcreated"
    assert second.startswith("piet@secretariaat.nl\ttotp otpauth://totp/TruStone:piet%40secretariaat.nl?secret=")
    old_secret = second.split("secret=")[1].split("&")[0]
    assert services.registry.totp_secret_for("piet@secretariaat.nl") == old_secret

    reset = run(settings, "users", "reset-totp", "piet@secretariaat.nl")
    new_secret = reset.stdout.split("secret=")[1].split("&")[0]
    assert new_secret != old_secret and services.registry.totp_secret_for("piet@secretariaat.nl") == new_secret

    disabled = run(settings, "users", "disable", "piet@secretariaat.nl", "--reason", "left the secretariat")
    assert disabled.stdout == "piet@secretariaat.nl\tsecretariat\tsecretariaat\tdisabled\tsecond factor\tPiet\n"
    assert run(settings, "users", "list", "--organisation", "secretariaat").stdout == disabled.stdout
