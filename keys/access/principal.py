"""Who is asking: every request runs as a principal with exactly one role and one organisation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from registry.domain.accounts import Role


@dataclass(frozen=True)
class Principal:
    login: str
    role: Role
    organisation_id: uuid.UUID
    organisation_ref: str


@dataclass(frozen=True)
class SystemPrincipal:
    """A named background reader (a projection, a daily job): no login, still logged by the filter."""

    name: str  # e.g. "projection:linked-list"

    @property
    def login(self) -> str:
        return f"system:{self.name}"
