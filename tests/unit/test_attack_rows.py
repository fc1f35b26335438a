"""A report file padded with rows that hold only spaces (issue 11 item 6): a million of them used to
be read, kept and checked for a minute before the file was accepted, because only rows with content
counted toward the row limit. Every row now counts; a file may hold ``max_rows`` rows with content
and a small allowance of empty ones (Excel leaves a few behind), and reading stops as soon as that
is exceeded. The limit is lowered through ``max_rows`` to keep the files small.
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook

from registry import reportfile
from registry.reportfile import ReportFileError, parse_report_file
from tests.integration.report_files import COLUMNS, csv_bytes, factory_row, quarry_row

MAX_ROWS = 5
PADDING = 20_000  # far beyond any allowance for stray empty rows


def padded_csv(filled: list[dict[str, str]], padding: int, blank: str = "   ") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in filled:
        writer.writerow([row[column] for column in COLUMNS])
    for _ in range(padding):
        writer.writerow([blank] * len(COLUMNS))
    return out.getvalue().encode()


def padded_xlsx(filled: list[dict[str, str]], padding: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("links")
    sheet.append(COLUMNS)
    for row in filled:
        sheet.append([row[column] for column in COLUMNS])
    for _ in range(padding):
        sheet.append([" ", "\t", "  "])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _refusal(error: ReportFileError) -> str:
    return " ".join(e.message for e in error.errors)


def test_a_csv_padded_with_whitespace_rows_is_refused(monkeypatch):
    with pytest.raises(ReportFileError) as refused:
        parse_report_file(padded_csv([quarry_row(), factory_row()], PADDING), "r.csv", max_rows=MAX_ROWS)
    assert "rows" in _refusal(refused.value)


def test_an_xlsx_padded_with_whitespace_rows_is_refused():
    with pytest.raises(ReportFileError) as refused:
        parse_report_file(padded_xlsx([quarry_row(), factory_row()], PADDING), "r.xlsx", max_rows=MAX_ROWS)
    assert "rows" in _refusal(refused.value)


def test_reading_stops_once_the_limit_is_passed():
    """Counted at the reader: the rows after the limit are never taken from the file."""
    taken = 0

    def rows():
        nonlocal taken
        yield tuple(COLUMNS)
        for _ in range(PADDING):
            taken += 1
            yield ("  ",) * len(COLUMNS)

    with pytest.raises(ReportFileError):
        reportfile._collect_rows(rows(), "links", MAX_ROWS)  # noqa: SLF001
    assert taken < PADDING // 2


def test_a_few_trailing_empty_rows_are_still_fine():
    parsed = parse_report_file(padded_csv([quarry_row(), factory_row()], 30, blank=""), "r.csv", max_rows=MAX_ROWS)
    assert len(parsed.rows) == 2
    workbook = padded_xlsx([quarry_row(), factory_row()], 30)
    assert len(parse_report_file(workbook, "r.xlsx", max_rows=MAX_ROWS).rows) == 2


def test_the_rows_with_content_still_have_their_own_limit():
    with pytest.raises(ReportFileError) as refused:
        parse_report_file(
            csv_bytes([quarry_row(chain=f"C{i}") for i in range(MAX_ROWS + 1)]), "r.csv", max_rows=MAX_ROWS
        )
    assert f"more than {MAX_ROWS:,} link rows" in _refusal(refused.value)
