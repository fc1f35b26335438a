"""The linked list (art. 6 lid 3): which member company buys from which production site.

The view keeps, per report (company, year), only its latest version's link list *as sealed in the
event store*: the same ciphertext, bound to the same row and the company's data key. So no table
holds a company-site pair in plaintext, nothing new is encrypted here, and shredding a company
makes its rows unreadable like everything else of it. Reading goes through the filter
(``ConfidentialFilter.open_many``), which logs one entry per company in the result before release.

A row is bound to its source on every read: the sealed links are opened with the associated data of
the event they came from *as the row's own columns name it* (the report id derived from the row's
company and year, the event version the row records, the field) and must have been sealed under
that company's key. A row whose company, year or links were changed or swapped with another row's
does not open, and the filter refuses the whole search as an integrity failure instead of naming
the wrong company. ``trustone verify`` checks the rest against the event store (trustone/cli_verify.py).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic

from keys.encryption.sealing import SealedField, field_context
from keys.storage.sql import Cursor
from projections.runner import View, table_exists
from registry.domain.organisations import Organisation
from registry.domain.reports import SupplyChainReport

LINKS_FIELD = "links"


@dataclass(frozen=True)
class LinkedRow:
    """One link as released to a reader: the company, the site as a person recognises it (public
    catalogue facts, joined in after the filter opened the link), and the link's own terms."""

    company: str
    year: int
    site_id: str
    site_kind: str
    site_name: str
    country: str
    province: str
    district: str
    address: str
    latitude: float | None
    longitude: float | None
    tier: int
    stone_type: str
    product: str
    channel: str
    # claimed, partly_known or verified as reported; "verified" also once a field check confirmed the
    # link (registry/usecases/verification.py ``overlay``); "" when the report left it empty
    origin_confidence: str = ""


class LinkedListView(View):
    """A row names its company by its public ref, read from the view's own table of organisations
    (``linked_companies``, from their registration events), never by loading an aggregate."""

    name = "linked_list"
    topics = (
        get_topic(Organisation.Registered),  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
        get_topic(SupplyChainReport.Started),  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
        get_topic(SupplyChainReport.VersionSubmitted),  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
    )
    tables = ("linked_reports", "linked_companies")

    def create_tables(self, cursor: Cursor) -> bool:
        # a store made before the organisations table: built again from the first event
        rebuild = table_exists(cursor, "linked_reports") and not table_exists(cursor, "linked_companies")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.linked_companies (company_id TEXT PRIMARY KEY, ref TEXT NOT NULL)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.linked_reports (report_id TEXT PRIMARY KEY, company TEXT NOT NULL,"
            " year INTEGER NOT NULL, version INTEGER, links TEXT, links_context TEXT)"
        )
        # which companies reported a year, read without touching the sealed links (covering: a version
        # is set together with the links); and one company's report, for a search by company
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS linked_reports_year_company ON {schema}.linked_reports (year, company, version)"
        )
        return rebuild

    def apply(self, cursor: Cursor, event: Any) -> None:
        if isinstance(event, Organisation.Registered):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            cursor.execute(
                "INSERT INTO {schema}.linked_companies (company_id, ref) VALUES (%s, %s)",
                (str(event.originator_id), event.ref),
            )
            return
        if isinstance(event, SupplyChainReport.Started):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            cursor.execute(
                "INSERT INTO {schema}.linked_reports (report_id, company, year)"
                " SELECT %s, ref, %s FROM {schema}.linked_companies WHERE company_id = %s",
                (str(event.originator_id), event.year, str(event.company_id)),
            )
            return
        links = event.links
        if not isinstance(links, SealedField):
            raise TypeError("the linked list reads sealed links only")  # never plaintext into a view
        cursor.execute(
            "UPDATE {schema}.linked_reports SET version = %s, links = %s, links_context = %s WHERE report_id = %s",
            (event.number, base64.b64encode(links.blob).decode(), links.context, str(event.originator_id)),
        )


def bound_links(app_name: str, company_ref: str, year: int, links: str, links_context: str | None) -> SealedField:
    """A row's sealed links, to be opened only as what the row claims to be (see the module's doc).

    Only the event version is taken from the stored context: the version is not a fact the row
    states elsewhere, and a context naming another report, field or application fails anyway.
    """
    company_id = Organisation.create_id(company_ref)
    report_id = SupplyChainReport.create_id(company_id, year)
    version = (links_context or "").rsplit("/", 2)
    event_version = int(version[1]) if len(version) == 3 and version[1].isdigit() else -1
    try:
        blob = base64.b64decode(links, validate=True)
    except ValueError:  # not base64 at all: an empty blob, which the filter reports as not opening
        blob = b""
    return SealedField(blob, field_context(app_name, report_id, event_version, LINKS_FIELD), owner=str(company_id))


class LinkedList:
    def __init__(self, recorder: Any, app_name: str = "registry"):
        self.recorder = recorder
        self.app_name = app_name  # the application whose events the rows were copied from

    def sealed_reports(self, year: int | None) -> tuple[int | None, list[tuple[str, SealedField]]]:
        """(company ref, sealed links) of every report of the year (default: latest with any)."""
        year = self.year(year)
        if year is None:
            return None, []
        with self.recorder.cursor(commit=False) as cursor:
            rows = cursor.execute(
                "SELECT company, links, links_context FROM {schema}.linked_reports"
                " WHERE year = %s AND links IS NOT NULL ORDER BY company",
                (year,),
            ).fetchall()
        return year, [(row[0], bound_links(self.app_name, row[0], year, row[1], row[2])) for row in rows]

    def year(self, year: int | None) -> int | None:
        """The year asked for, or (none asked) the latest year with any report."""
        if year is not None:
            return year
        with self.recorder.cursor(commit=False) as cursor:
            row = cursor.execute("SELECT MAX(year) FROM {schema}.linked_reports WHERE version IS NOT NULL").fetchone()
        return row[0] if row else None

    def companies(self, year: int) -> list[str]:
        """The refs of the companies with a report of the year, in page order (Python's, whatever the
        store's collation). Read from the index alone: no sealed links are read."""
        with self.recorder.cursor(commit=False) as cursor:
            rows = cursor.execute(
                "SELECT company FROM {schema}.linked_reports WHERE year = %s AND version IS NOT NULL", (year,)
            ).fetchall()
        return sorted(row[0] for row in rows)

    def sealed_of(self, year: int, companies: list[str]) -> list[tuple[str, SealedField]]:
        """(company ref, sealed links) of these companies' reports of the year, in the order asked;
        a company without one is left out. Every row naming the company is returned: two rows naming
        one company in a year can only be a changed row, and each must be opened to say so."""
        if not companies:
            return []
        marks = ", ".join(["%s"] * len(companies))
        with self.recorder.cursor(commit=False) as cursor:
            rows = cursor.execute(
                "SELECT company, links, links_context FROM {schema}.linked_reports"
                f" WHERE year = %s AND company IN ({marks}) AND links IS NOT NULL",
                (year, *companies),
            ).fetchall()
        found: dict[str, list] = {}
        for row in sorted(rows, key=lambda row: (row[2] or "", row[1] or "")):
            found.setdefault(row[0], []).append(row)
        return [
            (ref, bound_links(self.app_name, ref, year, links, context))
            for ref in dict.fromkeys(companies)
            for _, links, context in found.get(ref, [])
        ]

    def rows(self) -> list[tuple[str, str, int, int | None, str | None, str | None]]:
        """Every row as stored (report id, company, year, version, links, links context), for the verifier."""
        with self.recorder.cursor(commit=False) as cursor:
            return cursor.execute(
                "SELECT report_id, company, year, version, links, links_context"
                " FROM {schema}.linked_reports ORDER BY report_id"
            ).fetchall()
