"""Issue 10 item 2: numbers in a report file are read by one decimal separator for the whole file.

Expected values are written out here from the rule in docs/report-format.md ("Numbers"): the
separator is given, or detected from the numbers that read one way only; a number that reads two
ways with no evidence is refused with both readings; conflicting evidence is refused naming rows.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from registry.reportfile import ReportFileError, parse_report_file

COLUMNS = [
    "chain",
    "tier",
    "site_kind",
    "stone_type",
    "product",
    "channel",
    "volume",
    "volume_unit",
    "price_eur_per_unit",
]


def link(volume: str = "", price: str = "") -> dict[str, str]:
    return {
        "chain": "C1",
        "tier": "1",
        "site_kind": "quarry",
        "stone_type": "granite",
        "product": "setts",
        "channel": "stone_market",
        "volume": volume,
        "volume_unit": "t" if volume or price else "",
        "price_eur_per_unit": price,
    }


def csv_file(rows: list[dict[str, str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n", delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def errors(data: bytes, name: str = "r.csv", **options) -> list[tuple[int, str, str]]:
    with pytest.raises(ReportFileError) as caught:
        parse_report_file(data, name, **options)
    return [(e.row, e.column, e.message) for e in caught.value.errors]


def volumes(data: bytes, name: str = "r.csv", **options) -> list[Decimal | None]:
    return [row.volume for row in parse_report_file(data, name, **options).rows]


def test_4_200_with_no_evidence_is_refused_with_row_column_and_both_readings():
    found = errors(csv_file([link(volume="12"), link(volume="4.200")]))
    assert len(found) == 1
    row, column, message = found[0]
    assert (row, column) == (3, "volume")
    assert "thousands separator (a whole number)" in message and "decimal separator (3 decimals)" in message
    assert "4.200" not in message and "4200" not in message  # readings in words: a cell may hold a price


def test_4_200_in_a_file_that_writes_decimal_commas_is_four_thousand_two_hundred():
    data = csv_file([link(volume="4.200"), link(price="3,5", volume="1")], delimiter=";")
    assert volumes(data) == [Decimal(4200), Decimal(1)]
    numbers = parse_report_file(data, "r.csv").numbers
    assert (numbers.separator, numbers.source, numbers.where) == (
        "comma",
        "detected",
        "links row 3, column price_eur_per_unit",
    )


def test_4_200_in_a_file_that_writes_decimal_dots_is_four_point_two():
    assert volumes(csv_file([link(volume="4.200"), link(volume="4.25")])) == [Decimal("4.2"), Decimal("4.25")]


@pytest.mark.parametrize(
    "nl, en, value",
    [
        ("1.234,5", "1,234.5", "1234.5"),
        ("1.000.000", "1,000,000", "1000000"),
        ("0,200", "0.200", "0.2"),
        ("1234,567", "1234.567", "1234.567"),
    ],
)
def test_numbers_that_read_one_way_only(nl, en, value):
    assert volumes(csv_file([link(volume=nl)])) == [Decimal(value)]
    assert volumes(csv_file([link(volume=en)])) == [Decimal(value)]


def test_conflicting_evidence_is_refused_naming_the_rows_of_each():
    found = errors(csv_file([link(volume="3,5"), link(volume="12"), link(volume="4.25")]))
    assert [(row, column) for row, column, _ in found] == [(0, "")]
    message = found[0][2]
    assert "links row 2, column volume" in message and "links row 4, column volume" in message


def test_a_given_separator_reads_ambiguous_numbers_and_refuses_numbers_written_the_other_way():
    data = csv_file([link(volume="4.200"), link(volume="7")])
    assert volumes(data, decimal_separator="comma") == [Decimal(4200), Decimal(7)]
    assert volumes(data, decimal_separator="dot") == [Decimal("4.2"), Decimal(7)]
    assert parse_report_file(data, "r.csv", decimal_separator="dot").numbers.source == "given"
    found = errors(csv_file([link(volume="4.25")]), decimal_separator="comma")
    assert [(row, column) for row, column, _ in found] == [(2, "volume")]


def test_an_unknown_decimal_separator_option_is_refused():
    from registry.domain.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        parse_report_file(csv_file([link(volume="7")]), "r.csv", decimal_separator="semicolon")
    assert caught.value.field == "decimal_separator"


def test_numeric_xlsx_cells_are_never_ambiguous():
    book = Workbook()
    sheet = book.active
    sheet.title = "links"
    sheet.append(COLUMNS)
    values = link(volume="x")
    sheet.append([4.2 if column == "volume" else values[column] for column in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    assert volumes(out.getvalue(), "r.xlsx") == [Decimal("4.2")]


def test_coordinates_have_no_thousands_separator_whatever_the_file_writes():
    rows = [dict(link(volume="4.200,5"), site_name="Q", country="IN", latitude="25.226", longitude="75,531")]
    columns = COLUMNS + ["site_name", "country", "latitude", "longitude", "origin_confidence"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows([dict(r, origin_confidence="claimed") for r in rows])
    (parsed,) = parse_report_file(out.getvalue().encode(), "r.csv").rows
    assert (parsed.volume, parsed.new_site.latitude, parsed.new_site.longitude) == (Decimal("4200.5"), 25.226, 75.531)


def test_a_day_month_year_date_is_refused_with_write_the_date_as_yyyy_mm_dd():
    book = Workbook()
    links = book.active
    links.title = "links"
    links.append(COLUMNS)
    links.append([link()[column] for column in COLUMNS])
    plan = book.create_sheet("action_plan")
    plan.append(["risk", "priority", "measure", "indicator", "due"])
    plan.append(["unknown quarry", 1, "ask the exporter", "", "31-12-2024"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ReportFileError) as caught:
        parse_report_file(out.getvalue(), "r.xlsx")
    (error,) = caught.value.errors
    assert (error.sheet, error.row, error.column) == ("action_plan", 2, "due")
    assert "write the date as YYYY-MM-DD" in error.message


def test_numbers_come_back_in_plain_decimal_never_in_exponent_form():
    rows = parse_report_file(csv_file([link(volume="320", price="0.00001"), link(volume="4200")]), "r.csv").rows
    assert [str(rows[0].volume), str(rows[0].price_eur_per_unit), str(rows[1].volume)] == ["320", "0.00001", "4200"]


# --- the property -------------------------------------------------------------------------------


def render(value: Decimal, decimal: str, grouped: bool) -> str:
    """``value`` as a person writes it: NL (decimal ',', thousands '.') or EN (the reverse)."""
    thousands = "." if decimal == "," else ","
    sign, digits = ("-", -value) if value < 0 else ("", value)
    whole, _, fraction = format(digits, "f").partition(".")
    if grouped:
        whole = f"{int(whole):,}".replace(",", thousands)
    return sign + whole + (decimal + fraction if fraction else "")


amounts = st.decimals(min_value=0, max_value=Decimal("999999999.9999"), places=4, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    value=amounts,
    decimal=st.sampled_from([",", "."]),
    grouped=st.booleans(),
    evidence=st.sampled_from(["none", "same", "other"]),
    delimiter=st.sampled_from([",", ";"]),
    tell=st.booleans(),
)
def test_any_number_written_in_either_convention_round_trips_or_is_refused(
    value, decimal, grouped, evidence, delimiter, tell
):
    """Never a different value: the exact Decimal comes back, or the file is refused naming row 2's
    volume (or, for conflicting evidence, the rows)."""
    written = render(value, decimal, grouped)
    other = {
        "none": [],
        "same": [link(volume="3" + decimal + "5")],
        "other": [link(volume="3" + ("." if decimal == "," else ",") + "5")],
    }[evidence]
    data = csv_file([link(volume=written)] + other, delimiter=delimiter)
    options = {"decimal_separator": "comma" if decimal == "," else "dot"} if tell else {}
    try:
        rows = parse_report_file(data, "r.csv", **options).rows
    except ReportFileError as error:
        places = {(e.row, e.column) for e in error.errors}
        assert (2, "volume") in places or (evidence == "other" and places & {(0, ""), (3, "volume")}), places
        if tell and evidence != "other":
            pytest.fail(f"a number written the way the upload says was refused: {places}")
        return
    assert rows[0].volume == value
    assert "E" not in str(rows[0].volume)


def test_terms_stored_in_exponent_form_by_earlier_versions_read_back_in_plain_decimal():
    from registry.domain.reports import CommercialTerms

    terms = CommercialTerms.from_dict({"volume": "3.2E+2", "volume_unit": "t", "price_eur_per_unit": "1E-5"})
    assert (str(terms.volume), str(terms.price_eur_per_unit)) == ("320", "0.00001")
