"""For tests that need a year's quarry-region list published: as the secretariat's command line
publishes it (``Publishing.publish``, as a system principal), returning the frozen document the
public reads (``GET /api/v1/public/quarry-regions``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keys.access.principal import SystemPrincipal

OPERATOR = SystemPrincipal("secretariat-cli:tests")


def publish_quarry_regions(services: Any, year: int, on: dt.date | None = None) -> dict[str, Any]:
    services.publishing.publish(OPERATOR, year, on=on)
    return services.quarry_regions.require(year)
