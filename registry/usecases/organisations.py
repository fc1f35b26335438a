"""The register of organisations (the secretariat's duty): member companies, NGO and union parties,
public buyers; joining, withdrawal, exclusion, contact address."""

from __future__ import annotations

from keys.access.filter import ConfidentialFilter
from registry.application import RegistryApplication


class Organisations:
    def __init__(self, registry: RegistryApplication, guard: ConfidentialFilter) -> None:
        self._registry = registry
        self._guard = guard
