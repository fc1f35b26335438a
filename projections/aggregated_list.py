"""The aggregated list (art. 6 lid 4): production sites in use by at least one member in a report
year, with no company reference of any kind.

What the view stores: a catalogue of sites (public data) and, per site and year, how many reports
use it. Nothing about which report or company: a report's previous site set, needed to see which
sites it dropped, is read from the event store through the filter, never kept here. Rows come out
ordered by the site's random public id, so order says nothing about who reported first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic

from keys.sql import Cursor
from projections.runner import View
from registry.domain.geography import fold
from registry.domain.reports import SupplyChainReport
from registry.domain.sites import ProductionSite

# (report event) -> (report year, site ids now, site ids of the version before); None when unreadable
LinkReader = Callable[[Any], tuple[int, set[str], set[str]] | None]


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


class AggregatedListView(View):
    name = "aggregated_list"
    topics = (get_topic(ProductionSite.Registered), get_topic(ProductionSite.Merged),
              get_topic(SupplyChainReport.VersionSubmitted))
    tables = ("agg_sites", "agg_site_use", "agg_region_use", "agg_site_addresses")

    def __init__(self, read_links: LinkReader):
        self.read_links = read_links

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.agg_sites (site_id TEXT PRIMARY KEY, aggregate_id TEXT NOT NULL,"
            " kind TEXT NOT NULL,"
            " name TEXT NOT NULL, country TEXT NOT NULL, province TEXT NOT NULL, district TEXT NOT NULL,"
            " province_key TEXT NOT NULL, district_key TEXT NOT NULL, latitude REAL, longitude REAL,"
            " stone_types TEXT NOT NULL, merged_into TEXT)")
        # A site's address or place (public, like the rest of the catalogue), in a table of its own so
        # that a store made before it gains it with CREATE TABLE IF NOT EXISTS; sites registered before
        # then get theirs with `trustone projections rebuild --view aggregated_list`.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.agg_site_addresses (site_id TEXT PRIMARY KEY, address TEXT NOT NULL)")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.agg_site_use (site_id TEXT NOT NULL, year INTEGER NOT NULL,"
            " users INTEGER NOT NULL, PRIMARY KEY (site_id, year))")
        # Quarry regions (art. 6 lid 5): per region and year, how many reports source quarries there.
        # One report is one company's year, so this counts distinct companies; it never says which.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.agg_region_use (country TEXT NOT NULL, province_key TEXT NOT NULL,"
            " district_key TEXT NOT NULL, year INTEGER NOT NULL, companies INTEGER NOT NULL,"
            " PRIMARY KEY (country, province_key, district_key, year))")

    def apply(self, cursor: Cursor, event: Any) -> None:
        if isinstance(event, ProductionSite.Registered):
            self._register(cursor, event)
        elif isinstance(event, ProductionSite.Merged):
            cursor.execute("UPDATE {schema}.agg_sites SET merged_into = %s WHERE aggregate_id = %s",
                           (event.into, str(event.originator_id)))
        elif isinstance(event, SupplyChainReport.VersionSubmitted):
            self._report(cursor, event)

    @staticmethod
    def _register(cursor: Cursor, event: Any) -> None:
        region, point = event.region, event.coordinates
        cursor.execute(
            "INSERT INTO {schema}.agg_sites (site_id, aggregate_id, kind, name, country, province, district,"
            " province_key, district_key, latitude, longitude, stone_types)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (event.public_id, str(event.originator_id), str(event.kind), event.name, region.country, region.province, region.district,
             fold(region.province), fold(region.district), point.latitude if point else None,
             point.longitude if point else None, json.dumps(list(event.stone_types))))
        if event.address:
            cursor.execute("INSERT INTO {schema}.agg_site_addresses (site_id, address) VALUES (%s, %s)",
                           (event.public_id, event.address))

    def _report(self, cursor: Cursor, event: Any) -> None:
        read = self.read_links(event)
        if read is None:
            return  # shredded or unreadable: contributes nothing (a rebuild drops what it gave before)
        year, now, before = read
        for site_id in sorted(now - before):
            cursor.execute(
                "INSERT INTO {schema}.agg_site_use AS u (site_id, year, users) VALUES (%s, %s, 1)"
                " ON CONFLICT (site_id, year) DO UPDATE SET users = u.users + 1",
                (site_id, year))
        for site_id in sorted(before - now):
            cursor.execute("UPDATE {schema}.agg_site_use SET users = users - 1 WHERE site_id = %s AND year = %s",
                           (site_id, year))
        regions_now, regions_before = self._quarry_regions(cursor, now), self._quarry_regions(cursor, before)
        for region in sorted(regions_now - regions_before):
            cursor.execute(
                "INSERT INTO {schema}.agg_region_use AS r (country, province_key, district_key, year, companies)"
                " VALUES (%s, %s, %s, %s, 1) ON CONFLICT (country, province_key, district_key, year)"
                " DO UPDATE SET companies = r.companies + 1", (*region, year))
        for region in sorted(regions_before - regions_now):
            cursor.execute(
                "UPDATE {schema}.agg_region_use SET companies = companies - 1"
                " WHERE country = %s AND province_key = %s AND district_key = %s AND year = %s", (*region, year))

    @staticmethod
    def _quarry_regions(cursor: Cursor, site_ids: set[str]) -> set[tuple[str, str, str]]:
        regions: set[tuple[str, str, str]] = set()
        for site_id in sorted(site_ids):
            row = cursor.execute(
                "SELECT country, province_key, district_key FROM {schema}.agg_sites"
                " WHERE site_id = %s AND kind = 'quarry'", (site_id,)).fetchone()
            if row is not None:
                regions.add((row[0], row[1], row[2]))
        return regions



class AggregatedList:
    """Reading the view (after the caller was authorised and logged through the filter)."""

    def __init__(self, recorder: Any):
        self.recorder = recorder

    def latest_year(self) -> int | None:
        with self.recorder.cursor(commit=False) as cursor:
            row = cursor.execute("SELECT MAX(year) FROM {schema}.agg_site_use WHERE users > 0").fetchone()
        return row[0] if row and row[0] is not None else None

    def sites(self, year: int | None = None, country: str | None = None, region: str | None = None,
              stone_type: str | None = None, kind: str | None = None) -> tuple[int | None, list[AggregatedSite]]:
        """Sites in use in ``year`` (default: the latest report year), merged sites shown as the
        site they were merged into; ``region`` matches a province or a district."""
        year = year or self.latest_year()
        if year is None:
            return None, []
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
