"""The aggregated list (art. 6 lid 4): production sites in use by at least one member in a report
year, with no company reference of any kind.

What the view stores: a catalogue of sites (public data) and, per site and year, how many reports
use it. Nothing about which report or company: a report's previous site set, needed to see which
sites it dropped, is read from the event store through the filter, never kept here. Rows come out
ordered by the site's random public id, so order says nothing about who reported first.

**Releases** (docs/lists.md). A party with list rights may sample the list as often as it likes, so
the list must never change in a step that singles out one company's upload. What the view serves
(``agg_site_use``, ``agg_region_use``) is therefore a year's last *release*, not the running state:
an upload, a correction or a shredding only marks its report as changed (``agg_pending``). Once at
least k distinct companies (``TRUSTONE_PUBLISH_K``) changed a year since its last release, a new
release is cut: the year's site and region use recomputed from every report's latest version, read
through the filter. Until then readers get the previous release, byte for byte. A year is not served
at all before its first release, which needs k reporting companies. No running state is kept in
clear, so a copy of the view shows no difference between "released" and "now" to attribute.

A cut happens at a fixed event (the k-th changed company's), so a rebuild cuts the same releases.
Each release's content is also kept in ``agg_release_log``, which a rebuild does not empty: after a
shredding, the rebuild cannot read the shredded reports any more, and recomputing the releases cut
before it would change the served list at the moment of the shredding. A stored release is reused
instead; the shredded company's data leaves the list at the next release (the shredding counts as a
change of that company's years). Only the latest release of a year is kept in the log.

A release costs what changed since the one before, not every report of the year (``batch()``):
what the last release counted is kept in this process's memory, never in the database, which holds
only a random token naming the transaction that memory belongs to.

A site a report describes is registered only later, with other companies' new sites
(registry/domain/site_intake.py). A release counts only registered sites, so a site enters the list
at the first release after its registration, never at the registration itself; two ids of one site
(described by two companies before it was registered, one merged into the other) count as one.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.utils import get_topic

from keys.storage.sql import Cursor
from projections.runner import View
from registry.domain.geography import fold
from registry.domain.organisations import Organisation
from registry.domain.reports import SupplyChainReport
from registry.domain.sites import ProductionSite

DEFAULT_K = 3  # TRUSTONE_PUBLISH_K's default

# (report event) -> (report year, site ids now, site ids of the version before); None when unreadable
LinkReader = Callable[[Any], tuple[int, set[str], set[str]] | None]


class AggregatedListView(View):
    name = "aggregated_list"
    topics = (
        get_topic(ProductionSite.Registered),  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
        get_topic(ProductionSite.Merged),  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
        get_topic(SupplyChainReport.Started),  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
        get_topic(SupplyChainReport.VersionSubmitted),  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
        get_topic(Organisation.ConfidentialDataShredded),  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
    )
    # agg_release_log is left out on purpose: a rebuild keeps the releases already cut (module docstring);
    # agg_memory holds one random token, not a row of the list (batch()), emptied by clear()
    tables = (
        "agg_sites",
        "agg_site_use",
        "agg_region_use",
        "agg_site_addresses",
        "agg_reports",
        "agg_pending",
        "agg_releases",
    )

    def __init__(self, read_links: LinkReader, k: int = DEFAULT_K):
        if k < 2:
            raise ValueError("k: at least 2, or a release would show one company's upload")
        self.read_links = read_links
        self.k = k
        self._memory: _Memory | None = None  # see batch()
        self._in_batch = False
        # year -> (release, its document or what it counted, whether to log it): see _cut
        self._served: dict[int, tuple[int, dict[str, list] | _Counted, bool]] | None = None

    @contextmanager
    def batch(self, cursor: Cursor) -> Iterator[None]:
        """A transaction of events (a batch, or a whole rebuild).

        **What a release costs.** This process keeps in memory, per year, what the year's last
        release counted (``_Memory``): each report's counted version and its site ids, and the
        release's figures. A release then opens only the reports changed since the one before
        (``agg_pending``), and recounts, from memory, the unchanged reports that name a site
        registered or merged since (their figures change with the catalogue, not with a new
        version). So a release costs what changed, not every report of the year. The memory is
        used only while this process is the view's only writer: each transaction ends by writing a
        new random token to ``agg_memory`` and keeping it in memory, and the next one uses the
        memory only if the token it finds is that one. A transaction that rolled back, a rebuild,
        or another process's batch leaves another token, and the memory is dropped: the next
        release of each year is counted again from every report, as before. A copy of the database
        holds the token only, which says nothing; what a release counted stays in this process's
        memory (like the filter's cache of opened values), and a shredded company's part of it is
        dropped at the shredding.

        The served rows of a year (``agg_site_use``, ``agg_region_use``) and its release in the log are
        written once, at the end of the transaction, from the year's last release in it: no reader
        sees a release that a later one in the same transaction replaced, nothing in the transaction
        reads them, and a release costs no rewrite of every site of its year."""
        found = cursor.execute("SELECT token FROM {schema}.agg_memory").fetchone()
        if self._memory is not None and (found is None or found[0] != self._memory.token):
            self._memory = None  # another writer, a rollback or a rebuild since: not what is stored
        self._in_batch, self._served = True, {}
        try:
            yield
            for year, (release, cut, log) in sorted(self._served.items()):
                document = cut.document() if isinstance(cut, _Counted) else cut
                if log:
                    self._log(cursor, year, release, document)
                self._serve(cursor, year, document)
            token = uuid.uuid4().hex
            cursor.execute("DELETE FROM {schema}.agg_memory")
            cursor.execute("INSERT INTO {schema}.agg_memory (token) VALUES (%s)", (token,))
            if self._memory is not None:
                self._memory.token = token
        except BaseException:
            self._memory = None
            raise
        finally:
            self._in_batch, self._served = False, None

    def clear(self, cursor: Cursor) -> None:
        self._memory = None
        super().clear(cursor)
        cursor.execute("DELETE FROM {schema}.agg_memory")

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.agg_sites (site_id TEXT PRIMARY KEY, aggregate_id TEXT NOT NULL,"
            " kind TEXT NOT NULL,"
            " name TEXT NOT NULL, country TEXT NOT NULL, province TEXT NOT NULL, district TEXT NOT NULL,"
            " province_key TEXT NOT NULL, district_key TEXT NOT NULL, latitude REAL, longitude REAL,"
            " stone_types TEXT NOT NULL, merged_into TEXT)"
        )
        # A site's address or place (public, like the rest of the catalogue), in a table of its own so
        # that a store made before it gains it with CREATE TABLE IF NOT EXISTS; sites registered before
        # then get theirs with `trustone projections rebuild --view aggregated_list`.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.agg_site_addresses (site_id TEXT PRIMARY KEY, address TEXT NOT NULL)"
        )
        # The released use of each site per year (how many reports use it in the year's last release).
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.agg_site_use (site_id TEXT NOT NULL, year INTEGER NOT NULL,"
            " users INTEGER NOT NULL, PRIMARY KEY (site_id, year))"
        )
        # Quarry regions (art. 6 lid 5): per region and year, how many reports source quarries there in
        # the year's last release. One report is one company's year, so this counts distinct companies.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.agg_region_use (country TEXT NOT NULL, province_key TEXT NOT NULL,"
            " district_key TEXT NOT NULL, year INTEGER NOT NULL, companies INTEGER NOT NULL,"
            " PRIMARY KEY (country, province_key, district_key, year))"
        )
        # Which reports exist and their latest submitted version: the event store's own metadata (the
        # Started event carries company and year in clear), nothing of their content.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.agg_reports (report_id TEXT PRIMARY KEY, company_id TEXT NOT NULL,"
            " year INTEGER NOT NULL, version INTEGER)"
        )
        # Reports changed since their year's last release (what changed is not kept: see the docstring).
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.agg_pending (year INTEGER NOT NULL, report_id TEXT NOT NULL,"
            " PRIMARY KEY (year, report_id))"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.agg_releases (year INTEGER PRIMARY KEY, release INTEGER NOT NULL)"
        )
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.agg_release_log (year INTEGER PRIMARY KEY, release INTEGER NOT NULL,"
            " document TEXT NOT NULL)"
        )
        # The token of the last transaction whose releases this process keeps in memory (batch()).
        cursor.execute("CREATE TABLE IF NOT EXISTS {schema}.agg_memory (token TEXT NOT NULL)")

    def apply(self, cursor: Cursor, event: Any) -> None:
        if isinstance(event, ProductionSite.Registered):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            self._register(cursor, event)
            if self._memory is not None:
                self._memory.registered(event)
        elif isinstance(event, ProductionSite.Merged):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            cursor.execute(
                "UPDATE {schema}.agg_sites SET merged_into = %s WHERE aggregate_id = %s",
                (event.into, str(event.originator_id)),
            )
            if self._memory is not None:
                merged = cursor.execute(
                    "SELECT site_id FROM {schema}.agg_sites WHERE aggregate_id = %s", (str(event.originator_id),)
                ).fetchone()
                if merged is not None:
                    self._memory.merged(merged[0], event.into)
        elif isinstance(event, SupplyChainReport.Started):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            cursor.execute(
                "INSERT INTO {schema}.agg_reports (report_id, company_id, year, version) VALUES (%s, %s, %s, NULL)",
                (str(event.originator_id), str(event.company_id), event.year),
            )
        elif isinstance(event, SupplyChainReport.VersionSubmitted):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            cursor.execute(
                "UPDATE {schema}.agg_reports SET version = %s WHERE report_id = %s",
                (event.originator_version, str(event.originator_id)),
            )
            self._changed(cursor, [str(event.originator_id)])
        elif isinstance(event, Organisation.ConfidentialDataShredded):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            rows = cursor.execute(
                "SELECT report_id FROM {schema}.agg_reports WHERE company_id = %s"
                " AND version IS NOT NULL ORDER BY report_id",
                (str(event.originator_id),),
            ).fetchall()
            if self._memory is not None:  # what was opened before the shredding is not kept after it
                for year, (release, cut, log) in list((self._served or {}).items()):
                    if isinstance(cut, _Counted):  # released before the shredding: as it was then
                        self._served[year] = (release, cut.document(), log)  # type: ignore[index]
                self._memory.shredded({row[0] for row in rows})
            self._changed(cursor, [row[0] for row in rows])

    @staticmethod
    def _register(cursor: Cursor, event: Any) -> None:
        region, point = event.region, event.coordinates
        cursor.execute(
            "INSERT INTO {schema}.agg_sites (site_id, aggregate_id, kind, name, country, province, district,"
            " province_key, district_key, latitude, longitude, stone_types)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                event.public_id,
                str(event.originator_id),
                str(event.kind),
                event.name,
                region.country,
                region.province,
                region.district,
                fold(region.province),
                fold(region.district),
                point.latitude if point else None,
                point.longitude if point else None,
                json.dumps(list(event.stone_types)),
            ),
        )
        if event.address:
            cursor.execute(
                "INSERT INTO {schema}.agg_site_addresses (site_id, address) VALUES (%s, %s)",
                (event.public_id, event.address),
            )

    # --- releases ----------------------------------------------------------------------------

    def _changed(self, cursor: Cursor, report_ids: list[str]) -> None:
        """Mark reports changed; cut a release of each year where k distinct companies now changed."""
        years = set()
        for report_id in report_ids:
            row = cursor.execute("SELECT year FROM {schema}.agg_reports WHERE report_id = %s", (report_id,)).fetchone()
            if row is None:
                continue
            years.add(row[0])
            cursor.execute(
                "INSERT INTO {schema}.agg_pending (year, report_id) VALUES (%s, %s)"
                " ON CONFLICT (year, report_id) DO NOTHING",
                (row[0], report_id),
            )
        for year in sorted(years):
            changed = cursor.execute(
                "SELECT COUNT(DISTINCT r.company_id) FROM {schema}.agg_pending p"
                " JOIN {schema}.agg_reports r ON r.report_id = p.report_id WHERE p.year = %s",
                (year,),
            ).fetchfirst()[0]
            if changed >= self.k:
                self._cut(cursor, year)

    def _cut(self, cursor: Cursor, year: int) -> None:
        row = cursor.execute("SELECT release FROM {schema}.agg_releases WHERE year = %s", (year,)).fetchone()
        release = (row[0] if row else 0) + 1
        logged = cursor.execute("SELECT release FROM {schema}.agg_release_log WHERE year = %s", (year,)).fetchone()
        cut: dict[str, list] | _Counted
        if logged is not None and logged[0] == release:
            # cut before: served as it was (a rebuild after a shredding)
            cut = json.loads(
                cursor.execute("SELECT document FROM {schema}.agg_release_log WHERE year = %s", (year,)).fetchfirst()[0]
            )
            if self._memory is not None:
                self._memory.years.pop(year, None)  # not what the reports give now: counted afresh next time
        else:
            cut = self._count(cursor, year)
        cursor.execute(
            "INSERT INTO {schema}.agg_releases (year, release) VALUES (%s, %s)"
            " ON CONFLICT (year) DO UPDATE SET release = excluded.release",
            (year, release),
        )
        if self._served is None:
            document = cut.document() if isinstance(cut, _Counted) else cut
            if isinstance(cut, _Counted):
                self._log(cursor, year, release, document)
            self._serve(cursor, year, document)
        else:  # written at the end of the transaction (batch()); a later cut of the year replaces it
            self._served[year] = (release, cut, isinstance(cut, _Counted))
        cursor.execute("DELETE FROM {schema}.agg_pending WHERE year = %s", (year,))

    @staticmethod
    def _log(cursor: Cursor, year: int, release: int, document: dict[str, list]) -> None:
        """Keeps the year's latest release (a release the log holds a later one of stays out)."""
        logged = cursor.execute("SELECT release FROM {schema}.agg_release_log WHERE year = %s", (year,)).fetchone()
        if logged is None or logged[0] < release:
            cursor.execute(
                "INSERT INTO {schema}.agg_release_log (year, release, document) VALUES (%s, %s, %s)"
                " ON CONFLICT (year) DO UPDATE SET release = excluded.release, document = excluded.document",
                (year, release, json.dumps(document)),
            )

    @staticmethod
    def _serve(cursor: Cursor, year: int, document: dict[str, list]) -> None:
        cursor.execute("DELETE FROM {schema}.agg_site_use WHERE year = %s", (year,))
        cursor.execute("DELETE FROM {schema}.agg_region_use WHERE year = %s", (year,))
        _insert_rows(
            cursor,
            "agg_site_use (site_id, year, users)",
            [(site_id, year, users) for site_id, users in document["sites"]],
        )
        _insert_rows(
            cursor,
            "agg_region_use (country, province_key, district_key, year, companies)",
            [
                (country, province_key, district_key, year, companies)
                for country, province_key, district_key, companies in document["regions"]
            ],
        )

    def _count(self, cursor: Cursor, year: int) -> _Counted:
        """The year's release: from memory plus what changed (batch()), or from every report."""
        if not self._in_batch:
            self._memory = None
            return self._compute(cursor, year)
        if self._memory is None:
            self._memory = _Memory(token="", catalogue=_catalogue(cursor))
        counted = self._memory.years.get(year)
        if counted is None:
            counted = self._memory.years[year] = self._compute(cursor, year)
        else:
            self._advance(cursor, year, counted)
        return counted

    def _compute(self, cursor: Cursor, year: int) -> _Counted:
        """The year's use from every report's latest version as of now, read through the filter;
        a shredded or unreadable report contributes nothing. Sorted by public keys only.

        The catalogue is read once per cut (one query, not three per site of every report)."""
        reports = cursor.execute(
            "SELECT report_id, version FROM {schema}.agg_reports WHERE year = %s"
            " AND version IS NOT NULL ORDER BY report_id",
            (year,),
        ).fetchall()
        catalogue = self._memory.catalogue if self._memory is not None else _catalogue(cursor)
        counted = _Counted()
        for report_id, version in reports:
            counted.add(report_id, version, self._read(report_id, version), catalogue)
        return counted

    def _advance(self, cursor: Cursor, year: int, counted: _Counted) -> None:
        """From the year's last release to this one: the reports changed since (``agg_pending``) are
        opened at their latest version; the unchanged ones that name a site registered or merged
        since are counted again from what the last release opened, against the catalogue now."""
        assert self._memory is not None
        catalogue = self._memory.catalogue
        changed = dict(
            cursor.execute(
                "SELECT p.report_id, r.version FROM {schema}.agg_pending p JOIN {schema}.agg_reports r"
                " ON r.report_id = p.report_id WHERE p.year = %s AND r.version IS NOT NULL",
                (year,),
            ).fetchall()
        )
        for report_id in sorted(counted.naming_any(counted.stale) - set(changed)):
            version, site_ids = counted.remove(report_id)
            counted.add(report_id, version, site_ids, catalogue)
        for report_id, version in sorted(changed.items()):
            counted.remove(report_id)
            counted.add(report_id, version, self._read(report_id, version), catalogue)
        counted.stale = set()

    def _read(self, report_id: str, version: int) -> frozenset[str]:
        """The site ids a report's version names; none when it cannot be opened (shredded)."""
        read = self.read_links(_ReportAt(uuid.UUID(report_id), version))
        return frozenset(read[1]) if read is not None else frozenset()


def _insert_rows(cursor: Cursor, table: str, rows: list[tuple], chunk: int = 150) -> None:
    """Many rows in few statements (a release rewrites every site row of its year); at most 750
    parameters a statement, within the oldest SQLite limit (999)."""
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        values = ", ".join(["(" + ", ".join(["%s"] * len(part[0])) + ")"] * len(part))
        cursor.execute(f"INSERT INTO {{schema}}.{table} VALUES {values}", [value for row in part for value in row])


@dataclass(frozen=True)
class _ReportAt:
    """A report as of a version: what the link reader needs of an event to load it."""

    originator_id: uuid.UUID
    originator_version: int


# --- what a release counted (kept in memory, batch()) --------------------------------------------

Catalogue = dict[str, tuple]  # site id -> (merged into, kind, country, province key, district key)
Region = tuple[str, str, str]


def _catalogue(cursor: Cursor) -> Catalogue:
    return {
        row[0]: row[1:]
        for row in cursor.execute(
            "SELECT site_id, merged_into, kind, country, province_key, district_key FROM {schema}.agg_sites"
        ).fetchall()
    }


def _survivor(catalogue: Catalogue, site_id: str) -> str:
    """The site a (possibly merged) site id stands for now: two companies that described one new
    site before it was registered name it by two ids, one merged into the other at registration."""
    seen = set()
    while site_id not in seen:
        seen.add(site_id)
        entry = catalogue.get(site_id)
        if entry is None or entry[0] is None:
            break
        site_id = entry[0]
    return site_id


def _quarry_regions(catalogue: Catalogue, site_ids: frozenset[str]) -> frozenset[Region]:
    return frozenset(
        (entry[2], entry[3], entry[4])
        for entry in map(catalogue.get, site_ids)
        if entry is not None and entry[1] == "quarry"
    )


@dataclass
class _Counted:
    """One year's last release as counted: per report, the version counted and the site ids it
    names (none when it could not be opened), and what that gives against the catalogue then (its
    sites, followed to their survivors, and its quarry regions); the sums of those; and which site
    ids name which reports, for a site registered or merged since (``stale``)."""

    reports: dict[str, tuple[int, frozenset[str], frozenset[str], frozenset[Region]]] = field(default_factory=dict)
    users: Counter[str] = field(default_factory=Counter)
    regions: Counter[Region] = field(default_factory=Counter)
    naming: dict[str, set[str]] = field(default_factory=dict)
    stale: set[str] = field(default_factory=set)

    def add(self, report_id: str, version: int, site_ids: frozenset[str], catalogue: Catalogue) -> None:
        # a site not registered yet (registry/domain/site_intake.py) counts from the first release
        # after its registration: so the registration itself changes no list that is served
        sites = frozenset(_survivor(catalogue, site_id) for site_id in site_ids if site_id in catalogue)
        sites = site_ids if sites == site_ids else sites  # the usual case: one set kept, not two
        regions = _quarry_regions(catalogue, sites)
        self.reports[report_id] = (version, site_ids, sites, regions)
        self.users.update(sites)
        self.regions.update(regions)
        for site_id in site_ids:
            self.naming.setdefault(site_id, set()).add(report_id)

    def remove(self, report_id: str) -> tuple[int, frozenset[str]]:
        """Takes a report out of the sums; returns the version and site ids it was counted with."""
        version, site_ids, sites, regions = self.reports.pop(report_id, (0, frozenset(), frozenset(), frozenset()))
        self.users.subtract(sites)
        self.regions.subtract(regions)
        for site_id in site_ids:
            self.naming[site_id].discard(report_id)
        return version, site_ids

    def naming_any(self, site_ids: set[str]) -> set[str]:
        return {report_id for site_id in site_ids for report_id in self.naming.get(site_id, ())}

    def document(self) -> dict[str, list]:
        """The release as served and logged, sorted by public keys only."""
        return {
            "sites": [[site_id, users] for site_id, users in sorted(self.users.items()) if users > 0],
            "regions": [[*region, n] for region, n in sorted(self.regions.items()) if n > 0],
        }


@dataclass
class _Memory:
    """What this process counted at each year's last release, valid while ``token`` is the one
    stored (batch()), and the catalogue as of the events applied so far."""

    token: str
    catalogue: Catalogue
    years: dict[int, _Counted] = field(default_factory=dict)

    def registered(self, event: Any) -> None:
        region = event.region
        self.catalogue[event.public_id] = (
            None,
            str(event.kind),
            region.country,
            fold(region.province),
            fold(region.district),
        )
        self._stale({event.public_id})

    def merged(self, merged: str, into: str) -> None:
        """Every id that led to the merged site now leads further: the reports naming one are
        counted again at their year's next release."""
        entry = self.catalogue[merged]
        self.catalogue[merged] = (into, *entry[1:])
        self._stale({site_id for site_id in self.catalogue if _leads_through(self.catalogue, site_id, merged)})

    def shredded(self, report_ids: set[str]) -> None:
        """A shredded company's reports: out of the sums now (served only at the next release,
        where they count nothing), and what they named forgotten."""
        for counted in self.years.values():
            for report_id in sorted(report_ids & set(counted.reports)):
                version, _ = counted.remove(report_id)
                counted.add(report_id, version, frozenset(), self.catalogue)

    def _stale(self, site_ids: set[str]) -> None:
        for counted in self.years.values():
            counted.stale |= site_ids


def _leads_through(catalogue: Catalogue, site_id: str, through: str) -> bool:
    seen = set()
    while site_id not in seen:
        if site_id == through:
            return True
        seen.add(site_id)
        entry = catalogue.get(site_id)
        if entry is None or entry[0] is None:
            return False
        site_id = entry[0]
    return False
