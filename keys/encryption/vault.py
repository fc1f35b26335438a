"""What the applications get from keys/: sealing on the way into the store, keyed fingerprints,
and the filter for the way out. Applications depend on this shape, not on keys/ internals."""

from __future__ import annotations

import uuid
from typing import Any, Required, TypedDict, Unpack

from eventsourcing.persistence import Mapper, Transcoder

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Facts
from keys.access.principal import SystemPrincipal
from keys.encryption.datakeys import DataKeyStore
from keys.encryption.sealing import ConfidentialSpec, SealingMapper


class About(TypedDict, total=False):
    """What a decision is about, as the applications name it: the access-log entry's subject,
    company, purpose and request id (an ``Audit``), and the facts the policy decides on."""

    subject_kind: Required[str]
    subject_ref: str
    company: str | None
    purpose: str
    request_id: str
    facts: dict[str, bool] | None


def _decision(about: About) -> tuple[Facts, Audit]:
    audit = Audit(
        subject_kind=about["subject_kind"],
        subject_ref=about.get("subject_ref", ""),
        company=about.get("company"),
        purpose=about.get("purpose", ""),
        request_id=about.get("request_id", ""),
    )
    return Facts(**(about.get("facts") or {})), audit


class Vault:
    def __init__(self, datakeys: DataKeyStore, confidential_filter: ConfidentialFilter):
        self.datakeys = datakeys
        self.filter = confidential_filter

    def mapper(
        self, transcoder: Transcoder, app_name: str, confidential_events: dict[str, tuple[str, tuple[str, ...]]]
    ) -> Mapper[Any]:
        specs = {name: ConfidentialSpec(owner, fields) for name, (owner, fields) in confidential_events.items()}
        return SealingMapper(transcoder, self.datakeys, app_name, specs)

    def fingerprint(self, owner: uuid.UUID, data: bytes) -> str:
        return self.datakeys.fingerprint(owner, data)  # type: ignore[return-value]

    def live_fingerprint(self, owner: uuid.UUID, data: bytes) -> str | None:
        """As ``fingerprint``, or None when the owner has no live key; never creates a key."""
        return self.datakeys.fingerprint(owner, data, create=False)

    def open(self, principal: Any, action: str, fields: dict[str, Any], **about: Unpack[About]) -> dict[str, Any]:
        """Decide, log and open ``fields`` (ConfidentialFilter.open)."""
        facts, audit = _decision(about)
        return self.filter.open(principal, action, facts, fields, audit)

    def authorise(self, principal: Any, action: str, **about: Unpack[About]) -> None:
        """Decide and log an action that opens no sealed field itself (a command, a list read)."""
        facts, audit = _decision(about)
        self.filter.authorise(principal, action, facts, audit)

    def check(self, principal: Any, action: str, **about: Unpack[About]) -> None:
        """The policy decides now (a denial is logged and raised); the grant is logged later by
        ``authorise`` or ``open``, once every other precondition has held (ConfidentialFilter.check)."""
        facts, audit = _decision(about)
        self.filter.check(principal, action, facts, audit)

    @staticmethod
    def system_principal(name: str) -> SystemPrincipal:
        return SystemPrincipal(name)
