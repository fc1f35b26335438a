"""The site intake: reports waiting for their new sites to be registered (DESIGN 8a, backup operator).

A report may describe production sites the registry does not know. Registering them with the report
would put them in the report's commit, at the report's time, right next to an event that names the
company: a copy of the database would tell which sites that company added. So a described site stays
inside the report (sealed, under the id the report's links use) and the report joins this intake.
Once the waiting reports of at least ``k`` distinct companies describe new sites, all of them are
registered in one commit, in random order: the sites of k companies at once, none attributable to
one of them. Every submission joins the intake, new sites or not, so joining tells nothing either.

The intake holds report and company ids only (both derivable from a company's public reference and
a year, and the member listing shows who reported anyway); never a site.
"""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.domain import Aggregate, event

_ID = uuid.UUID("2c0b1f5e-6a7d-4f1e-9a3b-5d8e7c6b4a01")


class SiteIntake(Aggregate):
    ID = _ID

    @staticmethod
    def create_id() -> uuid.UUID:
        return _ID

    @event("Started")
    def __init__(self) -> None:
        # report id -> {"company": id, "version": n, "tag": keyed tag} (JSON-safe for snapshots)
        self.waiting: dict[str, dict[str, Any]] = {}
        self.releases = 0

    @event("ReportWaiting")
    def wait(self, report_id: str, company_id: str, version: int, tag: str) -> None:
        """``tag`` is a keyed digest (under the company's key) that says whether this version
        describes new sites: the registry can recompute it to count companies with new sites
        without opening any report, and without the key it says nothing."""
        self.waiting[report_id] = {"company": company_id, "version": version, "tag": tag}

    @event("Released")
    def release(self, sites: int) -> None:
        """The new sites of every waiting report were registered (``sites`` of them, in one commit)."""
        self.waiting = {}
        self.releases += 1
