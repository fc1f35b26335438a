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
    given = run(
        services.settings,
        "import-report",
        str(path),
        "--company",
        ref,
        "--year",
        "2024",
        "--decimal-separator",
        "comma",
    )
    assert given.returncode == 0, given.stderr
    assert "decimal separator ',' (comma), as given with the upload" in given.stdout


def test_a_report_over_the_limit_is_imported_in_parts_as_the_refusal_says(services, tmp_path):
    ref = member(services)
    rows = [factory_row(chain=f"C{i}") for i in range(3)] + [unknown_quarry_row()]
    whole, first, second = tmp_path / "report.csv", tmp_path / "part1.csv", tmp_path / "part2.csv"
    whole.write_bytes(csv_bytes(rows))
    first.write_bytes(csv_bytes(rows[:2]))
    second.write_bytes(csv_bytes(rows[2:]))
    refused = run(services.settings, "import-report", str(whole), "--company", ref, "--year", "2024", "--max-rows", "3")
    assert refused.returncode != 0 and "--part 1 --of N" in refused.stderr
    kept = run(
        services.settings,
        "import-report",
        str(first),
        "--company",
        ref,
        "--year",
        "2024",
        "--max-rows",
        "3",
        "--part",
        "1",
        "--of",
        "2",
    )
    assert kept.returncode == 0, kept.stderr
    assert "part 1 of 2 kept" in kept.stdout and "still to come: part(s) 2" in kept.stdout
    done = run(
        services.settings,
        "import-report",
        str(second),
        "--company",
        ref,
        "--year",
        "2024",
        "--max-rows",
        "3",
        "--part",
        "2",
        "--of",
        "2",
    )
    assert done.returncode == 0, done.stderr
    assert "recorded version 1" in done.stdout


def test_part_without_of_is_refused(services, tmp_path):
    ref = member(services)
    path = tmp_path / "part1.csv"
    path.write_bytes(csv_bytes([factory_row()]))
    refused = run(services.settings, "import-report", str(path), "--company", ref, "--year", "2024", "--part", "1")
    assert refused.returncode != 0 and "--part and --of go together" in refused.stderr


def test_max_rows_lets_the_secretariat_import_a_large_file_whole(services, tmp_path):
    ref = member(services)
    path = tmp_path / "report.csv"
    path.write_bytes(csv_bytes([factory_row(chain=f"C{i}") for i in range(3)] + [unknown_quarry_row()]))
    accepted = run(services.settings, "import-report", str(path), "--company", ref, "--year", "2024", "--max-rows", "4")
    assert accepted.returncode == 0, accepted.stderr
    assert "recorded version 1" in accepted.stdout
