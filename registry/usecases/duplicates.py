"""Sites held as possible duplicates: the queue with both candidates side by side, and the decision."""

from __future__ import annotations

from keys.access.filter import ConfidentialFilter
from registry.application import RegistryApplication


class HeldDuplicates:
    def __init__(self, registry: RegistryApplication, guard: ConfidentialFilter) -> None:
        self._registry = registry
        self._guard = guard
