"""The published quarry-region list (art. 6 lid 5): every quarry region where members source, per
report year. It names no site and no company.

A region's figures (companies, sites) are shown only where at least ``k`` distinct companies
source there (default 3), so that a small count cannot single a company out. The region itself is
public (art. 6 lid 5), so every region has a map point (see ``region_point`` for the rule). A year
is *published* once, as a frozen snapshot in an append-only table: publishing next year's list
cannot change last year's, and a snapshot frozen under an earlier rule is served as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import asdict, dataclass
from typing import Any

from keys.storage.append_only import protect_tables
from keys.storage.sql import SqlStore
from projections.aggregated_reads import RegionUse
from registry.csvsafe import rows_to_csv
from registry.domain.errors import ConflictError, NotFoundError, ValidationError
from registry.domain.geography import country_name

DEFAULT_K = 3
FORMATS = ("json", "csv", "geojson")
CSV_COLUMNS = ("country", "country_name", "province", "district", "companies", "sites", "latitude", "longitude")


@dataclass(frozen=True)
class PublishedRegion:
    country: str
    country_name: str
    province: str
    district: str
    companies: int | None  # None: fewer than k companies source here
    sites: int | None
    latitude: float | None  # see region_point; None only where no quarry of the region has coordinates
    longitude: float | None


def region_point(latitude: float | None, longitude: float | None, shown: bool) -> tuple[float | None, float | None]:
    """The published map point of a region, from the centre (mean) of its quarries in use.

    - At or above k (``shown``): that centre rounded to 0.1 degree (about 10 km), as before.
    - Below k: the centre of the whole-degree cell (1 x 1 degree, about 100 km, a district's size)
      that holds that centre. It places the region on the map without locating its quarries: it says
      no more than the district's name does, and moving the quarries anywhere inside their cell does
      not move the point. (The centre of quarries that lie in one cell lies in that cell too.)

    A point of the region independent of its sites (a gazetteer's district centre) would be better
    still, but the registry has no such data; without coordinates on any quarry there is no point.
    """
    if latitude is None or longitude is None:
        return None, None
    if shown:
        return round(latitude, 1), round(longitude, 1)
    cell_lat = min(math.floor(latitude), 89)  # 90 N / 180 E belong to the cell below them
    cell_lon = min(math.floor(longitude), 179)
    return cell_lat + 0.5, cell_lon + 0.5


def apply_publication_rule(uses: list[RegionUse], k: int) -> list[PublishedRegion]:
    if k < 2:
        raise ValidationError("k", "at least 2: a figure of 1 names a single company's sourcing")
    regions = []
    for use in uses:
        shown = use.companies >= k
        latitude, longitude = region_point(use.latitude, use.longitude, shown)
        regions.append(
            PublishedRegion(
                country=use.country,
                country_name=country_name(use.country),
                province=use.province,
                district=use.district,
                companies=use.companies if shown else None,
                sites=use.sites if shown else None,
                latitude=latitude,
                longitude=longitude,
            )
        )
    return sorted(regions, key=lambda r: (r.country, r.province.casefold(), r.district.casefold()))


class PublishedQuarryRegions:
    """The frozen yearly snapshots (append-only)."""

    def __init__(self, sql: SqlStore):
        self.sql = sql

    def create_tables(self) -> None:
        with self.sql.transaction() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS {schema}.published_quarry_regions (year INTEGER PRIMARY KEY,"
                " published_on TEXT NOT NULL, k INTEGER NOT NULL, document TEXT NOT NULL)"
            )
        protect_tables(self.sql, ["published_quarry_regions"])

    def publish(self, year: int, uses: list[RegionUse], k: int, on: dt.date) -> dict[str, Any]:
        """Freeze the year's list. Two publishers of one year at once both pass the first look; the
        year's key decides between them (``ON CONFLICT DO NOTHING``), and the later one is told so."""
        if self.document(year) is not None:
            raise _published_already(year)
        document = {
            "year": year,
            "published_on": on.isoformat(),
            "k": k,
            "regions": [asdict(region) for region in apply_publication_rule(uses, k)],
        }
        with self.sql.transaction() as cursor:
            inserted = cursor.execute(
                "INSERT INTO {schema}.published_quarry_regions (year, published_on, k, document)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (year) DO NOTHING",
                (year, on.isoformat(), k, json.dumps(document)),
            ).rowcount
        if inserted != 1:
            raise _published_already(year)
        return document

    def document(self, year: int | None = None) -> dict[str, Any] | None:
        """The published list of ``year``, or of the latest published year."""
        with self.sql.transaction() as cursor:
            if year is None:
                row = cursor.execute(
                    "SELECT document FROM {schema}.published_quarry_regions ORDER BY year DESC LIMIT 1"
                ).fetchone()
            else:
                row = cursor.execute(
                    "SELECT document FROM {schema}.published_quarry_regions WHERE year = %s", (year,)
                ).fetchone()
        return json.loads(row[0]) if row else None

    def years(self) -> list[int]:
        with self.sql.transaction() as cursor:
            return [
                row[0]
                for row in cursor.execute("SELECT year FROM {schema}.published_quarry_regions ORDER BY year").fetchall()
            ]

    def require(self, year: int | None) -> dict[str, Any]:
        document = self.document(year)
        if document is None:
            raise NotFoundError("no published quarry-region list for that year")
        return document


def as_csv(document: dict[str, Any]) -> str:
    """The list as CSV; provinces and districts come from company reports, so every cell goes
    through ``registry.csvsafe`` (a district written as a formula is shown as text)."""
    return rows_to_csv(
        [CSV_COLUMNS, *([region.get(column) for column in CSV_COLUMNS] for region in document["regions"])]
    )


def as_geojson(document: dict[str, Any]) -> dict[str, Any]:
    """A FeatureCollection with a Point per region (``region_point``). A region has no geometry only
    in a snapshot frozen before below-k regions got a point, or when none of its quarries has
    coordinates."""
    features = []
    for region in document["regions"]:
        geometry = (
            {"type": "Point", "coordinates": [region["longitude"], region["latitude"]]}
            if region["latitude"] is not None
            else None
        )
        properties = {key: value for key, value in region.items() if key not in ("latitude", "longitude")}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {
        "type": "FeatureCollection",
        "name": f"TruStone quarry regions {document['year']}",
        "year": document["year"],
        "published_on": document["published_on"],
        "k": document["k"],
        "features": features,
    }


def render(document: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(document, ensure_ascii=False, indent=2)
    if fmt == "csv":
        return as_csv(document)
    if fmt == "geojson":
        return json.dumps(as_geojson(document), ensure_ascii=False, indent=2)
    raise ValidationError("format", "one of: " + ", ".join(FORMATS))


def _published_already(year: int) -> ConflictError:
    return ConflictError(f"the quarry-region list for {year} is published already; published lists do not change")
