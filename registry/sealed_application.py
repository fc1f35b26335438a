"""The base of every application whose confidential event fields are sealed by the vault.

The vault's mapper seals the fields each domain module declares (``CONFIDENTIAL_EVENTS``) on the
way into the store; reading them back goes through the vault's filter (policy, access log, then
decryption). Snapshots are refused for aggregates with confidential events: a snapshot stores the
state as it is in memory, in plaintext right after a command, and would bypass the mapper.

Every save goes through one path that turns a lost race into the project's conflict (409): two
users who change the same aggregate at once both build their event on the version they loaded; the
store takes the first and refuses the second on its unique (aggregate, version) key. That refusal
is the library's ``IntegrityError``; here it becomes a ``VersionConflictError`` (a ``ConflictError``,
so every entry point answers 409 without a route knowing about it). Nothing of the refused save is
stored, and it is not retried here: the loser's command was decided on a state that no longer
exists. A caller that may safely redo its command on the new state (a new number from a counter,
the next version of a report) catches the conflict and redoes it.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Mapper

from keys.encryption.vault import Vault
from registry.domain.errors import ConflictError
from registry.transcodings import register_registry_transcodings


class VersionConflictError(ConflictError, IntegrityError):
    """Someone else changed the same aggregate between this command's read and its save (409).

    Still an ``IntegrityError`` of the library's as well: code written to retry on that class (a
    register entry, the next report version) keeps working unchanged. Says nothing about which
    record it was: an aggregate's id or contents may be confidential."""

    def __init__(
        self,
        message: str = "changed by someone else at the same time: nothing of this change was "
        "saved; reload and try again",
    ):
        super().__init__(message)


class SealedApplication(Application[uuid.UUID]):
    confidential_events: ClassVar[dict[str, tuple[str, tuple[str, ...]]]] = {}

    def __init__(self, env: dict[str, str] | None = None, *, vault: Vault):
        self.vault = vault
        refuse_snapshots_of_confidential_aggregates(self.snapshotting_intervals or {}, self.confidential_events)
        super().__init__(env=env)

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """The library's save; a version conflict (a lost race) is raised as ``VersionConflictError``.

        A save stores only new events, each at the next version of its aggregate, so the only unique
        key it can break is (aggregate, version): some other command saved that version first."""
        try:
            return super().save(*objs, **kwargs)
        except VersionConflictError:
            raise
        except IntegrityError as conflict:
            raise VersionConflictError(self.conflict_message(objs)) from conflict

    def _get_or_none(self, aggregate_id: uuid.UUID) -> Any:
        """The aggregate, or None: one read of the store (``in`` then ``get`` would read it twice)."""
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def conflict_message(self, objs: tuple[Any, ...]) -> str:  # noqa: ARG002 - subclasses name what they may
        """The message of a lost race on saving ``objs``; an application may name the record where
        its name is not confidential (a case reference)."""
        return VersionConflictError().args[0]

    def construct_mapper(self) -> Mapper[uuid.UUID]:
        return self.vault.mapper(self.construct_transcoder(), self.name, self.confidential_events)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_registry_transcodings(transcoder)


def refuse_snapshots_of_confidential_aggregates(intervals: dict, confidential_events: dict) -> None:
    confidential = {name.split(".", 1)[0] for name in confidential_events}
    for aggregate_class in intervals:
        if aggregate_class.__name__ in confidential:
            raise TypeError(f"{aggregate_class.__name__} has confidential fields and must not be snapshotted")
