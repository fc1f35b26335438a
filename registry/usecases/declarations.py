"""Signed confidentiality declarations (DESIGN.md section 4): record with the document, list, revoke, expiry."""

from __future__ import annotations

from keys.access.filter import ConfidentialFilter
from registry.application import RegistryApplication


class Declarations:
    def __init__(self, registry: RegistryApplication, guard: ConfidentialFilter) -> None:
        self._registry = registry
        self._guard = guard
