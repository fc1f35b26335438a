"""Reading report files: registry/reportfile.py against the format in docs/report-format.md."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from registry import reportfile
from registry.domain.reports import Channel, OriginConfidence
from registry.domain.site_ids import BODY_ALPHABET, new_site_id
from registry.domain.sites import SiteKind
from registry.reportfile import NewSite, ParsedReport, ReportFileError, parse_report_file

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"

COLUMNS = [
    "chain",
    "tier",
    "site_kind",
    "site_id",
    "site_name",
    "country",
    "province",
    "district",
    "address",
    "latitude",
    "longitude",
    "stone_type",
    "product",
    "channel",
    "origin_confidence",
    "circular",
    "volume",
    "volume_unit",
    "price_eur_per_unit",
    "contract_notes",
]

SECRET = "EUR 987654"


def quarry(**values: str) -> dict[str, str]:
    row = {
        "chain": "KANDLA",
        "tier": "2",
        "site_kind": "quarry",
        "site_name": "Budhpura Grey Sandstone Quarry",
        "country": "IN",
        "province": "Rajasthan",
        "district": "Bundi",
        "latitude": "25.226",
        "longitude": "75.531",
        "stone_type": "sandstone",
        "product": "paving",
        "channel": "stone_market",
        "origin_confidence": "partly_known",
        "volume": "4200",
        "volume_unit": "m2",
        "price_eur_per_unit": "18.4",
        "contract_notes": "frame contract",
    }
    row.update(values)
    return row


def factory(**values: str) -> dict[str, str]:
    row = {
        "chain": "KANDLA",
        "tier": "1",
        "site_kind": "factory",
        "site_name": "Chambal Sandstone Processing",
        "country": "IN",
        "province": "Rajasthan",
        "district": "Kota",
        "stone_type": "sandstone",
        "product": "paving",
        "channel": "direct",
        "origin_confidence": "verified",
    }
    row.update(values)
    return row


def unknown_quarry(**values: str) -> dict[str, str]:
    row = {
        "chain": "FUJIAN",
        "tier": "3",
        "site_kind": "quarry",
        "stone_type": "granite",
        "product": "setts",
        "channel": "stone_market",
    }
    row.update(values)
    return row


def csv_file(rows: list[dict[str, str]], columns: list[str] = COLUMNS, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n", extrasaction="ignore", delimiter=delimiter)
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
    return out.getvalue().encode()


def xlsx_file(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def links_sheet(rows: list[dict[str, str]], typed: bool = False) -> list[list[object]]:
    """The links as sheet rows; ``typed`` stores numbers as numeric cells, as Excel would."""
    numeric = {"tier": int, "latitude": float, "longitude": float, "volume": float, "price_eur_per_unit": float}

    def cell(column: str, text: str) -> object:
        if not text:
            return None
        return numeric[column](text) if typed and column in numeric else text

    return [COLUMNS] + [[cell(column, row.get(column, "")) for column in COLUMNS] for row in rows]


def errors_of(data: bytes, filename: str) -> list[reportfile.CellError]:
    with pytest.raises(ReportFileError) as caught:
        parse_report_file(data, filename)
    return caught.value.errors


def places(errors: list[reportfile.CellError]) -> list[tuple[str, int, str]]:
    return [(e.sheet, e.row, e.column) for e in errors]


# --- valid files ---------------------------------------------------------------------------------


def test_a_valid_csv_gives_one_row_per_link_in_file_order():
    report = parse_report_file(csv_file([quarry(), factory(), unknown_quarry()]), "report.csv")
    first, second, third = report.rows
    assert [r.row for r in report.rows] == [2, 3, 4]
    assert (first.chain, first.tier, first.site_kind, first.channel) == (
        "KANDLA",
        2,
        SiteKind.QUARRY,
        Channel.STONE_MARKET,
    )
    assert first.new_site == NewSite(
        name="Budhpura Grey Sandstone Quarry",
        country="IN",
        province="Rajasthan",
        district="Bundi",
        latitude=25.226,
        longitude=75.531,
    )
    assert first.site_id is None and first.origin_confidence == OriginConfidence.PARTLY_KNOWN
    assert (first.volume, first.volume_unit, first.price_eur_per_unit) == (Decimal(4200), "m2", Decimal("18.4"))
    assert first.contract_notes == "frame contract" and first.circular is False
    assert second.new_site.latitude is None and second.volume is None and second.volume_unit is None
    assert third.unknown and third.origin_confidence is None and third.new_site is None
    assert (report.questionnaire, report.action_plan) == ((), ())


def test_the_same_content_as_xlsx_parses_to_an_equal_report():
    rows = [quarry(), factory(), unknown_quarry(circular="yes")]
    from_csv = parse_report_file(csv_file(rows), "report.csv")
    as_text = parse_report_file(xlsx_file({"links": links_sheet(rows)}), "report.xlsx")
    as_numbers = parse_report_file(xlsx_file({"links": links_sheet(rows, typed=True)}), "report.xlsx")
    assert from_csv == as_text == as_numbers
    assert isinstance(from_csv, ParsedReport) and len(from_csv.rows) == 3


def test_a_registered_site_is_given_by_its_id_in_any_case():
    site_id = new_site_id("IN", "RJ")
    row = quarry(
        site_name="", country="", province="", district="", latitude="", longitude="", site_id=f"  {site_id.lower()} "
    )
    (parsed,) = parse_report_file(csv_file([row]), "report.csv").rows
    assert (parsed.site_id, parsed.new_site) == (site_id, None)


def test_a_circular_link_may_leave_its_site_unknown():
    (parsed,) = parse_report_file(csv_file([unknown_quarry(circular="Yes")]), "report.csv").rows
    assert parsed.circular is True and parsed.unknown


def test_choices_ignore_case_spaces_and_hyphens_and_text_is_tidied():
    row = quarry(
        site_kind=" Cobble-Yard ",
        channel="Stone Market",
        origin_confidence="PARTLY-KNOWN",
        site_name="  Budhpura   Grey\tQuarry ",
        volume_unit="M³",
        circular="TRUE",
    )
    (parsed,) = parse_report_file(csv_file([row]), "report.csv").rows
    assert (parsed.site_kind, parsed.channel, parsed.origin_confidence) == (
        SiteKind.COBBLE_YARD,
        Channel.STONE_MARKET,
        OriginConfidence.PARTLY_KNOWN,
    )
    assert parsed.new_site.name == "Budhpura Grey Quarry"
    assert (parsed.volume_unit, parsed.circular) == ("m3", True)


def test_a_decimal_comma_is_read_as_a_decimal_point():
    with_comma = quarry(volume="1234,5", price_eur_per_unit="18,40", latitude="25,226", longitude="75,531")
    with_point = quarry(volume="1234.5", price_eur_per_unit="18.4", latitude="25.226", longitude="75.531")
    (comma,) = parse_report_file(csv_file([with_comma]), "report.csv").rows
    (point,) = parse_report_file(csv_file([with_point]), "report.csv").rows
    assert comma.volume == Decimal("1234.5") and comma.price_eur_per_unit == Decimal("18.4")
    assert str(comma.price_eur_per_unit) == "18.4"  # one form per value: the report digest depends on it
    assert comma == point


def test_a_utf8_byte_order_mark_is_accepted():
    data = csv_file([quarry(site_name="Rājasthān Stone")])
    with_bom = parse_report_file(b"\xef\xbb\xbf" + data, "report.csv")
    assert with_bom == parse_report_file(data, "report.csv")
    assert with_bom.rows[0].new_site.name == "Rājasthān Stone"


def test_header_names_ignore_case_and_surrounding_blanks_and_optional_columns_may_be_left_out():
    columns = ["chain", "tier", "site_kind", "stone_type", "product", "channel"]
    data = csv_file([unknown_quarry()], columns).replace(b"chain,tier", b" Chain , TIER ")
    (parsed,) = parse_report_file(data, "report.csv").rows
    assert parsed.unknown and parsed.tier == 3


def test_empty_rows_are_skipped_and_row_numbers_stay_those_the_spreadsheet_shows():
    lines = csv_file([quarry(), factory(tier="x")]).split(b"\r\n")
    data = b"\r\n".join([lines[0], lines[1], b",,,", b"", lines[2], b""])
    assert places(errors_of(data, "report.csv")) == [("links", 5, "tier")]
    sheet = links_sheet([quarry()]) + [[], [None] * 3] + links_sheet([factory(tier="x")])[1:]
    assert places(errors_of(xlsx_file({"links": sheet}), "report.xlsx")) == [("links", 5, "tier")]


def test_questionnaire_and_action_plan_sheets_are_read():
    data = xlsx_file(
        {
            "links": links_sheet([factory()]),
            "Questionnaire": [["Question", "Answer"], ["Do you have a policy?", "Yes,\nsince 2023."], [None, None]],
            "action_plan": [
                ["risk", "priority", "measure", "indicator", "due"],
                ["Unknown quarry", 1, "Ask the exporter", "quarry named", "2026-06-30"],
                ["Dust", "2", "Wet cutting", None, dt.datetime(2025, 12, 31)],
                ["Wages", 3, "Audit", "", None],
            ],
        }
    )
    report = parse_report_file(data, "report.xlsx")
    assert [(a.question, a.answer) for a in report.questionnaire] == [("Do you have a policy?", "Yes,\nsince 2023.")]
    assert [(i.risk, i.priority, i.measure, i.indicator, i.due) for i in report.action_plan] == [
        ("Unknown quarry", 1, "Ask the exporter", "quarry named", "2026-06-30"),
        ("Dust", 2, "Wet cutting", "", "2025-12-31"),
        ("Wages", 3, "Audit", "", ""),
    ]


def test_a_workbook_that_stores_a_wrong_size_is_still_read_whole():
    """Some programs write a 'dimension' of A1:A1 whatever the sheet holds; every row still counts."""
    data = xlsx_file({"links": links_sheet([quarry(), factory(), unknown_quarry()])})
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                assert b'<dimension ref="A1:T4"' in content
                content = content.replace(b'<dimension ref="A1:T4"', b'<dimension ref="A1:A1"')
            target.writestr(item, content)
    assert len(parse_report_file(out.getvalue(), "report.xlsx").rows) == 3


# --- errors in cells -------------------------------------------------------------------------------


def test_every_error_in_every_row_is_listed_and_no_message_repeats_a_cell_value():
    rows = [
        factory(),  # row 2: fine
        quarry(price_eur_per_unit=SECRET, country="XQ"),  # row 3
        quarry(tier="12", channel=SECRET, latitude="95"),  # row 4
        quarry(chain="", volume_unit="", site_kind="hut", price_eur_per_unit="12.3.4"),  # row 5
    ]
    errors = errors_of(csv_file(rows), "report.csv")
    assert places(errors) == [  # by row, then in the order of the file's columns
        ("links", 3, "country"),
        ("links", 3, "price_eur_per_unit"),
        ("links", 4, "tier"),
        ("links", 4, "latitude"),
        ("links", 4, "channel"),
        ("links", 5, "chain"),
        ("links", 5, "site_kind"),
        ("links", 5, "volume_unit"),
        ("links", 5, "price_eur_per_unit"),
    ]
    for error in errors:
        for value in (SECRET, "987654", "XQ", "hut", "Budhpura"):
            assert value not in error.message and value not in str(error)


def test_an_unknown_column_is_named():
    data = csv_file([factory()], COLUMNS + ["supplier_margin"])
    errors = errors_of(data, "report.csv")
    assert places(errors) == [("links", 1, "supplier_margin")]
    assert "unknown column" in errors[0].message


def test_a_missing_header_row_is_one_error_that_does_not_repeat_the_first_row():
    data = csv_file([quarry(price_eur_per_unit=SECRET), factory()]).split(b"\r\n", 1)[1]
    errors = errors_of(data, "report.csv")
    assert places(errors) == [("links", 1, "")]
    assert all(SECRET not in str(e) and "Budhpura" not in str(e) for e in errors)


def test_a_missing_required_column_is_named_once_not_on_every_row():
    columns = [c for c in COLUMNS if c != "product"]
    errors = errors_of(csv_file([quarry(), factory()], columns), "report.csv")
    assert places(errors) == [("links", 1, "product")]


def test_a_duplicated_column_is_an_error():
    data = csv_file([factory()], COLUMNS).replace(b"contract_notes", b"product", 1)
    assert ("links", 1, "product") in places(errors_of(data, "report.csv"))


def test_a_mistyped_site_id_fails_its_check_character():
    site_id = new_site_id("IN", "RJ")
    position = len("IN-RJ-")
    wrong = next(c for c in BODY_ALPHABET if c != site_id[position])
    mistyped = site_id[:position] + wrong + site_id[position + 1 :]
    row = factory(site_id=mistyped, site_name="", country="", province="", district="")
    errors = errors_of(csv_file([row]), "report.csv")
    assert places(errors) == [("links", 2, "site_id")]
    assert "check character" in errors[0].message


def test_a_site_id_together_with_a_site_description_is_an_error_per_described_column():
    row = factory(site_id=new_site_id("IN", "RJ"), latitude="25.2", longitude="75.8")
    errors = errors_of(csv_file([row]), "report.csv")
    assert sorted(e.column for e in errors) == sorted(
        ["site_name", "country", "province", "district", "latitude", "longitude"]
    )


def test_latitude_without_longitude_is_an_error_on_longitude():
    errors = errors_of(csv_file([quarry(longitude="")]), "report.csv")
    assert places(errors) == [("links", 2, "longitude")]


def test_a_described_site_needs_a_valid_country_and_a_province_for_its_district():
    errors = errors_of(csv_file([quarry(country=""), quarry(province="")]), "report.csv")
    assert places(errors) == [("links", 2, "country"), ("links", 3, "province")]


def test_origin_confidence_is_refused_for_an_unknown_site_and_required_for_a_known_one():
    rows = [unknown_quarry(origin_confidence="claimed"), quarry(origin_confidence="")]
    assert places(errors_of(csv_file(rows), "report.csv")) == [
        ("links", 2, "origin_confidence"),
        ("links", 3, "origin_confidence"),
    ]


def test_site_details_without_a_site_name_are_an_error_not_silently_dropped():
    errors = errors_of(csv_file([unknown_quarry(country="CN", province="Fujian")]), "report.csv")
    assert places(errors) == [("links", 2, "site_name")]


def test_a_volume_needs_a_unit_and_amounts_cannot_be_negative():
    rows = [quarry(volume_unit=""), quarry(volume="-3"), quarry(volume_unit="barrels")]
    assert places(errors_of(csv_file(rows), "report.csv")) == [
        ("links", 2, "volume_unit"),
        ("links", 3, "volume"),
        ("links", 4, "volume_unit"),
    ]


def test_bad_questionnaire_and_action_plan_cells_are_listed_with_their_sheet():
    data = xlsx_file(
        {
            "links": links_sheet([factory()]),
            "questionnaire": [["question", "answer"], ["Policy?", None]],
            "action_plan": [
                ["risk", "priority", "measure", "due"],
                ["Dust", 1, "Wet cutting", "31-12-2025"],
                ["Wages", 0, "Audit", "2025-02-30"],
                ["", 2, "Audit", SECRET],
            ],
        }
    )
    errors = errors_of(data, "report.xlsx")
    assert places(errors) == [
        ("questionnaire", 2, "answer"),
        ("action_plan", 2, "due"),
        ("action_plan", 3, "priority"),
        ("action_plan", 3, "due"),
        ("action_plan", 4, "risk"),
        ("action_plan", 4, "due"),
    ]
    assert all(SECRET not in e.message for e in errors)


# --- errors in the file as a whole ---------------------------------------------------------------


@pytest.mark.parametrize("filename", ["report.xls", "report.txt", "report", "report.csv.zip"])
def test_only_csv_and_xlsx_file_names_are_accepted(filename):
    errors = errors_of(csv_file([factory()]), filename)
    assert len(errors) == 1 and (errors[0].row, errors[0].column) == (0, "")


def test_the_extension_is_case_insensitive():
    assert len(parse_report_file(csv_file([factory()]), "REPORT.CSV").rows) == 1


@pytest.mark.parametrize("data", [b"PK\x03\x04 this is not really a zip", b"\x00" * 64, b""])
def test_unreadable_xlsx_bytes_are_a_file_error_not_a_crash(data):
    errors = errors_of(data, "report.xlsx")
    assert len(errors) == 1 and errors[0].row == 0


def test_a_zip_that_is_no_workbook_is_a_file_error():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert [e.row for e in errors_of(out.getvalue(), "report.xlsx")] == [0]


def test_a_truncated_workbook_is_a_file_error():
    data = xlsx_file({"links": links_sheet([factory()])})
    assert [e.row for e in errors_of(data[: len(data) // 2], "report.xlsx")] == [0]


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"  \r\n\r\n"])
def test_an_empty_csv_is_a_file_error(data):
    errors = errors_of(data, "report.csv")
    assert len(errors) == 1 and errors[0].row == 0


def test_a_header_without_links_is_an_error():
    assert places(errors_of(csv_file([]), "report.csv")) == [("links", 0, "")]
    assert places(errors_of(xlsx_file({"links": [COLUMNS]}), "report.xlsx")) == [("links", 0, "")]
    assert places(errors_of(xlsx_file({"links": []}), "report.xlsx")) == [("links", 0, "")]


def test_a_workbook_without_links_sheet_or_with_an_unknown_sheet_is_an_error():
    errors = errors_of(xlsx_file({"questionaire": [["question", "answer"], ["q", "a"]]}), "report.xlsx")
    assert sorted(places(errors)) == [("links", 0, ""), ("questionaire", 0, "")]


def test_a_csv_that_is_not_utf8_is_a_file_error():
    data = csv_file([quarry(site_name="Rājasthān Stone")]).decode().encode("utf-16")
    assert places(errors_of(data, "report.csv")) == [("file", 0, "")]


def test_semicolon_separated_csv_with_decimal_commas_as_dutch_excel_writes_it_is_read_the_same():
    comma_file = csv_file([factory(volume="1234.5", volume_unit="m2", price_eur_per_unit="12.75")])
    dutch_file = csv_file([factory(volume="1234,5", volume_unit="m2", price_eur_per_unit="12,75")], delimiter=";")
    assert parse_report_file(dutch_file, "report.csv") == parse_report_file(comma_file, "report.csv")


def test_a_hidden_sheet_with_drop_down_lists_is_ignored_but_a_visible_unknown_sheet_is_an_error():
    from openpyxl import Workbook

    def workbook(state):
        book = Workbook()
        links = book.active
        links.title = "links"
        links.append(list(COLUMNS))
        links.append([factory().get(column, "") for column in COLUMNS])
        extra = book.create_sheet("lists")
        extra.append(["quarry", "factory"])
        extra.sheet_state = state
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    assert len(parse_report_file(workbook("hidden"), "report.xlsx").rows) == 1
    with pytest.raises(ReportFileError) as caught:
        parse_report_file(workbook("visible"), "report.xlsx")
    assert [e.sheet for e in caught.value.errors] == ["lists"]


def test_an_unclosed_quote_that_swallows_the_rest_of_the_file_is_reported_with_its_row():
    data = csv_file([factory(), factory()]) + b'KANDLA,2,"quarry' + b"x" * 200_000 + b"\r\n"
    errors = errors_of(data, "report.csv")
    assert len(errors) == 1 and "row 4" in errors[0].message


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    data = csv_file([factory()])
    monkeypatch.setattr(reportfile, "MAX_FILE_BYTES", len(data) - 1)
    assert [e.row for e in errors_of(data, "report.csv")] == [0]


def test_too_many_link_rows_are_refused_but_blank_rows_do_not_count(monkeypatch):
    monkeypatch.setattr(reportfile, "MAX_LINK_ROWS", 2)
    assert len(parse_report_file(csv_file([factory(), quarry(), {}, {}]), "report.csv").rows) == 2
    for data, name in [
        (csv_file([factory()] * 3), "report.csv"),
        (xlsx_file({"links": links_sheet([factory()] * 3)}), "report.xlsx"),
    ]:
        assert [e.row for e in errors_of(data, name)] == [0]


def test_a_value_under_no_header_is_an_error():
    data = csv_file([factory()]).replace(b"\r\n", b",extra\r\n").replace(b",extra", b"", 1)
    assert places(errors_of(data, "report.csv")) == [("links", 2, "")]


_WORKBOOK = xlsx_file({"links": links_sheet([quarry(), factory()])})


@settings(max_examples=150, deadline=None)
@given(position=st.integers(0, len(_WORKBOOK) - 1), replacement=st.binary(min_size=1, max_size=8))
def test_a_damaged_workbook_gives_a_report_or_a_report_file_error_never_another_exception(position, replacement):
    data = _WORKBOOK[:position] + replacement + _WORKBOOK[position + len(replacement) :]
    try:
        parse_report_file(data, "report.xlsx")
    except ReportFileError as error:
        assert error.errors


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300))
def test_any_text_as_csv_gives_a_report_or_a_report_file_error(text):
    try:
        parse_report_file((",".join(COLUMNS) + "\n" + text).encode(), "report.csv")
    except ReportFileError as error:
        assert error.errors


# --- the published samples -----------------------------------------------------------------------


def test_the_sample_files_parse_without_errors_and_give_the_same_links():
    from_csv = parse_report_file((SAMPLES / "report-sample.csv").read_bytes(), "report-sample.csv")
    from_xlsx = parse_report_file((SAMPLES / "report-sample.xlsx").read_bytes(), "report-sample.xlsx")
    assert from_csv.rows == from_xlsx.rows
    assert 8 <= len(from_csv.rows) <= 15
    assert sum(row.unknown for row in from_csv.rows) == 1
    assert sum(row.circular for row in from_csv.rows) == 1
    assert {row.new_site.country for row in from_csv.rows if row.new_site} >= {"IN", "CN"}
    assert from_xlsx.questionnaire and from_xlsx.action_plan
