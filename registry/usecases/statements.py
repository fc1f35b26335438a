"""Evidence statements for tenders (issue 15; docs/statements.md).

A public buyer (or the company itself, to hand to a buyer: snelgids box 5; or the secretariat, which
advises buyers) asks for a statement about a company on a date. The statement gives the company's
published standing, its level and insight figures against the tender criteria of the covenant's
bijlage 3, and never a site, a supplier, a supplier's country or another company. It is signed with
the installation's statement key (Ed25519): it verifies offline with the published key, and at the
public verification URL by its code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from keys.access.filter import ConfidentialFilter
from keys.encryption.keyring import FileKeyring
from registry.domain.clock import ServiceClock
from registry.domain.statements import CriterionCheck, StatementFacts

__all__ = ["CriterionCheck", "EvidenceStatements", "IssuedStatement", "StatementFacts", "Verification"]


@dataclass(frozen=True)
class IssuedStatement:
    """One issued statement: its facts, the bijlage-3 criteria checked, and the signed document."""

    code: str  # the verification code, e.g. "TSV-7K4Q-M2XA-...": printed on the statement
    language: str  # "nl" or "en": the document's wording
    issued_at: dt.datetime
    issued_to: str  # the organisation that asked (its name)
    facts: StatementFacts
    criteria: tuple[CriterionCheck, ...]
    document: str  # the signed statement as text: its body, then the signature block
    verify_path: str  # "/verify/<code>": the public verification page (the host is the caller's)


@dataclass(frozen=True)
class Verification:
    """What a check of a statement file found. ``outcome`` is one of ``OUTCOMES``."""

    outcome: str
    code: str | None = None
    issued_on: dt.date | None = None
    key_id: str | None = None
    body: str = ""  # the statement's text as it was signed (shown beside the verdict)

    OUTCOMES = ("valid", "changed", "unknown_key", "not_a_statement", "not_issued")

    @property
    def valid(self) -> bool:
        return self.outcome == "valid"


class EvidenceStatements:
    def __init__(self, registry: Any, guard: ConfidentialFilter, keyring: FileKeyring, clock: ServiceClock) -> None:
        self._registry = registry
        self._guard = guard
        self._keyring = keyring
        self._clock = clock
