"""Publishing the quarry-region list: freeze a report year's regions into its public snapshot.

The figures come from the year's last release of the aggregated list (projections/aggregated_list.py),
never from the running state: a publication made between releases would otherwise show what fewer
than k companies changed since. A year without a release (fewer than k reporting companies) is not
published.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from projections.aggregated_reads import quarry_region_use
from registry.domain.errors import ConflictError, NotFoundError
from trustone.bootstrap import Services


def publish_quarry_regions(services: Services, year: int, on: dt.date | None = None) -> dict[str, Any]:
    services.projections.wait(["aggregated_list"])
    try:
        services.aggregated_list.require_release(year)
    except NotFoundError as unreleased:
        raise ConflictError(f"cannot publish the quarry-region list: {unreleased}") from unreleased
    uses = quarry_region_use(services.projections.recorders["aggregated_list"], year)
    return services.quarry_regions.publish(year, uses, services.settings.publish_k, on or dt.date.today())
