"""A refused report file's rows, read again for the page: the row the parser names is the row shown
(header row 1, empty rows counted), for CSV with either separator and for a workbook's sheets."""

from __future__ import annotations

import pytest

from registry.reportfile import ReportFileError, parse_report_file
from tests.integration.report_files import csv_bytes, factory_row, quarry_row, row, xlsx_bytes
from trustone.web.ui.routes.company import _problems


def refused(data: bytes, filename: str) -> ReportFileError:
    with pytest.raises(ReportFileError) as caught:
        parse_report_file(data, filename)
    return caught.value


def shown(data: bytes, filename: str) -> dict[int, dict[str, str]]:
    return {problem.row: dict(problem.cells) for problem in _problems(refused(data, filename).errors, data, filename)}


ROWS = [factory_row(), row(), quarry_row(country="XQ"), quarry_row(tier="zero", product="kerbs 12")]


def test_a_csv_rows_errors_are_shown_beside_that_rows_cells():
    cells = shown(csv_bytes(ROWS), "report.csv")
    assert sorted(cells) == [4, 5]  # row 3 is empty and skipped by the parser, but counted
    assert cells[4]["country"] == "XQ"
    assert (cells[5]["tier"], cells[5]["product"]) == ("zero", "kerbs 12")


def test_a_semicolon_csv_is_read_with_its_separator():
    data = csv_bytes(ROWS).decode().replace(",", ";").encode()
    assert shown(data, "report.csv")[4]["country"] == "XQ"


def test_a_workbooks_rows_are_read_from_their_sheet():
    cells = shown(xlsx_bytes(ROWS, action_plan=[["child labour", "first", "audit", "", ""]]), "report.xlsx")
    assert cells[4]["country"] == "XQ"
    assert cells[2]["priority"] == "first"  # the action_plan sheet's row 2, with its own header


def test_cells_that_cannot_be_read_again_leave_the_errors_without_them():
    errors = refused(csv_bytes(ROWS), "report.csv").errors
    problems = _problems(errors, b"\xff\xfe not the file any more", "report.csv")
    assert [problem.row for problem in problems] == [4, 5]
    assert all(problem.cells == () for problem in problems)
