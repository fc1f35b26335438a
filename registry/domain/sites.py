"""Production sites: quarries, factories, cobble yards and the other links in a stone chain."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from eventsourcing.domain import Aggregate, event

from registry.domain.errors import ConflictError, ValidationError
from registry.domain.geography import Coordinates, RegionPath, refuse_hidden_characters


class SiteKind(StrEnum):
    QUARRY = "quarry"
    FACTORY = "factory"
    COBBLE_YARD = "cobble_yard"
    EXPORTER = "exporter"
    TRADER = "trader"
    STONE_MARKET = "stone_market"
    OTHER = "other"


class SiteStatus(StrEnum):
    ACTIVE = "active"
    PENDING_REVIEW = "pending_review"  # an uncertain duplicate, waiting for a person to decide
    MERGED = "merged"  # confirmed to be the same as another site; use ``merged_into``


def parse_site_kind(value: str, field: str = "site_kind") -> SiteKind:
    folded = (value or "").strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return SiteKind(folded)
    except ValueError:
        raise ValidationError(field, "one of: " + ", ".join(k.value for k in SiteKind)) from None


def parse_stone_types(values: list[str] | tuple[str, ...], field: str = "stone_types") -> tuple[str, ...]:
    cleaned = sorted({" ".join(v.split()).lower() for v in values if v and v.strip()})
    for value in cleaned:
        if len(value) > 40:
            raise ValidationError(field, "a stone type has at most 40 characters")
    return tuple(cleaned)


_NAMESPACE = uuid.UUID("d2b6e8f1-0c4a-4e3b-9f72-1a5d8c3e6b90")


class ProductionSite(Aggregate):
    """A site in a stone supply chain. Public data: it names no company."""

    @staticmethod
    def create_id(public_id: str) -> uuid.UUID:
        """From the random public id, so a site is found by the id people type in."""
        return uuid.uuid5(_NAMESPACE, public_id)

    @classmethod
    def _create(cls, event_class: Any, *, id: Any = None, **kwargs: Any) -> ProductionSite:  # noqa: A002
        """A new site only (a stored event is replayed without this check, so a site registered
        before it still loads): its name and address may not hide characters from a reader
        (``refuse_hidden_characters``). Every path that registers a site comes through here."""
        refuse_hidden_characters(str(kwargs.get("name") or ""), "site_name")
        refuse_hidden_characters(str(kwargs.get("address") or ""), "address")
        return super()._create(event_class, id=id, **kwargs)

    @event("Registered")
    def __init__(
        self,
        public_id: str,
        kind: SiteKind,
        name: str,
        address: str,
        region: RegionPath,
        coordinates: Coordinates | None,
        stone_types: tuple[str, ...],
        duplicate_candidate: str | None,
    ):
        self.public_id = public_id
        self.kind = SiteKind(kind)
        self.name = name
        self.address = address
        self.region = region
        self.coordinates = coordinates
        self.stone_types = tuple(stone_types)
        self.duplicate_candidate = duplicate_candidate
        self.status = SiteStatus.PENDING_REVIEW if duplicate_candidate else SiteStatus.ACTIVE
        self.merged_into: str | None = None

    def confirm_distinct(self, decided_by: str) -> None:
        self._require_pending()
        self._confirmed_distinct(decided_by=decided_by)

    @event("ConfirmedDistinct")
    def _confirmed_distinct(self, decided_by: str) -> None:
        self.status = SiteStatus.ACTIVE
        self.duplicate_candidate = None

    def confirm_same_as(self, other_public_id: str, decided_by: str) -> None:
        self._require_pending()
        if other_public_id == self.public_id:
            raise ConflictError("a site cannot be merged into itself")
        self._merged(into=other_public_id, decided_by=decided_by)

    @event("Merged")
    def _merged(self, into: str, decided_by: str) -> None:
        self.status = SiteStatus.MERGED
        self.merged_into = into
        self.duplicate_candidate = None

    def _require_pending(self) -> None:
        if self.status != SiteStatus.PENDING_REVIEW:
            raise ConflictError(f"site {self.public_id} is not waiting for a duplicate decision")
