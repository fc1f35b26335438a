"""Reports about tenders that ignore due diligence (art. 7 lid 12): anyone logged in reports one,
the secretariat tracks it (received, contacted, resolved) and publishes counts (docs/tenders.md).
Skeleton: filled in with issue 15."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from keys.access.filter import ConfidentialFilter


class TenderSignals:
    def __init__(self, registry: Any, guard: ConfidentialFilter, today: Callable[[], dt.date]) -> None:
        self._registry = registry
        self._guard = guard
        self._today = today
