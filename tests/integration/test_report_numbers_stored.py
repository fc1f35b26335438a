"""Issue 10 item 2: volumes and prices come back as the user wrote them, in plain decimal."""

import datetime as dt

from tests.integration.report_files import csv_bytes, factory_row, quarry_row

TODAY = dt.date(2025, 4, 1)


def test_volumes_and_prices_come_back_in_plain_decimal_never_in_exponent_form(registry, member, content_of):
    rows = [
        quarry_row(volume="320", price_eur_per_unit="12.50"),
        factory_row(volume="4200", volume_unit="t", price_eur_per_unit="0.00001"),
    ]
    registry.import_report(member, 2024, csv_bytes(rows), "r.csv", submitted_on=TODAY)
    terms = content_of(member, 2024).terms
    assert [(str(t.volume), str(t.price_eur_per_unit)) for t in terms] == [("320", "12.5"), ("4200", "0.00001")]


def test_the_import_result_states_the_decimal_separator_and_how_it_was_decided(registry, member):
    rows = [quarry_row(volume="4.200", price_eur_per_unit="18,40"), factory_row()]
    result = registry.import_report(member, 2024, csv_bytes(rows), "r.csv", submitted_on=TODAY)
    assert result.decimal_separator == "comma"
    assert "detected from links row 2, column price_eur_per_unit" in result.decimal_separator_decided
    given = registry.import_report(
        member,
        2025,
        csv_bytes([quarry_row(volume="4.200", price_eur_per_unit="")]),
        "r.csv",
        submitted_on=TODAY,
        decimal_separator="dot",
    )
    assert (given.decimal_separator, given.decimal_separator_decided) == (
        "dot",
        "decimal separator '.' (dot), as given with the upload",
    )
