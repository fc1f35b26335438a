"""Reading a supply-chain report from a CSV or XLSX file (format: docs/report-format.md).

Contract used by the application: ``parse_report_file(data, filename)`` returns a ``ParsedReport`` or
raises ``ReportFileError`` listing *every* problem by row and column. It never touches the store,
so a bad file cannot be half-imported. Error messages name rows and columns, never cell values:
a cell can hold a price or a supplier name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum
from pathlib import PurePath
from typing import TypeVar, cast

import openpyxl  # type: ignore[import-untyped]  # ships no type hints; types-openpyxl is not a dependency
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]  # as above

from registry.domain.errors import RegistryError, ValidationError
from registry.domain.geography import Coordinates, validate_country
from registry.domain.reports import (
    LINK_FIELDS,
    TERMS_FIELDS,
    ActionPlanItem,
    Channel,
    OriginConfidence,
    QuestionnaireAnswer,
    ReportContent,
    canonical_json,
    plain_fields,
)
from registry.domain.site_ids import parse_site_id
from registry.domain.sites import SiteKind, parse_site_kind
from registry.reportnumbers import (
    NumberConvention,
    Reading,
    Separator,
    Source,
    ambiguity_message,
    decide,
    parse_separator,
    reading,
)

# Limits for an upload. Measured once (2 shared cores, SQLite): 20,000 rows import in 13 s at a peak
# of 150 MB; 200,000 rows (22 MB of CSV) in 130 s at 860 MB. A larger report is imported by the
# secretariat with a higher row limit (``trustone import-report --max-rows N``), not in parts: a
# second file is a new version that replaces the first.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_LINK_ROWS = 100_000

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class CellError:
    sheet: str  # "links", "questionnaire", "action_plan" (CSV: always "links")
    row: int  # 1-based row number as a spreadsheet shows it (header is row 1); 0 = whole file
    column: str  # column header name; "" = whole row or file
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}" if self.row else self.sheet
        return f"{where}, column {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class ReportFileError(RegistryError):
    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s) in the report file; nothing was imported")


@dataclass(frozen=True)
class NewSite:
    """A site described in the file rather than referenced by its public id."""

    name: str
    country: str  # validated ISO 3166-1 alpha-2, upper case
    province: str = ""
    district: str = ""
    address: str = ""
    latitude: float | None = None  # both or neither, validated ranges
    longitude: float | None = None


_NEW_SITE_FIELDS = tuple(f.name for f in fields(NewSite))


@dataclass(frozen=True)
class ParsedLinkRow:
    row: int
    chain: str
    tier: int
    site_kind: SiteKind
    site_id: str | None  # validated public id (check character), or None
    new_site: NewSite | None  # set when the row describes a site instead of giving site_id
    stone_type: str
    product: str
    channel: Channel
    origin_confidence: OriginConfidence | None  # None exactly when the site is unknown
    circular: bool
    volume: Decimal | None
    volume_unit: str | None
    price_eur_per_unit: Decimal | None
    contract_notes: str

    @property
    def unknown(self) -> bool:
        return self.site_id is None and self.new_site is None


@dataclass(frozen=True)
class ParsedReport:
    rows: tuple[ParsedLinkRow, ...]
    questionnaire: tuple[QuestionnaireAnswer, ...] = ()
    action_plan: tuple[ActionPlanItem, ...] = field(default=())
    # How the numbers were read (stated in the import result); not part of the content itself
    numbers: NumberConvention | None = field(default=None, compare=False)

    def canonical_bytes(self) -> bytes:
        """What the company submitted, in one form whatever the file type: the rows as written,
        with a described site as its description and a site id as given (not yet resolved).

        The digest that makes re-uploading idempotent is taken over this, before any site is
        matched or registered. A file of site ids and unknown sites only gives the same bytes as
        ``ReportContent.canonical_bytes`` of the same links, so the API and a file agree.
        """
        # The same dicts as ``ReportContent(links, terms, ...).as_event_fields()`` of these rows, built
        # in one pass from the rows (whose attributes carry the link's and the terms' field names).
        links, terms = [], []
        for row in self.rows:
            link = plain_fields(row, LINK_FIELDS)
            if row.new_site is not None:
                link["new_site"] = plain_fields(row.new_site, _NEW_SITE_FIELDS, plain=False)
            links.append(link)
            terms.append(plain_fields(row, TERMS_FIELDS))
        content = ReportContent(links=(), questionnaire=self.questionnaire, action_plan=self.action_plan)
        event_fields = content.as_event_fields()
        del event_fields["new_sites"]  # always empty here: a described site is written into its link
        event_fields["links"], event_fields["terms"] = links, terms
        return canonical_json(event_fields)


# --- file kinds, limits ----------------------------------------------------------------------

_FILE = "file"  # CellError.sheet for problems with the file as a whole
LINKS, QUESTIONNAIRE, ACTION_PLAN = "links", "questionnaire", "action_plan"

# An .xlsx is a zip of XML files; a small upload can unpack to gigabytes ("zip bomb"). The sizes the
# zip declares bound what the reader will unpack, so checking them first bounds memory and time.
_MAX_XLSX_UNPACKED_BYTES = 300 * 1024 * 1024

_REQUIRED = "a value is required"


def _file_error(message: str, sheet: str = _FILE) -> ReportFileError:
    return ReportFileError([CellError(sheet, 0, "", message)])


def _file_kind(filename: str) -> str:
    kind = PurePath((filename or "").strip()).suffix.lower()
    if kind not in (".csv", ".xlsx"):
        raise _file_error("the file must be a .csv or an .xlsx file (judged by the file name's extension)")
    return kind


# --- reading the raw rows ----------------------------------------------------------------------

RawRow = tuple[object, ...]


def _collect_rows(
    rows: Iterable[Sequence[object]], sheet: str, max_rows: int, collected: list[RawRow] | None = None
) -> list[RawRow]:
    """All rows of a sheet, header first, refusing more than ``max_rows`` non-empty data rows.
    ``collected`` receives the rows as they come, so a reader error can say where it happened.

    Every row counts, empty or not: a file padded with a million rows of spaces is refused as soon
    as it holds more than ``max_rows`` rows plus a small allowance for the empty rows spreadsheets
    leave behind, instead of being read whole first."""
    collected = [] if collected is None else collected
    filled = 0
    most_rows = max_rows + min(1_000, max(100, max_rows // 10))  # header not counted
    for values in rows:
        row = tuple(values)
        collected.append(row)
        if len(collected) - 1 > most_rows:
            raise _file_error(
                f"more than {most_rows:,} rows, counting empty ones: an upload holds at most {max_rows:,} "
                "link rows. Delete the empty rows below the last link (rows of spaces count too)",
                sheet=sheet,
            )
        if len(collected) > 1 and not _is_blank_row(row):
            filled += 1
            if filled > max_rows:
                raise _file_error(
                    f"more than {max_rows:,} link rows: an upload holds at most {max_rows:,}. Split the rows "
                    "over several files and upload them as parts of one report, part 1 first (upload: "
                    "?part=1&of=N; command line: --part 1 --of N); the report is submitted whole when its "
                    "last part is in. A file sent without a part number replaces the report",
                    sheet=sheet,
                )
    return collected


def _read_csv(data: bytes, max_rows: int) -> tuple[dict[str, list[RawRow]], str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(
            "the file is not UTF-8 text: in Excel choose 'CSV UTF-8', or upload the .xlsx workbook instead"
        ) from None
    if not text.strip():
        raise _file_error("the file is empty: row 1 must hold the column headers, each row below one link")
    rows: list[RawRow] = []
    delimiter = _delimiter(text)
    try:
        _collect_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), LINKS, max_rows, rows)
    except csv.Error:  # a cell of over 128 KB, which only unbalanced quotes produce in practice
        raise _file_error(f"not readable as CSV at row {len(rows) + 1}: check the quotes") from None
    return {LINKS: rows}, delimiter


def _delimiter(text: str) -> str:
    """Comma, or semicolon: Excel with Dutch or Belgian settings writes ';' between columns
    (and a decimal comma: a hint for reading the numbers, see registry/reportnumbers.py). The header
    row tells which."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _read_xlsx(data: bytes, errors: list[CellError], max_rows: int) -> dict[str, list[RawRow]]:
    """Raw rows of the known sheets. Unknown visible sheets are reported in ``errors``: a misspelt
    'questionaire' would otherwise be silently left out of the report. Hidden sheets are skipped:
    templates keep the lists behind their drop-down menus there."""
    _check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on damaged files; none may escape as a crash
        raise _file_error(_NOT_XLSX) from None
    try:
        sheets: dict[str, list[RawRow]] = {}
        for title in workbook.sheetnames:
            name = " ".join(title.split()).lower()
            if name not in _TABLES and workbook[title].sheet_state != "visible":
                continue
            if name not in _TABLES:
                errors.append(
                    CellError(
                        title, 0, "", "unknown sheet: a workbook has the sheets links, questionnaire and action_plan"
                    )
                )
                continue
            worksheet = workbook[title]
            worksheet.reset_dimensions()  # some writers store a wrong size; read every row there is
            sheets[name] = _collect_rows(worksheet.iter_rows(min_row=1, values_only=True), name, max_rows)
        return sheets
    except ReportFileError:
        raise
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged workbook; none may escape as a crash
        raise _file_error(_NOT_XLSX) from None
    finally:
        workbook.close()


_NOT_XLSX = "the file could not be read as an Excel workbook (.xlsx): it is damaged or in another format"


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception:  # noqa: BLE001 - BadZipFile, but also NotImplementedError, UnicodeDecodeError... on damaged bytes
        raise _file_error(_NOT_XLSX) from None
    if unpacked > _MAX_XLSX_UNPACKED_BYTES:
        raise _file_error("the workbook is too large once unpacked: split the report or contact the secretariat")


# --- cell values -------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    """A cell as text, stripped. XLSX cells can be numbers, dates or booleans; CSV cells are text."""
    if value.__class__ is str:  # every CSV cell, most XLSX ones: asked first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value):
        number = Decimal(str(value))
        return str(int(number)) if number == number.to_integral_value() else str(number)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def _is_blank_row(row: RawRow) -> bool:
    for value in row:
        if value.__class__ is str:
            if value and not value.isspace():  # what ``_cell_text`` strips to nothing
                return False
        elif _cell_text(value):
            return False
    return True


# ASCII digits only, as for every number in a report (registry/reportnumbers.py): ``\d`` would also
# match full-width ``２５`` or Devanagari ``२५``, and ``Decimal()`` reads those too, so a site could be
# placed by digits nobody typed as a coordinate.
_COORDINATE = re.compile(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)")
_MAX_NUMBER = Decimal(10) ** 15


def _native_number(value: object) -> Decimal | None:
    """A numeric spreadsheet cell: a number already, with no separator to read."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float) and math.isfinite(value):
        return Decimal(str(value))  # str() gives the shortest form: 0.1 stays 0.1
    return None


def _within_limits(number: Decimal | None) -> Decimal | None:
    return None if number is None or abs(number) >= _MAX_NUMBER else _canonical(number)


def _coordinate_number(value: object) -> Decimal | None:
    """Degrees never reach a thousand, so a coordinate has no thousands separator: its one '.' or ','
    is the decimal separator whatever the rest of the file uses (and it is no evidence for it)."""
    if isinstance(value, str):
        text = _cell_text(value)
        number = Decimal(text.replace(",", ".")) if _COORDINATE.fullmatch(text) else None
    else:
        number = _native_number(value)
    return _within_limits(number)


def _canonical(number: Decimal) -> Decimal:
    """One form per value ('12.50', '12.5' and the float 12.5 are all Decimal('12.5')), so the same
    content gives the same report digest whether it came as CSV or XLSX."""
    number = number.normalize()
    if number == 0:
        return Decimal(0)
    return Decimal(format(number, "f"))  # plain decimal: never 3.2E+2 or 1E-5


def _enum_parser(enum: type[E], column: str) -> Callable[[str], E]:
    """Case-, space- and hyphen-insensitive, like ``parse_site_kind``."""

    def parse(text: str) -> E:
        folded = text.strip().lower().replace(" ", "_").replace("-", "_")
        try:
            return enum(folded)
        except ValueError:
            raise ValidationError(column, "one of: " + ", ".join(member.value for member in enum)) from None

    return parse


_VOLUME_UNITS = ("m3", "t", "m2", "pieces")


def _parse_volume_unit(text: str) -> str:
    unit = text.strip().lower().replace("³", "3").replace("²", "2")
    if unit not in _VOLUME_UNITS:
        raise ValidationError("volume_unit", "one of: " + ", ".join(_VOLUME_UNITS))
    return unit


_TRUE, _FALSE = ("yes", "true", "1"), ("no", "false", "0")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits, as every number


# --- the file's numbers (registry/reportnumbers.py) ------------------------------------------------


class _Refused:
    """A number cell that was refused with its own message."""


_REFUSED = _Refused()

# The columns read by the file's decimal separator, and whose numbers show which it is. Coordinates
# are not among them: see ``_coordinate_number``.
_CONVENTION_COLUMNS = {LINKS: ("tier", "volume", "price_eur_per_unit"), ACTION_PLAN: ("priority",)}


@dataclass(frozen=True)
class _Numbers:
    convention: NumberConvention
    hint: Separator | None  # what the CSV's column separator suggests, named in an ambiguity error
    # Each number cell is read twice, for the convention and for its row: the first reading of each
    # text is kept for the second (only while this file is parsed; the texts can be prices).
    readings: dict[str, Reading] = field(default_factory=dict, compare=False)
    # A choice column repeats a few values row after row ("quarry", "IN", "trader"): each text is
    # checked once per column, and its value or refusal kept for the next row (also only while this
    # file is parsed). The parsers are pure functions of the text.
    choices: dict[tuple[str, str], tuple[object, str | None]] = field(default_factory=dict, compare=False)

    def reading(self, text: str) -> Reading:
        return _kept_reading(self.readings, text)


def _kept_reading(readings: dict[str, Reading], text: str) -> Reading:
    """The reading of ``text``, read once per file (see ``_Numbers.readings``)."""
    read = readings.get(text)
    if read is None:
        read = readings[text] = reading(text)
    return read


def _number_convention(
    sheets: dict[str, list[RawRow]], given: Separator | None, errors: list[CellError], readings: dict[str, Reading]
) -> NumberConvention | None:
    """Detected once for the whole file, from its text cells that read one way only."""
    evidence: dict[Separator, list[str]] = {separator: [] for separator in Separator}
    for sheet, columns in _CONVENTION_COLUMNS.items():
        rows = sheets.get(sheet, [])
        if not rows:
            continue
        positions = _header(sheet, rows[0], _TABLES[sheet], [])  # header errors are reported later
        for number, values in enumerate(rows[1:], start=2):
            for column in columns:
                i = positions.get(column)
                if i is None or i >= len(values):
                    continue
                value = values[i]
                if not isinstance(value, str):
                    continue
                shown = _kept_reading(readings, value.strip()).evidence
                if shown is not None:
                    evidence[shown].append(f"{sheet} row {number}, column {column}")
    convention, conflict = decide(given, evidence)
    if convention is None:
        errors.append(CellError(_FILE, 0, "", conflict))
    return convention


# --- one row -----------------------------------------------------------------------------------


class _Row:
    """The cells of one data row by column name, and the errors found in them.

    Getters return a neutral value (None or "") after recording an error, so every cell of every row
    is checked and the caller only looks at ``ok`` at the end.
    """

    def __init__(
        self,
        sheet: str,
        number: int,
        cells: dict[str, object],
        missing: frozenset[str],
        errors: list[CellError],
        numbers: _Numbers,
    ):
        self.numbers = numbers
        self.sheet = sheet
        self.number = number
        self._cells = cells
        # each cell as text once: the getters ask for it several times (blank, then the value)
        self._texts = {
            column: value.strip() if value.__class__ is str else _cell_text(value) for column, value in cells.items()
        }
        self._missing = missing  # required columns absent from the header: reported once, not per row
        self._errors = errors
        self._count = len(errors)

    @property
    def ok(self) -> bool:
        return len(self._errors) == self._count

    def fail(self, column: str, message: str) -> None:
        self._errors.append(CellError(self.sheet, self.number, column, message))

    def raw(self, column: str) -> object:
        return self._cells.get(column)

    def blank(self, column: str) -> bool:
        return not self._texts.get(column)

    def _text(self, column: str) -> str:
        """``_cell_text`` of the cell."""
        return self._texts.get(column, "")

    def _absent(self, column: str, required: bool) -> bool:
        """True when the cell is empty, after recording an error if the column needs a value."""
        if not self.blank(column):
            return False
        if required and column not in self._missing:
            self.fail(column, _REQUIRED)
        return True

    def text(self, column: str, *, required: bool = False, max_length: int = 200, single_line: bool = True) -> str:
        if self._absent(column, required):
            return ""
        text = self._text(column)
        text = " ".join(text.split()) if single_line else text.replace("\r\n", "\n")
        if len(text) > max_length:
            self.fail(column, f"at most {max_length} characters")
            return ""
        return text

    def choice(self, column: str, parse: Callable[[str], T], *, required: bool = False) -> T | None:
        """A value checked by a domain parser, whose ValidationError message says what is expected."""
        if self.blank(column):
            if required and column not in self._missing:
                try:  # the parser refuses "" with a message that lists what is allowed
                    parse("")
                    self.fail(column, _REQUIRED)
                except ValidationError as error:
                    self.fail(column, f"{_REQUIRED}: {error.message}")
            return None
        text = self._text(column)
        checked = self.numbers.choices.get((column, text))
        if checked is None:
            try:
                checked = (parse(text), None)
            except ValidationError as error:
                checked = (None, error.message)
            self.numbers.choices[(column, text)] = checked
        value, refusal = checked
        if refusal is not None:
            self.fail(column, refusal)
        # cast: the memo is shared by every column, but a column is always read with the same parser
        return cast("T | None", value)

    def _number(self, column: str) -> Decimal | None | _Refused:
        """The cell as a number by the file's convention; ``_REFUSED`` after recording why it cannot
        be read that way; None when it is no number at all (the caller says what is expected)."""
        value = self.raw(column)
        if not isinstance(value, str):
            return _within_limits(_native_number(value))
        text = self._text(column)
        read = self.numbers.reading(text)
        if not read.is_number:
            return None
        number = read.value(self.numbers.convention.separator)
        if number is None and read.ambiguous and self.numbers.convention.separator is None:
            self.fail(column, ambiguity_message(text, self.numbers.hint))
            return _REFUSED
        if number is None:
            self.fail(column, "not a number written with the file's " + self.numbers.convention.describe())
            return _REFUSED
        return _within_limits(number)

    def decimal(self, column: str, *, minimum: Decimal | None = Decimal(0)) -> Decimal | None:
        if self._absent(column, False):
            return None
        number = self._number(column)
        if isinstance(number, _Refused):
            return None
        if number is None or (minimum is not None and number < minimum):
            self.fail(column, "a number" if minimum is None else f"a number of at least {minimum}")
            return None
        return number

    def coordinate(self, column: str) -> Decimal | None:
        if self._absent(column, False):
            return None
        number = _coordinate_number(self.raw(column))
        if number is None:
            self.fail(column, "a number in decimal degrees written with the digits 0-9, e.g. 25.226")
        return number

    def integer(self, column: str, low: int, high: int, *, required: bool = False) -> int | None:
        if self._absent(column, required):
            return None
        number = self._number(column)
        if isinstance(number, _Refused):
            return None
        if number is None or number != number.to_integral_value() or not low <= number <= high:
            self.fail(column, f"a whole number from {low} to {high}")
            return None
        return int(number)

    def boolean(self, column: str) -> bool:
        if self._absent(column, False):
            return False
        value = self.raw(column)
        if isinstance(value, bool):
            return value
        folded = self._text(column).lower()
        if folded in _TRUE or folded in _FALSE:
            return folded in _TRUE
        self.fail(column, "yes or no (also true/false or 1/0); empty means no")
        return False

    def iso_date(self, column: str) -> str:
        if self._absent(column, False):
            return ""
        value = self.raw(column)
        if isinstance(value, dt.datetime):  # Excel turns a typed date into a date cell
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        text = self._text(column)
        try:
            if _ISO_DATE.fullmatch(text):
                return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
        self.fail(column, "write the date as YYYY-MM-DD, e.g. 2026-06-30")
        return ""


# --- the links table ---------------------------------------------------------------------------

_LINK_COLUMNS = (
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
)
_LINK_REQUIRED = ("chain", "tier", "site_kind", "stone_type", "product", "channel")
_SITE_COLUMNS = ("site_name", "country", "province", "district", "address", "latitude", "longitude")

_parse_channel = _enum_parser(Channel, "channel")
_parse_origin_confidence = _enum_parser(OriginConfidence, "origin_confidence")


def _link_row(row: _Row) -> ParsedLinkRow | None:
    chain = row.text("chain", required=True, max_length=40)
    tier = row.integer("tier", 1, 9, required=True)
    site_kind = row.choice("site_kind", parse_site_kind, required=True)
    site_id, new_site = _site(row)
    stone_type = row.text("stone_type", required=True, max_length=40)
    product = row.text("product", required=True, max_length=100)
    channel = row.choice("channel", _parse_channel, required=True)
    origin_confidence = _origin_confidence(row, known=not (row.blank("site_id") and row.blank("site_name")))
    circular = row.boolean("circular")
    volume, volume_unit, price = _quantities(row)
    contract_notes = row.text("contract_notes", max_length=2000, single_line=False)
    # A required value is None only after an error (in this row, or its column missing from the file).
    if not row.ok or tier is None or site_kind is None or channel is None:
        return None
    return ParsedLinkRow(
        row=row.number,
        chain=chain,
        tier=tier,
        site_kind=site_kind,
        site_id=site_id,
        new_site=new_site,
        stone_type=stone_type,
        product=product,
        channel=channel,
        origin_confidence=origin_confidence,
        circular=circular,
        volume=volume,
        volume_unit=volume_unit,
        price_eur_per_unit=price,
        contract_notes=contract_notes,
    )


def _site(row: _Row) -> tuple[str | None, NewSite | None]:
    """A registered site (site_id), a described one (site_name and the columns after it), or none:
    the company does not know this site."""
    if not row.blank("site_id"):
        site_id = row.choice("site_id", parse_site_id)
        for column in _SITE_COLUMNS:
            if not row.blank(column):
                row.fail(column, "must be empty when site_id is given: the registered site's details are used")
        return site_id, None
    if not row.blank("site_name"):
        return None, _new_site(row)
    if any(not row.blank(column) for column in _SITE_COLUMNS):
        row.fail(
            "site_name",
            "needed to describe a site; for an unknown site leave site_name, country, "
            "province, district, address, latitude and longitude all empty",
        )
    return None, None


def _new_site(row: _Row) -> NewSite | None:
    name = row.text("site_name", max_length=200)
    country = row.choice("country", validate_country, required=True)
    province = row.text("province", max_length=80)
    district = row.text("district", max_length=80)
    if district and not province:
        row.fail("province", "needed when a district is given")
    address = row.text("address", max_length=300)
    coordinates = _coordinates(row)
    if not row.ok or country is None:  # None only after an error (here, or the column missing)
        return None
    return NewSite(
        name=name,
        country=country,
        province=province,
        district=district,
        address=address,
        latitude=coordinates.latitude if coordinates else None,
        longitude=coordinates.longitude if coordinates else None,
    )


def _coordinates(row: _Row) -> Coordinates | None:
    given = {column: not row.blank(column) for column in ("latitude", "longitude")}
    if not any(given.values()):
        return None
    if not all(given.values()):
        missing, other = ("longitude", "latitude") if given["latitude"] else ("latitude", "longitude")
        row.fail(missing, f"needed when {other} is given: give both or neither")
        return None
    latitude, longitude = row.coordinate("latitude"), row.coordinate("longitude")
    if latitude is not None and longitude is not None:
        try:  # both in range, the usual case: one check of the pair
            return Coordinates.create(float(latitude), float(longitude))
        except ValidationError:
            pass  # say which one is out of range, below
    checked_latitude = _in_range(row, "latitude", latitude)
    checked_longitude = _in_range(row, "longitude", longitude)
    if checked_latitude is None or checked_longitude is None:
        return None
    return Coordinates.create(checked_latitude, checked_longitude)


def _in_range(row: _Row, column: str, number: Decimal | None) -> float | None:
    """A coordinate read by ``_Row.coordinate`` (None: refused there), checked alone."""
    if number is None:
        return None
    try:
        # Coordinates.create holds the ranges; pair each value with a neutral 0 to check it alone.
        if column == "latitude":
            Coordinates.create(number, 0)
        else:
            Coordinates.create(0, number)
    except ValidationError as error:
        row.fail(column, error.message)
        return None
    return float(number)


def _origin_confidence(row: _Row, known: bool) -> OriginConfidence | None:
    if known:
        return row.choice("origin_confidence", _parse_origin_confidence, required=True)
    if not row.blank("origin_confidence"):
        row.fail("origin_confidence", "must be empty for an unknown site (no site_id and no site_name)")
    return None


def _quantities(row: _Row) -> tuple[Decimal | None, str | None, Decimal | None]:
    volume = row.decimal("volume")
    volume_unit = row.choice("volume_unit", _parse_volume_unit)
    price = row.decimal("price_eur_per_unit")
    if row.blank("volume_unit") and not (row.blank("volume") and row.blank("price_eur_per_unit")):
        row.fail("volume_unit", "needed when a volume or a price per unit is given: one of " + ", ".join(_VOLUME_UNITS))
    return volume, volume_unit, price


# --- questionnaire and action plan -------------------------------------------------------------


def _questionnaire_row(row: _Row) -> QuestionnaireAnswer | None:
    question = row.text("question", required=True, max_length=500)
    answer = row.text("answer", required=True, max_length=5000, single_line=False)
    return QuestionnaireAnswer(question=question, answer=answer) if row.ok else None


def _action_plan_row(row: _Row) -> ActionPlanItem | None:
    risk = row.text("risk", required=True, max_length=1000, single_line=False)
    priority = row.integer("priority", 1, 99, required=True)
    measure = row.text("measure", required=True, max_length=2000, single_line=False)
    indicator = row.text("indicator", max_length=1000, single_line=False)
    due = row.iso_date("due")
    if not row.ok or priority is None:  # None only after an error (here, or the column missing)
        return None
    return ActionPlanItem(risk=risk, priority=priority, measure=measure, indicator=indicator, due=due)


# --- tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    columns: tuple[str, ...]
    required: tuple[str, ...]
    parse_row: Callable[[_Row], object | None]


_TABLES = {
    LINKS: _Table(_LINK_COLUMNS, _LINK_REQUIRED, _link_row),
    QUESTIONNAIRE: _Table(("question", "answer"), ("question", "answer"), _questionnaire_row),
    ACTION_PLAN: _Table(
        ("risk", "priority", "measure", "indicator", "due"), ("risk", "priority", "measure"), _action_plan_row
    ),
}


def _parse_table(sheet: str, rows: list[RawRow], errors: list[CellError], numbers: _Numbers) -> list:
    """Parsed rows in file order; problems go to ``errors``. An empty sheet gives no rows."""
    if not rows or _is_blank_row(rows[0]):
        if any(not _is_blank_row(row) for row in rows):
            errors.append(CellError(sheet, 1, "", "row 1 must hold the column headers"))
        return []
    table = _TABLES[sheet]
    positions = _header(sheet, rows[0], table, errors)
    missing = frozenset(column for column in table.required if column not in positions)
    unnamed = [i for i, value in enumerate(rows[0]) if not _cell_text(value)]
    width = len(rows[0])
    parsed = []
    for number, values in enumerate(rows[1:], start=2):
        if _is_blank_row(values):
            continue
        first_error = len(errors)
        cells = {column: values[i] for column, i in positions.items() if i < len(values)}
        result = table.parse_row(_Row(sheet, number, cells, missing, errors, numbers))
        if result is not None:
            parsed.append(result)
        if unnamed or len(values) > width:
            _report_cells_without_header(sheet, number, values, width, unnamed, errors)
        if len(errors) > first_error + 1:
            # a row's errors in the order of its columns, as the reader scans the row
            errors[first_error:] = sorted(errors[first_error:], key=lambda e: positions.get(e.column, len(values)))
    return parsed


def _header(sheet: str, header: RawRow, table: _Table, errors: list[CellError]) -> dict[str, int]:
    """Column name -> position. Names are matched case-insensitively, surrounding blanks ignored.

    Unknown columns are named in the error. When row 1 holds no known name at all, the header row is
    most likely missing and row 1 is data: then the labels are not repeated, as they may be prices
    or supplier names.
    """
    labels = [" ".join(_cell_text(value).split()) for value in header]
    if not any(label.lower() in table.columns for label in labels):
        errors.append(CellError(sheet, 1, "", "row 1 must hold the column headers: " + ", ".join(table.columns)))
        return {}
    positions: dict[str, int] = {}
    for i, label in enumerate(labels):
        name = label.lower()
        if not name:
            continue
        if name not in table.columns:
            errors.append(CellError(sheet, 1, label, "unknown column; the columns are: " + ", ".join(table.columns)))
        elif name in positions:
            errors.append(CellError(sheet, 1, name, "this column appears more than once"))
        else:
            positions[name] = i
    for column in table.required:
        if column not in positions:
            errors.append(CellError(sheet, 1, column, "required column is missing"))
    return positions


def _report_cells_without_header(
    sheet: str, number: int, values: RawRow, width: int, unnamed: list[int], errors: list[CellError]
) -> None:
    for i, value in enumerate(values):
        if (i >= width or i in unnamed) and _cell_text(value):
            errors.append(
                CellError(
                    sheet,
                    number,
                    "",
                    f"a value in spreadsheet column {get_column_letter(i + 1)}, which has no column header",
                )
            )


# --- entry point -------------------------------------------------------------------------------


def parse_report_file(
    data: bytes, filename: str, decimal_separator: Separator | str | None = None, max_rows: int | None = None
) -> ParsedReport:
    """``decimal_separator``: as given with the upload (comma or dot); None detects it from the numbers.
    ``max_rows``: the row limit per table, MAX_LINK_ROWS unless the secretariat sets a higher one."""
    max_rows = MAX_LINK_ROWS if max_rows is None else max_rows
    given = parse_separator(decimal_separator) if isinstance(decimal_separator, str) else decimal_separator
    kind = _file_kind(filename)
    if len(data) > MAX_FILE_BYTES:
        raise _file_error(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    errors: list[CellError] = []
    hint = None
    if kind == ".csv":
        sheets, delimiter = _read_csv(data, max_rows)
        hint = Separator.COMMA if delimiter == ";" else None
    else:
        sheets = _read_xlsx(data, errors, max_rows)
    readings: dict[str, Reading] = {}
    convention = _number_convention(sheets, given, errors, readings)
    # When the numbers contradict each other (an error already), the rest is still checked, with
    # the numbers that read two ways refused.
    numbers = _Numbers(convention or NumberConvention(None, Source.NOT_NEEDED), hint, readings)
    if LINKS not in sheets:
        errors.append(CellError(LINKS, 0, "", "the workbook has no sheet named links"))
        links: list[ParsedLinkRow] = []
    else:
        links = _parse_table(LINKS, sheets[LINKS], errors, numbers)
        if all(_is_blank_row(row) for row in sheets[LINKS][1:]):
            errors.append(CellError(LINKS, 0, "", "no supply links: below the header row, put one link per row"))
    questionnaire = _parse_table(QUESTIONNAIRE, sheets.get(QUESTIONNAIRE, []), errors, numbers)
    action_plan = _parse_table(ACTION_PLAN, sheets.get(ACTION_PLAN, []), errors, numbers)
    if errors:
        raise ReportFileError(errors)
    return ParsedReport(
        rows=tuple(links), questionnaire=tuple(questionnaire), action_plan=tuple(action_plan), numbers=convention
    )
