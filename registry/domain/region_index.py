"""The sites of one province, as the registry kept them before the site catalogue's buckets.

No longer written: one aggregate per province grew with the catalogue, and every report reloaded
it (issue 12). Kept so that a store written before still loads: the first start of the registry
copies its entries into buckets (``registry/site_catalogue.py``, ``domain/site_catalogue.py``).
"""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.domain import Aggregate, event

from registry.domain.duplicates import SiteFingerprint
from registry.domain.geography import Coordinates, fold

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
        self.entries: dict[str, dict[str, Any]] = {}
        self.buckets: dict[str, list[str]] = {}  # "kind|district" -> public ids (JSON-safe for snapshots)

    @event("SiteAdded")
    def add(
        self,
        public_id: str,
        kind: str,
        name_key: str,
        district_key: str,
        latitude: float | None,
        longitude: float | None,
    ) -> None:
        self.entries[public_id] = {
            "kind": kind,
            "name_key": name_key,
            "district_key": district_key,
            "latitude": latitude,
            "longitude": longitude,
        }
        self.buckets.setdefault(f"{kind}|{district_key}", []).append(public_id)

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

    def candidates(self, kind: str, district_key: str) -> list[SiteFingerprint]:
        """The sites a new site of this kind and district could duplicate."""
        if district_key:
            keys = [f"{kind}|{district_key}", f"{kind}|"]
        else:
            keys = [key for key in self.buckets if key.startswith(f"{kind}|")]
        ids = sorted({public_id for key in keys for public_id in self.buckets.get(key, ())})
        return [self._fingerprint(public_id) for public_id in ids]

    def _fingerprint(self, public_id: str) -> SiteFingerprint:
        entry = self.entries[public_id]
        coordinates = Coordinates(entry["latitude"], entry["longitude"]) if entry["latitude"] is not None else None
        return SiteFingerprint(
            public_id=public_id,
            kind=entry["kind"],
            name_key=entry["name_key"],
            district_key=entry["district_key"],
            coordinates=coordinates,
        )
