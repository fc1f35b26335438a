"""Issue 10 item 3: a report over the row limit is refused with a way that really works.

The way the error names, parts of one report, is tested in test_report_parts.py. Here: the
secretariat can also import a large file whole with a higher limit (``import_report(max_rows=...)``,
on the command line ``trustone import-report --max-rows N``), and a second file sent without a part
number is no way to add rows: it replaces the first as a new version. The limit is lowered here so
the test stays small.
"""

import datetime as dt

import pytest

from registry.reportfile import ReportFileError
from tests.integration.report_files import csv_bytes, factory_row, unknown_quarry_row

TODAY = dt.date(2025, 4, 1)


def rows(n: int) -> list[dict[str, str]]:
    return [factory_row(chain=f"C{i}") if i % 2 else unknown_quarry_row(chain=f"C{i}") for i in range(n)]


def test_a_report_over_the_limit_is_refused_and_the_secretariat_can_import_it_with_a_higher_limit(
    registry, member, content_of
):
    big = csv_bytes(rows(7))
    with pytest.raises(ReportFileError) as caught:
        registry.import_report(member, 2024, big, "big.csv", submitted_on=TODAY, max_rows=6)
    (error,) = caught.value.errors
    assert "more than 6 link rows" in error.message
    assert "upload them as parts of one report" in error.message
    assert "split the report over several files" not in error.message
    result = registry.import_report(member, 2024, big, "big.csv", submitted_on=TODAY, max_rows=7)
    assert (result.changed, result.version) == (True, 1)
    assert len(content_of(member, 2024).links) == 7


def test_a_second_file_replaces_the_first_so_splitting_is_no_way(registry, member, content_of):
    all_rows = rows(6)
    registry.import_report(member, 2024, csv_bytes(all_rows[:3]), "part1.csv", submitted_on=TODAY)
    registry.import_report(member, 2024, csv_bytes(all_rows[3:]), "part2.csv", submitted_on=TODAY)
    assert [link.chain for link in content_of(member, 2024).links] == ["C3", "C4", "C5"]
