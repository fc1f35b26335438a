"""The base of every application whose confidential event fields are sealed by the vault.

The vault's mapper seals the fields each domain module declares (``CONFIDENTIAL_EVENTS``) on the
way into the store; reading them back goes through the vault's filter (policy, access log, then
decryption). Snapshots are refused for aggregates with confidential events: a snapshot stores the
state as it is in memory, in plaintext right after a command, and would bypass the mapper.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar, Protocol

from eventsourcing.application import Application
from eventsourcing.persistence import Mapper, Transcoder

from registry.transcodings import register_registry_transcodings


class Vault(Protocol):
    """What applications need from keys/ (see keys/vault.py): sealing, fingerprints, the filter."""

    def mapper(self, transcoder: Transcoder, app_name: str, confidential_events: dict) -> Mapper: ...

    def fingerprint(self, owner: uuid.UUID, data: bytes) -> str: ...

    def open(self, principal: Any, action: str, fields: dict[str, Any], **audit: Any) -> dict[str, Any]: ...

    def authorise(self, principal: Any, action: str, **audit: Any) -> None: ...

    def check(self, principal: Any, action: str, **audit: Any) -> None: ...

    def system_principal(self, name: str) -> Any: ...


class SealedApplication(Application[uuid.UUID]):
    confidential_events: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {}

    def __init__(self, env: dict[str, str] | None = None, *, vault: Vault):
        self.vault = vault
        refuse_snapshots_of_confidential_aggregates(self.snapshotting_intervals or {}, self.confidential_events)
        super().__init__(env=env)

    def construct_mapper(self) -> Mapper:
        return self.vault.mapper(self.construct_transcoder(), self.name, self.confidential_events)

    def register_transcodings(self, transcoder: Transcoder) -> None:
        super().register_transcodings(transcoder)
        register_registry_transcodings(transcoder)


def refuse_snapshots_of_confidential_aggregates(intervals: dict, confidential_events: dict) -> None:
    confidential = {name.split(".", 1)[0] for name in confidential_events}
    for aggregate_class in intervals:
        if aggregate_class.__name__ in confidential:
            raise TypeError(f"{aggregate_class.__name__} has confidential fields and must not be snapshotted")
