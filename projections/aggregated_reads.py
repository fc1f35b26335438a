"""Reading the aggregated list's view: the served release, the site catalogue and the quarry-region
figures (the view that writes these tables: projections/aggregated_list.py).

Kept apart from the view so that what a request reads (and may cache) and how a release is cut can
change separately.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from registry.domain.errors import NotFoundError
from registry.domain.geography import fold


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


class AggregatedList:
    """Reading the view (after the caller was authorised and logged through the filter)."""

    def __init__(self, recorder: Any):
        self.recorder = recorder

    def latest_year(self) -> int | None:
        """The latest report year with a release (a year with reports but none is not shown)."""
        with self.recorder.cursor(commit=False) as cursor:
            row = cursor.execute("SELECT MAX(year) FROM {schema}.agg_releases").fetchone()
        return row[0] if row and row[0] is not None else None

    def require_release(self, year: int) -> None:
        """A year's list exists only once released: k companies reported (module docstring)."""
        with self.recorder.cursor(commit=False) as cursor:
            row = cursor.execute("SELECT release FROM {schema}.agg_releases WHERE year = %s", (year,)).fetchone()
        if row is None:
            raise NotFoundError(f"not yet released: fewer than {self.recorder.view.k} companies have reported"
                                f" for {year}")

    def sites(self, year: int | None = None, country: str | None = None, region: str | None = None,
              stone_type: str | None = None, kind: str | None = None) -> tuple[int | None, list[AggregatedSite]]:
        """Sites in use in ``year`` (default: the latest report year), merged sites shown as the
        site they were merged into; ``region`` matches a province or a district.

        Always the year's last release; NotFoundError for a year not yet released."""
        if year is None:
            year = self.latest_year()
            if year is None:
                return None, []
        else:
            self.require_release(year)
        where, params = ["u.year = %s", "u.users > 0"], [year]
        if country:
            where.append("s.country = %s")
            params.append(country.upper())
        if region:
            where.append("(s.province_key = %s OR s.district_key = %s)")
            params += [fold(region), fold(region)]
        if kind:
            where.append("s.kind = %s")
            params.append(kind)
        with self.recorder.cursor(commit=False) as cursor:
            rows = cursor.execute(
                "SELECT DISTINCT s.site_id, s.kind, s.name, s.country, s.province, s.district, s.latitude,"
                " s.longitude, s.stone_types FROM {schema}.agg_site_use u"
                " JOIN {schema}.agg_sites m ON m.site_id = u.site_id"
                " JOIN {schema}.agg_sites s ON s.site_id = COALESCE(m.merged_into, m.site_id)"
                f" WHERE {' AND '.join(where)} ORDER BY s.site_id", params).fetchall()
        sites = [AggregatedSite(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7],
                                tuple(json.loads(row[8]))) for row in rows]
        if stone_type:
            wanted = fold(stone_type)
            sites = [site for site in sites if wanted in {fold(s) for s in site.stone_types}]
        return year, sites

    def survivors(self) -> dict[str, str]:
        """Each merged site -> the site it was merged into in the end: a report may name a site by
        an id merged since (a duplicate confirmed by the secretariat, or a new site that another
        company's report described first: registry/domain/site_intake.py)."""
        with self.recorder.cursor(commit=False) as cursor:
            merged = dict(cursor.execute(
                "SELECT site_id, merged_into FROM {schema}.agg_sites WHERE merged_into IS NOT NULL").fetchall())
        survivors = {}
        for site_id in merged:
            target, seen = site_id, set()
            while target in merged and target not in seen:
                seen.add(target)
                target = merged[target]
            survivors[site_id] = target
        return survivors

    def catalogue(self) -> dict[str, CatalogueSite]:
        """Every registered site's public facts by site id (merged and on-hold sites included), for
        showing a linked-list row as a site a person recognises."""
        with self.recorder.cursor(commit=False) as cursor:
            rows = cursor.execute(
                "SELECT s.site_id, s.kind, s.name, s.country, s.province, s.district, s.province_key,"
                " s.district_key, a.address, s.latitude, s.longitude FROM {schema}.agg_sites s"
                " LEFT JOIN {schema}.agg_site_addresses a ON a.site_id = s.site_id").fetchall()
        return {row[0]: CatalogueSite(*row[:8], row[8] or "", row[9], row[10]) for row in rows}


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
            " WHERE year = %s AND companies > 0 ORDER BY country, province_key, district_key", (year,)).fetchall()
        out = []
        for country, province_key, district_key, companies in regions:
            sites = cursor.execute(
                "SELECT s.province, s.district, s.latitude, s.longitude FROM {schema}.agg_sites s"
                " JOIN {schema}.agg_site_use u ON u.site_id = s.site_id AND u.year = %s AND u.users > 0"
                " WHERE s.kind = 'quarry' AND s.country = %s AND s.province_key = %s AND s.district_key = %s"
                " ORDER BY s.site_id", (year, country, province_key, district_key)).fetchall()
            points = [(row[2], row[3]) for row in sites if row[2] is not None]
            out.append(RegionUse(
                country=country, province=sites[0][0] if sites else province_key,
                district=sites[0][1] if sites else district_key, companies=companies, sites=len(sites),
                latitude=sum(p[0] for p in points) / len(points) if points else None,
                longitude=sum(p[1] for p in points) / len(points) if points else None,
            ))
    return out
