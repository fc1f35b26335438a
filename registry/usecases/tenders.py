"""The tender register of member governments (art. 7 lid 7 and 14): each government records its
natural-stone tenders, yearly; the secretariat sees the register and publishes the aggregated public
report (docs/tenders.md). Skeleton: filled in with issue 15."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from keys.access.filter import ConfidentialFilter


class Tenders:
    def __init__(self, registry: Any, guard: ConfidentialFilter, today: Callable[[], dt.date]) -> None:
        self._registry = registry
        self._guard = guard
        self._today = today
