"""The parser's cell checks against the rules of docs/report-format.md, on random rows (issue 12).

The checks remember, while one file is parsed, what each choice text gave (a column repeats a few
values row after row), and check a pair of coordinates at once when both are in range. So a row's
errors must be those the documented rules give it, whatever the rows before it held: each row is
checked here against the rules written out from the doc (allowed values as the doc lists them,
messages the doc quotes), and against the same row parsed in a file of its own.
"""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from registry.reportfile import ReportFileError, parse_report_file

COLUMNS = [
    "chain",
    "tier",
    "site_kind",
    "site_name",
    "country",
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
]

# Allowed values, as the doc's links table lists them (in its order)
SITE_KINDS = ["quarry", "factory", "cobble_yard", "exporter", "trader", "stone_market", "other"]
CHANNELS = ["direct", "trader", "stone_market"]
CONFIDENCES = ["claimed", "partly_known", "verified"]
UNITS = ["m3", "t", "m2", "pieces"]
TIER_MESSAGE = "a whole number from 1 to 9"  # the doc's example of an error
BOTH_OR_NEITHER = "give both or neither"  # the doc: "give both or neither"

# texts shared between columns ("trader", "other", "direct") are right in one column and wrong in another
_site_kinds = st.sampled_from(
    ["quarry", "Cobble Yard", "cobble-yard", "FACTORY", "stone market", "mine", "quarry!", "other", "trader", "direct"]
)
_channels = st.sampled_from(["direct", "Trader", "stone-market", "ship", "directly", "other", "trader"])
_confidences = st.sampled_from(["claimed", "Partly Known", "partly-known", "sure", "verified"])
_units = st.sampled_from(["m2", "M3", "t", "pieces", "kg", "m"])
_tiers = st.sampled_from(["1", "9", "0", "10", "x", "2.5", "3"])
_countries = st.sampled_from(["IN", "CN", "ZW", "XX", "IND", "1N"])
_coordinates = st.sampled_from(["", "25.2", "-33.9", "91", "-180.5", "abc", "179.9", "-90", "180"])
_circular = st.sampled_from(["", "yes", "no", "TRUE", "false", "1", "0", "maybe", "2"])


@st.composite
def _rows(draw) -> dict[str, str]:
    return {
        "chain": "C1",
        "tier": draw(_tiers),
        "site_kind": draw(_site_kinds),
        "site_name": "Some Quarry",
        "country": draw(_countries),
        "latitude": draw(_coordinates),
        "longitude": draw(_coordinates),
        "stone_type": "granite",
        "product": "slabs",
        "channel": draw(_channels),
        "origin_confidence": draw(_confidences),
        "circular": draw(_circular),
        "volume": "12.5",
        "volume_unit": draw(_units),
        "price_eur_per_unit": "10.25",
    }


def _choice(text: str) -> str:
    """The doc: not case-sensitive, a space or hyphen may be used instead of the underscore."""
    return text.strip().lower().replace(" ", "_").replace("-", "_")


def _degrees(text: str, low: float, high: float) -> bool:
    try:
        return low <= float(text) <= high
    except ValueError:
        return False


def expected_errors(row: dict[str, str]) -> dict[str, str | None]:
    """Column -> the message the doc gives for it (None: the doc names the column, not the words)."""
    errors: dict[str, str | None] = {}
    if not (row["tier"].isdigit() and 1 <= int(row["tier"]) <= 9):
        errors["tier"] = TIER_MESSAGE
    if _choice(row["site_kind"]) not in SITE_KINDS:
        errors["site_kind"] = "one of: " + ", ".join(SITE_KINDS)
    if row["country"] not in ("IN", "CN", "ZW"):
        errors["country"] = None
    latitude, longitude = row["latitude"], row["longitude"]
    if bool(latitude) != bool(longitude):
        errors["longitude" if latitude else "latitude"] = None
    elif latitude:
        if not _degrees(latitude, -90, 90):
            errors["latitude"] = None
        if not _degrees(longitude, -180, 180):
            errors["longitude"] = None
    if _choice(row["channel"]) not in CHANNELS:
        errors["channel"] = "one of: " + ", ".join(CHANNELS)
    if _choice(row["origin_confidence"]) not in CONFIDENCES:
        errors["origin_confidence"] = "one of: " + ", ".join(CONFIDENCES)
    if row["circular"].lower() not in ("", "yes", "no", "true", "false", "1", "0"):
        errors["circular"] = None
    if row["volume_unit"].lower() not in UNITS:
        errors["volume_unit"] = "one of: " + ", ".join(UNITS)
    return errors


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _errors_by_row(rows: list[dict[str, str]]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {number: [] for number in range(2, len(rows) + 2)}
    try:
        parse_report_file(_csv(rows), "report.csv")
    except ReportFileError as error:
        for cell in error.errors:
            assert (cell.sheet, cell.row) != ("file", 0), cell
            found[cell.row].append((cell.column, cell.message))
    return found


@settings(max_examples=60, deadline=None)
@given(st.lists(_rows(), min_size=1, max_size=8))
def test_each_rows_errors_are_those_the_documented_rules_give_it(rows):
    found = _errors_by_row(rows)
    for number, row in enumerate(rows, start=2):
        expected = expected_errors(row)
        columns = [column for column, _ in found[number]]
        assert columns == [column for column in COLUMNS if column in expected], (number, row, found[number])
        for column, message in found[number]:
            assert expected[column] is None or message == expected[column], (column, message)
        if bool(row["latitude"]) != bool(row["longitude"]):
            missing = "longitude" if row["latitude"] else "latitude"
            assert dict(found[number])[missing].endswith(BOTH_OR_NEITHER)
        # the same row in a file of its own (renumbered): the same errors
        assert _errors_by_row([row])[2] == found[number]
