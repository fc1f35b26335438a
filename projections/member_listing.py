"""The public member listing (art. 5 lid 12): company, joined on, level and progress per year, action
plan without supplier names, an explanation when delayed from level 3, withdrawals and exclusions.

Everything this view stores is published data. The action plan comes in redacted (the reader removes
every supplier the same report version names); nothing confidential is kept here.

A company's row changes at the secretariat's acts, never at the company's own upload: anyone may
watch this public page, and a row that changed the moment a report came in would tell when that
company uploaded (and so which sites the aggregated list gains, channel 3 of issue 11). So the
action plan is read at the report's *assessment* (the version assessed is the latest submitted), not
at its submission; a correction after the assessment shows at the next one.

The names to remove from a plan are the sites' public names, which this view keeps in a table of
its own from the sites' registration events (``member_site_names``): a view never loads aggregates to
read a name.
"""

from __future__ import annotations

import json
from typing import Any

from eventsourcing.utils import get_topic

from keys.storage.sql import Cursor
from projections.runner import View, table_exists
from registry.domain.organisations import Organisation, OrganisationKind
from registry.domain.reports import SupplyChainReport
from registry.domain.sites import ProductionSite

# (report event, site id -> registered name or None) -> (year, redacted plan items of its latest version) | None
PlanReader = Any


class MemberListingView(View):
    name = "member_listing"
    topics = tuple(
        get_topic(cls)
        for cls in (
            Organisation.Registered,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            Organisation.Joined,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            Organisation.MembershipEnded,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            Organisation.DelayExplained,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            SupplyChainReport.Started,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            SupplyChainReport.Assessed,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            ProductionSite.Registered,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
        )
    )
    tables = ("member_listing", "member_reports", "member_site_names")

    def __init__(self, read_plan: PlanReader):
        self.read_plan = read_plan

    def create_tables(self, cursor: Cursor) -> bool:
        # A store made before the names table: the view is built again from the first event, so
        # that no plan is redacted without the names of the sites registered before.
        rebuild = table_exists(cursor, "member_listing") and not table_exists(cursor, "member_site_names")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.member_site_names (site_id TEXT PRIMARY KEY, name TEXT NOT NULL)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.member_listing (organisation_id TEXT PRIMARY KEY,"
            " name TEXT NOT NULL, document TEXT NOT NULL)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.member_reports (report_id TEXT PRIMARY KEY,"
            " organisation_id TEXT NOT NULL, year INTEGER NOT NULL)"
        )
        return rebuild

    def apply(self, cursor: Cursor, event: Any) -> None:
        if isinstance(event, ProductionSite.Registered):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            cursor.execute(
                "INSERT INTO {schema}.member_site_names (site_id, name) VALUES (%s, %s)", (event.public_id, event.name)
            )
            return
        if isinstance(event, Organisation.Registered):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            if OrganisationKind(event.kind) == OrganisationKind.MEMBER_COMPANY:
                document: dict[str, Any] | None = {
                    "ref": event.ref,
                    "name": event.name,
                    "country": event.country,
                    "periods": [],
                    "levels": {},
                    "action_plan": None,
                    "delay_explanations": {},
                }
                cursor.execute(
                    "INSERT INTO {schema}.member_listing (organisation_id, name, document) VALUES (%s, %s, %s)",
                    (str(event.originator_id), event.name, json.dumps(document)),
                )
            return
        if isinstance(event, SupplyChainReport.Started):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            cursor.execute(
                "INSERT INTO {schema}.member_reports (report_id, organisation_id, year) VALUES (%s, %s, %s)",
                (str(event.originator_id), str(event.company_id), event.year),
            )
            return
        organisation_id, year = self._owner(cursor, event)
        document = self._document(cursor, organisation_id)
        if document is None:
            return
        if isinstance(event, Organisation.Joined):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            document["periods"].append({"joined_on": event.on.isoformat(), "ended_on": None, "end_reason": None})
        elif isinstance(event, Organisation.MembershipEnded):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            document["periods"][-1].update(ended_on=event.on.isoformat(), end_reason=str(event.reason))
        elif isinstance(event, Organisation.DelayExplained):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            document["delay_explanations"][str(event.year)] = event.explanation
        elif isinstance(event, SupplyChainReport.Assessed):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            document["levels"][str(year)] = {"level": event.level, "assessed_on": event.assessed_on.isoformat()}
            read = self.read_plan(event, lambda site_id: _site_name(cursor, site_id))
            current = document["action_plan"]
            if read is not None and (current is None or read[0] >= current["year"]):
                document["action_plan"] = {"year": read[0], "items": read[1]}
        cursor.execute(
            "UPDATE {schema}.member_listing SET document = %s WHERE organisation_id = %s",
            (json.dumps(document), organisation_id),
        )

    @staticmethod
    def _owner(cursor: Cursor, event: Any) -> tuple[str, int | None]:
        if isinstance(event, SupplyChainReport.Assessed):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            row = cursor.execute(
                "SELECT organisation_id, year FROM {schema}.member_reports WHERE report_id = %s",
                (str(event.originator_id),),
            ).fetchone()
            return (row[0], row[1]) if row else ("", None)
        return str(event.originator_id), None

    @staticmethod
    def _document(cursor: Cursor, organisation_id: str) -> dict[str, Any] | None:
        row = cursor.execute(
            "SELECT document FROM {schema}.member_listing WHERE organisation_id = %s", (organisation_id,)
        ).fetchone()
        return json.loads(row[0]) if row else None


def _site_name(cursor: Cursor, site_id: str) -> str | None:
    row = cursor.execute("SELECT name FROM {schema}.member_site_names WHERE site_id = %s", (site_id,)).fetchone()
    return row[0] if row else None


class MemberListing:
    def __init__(self, recorder: Any):
        self.recorder = recorder

    def members(self) -> list[dict]:
        """Every member company, past members included (with their withdrawal or exclusion), by name."""
        with self.recorder.cursor(commit=False) as cursor:
            rows = cursor.execute("SELECT document FROM {schema}.member_listing ORDER BY name").fetchall()
        out = []
        for (raw,) in rows:
            document = json.loads(raw)
            if not document["periods"]:
                continue  # registered, never joined: not a member
            levels = [{"year": int(year), **value} for year, value in sorted(document["levels"].items())]
            out.append(
                {
                    "ref": document["ref"],
                    "name": document["name"],
                    "country": document["country"],
                    "joined_on": document["periods"][0]["joined_on"],
                    "periods": document["periods"],
                    "current_member": document["periods"][-1]["ended_on"] is None,
                    "level": levels[-1]["level"] if levels else None,
                    "progress": levels,
                    "action_plan": document["action_plan"],
                    "delay_explanations": [
                        {"year": int(year), "explanation": text}
                        for year, text in sorted(document["delay_explanations"].items())
                    ],
                }
            )
        return out
