"""The installed ``trustone`` command, run as a user would (a subprocess with the environment)."""

import datetime as dt
import os
import subprocess
import sys

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import SECRET_PRICE, csv_bytes, factory_row, quarry_row


def run(settings, *args):
    env = {**os.environ, "TRUSTONE_DATA_DIR": str(settings.data_dir)}
    env.pop("TRUSTONE_DATABASE_URL", None)
    if settings.database_url:
        env["TRUSTONE_DATABASE_URL"] = settings.database_url
    return subprocess.run(  # noqa: PLW1510 - the tests read the return code
        [sys.executable, "-m", "trustone.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_init_creates_the_store(settings):
    result = run(settings, "init")
    assert result.returncode == 0, result.stderr
    assert settings.backend in result.stdout


def test_import_report_records_a_version_then_is_idempotent(services, tmp_path):
    services.registry.register_organisation("stenen-bv", "Stenen BV", OrganisationKind.MEMBER_COMPANY, "NL")
    services.registry.join("stenen-bv", dt.date(2022, 1, 10), CompanyCategory.C, CompanySize.SMALL)
    path = tmp_path / "report.csv"
    path.write_bytes(csv_bytes([quarry_row(), factory_row()]))
    first = run(services.settings, "import-report", str(path), "--company", "stenen-bv", "--year", "2024")
    assert first.returncode == 0, first.stderr
    assert "recorded version 1" in first.stdout
    second = run(services.settings, "import-report", str(path), "--company", "stenen-bv", "--year", "2024")
    assert second.returncode == 0 and "unchanged" in second.stdout
    assert SECRET_PRICE not in first.stdout + first.stderr + second.stdout + second.stderr


def test_the_import_is_an_access_log_entry_of_the_operator_like_any_write(services, tmp_path):
    """Issue 13 item 1: the CLI import runs as a named system principal (``import-cli:<user>``) and
    its write is logged like a company's upload: one granted submit_report entry about the company,
    and none for a file refused as bad (nothing was written)."""
    import getpass

    services.registry.register_organisation("stenen-bv", "Stenen BV", OrganisationKind.MEMBER_COMPANY, "NL")
    services.registry.join("stenen-bv", dt.date(2022, 1, 10), CompanyCategory.C, CompanySize.SMALL)
    bad, good = tmp_path / "bad.csv", tmp_path / "report.csv"
    bad.write_bytes(csv_bytes([factory_row(), quarry_row(longitude="200")]))
    good.write_bytes(csv_bytes([quarry_row(), factory_row()]))
    before = len(services.access_log.entries(limit=100_000))
    assert run(services.settings, "import-report", str(bad), "--company", "stenen-bv", "--year", "2024").returncode
    result = run(services.settings, "import-report", str(good), "--company", "stenen-bv", "--year", "2024")
    assert result.returncode == 0, result.stderr
    new = [
        e for e in services.access_log.entries(limit=100_000)[before:] if not e.actor.startswith("system:projection")
    ]
    assert [(e.actor, e.action, str(e.outcome), e.company) for e in new] == [
        (f"system:import-cli:{getpass.getuser()}", "submit_report", "granted", "stenen-bv")
    ]


def test_import_report_lists_each_bad_cell_and_exits_non_zero(services, tmp_path):
    services.registry.register_organisation("stenen-bv", "Stenen BV", OrganisationKind.MEMBER_COMPANY, "NL")
    services.registry.join("stenen-bv", dt.date(2022, 1, 10), CompanyCategory.C, CompanySize.SMALL)
    path = tmp_path / "report.csv"
    path.write_bytes(csv_bytes([factory_row(), quarry_row(longitude="200", price_eur_per_unit="lots")]))
    result = run(services.settings, "import-report", str(path), "--company", "stenen-bv", "--year", "2024")
    assert result.returncode != 0
    assert "row 3, column longitude" in result.stderr
    assert "row 3, column price_eur_per_unit" in result.stderr
    assert "nothing was imported" in result.stderr


def test_an_unknown_company_is_a_clear_error(settings, tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(csv_bytes([quarry_row()]))
    result = run(settings, "import-report", str(path), "--company", "nobody", "--year", "2024")
    assert result.returncode != 0
    assert "no organisation with that reference" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_placeholder_database_password_outside_demo_mode(tmp_path):
    env = {
        **os.environ,
        "TRUSTONE_DATA_DIR": str(tmp_path),
        "TRUSTONE_DATABASE_URL": "postgresql://app:changeme@127.0.0.1:1/trustone",
    }
    env.pop("TRUSTONE_DEMO_MODE", None)
    result = subprocess.run(  # noqa: PLW1510 - the test reads the return code
        [sys.executable, "-m", "trustone.cli", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "TRUSTONE_DATABASE_URL" in result.stderr and "placeholder" in result.stderr
    assert "changeme" not in result.stderr  # the secret itself is never repeated


def test_projections_rebuild_rebuilds_the_lists_from_the_events(services, tmp_path):
    services.registry.register_organisation("stenen-bv", "Stenen BV", OrganisationKind.MEMBER_COMPANY, "NL")
    services.registry.join("stenen-bv", dt.date(2022, 1, 10), CompanyCategory.C, CompanySize.SMALL)
    services.registry.import_report(
        "stenen-bv", 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=dt.date(2025, 3, 1)
    )
    services.projections.catch_up()
    before = services.aggregated_list.sites()
    result = run(services.settings, "projections", "rebuild")
    assert result.returncode == 0, result.stderr
    assert "rebuilt aggregated_list" in result.stdout and "cases" in result.stdout  # the case views too
    assert services.aggregated_list.sites() == before
    unknown = run(services.settings, "projections", "rebuild", "--view", "nonsense")
    assert unknown.returncode != 0 and "--view" in unknown.stderr
