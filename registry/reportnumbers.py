"""How a report file writes its numbers: the decimal separator, one rule for the whole file.

Dutch and Belgian spreadsheets write ``4.200,5`` (dot between thousands, decimal comma); English ones
``4,200.5``. ``4.200`` alone is 4200 in the first and 4.2 in the second, and guessing wrong stores a
wrong volume, which is worse than refusing the file. So (docs/report-format.md, "Numbers"):

- The decimal separator is given with the upload, or else detected once per file from the numbers
  that can only be read one way (``3,5``, ``1.234,5``, ``4.25``, ``1,234.5``). Numbers that show both
  conventions in one file are refused, naming the rows of each.
- A number that reads two ways (``4.200``, ``4,200``) is read by the file's separator; when the file
  gives no evidence either way and none was given, it is refused with both readings.
- Numeric spreadsheet cells are numbers already: no separator to read.

Error texts name the readings in words, never the cell's value: a cell may hold a price.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Separator(StrEnum):
    COMMA = "comma"
    DOT = "dot"

    @property
    def char(self) -> str:
        return "," if self is Separator.COMMA else "."

    @property
    def other(self) -> Separator:
        return Separator.DOT if self is Separator.COMMA else Separator.COMMA


def parse_separator(value: str | None) -> Separator | None:
    """The optional ``decimal_separator`` of an upload: ``comma``, ``dot`` (or the character), or none."""
    from registry.domain.errors import ValidationError

    if value is None or not value.strip():
        return None
    folded = value.strip().lower()
    for separator in Separator:
        if folded in (separator.value, separator.char):
            return separator
    raise ValidationError("decimal_separator", "comma or dot (or leave it out to detect it from the file)")


class Source(StrEnum):
    GIVEN = "given"  # with the upload
    DETECTED = "detected"  # from the numbers in the file that read one way only
    NOT_NEEDED = "not_needed"  # no number in the file has a separator that matters


@dataclass(frozen=True)
class NumberConvention:
    """What the import used, stated in its result."""

    separator: Separator | None
    source: Source
    where: str = ""  # DETECTED: the first cell that showed it, e.g. "links row 3, column volume"

    def describe(self) -> str:
        separator = self.separator
        if self.source is Source.GIVEN:
            assert separator is not None  # a given convention names its separator
            return f"decimal separator {separator.char!r} ({separator}), as given with the upload"
        if self.source is Source.DETECTED:
            assert separator is not None  # so does a detected one
            return f"decimal separator {separator.char!r} ({separator}), detected from {self.where}"
        return "no number in the file needed a decimal separator to be read"


def _pattern(decimal: str, thousands: str) -> re.Pattern[str]:
    """ASCII digits only (``re.ASCII``): ``\\d`` would also match full-width ``１２３`` or Arabic-Indic
    digits, and ``Decimal()`` reads those too, so a volume could come in that nobody typed as one."""
    d, t = re.escape(decimal), re.escape(thousands)
    whole = rf"(?:\d+|[1-9]\d{{0,2}}(?:{t}\d{{3}})+)"  # a grouped number never starts with 0
    return re.compile(rf"[+-]?(?:{whole}(?:{d}\d*)?|{d}\d+)", re.ASCII)


_PATTERNS = {separator: _pattern(separator.char, separator.other.char) for separator in Separator}


def read_as(text: str, separator: Separator) -> Decimal | None:
    """The number ``text`` is when ``separator`` is the decimal separator (the other one then
    separates thousands), or None when it is not a number written that way."""
    if not _PATTERNS[separator].fullmatch(text):
        return None
    plain = text.replace(separator.other.char, "").replace(separator.char, ".")
    return Decimal(plain + "0" if plain.endswith(".") else plain)


@dataclass(frozen=True)
class Reading:
    """Every way a text cell can be read as a number."""

    by_comma: Decimal | None
    by_dot: Decimal | None

    @property
    def is_number(self) -> bool:
        return self.by_comma is not None or self.by_dot is not None

    @property
    def evidence(self) -> Separator | None:
        """The separator this number shows the file uses, when it can be read one way only."""
        if self.by_comma is not None and self.by_dot is None:
            return Separator.COMMA
        if self.by_dot is not None and self.by_comma is None:
            return Separator.DOT
        return None

    @property
    def ambiguous(self) -> bool:
        return self.by_comma is not None and self.by_dot is not None and self.by_comma != self.by_dot

    def value(self, separator: Separator | None) -> Decimal | None:
        """The number under the file's separator; None when it does not read that way (or, with no
        separator known, when it is ambiguous)."""
        if separator is None:
            return None if self.ambiguous else (self.by_comma if self.by_comma is not None else self.by_dot)
        return self.by_comma if separator is Separator.COMMA else self.by_dot


def reading(text: str) -> Reading:
    return Reading(by_comma=read_as(text, Separator.COMMA), by_dot=read_as(text, Separator.DOT))


def ambiguity_message(text: str, hint: Separator | None) -> str:
    """Both readings of an ambiguous number, in words (never its digits: it may be a price)."""
    char = "," if "," in text else "."
    decimals = len(text.rsplit(char, 1)[1])
    message = (
        f"the {char!r} can be a thousands separator (a whole number) or the decimal separator "
        f"({decimals} decimals), and no other number in the file shows which: write it without a "
        "thousands separator, or give the decimal separator (comma or dot) with the upload"
    )
    if hint is not None:
        message += (
            f"; the columns are separated by ';', as Excel with Dutch or Belgian settings writes, which suggests {hint}"
        )
    return message


def decide(given: Separator | None, evidence: dict[Separator, list[str]]) -> tuple[NumberConvention | None, str]:
    """The file's convention, or (None, why not) when its numbers contradict each other.

    ``evidence`` lists, per separator, the cells (as "links row 3") whose number reads only that way.
    With a separator given, a contradicting number is refused at its own cell instead.
    """
    if given is not None:
        return NumberConvention(given, Source.GIVEN), ""
    shown = [separator for separator in Separator if evidence.get(separator)]
    if len(shown) == 2:

        def cells(separator: Separator) -> str:
            places = evidence[separator]
            more = f" and {len(places) - 3} more" if len(places) > 3 else ""
            return ", ".join(places[:3]) + more

        return None, (
            "the numbers use both conventions: a decimal comma in "
            + cells(Separator.COMMA)
            + "; a decimal dot in "
            + cells(Separator.DOT)
            + ". Write every number one way, or give the decimal separator (comma or dot) with the upload"
        )
    if shown:
        return NumberConvention(shown[0], Source.DETECTED, evidence[shown[0]][0]), ""
    return NumberConvention(None, Source.NOT_NEEDED), ""
