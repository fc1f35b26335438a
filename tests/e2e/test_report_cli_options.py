"""Issue 10 items 2 and 3 on the command line: --decimal-separator and --max-rows."""

import datetime as dt

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.e2e.test_cli import run
from tests.integration.report_files import csv_bytes, factory_row, unknown_quarry_row


def member(services) -> str:
    services.registry.register_organisation("stenen-bv", "Stenen BV", OrganisationKind.MEMBER_COMPANY, "NL")
    services.registry.join("stenen-bv", dt.date(2022, 1, 10), CompanyCategory.C, CompanySize.SMALL)
    return "stenen-bv"


def test_the_decimal_separator_option_decides_an_ambiguous_volume_and_the_result_says_so(services, tmp_path):
    ref = member(services)
    path = tmp_path / "report.csv"
    path.write_bytes(csv_bytes([factory_row(volume="4.200", volume_unit="t", latitude="", longitude="")]))
    refused = run(services.settings, "import-report", str(path), "--company", ref, "--year", "2024")
    assert refused.returncode != 0
    assert "links row 2, column volume" in refused.stderr
    given = run(services.settings, "import-report", str(path), "--company", ref, "--year", "2024",
                "--decimal-separator", "comma")
    assert given.returncode == 0, given.stderr
    assert "decimal separator ',' (comma), as given with the upload" in given.stdout


def test_max_rows_imports_a_report_over_the_limit_as_the_refusal_says(services, tmp_path):
    ref = member(services)
    path = tmp_path / "report.csv"
    path.write_bytes(csv_bytes([factory_row(chain=f"C{i}") for i in range(3)] + [unknown_quarry_row()]))
    refused = run(services.settings, "import-report", str(path), "--company", ref, "--year", "2024",
                  "--max-rows", "3")
    assert refused.returncode != 0 and "--max-rows" in refused.stderr
    accepted = run(services.settings, "import-report", str(path), "--company", ref, "--year", "2024",
                   "--max-rows", "4")
    assert accepted.returncode == 0, accepted.stderr
    assert "recorded version 1" in accepted.stdout
