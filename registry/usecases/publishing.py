"""Publishing a year's quarry-region list: what it will show, then frozen.

The figures come from the year's last release of the aggregated list (projections/aggregated_list.py),
never from the running state: a publication made between releases would otherwise show what fewer
than k companies changed since. A year without a release (fewer than k reporting companies) has no
list to preview or publish. The preview applies the same publication rule to the same release as
publishing does (``apply_publication_rule``), so it shows the rows the frozen list will have; once
a year is published, its preview is the frozen list. The public reads the frozen list
(``GET /api/v1/public/quarry-regions``, projections/quarry_regions.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from projections.aggregated_reads import RegionUse, quarry_region_use
from projections.quarry_regions import PublishedQuarryRegions, PublishedRegion, apply_publication_rule
from registry.domain.errors import ConflictError, NotFoundError, ValidationError
from registry.usecases.decisions import checked


class ReleasedYears(Protocol):
    def require_release(self, year: int) -> None: ...


class Lists(Protocol):
    """The runner that follows the registry into its lists (projections/runner.py)."""

    recorders: dict[str, Any]

    def wait(self, names: list[str]) -> None: ...


@dataclass(frozen=True)
class QuarryRegionList:
    """A year's quarry-region list; ``published_on`` None: a preview, not frozen yet."""

    year: int
    k: int
    published_on: dt.date | None
    regions: tuple[PublishedRegion, ...]


class Publishing:
    def __init__(
        self,
        guard: ConfidentialFilter,
        lists: Lists,
        released: ReleasedYears,
        published: PublishedQuarryRegions,
        k: int,
        clock: Callable[[], dt.date],
    ) -> None:
        """``clock``: today by the services' one clock (``ServiceClock.today``): a list's ``published_on``."""
        self._guard = guard
        self._lists = lists
        self._released = released
        self._published = published
        self._k = k
        self._clock = clock

    def may_publish(self, principal: Principal | SystemPrincipal, request_id: str = "") -> None:
        """Asked before a page reads its own input: a refusal is logged and raised; a grant logs
        nothing (nothing is read). ``preview`` and ``publish`` decide again."""
        audit = Audit(subject_kind="quarry_region_list", purpose="publish a list", request_id=request_id)
        self._guard.check(principal, Action.PUBLISH_LIST, Facts(), audit)

    def preview(self, principal: Principal | SystemPrincipal, year: int, request_id: str = "") -> QuarryRegionList:
        """What the year's list shows once published (read-only); the frozen list once it is."""
        audit = self._audit(year, "preview the quarry-region list", request_id)
        attempt = checked(self._guard, principal, Action.PUBLISH_LIST, audit)
        frozen = self._frozen(year)
        if frozen is None:
            uses = self._region_use(year)  # 404 for a year not released
        attempt.grant()
        if frozen is not None:
            return frozen
        return QuarryRegionList(year, self._k, None, tuple(apply_publication_rule(uses, self._k)))

    def publish(
        self, principal: Principal | SystemPrincipal, year: int, request_id: str = "", on: dt.date | None = None
    ) -> QuarryRegionList:
        """Freeze the year's list (append-only: a year is published once; 409 the second time)."""
        audit = self._audit(year, "publish the quarry-region list", request_id)
        attempt = checked(self._guard, principal, Action.PUBLISH_LIST, audit)
        if self._frozen(year) is not None:
            raise ConflictError(
                f"the quarry-region list for {year} is published already; published lists do not change"
            )
        try:
            uses = self._region_use(year)
        except NotFoundError as unreleased:
            raise ConflictError(f"cannot publish the quarry-region list: {unreleased}") from unreleased
        attempt.grant()
        document = self._published.publish(year, uses, self._k, on or self._clock())
        return _from_document(document)

    def _region_use(self, year: int) -> list[RegionUse]:
        """The year's raw figures per region from its last release (NotFoundError: not released)."""
        if not 2000 <= year <= 2100:
            raise ValidationError("year", "a report year between 2000 and 2100")
        self._lists.wait(["aggregated_list"])
        self._released.require_release(year)
        return quarry_region_use(self._lists.recorders["aggregated_list"], year)

    def _frozen(self, year: int) -> QuarryRegionList | None:
        document = self._published.document(year)
        return _from_document(document) if document is not None else None

    @staticmethod
    def _audit(year: int, purpose: str, request_id: str) -> Audit:
        return Audit(subject_kind="quarry_region_list", subject_ref=str(year), purpose=purpose, request_id=request_id)


def _from_document(document: dict[str, Any]) -> QuarryRegionList:
    return QuarryRegionList(
        year=document["year"],
        k=document["k"],
        published_on=dt.date.fromisoformat(document["published_on"]),
        regions=tuple(PublishedRegion(**region) for region in document["regions"]),
    )
