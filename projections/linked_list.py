"""The linked list (art. 6 lid 3): which member company buys from which production site.

The view keeps, per report (company, year), only its latest version's link list *as sealed in the
event store*: the same ciphertext, bound to the same row and the company's data key. So no table
holds a company-site pair in plaintext, nothing new is encrypted here, and shredding a company
makes its rows unreadable like everything else of it. Reading goes through the filter
(``ConfidentialFilter.open_many``), which logs one entry per company in the result before release.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic

from keys.sealing import SealedField
from keys.sql import Cursor
from projections.runner import View
from registry.domain.reports import SupplyChainReport


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


class LinkedListView(View):
    name = "linked_list"
    topics = (get_topic(SupplyChainReport.Started), get_topic(SupplyChainReport.VersionSubmitted))
    tables = ("linked_reports",)

    def __init__(self, company_ref_of: Any):
        self.company_ref_of = company_ref_of  # company id -> public ref

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.linked_reports (report_id TEXT PRIMARY KEY, company TEXT NOT NULL,"
            " year INTEGER NOT NULL, version INTEGER, links TEXT, links_context TEXT)")

    def apply(self, cursor: Cursor, event: Any) -> None:
        if isinstance(event, SupplyChainReport.Started):
            cursor.execute("INSERT INTO {schema}.linked_reports (report_id, company, year) VALUES (%s, %s, %s)",
                           (str(event.originator_id), self.company_ref_of(event.company_id), event.year))
            return
        links = event.links
        if not isinstance(links, SealedField):
            raise TypeError("the linked list reads sealed links only")  # never plaintext into a view
        cursor.execute(
            "UPDATE {schema}.linked_reports SET version = %s, links = %s, links_context = %s WHERE report_id = %s",
            (event.number, base64.b64encode(links.blob).decode(), links.context, str(event.originator_id)))


class LinkedList:
    def __init__(self, recorder: Any):
        self.recorder = recorder

    def sealed_reports(self, year: int | None) -> tuple[int | None, list[tuple[str, SealedField]]]:
        """(company ref, sealed links) of every report of the year (default: latest with any)."""
        with self.recorder.cursor(commit=False) as cursor:
            if year is None:
                row = cursor.execute("SELECT MAX(year) FROM {schema}.linked_reports WHERE links IS NOT NULL").fetchone()
                year = row[0] if row else None
            if year is None:
                return None, []
            rows = cursor.execute(
                "SELECT company, links, links_context FROM {schema}.linked_reports"
                " WHERE year = %s AND links IS NOT NULL ORDER BY company", (year,)).fetchall()
        return year, [(row[0], SealedField(base64.b64decode(row[1]), row[2])) for row in rows]
