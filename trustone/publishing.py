"""Publishing the quarry-region list: freeze a report year's regions into its public snapshot."""

from __future__ import annotations

import datetime as dt
from typing import Any

from projections.aggregated_list import quarry_region_use
from trustone.bootstrap import Services


def publish_quarry_regions(services: Services, year: int, on: dt.date | None = None) -> dict[str, Any]:
    services.projections.catch_up()
    uses = quarry_region_use(services.projections.recorders["aggregated_list"], year)
    return services.quarry_regions.publish(year, uses, services.settings.publish_k, on or dt.date.today())
