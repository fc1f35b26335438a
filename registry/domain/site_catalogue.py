"""The site catalogue: which registered site a described site is, and which it could duplicate.

Duplicate detection only ever compares sites of one kind in one district of one province
(``duplicates.compare``: another kind or another named district is never the same site), plus the
sites of that kind whose district is not known. So the catalogue is kept in small buckets, one
aggregate per (country, province, kind, district): answering a row reads one or two of them, however
large the catalogue grows. A described site without a district could duplicate a site of its kind in
any district of the province: ``DistrictDirectory`` lists, per (country, province, kind), the
districts that have a bucket (a list bounded by geography, not by the number of sites).

Public data only (site ids, normalised names, districts, coordinates): no company. The buckets are
aggregates in the registry's event store, so a registration is checked and recorded in one
transaction: two commands that add to the same bucket conflict on its version.

``RegionSiteIndex`` (one aggregate per province, ``region_index.py``) held the same facts before;
``CatalogueMigrated`` records that its entries were copied into buckets (``registry/site_catalogue.py``).
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

from eventsourcing.domain import Aggregate, event

from registry.domain.duplicates import SiteFingerprint
from registry.domain.geography import Coordinates, fold

_BUCKET_NAMESPACE = uuid.UUID("8d0c2f61-4b7e-4a1d-9e35-2f6a8b1c7d40")
_DIRECTORY_NAMESPACE = uuid.UUID("3e7a9c15-d2f8-4b60-a1e4-6c9b0d2f5a83")


class SiteBucket(Aggregate):
    """The registered sites of one kind in one district of one province (``district_key`` is the
    folded district, empty for sites whose district is not known)."""

    @staticmethod
    @functools.lru_cache(maxsize=65536)
    def create_id(country: str, province: str, kind: str, district_key: str) -> uuid.UUID:
        """Derived from public facts, so a bucket is found with one ``get`` and no lookup table
        (remembered: each row of a report asks for one or two)."""
        return uuid.uuid5(_BUCKET_NAMESPACE, f"{country}/{fold(province)}/{kind}/{district_key}")

    @event("Started")
    def __init__(self, country: str, province: str, kind: str, district_key: str):
        self.country = country
        self.province = province
        self.kind = kind
        self.district_key = district_key
        # public id -> {"name_key", "latitude", "longitude"[, "alias_of"]} (JSON-safe for snapshots)
        self.entries: dict[str, dict[str, Any]] = {}

    @event("SiteAdded")
    def add(self, public_id: str, name_key: str, latitude: float | None, longitude: float | None) -> None:
        self.entries[public_id] = {"name_key": name_key, "latitude": latitude, "longitude": longitude}

    @event("SiteAliased")
    def alias(self, public_id: str, alias_of: str) -> None:
        """A merged site stays findable: a later description matching it leads to the survivor."""
        self.entries[public_id]["alias_of"] = alias_of

    def alias_of(self, public_id: str) -> str | None:
        entry = self.entries.get(public_id)
        return entry.get("alias_of") if entry else None

    def fingerprints(self) -> list[SiteFingerprint]:
        return [
            SiteFingerprint(
                public_id=public_id,
                kind=self.kind,
                name_key=entry["name_key"],
                district_key=self.district_key,
                coordinates=(
                    Coordinates(entry["latitude"], entry["longitude"]) if entry["latitude"] is not None else None
                ),
            )
            for public_id, entry in self.entries.items()
        ]


class DistrictDirectory(Aggregate):
    """The districts of one province that have a bucket of sites of one kind (for a described site
    whose district is not given, which could be any of them)."""

    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def create_id(country: str, province: str, kind: str) -> uuid.UUID:
        """Remembered, as a bucket's: every row of a report asks for its province's directory."""
        return uuid.uuid5(_DIRECTORY_NAMESPACE, f"{country}/{fold(province)}/{kind}")

    @event("Started")
    def __init__(self, country: str, province: str, kind: str):
        self.country = country
        self.province = province
        self.kind = kind
        self.districts: list[str] = []  # folded district keys, "" for sites without one

    @event("DistrictAdded")
    def add(self, district_key: str) -> None:
        self.districts.append(district_key)


class CatalogueMigrated(Aggregate):
    """Recorded once per store, with the buckets filled from the province indexes of before."""

    ID = uuid.UUID("b41e07d2-95c3-4f8a-8d26-1a7c3e5f9b04")

    @staticmethod
    def create_id() -> uuid.UUID:
        return CatalogueMigrated.ID

    @event("Recorded")
    def __init__(self, provinces: int, sites: int):
        self.provinces = provinces
        self.sites = sites
