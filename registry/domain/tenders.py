"""The tender register of member governments (covenant art. 7 lid 7 and 14; docs/tenders.md).

A member government (an organisation of kind ``public_buyer``) records each of its natural-stone
tenders: title, publication date, an optional reference (a TenderNed or e-Procurement number or
link), the estimated value as a band, the criteria applied (bijlage 3, the Flemish ISV clauses,
comparable ones, or none) and the purchase type of the snelgids (1: natural stone bought directly,
often a framework agreement; 2: stone as part of a public work). Art. 7 lid 7: "Aangesloten
aanbestedende diensten rapporteren jaarlijks aan het secretariaat over hun aanbestedingen met
natuursteen".

One aggregate per government per year (``TenderYear``, the year of the tender's publication date):
entries may be recorded, corrected and removed while the year is open; once the government submits
its yearly report the year is fixed and every change is a 409. A year may be submitted from the
first day of the next year on (before then, tenders of that year could still follow), also with no
entries at all ("we had no natural-stone tenders" is a report too). The secretariat publishes the
aggregated report of a year once (``TenderReport``): it is frozen from then on.

Confidentiality (docs/tenders.md, "What is sealed"): an entry's title, reference and estimated
value band travel in one ``details`` attribute, sealed under the government's data key
(``CONFIDENTIAL_EVENTS``). The publication date, the criteria and the purchase type are in clear:
they are what the public report counts, and they say nothing a published tender notice does not.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from eventsourcing.domain import Aggregate, event

from registry.domain.errors import ConflictError, NotFoundError, ValidationError
from registry.domain.organisations import Organisation
from registry.domain.text import one_line

CONFIDENTIAL_EVENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    # sealed under the government's data key: its owner is the organisation's id (a UUID, as every data
    # key's owner is: the key is unwrapped with it in a later process), not its ref
    "TenderYear.EntryRecorded": ("key_owner", ("details",)),
    "TenderYear.EntryCorrected": ("key_owner", ("details",)),
}

TITLE_LONGEST = 300
REFERENCE_LONGEST = 500
PUBLICATION_THRESHOLD = 3  # k: value bands of a year are published only when this many governments reported
_NAMESPACE = uuid.UUID("5d0c1f7e-3a8b-4c2d-9e61-7b4f0a2c8d13")


class ValueBand(StrEnum):
    """The estimated value (excl. VAT) as a band, never an amount (docs/tenders.md). The top band
    starts at the EU threshold for public works (about EUR 5.5 million)."""

    UNDER_50K = "under_50k"
    FROM_50K_TO_250K = "50k_250k"
    FROM_250K_TO_1M = "250k_1m"
    FROM_1M_TO_5_5M = "1m_5_5m"
    OVER_5_5M = "over_5_5m"


class Criterion(StrEnum):
    """What the tender applied. Bijlage 3 has an award phase ("gunningfase") and a contract phase
    ("contractfase"), each at three ambitions; art. 7 lid 6 allows "vergelijkbare" criteria."""

    AWARD_BASIS = "award_basis"
    AWARD_SIGNIFICANT = "award_significant"
    AWARD_AMBITIOUS = "award_ambitious"
    CONTRACT_BASIS = "contract_basis"
    CONTRACT_SIGNIFICANT = "contract_significant"
    CONTRACT_AMBITIOUS = "contract_ambitious"
    ISV = "isv"  # the Flemish international social conditions (internationale sociale voorwaarden)
    COMPARABLE = "comparable"
    NONE = "none"


class PurchaseType(StrEnum):
    """The snelgids's two kinds of purchase (tip 2, figure 1)."""

    TYPE_1 = "type_1"  # stone bought directly from a supplier, the main subject (often a framework agreement)
    TYPE_2 = "type_2"  # stone as part of a public work (a square, a street)


class YearStatus(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"


# --- checks on input: each error names its field ----------------------------------------------------


def check_title(value: Any) -> str:
    return one_line(value, "title", TITLE_LONGEST)


def check_reference(value: Any) -> str | None:
    if value is None or not str(value).strip():
        return None
    return one_line(value, "reference", REFERENCE_LONGEST)


def check_date(value: Any, today: dt.date) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError("date", "a date (YYYY-MM-DD)")
    if value > today:
        raise ValidationError("date", "must not be in the future (the tender's publication date)")
    if value.year < 2000:
        raise ValidationError("date", "from the year 2000 on")
    return value


def check_value_band(value: Any) -> ValueBand:
    try:
        return ValueBand(str(value))
    except ValueError:
        raise ValidationError("value_band", "one of " + ", ".join(band.value for band in ValueBand)) from None


def check_purchase_type(value: Any) -> PurchaseType:
    try:
        return PurchaseType(str(value))
    except ValueError:
        raise ValidationError("purchase_type", "type_1 or type_2") from None


def check_criteria(values: Any) -> tuple[Criterion, ...]:
    """A set of criteria, in the table's order; "none" stands alone, and at least one is chosen."""
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise ValidationError("criteria", "a list of criteria")
    chosen: set[Criterion] = set()
    for value in values:
        try:
            chosen.add(Criterion(str(value)))
        except ValueError:
            raise ValidationError("criteria", "each one of " + ", ".join(c.value for c in Criterion)) from None
    if not chosen:
        raise ValidationError("criteria", "choose at least one (or none)")
    if Criterion.NONE in chosen and len(chosen) > 1:
        raise ValidationError("criteria", "'none' cannot be combined with other criteria")
    return tuple(criterion for criterion in Criterion if criterion in chosen)


def check_entry(
    title: Any, date: Any, reference: Any, value_band: Any, criteria: Any, purchase_type: Any, today: dt.date
) -> dict[str, Any]:
    """An entry's input, cleaned; raises ValidationError naming the first bad field."""
    return {
        "title": check_title(title),
        "date": check_date(date, today),
        "reference": check_reference(reference),
        "value_band": check_value_band(value_band),
        "criteria": check_criteria(criteria),
        "purchase_type": check_purchase_type(purchase_type),
    }


# --- one government's year -------------------------------------------------------------------------


class TenderYear(Aggregate):
    """One government's tenders of one year. Its id is derived from the government and the year,
    both in clear anyway (the index lists them), so a year is found without a scan."""

    @staticmethod
    def create_id(government: str, year: int) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"tender-year:{government}:{year}")

    @event("Opened")
    def __init__(self, government: str, year: int) -> None:
        self.government = government
        self.year = year
        self.status = YearStatus.OPEN
        # entry id -> {"date", "criteria", "purchase_type", "details" (sealed once stored), "recorded_on", ...}
        self.entries: dict[str, dict[str, Any]] = {}
        self.submitted_on: dt.date | None = None
        self.submitted_by: str | None = None

    def _require_open(self, what: str) -> None:
        if self.status is not YearStatus.OPEN:
            raise ConflictError(
                f"the tender register of {self.year} was submitted on {self.submitted_on}: "
                f"it is fixed, an entry can no longer be {what}"
            )

    def _require_year(self, date: dt.date) -> None:
        if date.year != self.year:
            raise ValidationError("date", f"must stay in {self.year}; remove the entry and record it again")

    def _entry(self, entry_id: str) -> dict[str, Any]:
        entry = self.entries.get(str(entry_id))
        if entry is None:
            raise NotFoundError("no tender with that id in this register")
        return entry

    def record(self, *, entry: dict[str, Any], on: dt.date, by: str) -> str:
        """``entry`` as ``check_entry`` returns it. Returns the new entry's id (random)."""
        self._require_open("recorded")
        self._require_year(entry["date"])
        entry_id = str(uuid.uuid4())
        self._recorded(
            entry_id=entry_id,
            government=self.government,
            key_owner=Organisation.create_id(self.government),
            on=on,
            by=by,
            **_split(entry),
        )
        return entry_id

    @event("EntryRecorded")
    def _recorded(
        self,
        entry_id: str,
        government: str,
        key_owner: uuid.UUID,
        date: dt.date,
        criteria: list[str],
        purchase_type: str,
        details: Any,
        on: dt.date,
        by: str,
    ) -> None:
        self.entries[entry_id] = {
            "date": date,
            "criteria": tuple(Criterion(c) for c in criteria),
            "purchase_type": PurchaseType(purchase_type),
            "details": details,  # a SealedField once read back from the store
            "recorded_on": on,
            "recorded_by": by,
            "corrected_on": None,
        }

    def correct(self, *, entry_id: str, entry: dict[str, Any], on: dt.date, by: str) -> None:
        self._entry(entry_id)
        self._require_open("corrected")
        self._require_year(entry["date"])
        self._corrected(
            entry_id=str(entry_id),
            government=self.government,
            key_owner=Organisation.create_id(self.government),
            on=on,
            by=by,
            **_split(entry),
        )

    @event("EntryCorrected")
    def _corrected(
        self,
        entry_id: str,
        government: str,
        key_owner: uuid.UUID,
        date: dt.date,
        criteria: list[str],
        purchase_type: str,
        details: Any,
        on: dt.date,
        by: str,
    ) -> None:
        self.entries[entry_id].update(
            date=date,
            criteria=tuple(Criterion(c) for c in criteria),
            purchase_type=PurchaseType(purchase_type),
            details=details,
            corrected_on=on,
        )

    def remove(self, *, entry_id: str, on: dt.date, by: str) -> None:
        self._entry(entry_id)
        self._require_open("removed")
        self._removed(entry_id=str(entry_id), on=on, by=by)

    @event("EntryRemoved")
    def _removed(self, entry_id: str, on: dt.date, by: str) -> None:
        del self.entries[entry_id]

    def submit(self, *, on: dt.date, by: str) -> None:
        """The yearly report (art. 7 lid 7): from 1 January of the next year on, once."""
        self._require_open("changed")
        if on.year <= self.year:
            raise ConflictError(
                f"the year {self.year} is not over: its tender register can be submitted "
                f"from 1 January {self.year + 1} on"
            )
        self._submitted(on=on, by=by)

    @event("Submitted")
    def _submitted(self, on: dt.date, by: str) -> None:
        self.status = YearStatus.SUBMITTED
        self.submitted_on = on
        self.submitted_by = by


def _split(entry: dict[str, Any]) -> dict[str, Any]:
    """The clear part of an entry and its sealed ``details`` (title, reference, value band)."""
    return {
        "date": entry["date"],
        "criteria": [criterion.value for criterion in entry["criteria"]],
        "purchase_type": entry["purchase_type"].value,
        "details": {
            "title": entry["title"],
            "reference": entry["reference"],
            "value_band": entry["value_band"].value,
        },
    }


# --- the index and the published reports --------------------------------------------------------


class TenderIndex(Aggregate):
    """Which government has a register for which year, and which years' reports are published, so
    that the secretariat's overview and the public list need no scan. Saved with each new year and
    each publication (two at once conflict on its version and one retries). Nothing confidential."""

    ID = uuid.UUID("8f3a6c1e-2b47-4d9a-b5e0-6c1d9f2a7e35")

    @staticmethod
    def create_id() -> uuid.UUID:
        return TenderIndex.ID

    @event("Opened")
    def __init__(self) -> None:
        self.registers: list[tuple[str, int]] = []
        self.published: list[int] = []

    @event("YearAdded")
    def add_year(self, government: str, year: int) -> None:
        self.registers.append((government, year))

    @event("ReportAdded")
    def add_report(self, year: int) -> None:
        self.published.append(year)


def count_report(year: int, registers: list[tuple[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    """The aggregated counts of a year over the *submitted* registers given, each
    ``(government, entries)`` with entries holding ``criteria``, ``purchase_type`` and ``value_band``.

    A tender with several criteria counts once under each; ``tenders`` counts each tender once.
    The value bands are left out (``None``) when fewer than ``PUBLICATION_THRESHOLD`` governments
    had a tender that year: with one or two, a band would be one government's spending
    (docs/tenders.md). A government that submitted an empty year counts as reporting, not towards
    the threshold: two empty registers beside one full one would otherwise publish that one's bands."""
    entries = [entry for _government, year_entries in registers for entry in year_entries]
    governments = len({government for government, _entries in registers})
    with_tenders = len({government for government, year_entries in registers if year_entries})
    by_criterion = {criterion.value: 0 for criterion in Criterion}
    by_type = {kind.value: 0 for kind in PurchaseType}
    by_band = {band.value: 0 for band in ValueBand}
    for entry in entries:
        for criterion in entry["criteria"]:
            by_criterion[Criterion(criterion).value] += 1
        by_type[PurchaseType(entry["purchase_type"]).value] += 1
        by_band[ValueBand(entry["value_band"]).value] += 1
    suppressed = with_tenders < PUBLICATION_THRESHOLD
    return {
        "year": year,
        "governments": governments,
        "tenders": len(entries),
        "by_criterion": by_criterion,
        "by_purchase_type": by_type,
        "by_value_band": None if suppressed else by_band,
        "value_bands_suppressed": suppressed,
        "threshold": PUBLICATION_THRESHOLD,
    }


class TenderReport(Aggregate):
    """A year's published public report: the counts as they were on the day, never changed again."""

    @staticmethod
    def create_id(year: int) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"tender-report:{year}")

    @event("Published")
    def __init__(self, year: int, counts: dict[str, Any], on: dt.date, by: str) -> None:
        self.year = year
        self.counts = counts
        self.published_on = on
        self.published_by = by
