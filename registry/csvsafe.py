"""Spreadsheet-safe cells for every CSV (and any XLSX) the registry writes.

Names in the exports come from outside: a company's report (site names, provinces, districts) or a
party's form (a local partner's name). A spreadsheet runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula, and also one that starts with a tab or a carriage return followed by
one of them (OWASP, "CSV Injection"). Such a text cell is written with a leading apostrophe, which
the spreadsheet shows as text. Leading spaces are looked past, because some spreadsheets trim them
before deciding. Numbers (int, float) are written as they are: ``-23.5`` is a latitude, not a
formula.

This module imports nothing of the registry, so that ``projections`` and ``registry`` can both use
it without an import cycle.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell(value: Any) -> str:
    """The text of one cell: empty for None, a list joined with ``;``, formula starts made inert."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        value = ";".join(str(item) for item in value)
    text = str(value)
    if text.lstrip(" ")[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def comment_line(text: str) -> str:
    """A ``# ...`` line above the header (a watermark), kept on one line and unquoted so that it
    reads as written. A reader still splits it at commas, so every piece after a comma is made
    inert like a cell, and a double quote (which could open a quoted cell) becomes a single one."""
    flat = " ".join(text.replace('"', "'").splitlines())
    first, *rest = ("# " + flat).split(",")
    return ",".join([first, *(cell(piece) for piece in rest)]) + "\n"


def rows_to_csv(rows: Iterable[Iterable[Any]]) -> str:
    """Rows of values as CSV text, every cell through ``cell``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue()
