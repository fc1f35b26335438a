""" "Waiting for me": per role, the count and the oldest item of each queue on the principal's desk."""

from __future__ import annotations

from keys.access.filter import ConfidentialFilter
from registry.application import RegistryApplication


class WaitingForMe:
    def __init__(self, registry: RegistryApplication, guard: ConfidentialFilter) -> None:
        self._registry = registry
        self._guard = guard
