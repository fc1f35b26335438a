"""Reading the aggregated list's view: the served release, the site catalogue and the quarry-region
figures (the view that writes these tables: projections/aggregated_list.py).

Kept apart from the view so that what a request reads (and may cache) and how a release is cut can
change separately.

**What is kept in memory, and why it is never stale.** Every linked-list search reads the whole site
catalogue and its merges, and the aggregated list changes only at a release; reading them again on
every request was most of a request's time at scale (issue 12). So each process keeps:

- one *snapshot* of the view's public tables: the catalogue (``agg_sites`` with the addresses), the
  merges, and each year's release number (``agg_releases``), tagged with the view's tracking
  position when it was read. Every write to the view commits its tracking record in the same
  transaction, so while the position is unchanged nothing in the view changed; a call first reads
  the position (one row) and reads the tables again only when it moved. A reader that waited for
  a notification id (``ProjectionRunner.wait``) then reads a position at least that high, so it
  never gets a snapshot older than what it waited for, whichever process applied the write;
- the *answers* of each release (a year's sites for a filter, and what the web layer derives from
  them, e.g. a rendered page), keyed by the year, its release number, a digest of the catalogue and
  the query: the served rows (``agg_site_use``) change only at a release, and the catalogue facts
  they are shown with only with the digest. So a write that cuts no release keeps them. An answer is
  kept only when the view's position did not move while it was computed (it is then exactly the
  state its key names), and the kept answers are bounded in size (least recently used go first).

Nothing here is confidential: the view holds public catalogue facts and released counts only. The
memory grows with the catalogue (one snapshot) and is bounded for the answers (``ANSWER_BYTES``).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from registry.domain.errors import NotFoundError
from registry.domain.geography import fold

APPLICATION = "registry"  # the application whose events the view follows (RegistryApplication.name)
ANSWER_BYTES = 32 * 1024 * 1024  # about how much memory the kept answers of one process may take
SITE_BYTES = 400  # about what one AggregatedSite of a kept list takes

T = TypeVar("T")


@dataclass(frozen=True)
class AggregatedSite:
    site_id: str
    kind: str
    name: str
    country: str
    province: str
    district: str
    latitude: float | None
    longitude: float | None
    stone_types: tuple[str, ...]


@dataclass(frozen=True)
class Release:
    """What a year's answer depends on: the year (None: no year is released yet), its release
    number, and the digest of the catalogue the sites are shown with. Equal releases give equal
    answers to equal queries. ``position``: the view's tracking position it was read at."""

    year: int | None
    number: int | None
    catalogue: str
    position: int = field(compare=False)

    def etag(self, *query: Any) -> str:
        """An HTTP entity tag for the answer to ``query`` in this release: the same in every process
        of the store, a new one at the next release or catalogue change. Names nothing but public
        facts (a release number, a digest of the public catalogue, the query), and those hashed."""
        digest = hashlib.blake2b(repr((self.year, self.number, self.catalogue, query)).encode(), digest_size=16)
        return f'"{digest.hexdigest()}"'


@dataclass(frozen=True)
class _Snapshot:
    position: int
    digest: str
    catalogue: dict[str, CatalogueSite]
    survivors: dict[str, str]
    releases: dict[int, int]  # year -> its last release number


class _Answers:
    """Kept answers, least recently used first, bounded by their estimated size in bytes."""

    def __init__(self, budget: int):
        self.budget = budget
        self._kept: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Any | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                return None
            self._kept.move_to_end(key)
            return kept[0]

    def put(self, key: tuple, value: Any, weight: int) -> None:
        if weight > self.budget:
            return
        with self._lock:
            previous = self._kept.pop(key, None)
            if previous is not None:
                self._weight -= previous[1]
            self._kept[key] = (value, weight)
            self._weight += weight
            while self._weight > self.budget:
                _, (_, dropped) = self._kept.popitem(last=False)
                self._weight -= dropped


class AggregatedList:
    """Reading the view (after the caller was authorised and logged through the filter)."""

    def __init__(self, recorder: Any, application_name: str = APPLICATION, answer_bytes: int = ANSWER_BYTES):
        self.recorder = recorder
        self.application_name = application_name
        self._snapshot: _Snapshot | None = None
        self._answers = _Answers(answer_bytes)
        self._lock = threading.Lock()
        self._reading = threading.Lock()  # one snapshot read at a time: the others wait for it
        self._computing: dict[tuple, threading.Lock] = {}  # one computation of an answer at a time

    # --- the release served ----------------------------------------------------------------------

    def release(self, year: int | None = None) -> Release:
        """The release a read of ``year`` (default: the latest year with a release) is answered
        from; NotFoundError for a year not yet released. A year with reports but no release is not
        shown, and with no release at all the year is None."""
        snapshot = self._current()
        if year is None:
            year = max(snapshot.releases, default=None)
        elif year not in snapshot.releases:
            raise NotFoundError(
                f"not yet released: fewer than {self.recorder.view.k} companies have reported for {year}"
            )
        return Release(
            year, snapshot.releases.get(year) if year is not None else None, snapshot.digest, snapshot.position
        )

    def latest_year(self) -> int | None:
        """The latest report year with a release (a year with reports but none is not shown)."""
        return self.release().year

    def require_release(self, year: int) -> None:
        """A year's list exists only once released: k companies reported (projections/aggregated_list.py)."""
        self.release(year)

    def remember(
        self, release: Release, key: tuple, compute: Callable[[], T], weight: Callable[[T], int]
    ) -> tuple[T, bool]:
        """The answer ``compute`` gives for ``key`` in ``release``, computed once and then kept
        while the release is served. Also True when the answer is exactly ``release``'s (it is
        then kept; an answer computed while the view moved on is newer, and returned unkept).

        Concurrent requests for an answer not kept yet wait for the first one's computation
        instead of all computing it at once (20 clients arriving together after a release)."""
        full = (release, key)
        kept = self._answers.get(full)
        if kept is not None:
            return kept, True
        with self._lock:
            computing = self._computing.setdefault(full, threading.Lock())
        try:
            with computing:
                kept = self._answers.get(full)
                if kept is not None:
                    return kept, True
                answer = compute()
                if self._position() != release.position:
                    return answer, False
                self._answers.put(full, answer, max(512, weight(answer)))
                return answer, True
        finally:
            with self._lock:
                self._computing.pop(full, None)

    # --- what is read ------------------------------------------------------------------------------

    def sites(
        self,
        year: int | None = None,
        country: str | None = None,
        region: str | None = None,
        stone_type: str | None = None,
        kind: str | None = None,
    ) -> tuple[int | None, list[AggregatedSite]]:
        """Sites in use in ``year`` (default: the latest report year), merged sites shown as the
        site they were merged into; ``region`` matches a province or a district.

        Always the year's last release; NotFoundError for a year not yet released."""
        release = self.release(year)
        served_year = release.year
        if served_year is None:
            return None, []

        def select() -> tuple[AggregatedSite, ...]:
            served, _ = self.remember(
                release,
                ("year",),
                lambda: self._served_sites(served_year),
                weight=lambda rows: SITE_BYTES * (1 + len(rows)),
            )
            return _filtered(served, country, region, stone_type, kind)

        sites, _ = self.remember(
            release,
            ("sites", country, region, stone_type, kind),
            select,
            weight=lambda found: SITE_BYTES * (1 + len(found)),
        )
        return release.year, list(sites)

    def survivors(self) -> dict[str, str]:
        """Each merged site -> the site it was merged into in the end: a report may name a site by
        an id merged since (a duplicate confirmed by the secretariat, or a new site that another
        company's report described first: registry/domain/site_intake.py)."""
        return dict(self._current().survivors)

    def catalogue(self) -> dict[str, CatalogueSite]:
        """Every registered site's public facts by site id (merged and on-hold sites included), for
        showing a linked-list row as a site a person recognises."""
        return dict(self._current().catalogue)

    # --- reading the tables --------------------------------------------------------------------

    def _position(self) -> int:
        return self.recorder.position(self.application_name)

    def _current(self) -> _Snapshot:
        """The snapshot of the view as of its current position: the one kept, while the position
        has not moved; read again otherwise (its position read first, so it is never older)."""
        position = self._position()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.position == position:
            return snapshot
        with self._reading:  # a request that waited here finds the snapshot the one before it read
            snapshot = self._snapshot
            if snapshot is not None and snapshot.position == position:
                return snapshot
            snapshot = self._read(position)
            if self._snapshot is None or self._snapshot.position <= position:
                self._snapshot = snapshot
        return snapshot

    def _read(self, position: int) -> _Snapshot:
        with self.recorder.cursor(commit=False) as cursor:
            sites = cursor.execute(
                "SELECT site_id, kind, name, country, province, district, province_key, district_key,"
                " latitude, longitude, stone_types, merged_into FROM {schema}.agg_sites"
            ).fetchall()
            addresses = dict(cursor.execute("SELECT site_id, address FROM {schema}.agg_site_addresses").fetchall())
            releases = dict(cursor.execute("SELECT year, release FROM {schema}.agg_releases").fetchall())
        sites = sorted(tuple(row) for row in sites)
        digest = hashlib.blake2b(repr((sites, sorted(addresses.items()))).encode(), digest_size=16).hexdigest()
        catalogue = {
            row[0]: CatalogueSite(*row[:8], addresses.get(row[0]) or "", row[8], row[9])  # type: ignore[call-arg]  # eight fields: mypy cannot count a slice of a tuple of any length
            for row in sites
        }
        merged = {row[0]: row[11] for row in sites if row[11] is not None}
        return _Snapshot(position, digest, catalogue, _survivors(merged), releases)

    def _served_sites(self, year: int) -> tuple[tuple[AggregatedSite, str, str], ...]:
        """Every site the year's release serves (a merged one as its survivor), in site-id order as
        the store sorts, each with its folded province and district (for the region filter)."""
        with self.recorder.cursor(commit=False) as cursor:
            rows = cursor.execute(
                "SELECT DISTINCT s.site_id, s.kind, s.name, s.country, s.province, s.district, s.latitude,"
                " s.longitude, s.stone_types, s.province_key, s.district_key FROM {schema}.agg_site_use u"
                " JOIN {schema}.agg_sites m ON m.site_id = u.site_id"
                " JOIN {schema}.agg_sites s ON s.site_id = COALESCE(m.merged_into, m.site_id)"
                " WHERE u.year = %s AND u.users > 0 ORDER BY s.site_id",
                (year,),
            ).fetchall()
        return tuple(
            (
                AggregatedSite(
                    row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], tuple(json.loads(row[8]))
                ),
                row[9],
                row[10],
            )
            for row in rows
        )


def _filtered(
    served: tuple[tuple[AggregatedSite, str, str], ...],
    country: str | None,
    region: str | None,
    stone_type: str | None,
    kind: str | None,
) -> tuple[AggregatedSite, ...]:
    """The served sites that match every filter given, in the order served: ``country`` (its code),
    ``region`` (a province or district, compared folded), ``kind``, ``stone_type`` (folded)."""
    wanted_region = fold(region) if region else None
    wanted_stone = fold(stone_type) if stone_type else None
    return tuple(
        site
        for site, province_key, district_key in served
        if (not country or site.country == country.upper())
        and (wanted_region is None or wanted_region in (province_key, district_key))
        and (not kind or site.kind == kind)
        and (wanted_stone is None or wanted_stone in {fold(s) for s in site.stone_types})
    )


def _survivors(merged: dict[str, str]) -> dict[str, str]:
    """Each merged site -> the end of its chain of merges (a cycle ends where it closes)."""
    survivors = {}
    for site_id in merged:
        target, seen = site_id, set()
        while target in merged and target not in seen:
            seen.add(target)
            target = merged[target]
        survivors[site_id] = target
    return survivors


@dataclass(frozen=True)
class CatalogueSite:
    """A site as the public catalogue knows it; ``*_key`` are the folded names that filters compare."""

    site_id: str
    kind: str
    name: str
    country: str
    province: str
    district: str
    province_key: str
    district_key: str
    address: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class RegionUse:
    """One quarry region's figures for a year, before any publication rule is applied."""

    country: str
    province: str
    district: str
    companies: int
    sites: int
    latitude: float | None
    longitude: float | None


def quarry_region_use(recorder: Any, year: int) -> list[RegionUse]:
    """Every quarry region where members source in ``year``, in region order, with its raw figures.

    Only the publication step (projections/quarry_regions.py) decides which figures may be shown.
    """
    with recorder.cursor(commit=False) as cursor:
        regions = cursor.execute(
            "SELECT country, province_key, district_key, companies FROM {schema}.agg_region_use"
            " WHERE year = %s AND companies > 0 ORDER BY country, province_key, district_key",
            (year,),
        ).fetchall()
        out = []
        for country, province_key, district_key, companies in regions:
            sites = cursor.execute(
                "SELECT s.province, s.district, s.latitude, s.longitude FROM {schema}.agg_sites s"
                " JOIN {schema}.agg_site_use u ON u.site_id = s.site_id AND u.year = %s AND u.users > 0"
                " WHERE s.kind = 'quarry' AND s.country = %s AND s.province_key = %s AND s.district_key = %s"
                " ORDER BY s.site_id",
                (year, country, province_key, district_key),
            ).fetchall()
            points = [(row[2], row[3]) for row in sites if row[2] is not None]
            out.append(
                RegionUse(
                    country=country,
                    province=sites[0][0] if sites else province_key,
                    district=sites[0][1] if sites else district_key,
                    companies=companies,
                    sites=len(sites),
                    latitude=sum(p[0] for p in points) / len(points) if points else None,
                    longitude=sum(p[1] for p in points) / len(points) if points else None,
                )
            )
    return out
