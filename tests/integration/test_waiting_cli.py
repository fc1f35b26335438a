"""``trustone waiting`` (issue 13, item 3: every duty over HTTP and the command line): the
secretariat's desk as its operator on the server sees it, one line per queue with the count and the
oldest item, and one access-log entry (read_waiting) naming the operator. The cases are not on it:
they stay with a person's login (keys/access/visibility.py, SYSTEM_DESKS)."""

from __future__ import annotations

import datetime as dt
import getpass

from typer.testing import CliRunner

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row


def test_the_operator_sees_the_secretariats_desk(services):
    from trustone.cli import cli

    registry = services.registry
    for ref in ("eerste-steen", "tweede-steen"):
        registry.register_organisation(ref, ref.replace("-", " ").title(), OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.SMALL)
    registry.import_report(
        "tweede-steen", 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=dt.date(2025, 2, 1)
    )
    registry.import_report(
        "eerste-steen", 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=dt.date(2025, 3, 1)
    )
    env = {
        "TRUSTONE_DATA_DIR": str(services.settings.data_dir),
        "TRUSTONE_DATABASE_URL": services.settings.database_url or "",
    }
    result = CliRunner().invoke(cli, ["waiting"], env=env)
    year = dt.date.today().year
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "reports awaiting assessment: 2, the oldest tweede-steen/2024 since 2025-02-01 (version 1)",
        "sites held as possible duplicates: none",
        "data-access requests: none",
        "declarations expiring within 30 days: none",
        # neither member has this year's contribution statement yet (the CLI runs on today's date)
        f"contribution statements to prepare: 2, the oldest eerste-steen/{year} since {year}-01-01 (not prepared)",
    ]
    entries = [e for e in services.access_log.entries(limit=1000) if e.action == "read_waiting"]
    assert [(e.actor, str(e.outcome)) for e in entries] == [(f"system:secretariat-cli:{getpass.getuser()}", "granted")]
