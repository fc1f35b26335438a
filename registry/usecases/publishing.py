"""Publishing a year's quarry-region list: what it will show, then frozen."""

from __future__ import annotations

from keys.access.filter import ConfidentialFilter
from registry.application import RegistryApplication


class Publishing:
    def __init__(self, registry: RegistryApplication, guard: ConfidentialFilter) -> None:
        self._registry = registry
        self._guard = guard
