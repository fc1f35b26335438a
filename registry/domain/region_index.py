"""The sites of one province, kept together so a new site can be checked for duplicates.

One index per country + province (public data, names no company). Duplicate detection only ever
compares sites within a province, so this bounds the work of each check to that province's sites.
"""

from __future__ import annotations

import uuid

from eventsourcing.domain import Aggregate, event

from registry.domain.duplicates import SiteFingerprint
from registry.domain.geography import Coordinates, RegionPath, fold

_NAMESPACE = uuid.UUID("6f1d3e34-8a51-4a55-9d1c-0c3f7f6f2b10")


class RegionSiteIndex(Aggregate):
    @staticmethod
    def create_id(country: str, province: str) -> uuid.UUID:
        """Derived from the (public) region, so the index can be found without a lookup table."""
        return uuid.uuid5(_NAMESPACE, f"{country}/{fold(province)}")

    @event("Started")
    def __init__(self, country: str, province: str):
        self.country = country
        self.province = province
        self.entries: dict[str, dict] = {}

    @event("SiteAdded")
    def add(self, public_id: str, kind: str, name_key: str, district_key: str,
            latitude: float | None, longitude: float | None) -> None:
        self.entries[public_id] = {
            "kind": kind, "name_key": name_key, "district_key": district_key,
            "latitude": latitude, "longitude": longitude,
        }

    @event("SiteAliased")
    def alias(self, public_id: str, alias_of: str) -> None:
        """A merged site stays findable: a later description matching it leads to the survivor."""
        self.entries[public_id]["alias_of"] = alias_of

    def resolve(self, public_id: str) -> str:
        seen = set()
        while (target := self.entries.get(public_id, {}).get("alias_of")) and public_id not in seen:
            seen.add(public_id)
            public_id = target
        return public_id

    def fingerprints(self) -> list[SiteFingerprint]:
        return [
            SiteFingerprint(
                public_id=public_id,
                kind=e["kind"],
                name_key=e["name_key"],
                district_key=e["district_key"],
                coordinates=(
                    Coordinates(e["latitude"], e["longitude"]) if e["latitude"] is not None else None
                ),
            )
            for public_id, e in sorted(self.entries.items())
        ]


def region_of(region: RegionPath) -> tuple[str, str]:
    return region.country, region.province
