"""Digits of other scripts in a coordinate (issue 11 item 6, as volumes already are): ``\\d`` in a
regular expression matches full-width ``２５`` and Arabic-Indic ``٢٥`` too, and ``Decimal()`` reads
them, so a site could be placed by digits nobody typed on an ASCII keyboard and that the duplicate
check, a person and the published map each read differently. A report file (CSV or XLSX) with such
a latitude or longitude is refused whole, naming the row and the column, never echoing the cell.
"""

from __future__ import annotations

import pytest

from registry.reportfile import ReportFileError, parse_report_file
from tests.integration.report_files import csv_bytes, factory_row, quarry_row, xlsx_bytes

OTHER_DIGITS = [
    ("latitude", "２５.１７１２"),  # FULLWIDTH DIGIT TWO, FIVE, ... with an ASCII full stop
    ("latitude", "２５,１７１２"),  # the same with a decimal comma
    ("longitude", "７５.３３０３"),
    ("longitude", "٧٥.٣٣"),  # ARABIC-INDIC DIGITS
    ("latitude", "25.１7"),  # one full-width digit among ASCII ones
    ("longitude", "+७५.३३"),  # DEVANAGARI DIGITS, as a report from Rajasthan might hold
]


def _build(kind: str, rows):
    return (csv_bytes(rows), "r.csv") if kind == "csv" else (xlsx_bytes(rows), "r.xlsx")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize(("column", "value"), OTHER_DIGITS)
def test_a_coordinate_in_other_digits_is_refused_naming_row_and_column(kind, column, value):
    data, filename = _build(kind, [factory_row(), quarry_row(**{column: value})])
    with pytest.raises(ReportFileError) as refused:
        parse_report_file(data, filename)
    errors = refused.value.errors
    assert [(error.sheet, error.row, error.column) for error in errors] == [("links", 3, column)]
    assert "0-9" in errors[0].message
    assert value not in str(refused.value) + " ".join(str(error) for error in errors)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_ascii_coordinates_with_a_dot_or_a_comma_are_still_read(kind):
    data, filename = _build(kind, [factory_row(), quarry_row(latitude="25,1712", longitude="+75.3303")])
    site = parse_report_file(data, filename).rows[1].new_site
    assert (site.latitude, site.longitude) == (25.1712, 75.3303)
