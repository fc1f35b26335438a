"""Sealing confidential event fields on their way into the event store.

Which fields of which events are confidential, and whose data key seals them, is declared by the
domain (``CONFIDENTIAL_EVENTS``: event class name -> owner attribute and field names). The mapper
seals each such field on the way in, with the owner's data key and the row (application, aggregate
id, version, field) as associated data. On the way out it does *not* decrypt: the field arrives in
the domain as a ``SealedField`` bound to the row it was read from, and only the filter
(``keys/access/filter.py``) opens it, after the policy and the access log.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Mapper, StoredEvent, Transcoder, Transcoding

from keys.encryption.datakeys import DataKeyStore
from keys.encryption.envelope import open_sealed, seal


@dataclass(frozen=True)
class ConfidentialSpec:
    owner_attribute: str  # event attribute holding the owner's id (company, case, account)
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Sealed:
    """A sealed value as stored (what the transcoder reads and writes)."""

    blob: bytes


@dataclass(frozen=True)
class SealedField:
    """A sealed value bound to the row it was read from; opened only by the filter."""

    blob: bytes
    context: str
    # Whose data key must have sealed it (the event's owner attribute, or a view row's company): a
    # value moved under another owner's key does not open, even where that key was shredded.
    owner: str | None = None

    def __repr__(self) -> str:  # never show bytes in logs or tracebacks
        return "SealedField(<sealed>)"


class SealedAsBase64(Transcoding):
    type = Sealed
    name = "sealed"

    def encode(self, obj: Sealed) -> str:
        return base64.b64encode(obj.blob).decode("ascii")

    def decode(self, data: str) -> Sealed:
        return Sealed(base64.b64decode(data))


def field_context(app_name: str, originator_id: object, originator_version: int, field: str) -> str:
    return f"{app_name}/{originator_id}/{originator_version}/{field}"


def unseal(datakeys: DataKeyStore, sealed: SealedField) -> Any:
    """Decrypt one field. Only the filter calls this (and tests of this module)."""
    from keys.encryption.envelope import key_ref_of

    plaintext = open_sealed(datakeys.key(key_ref_of(sealed.blob), owner=sealed.owner), sealed.blob, sealed.context)
    return json.loads(plaintext)


PAD_MINIMUM = 1024  # no sealed field is shorter: a few links, sites or words more show in no size


def padded(plaintext: bytes) -> bytes:
    """The JSON plaintext with trailing spaces (which JSON ignores) up to its size class: at least
    ``PAD_MINIMUM`` bytes, above that the next of four steps per doubling (at most a quarter more).

    Why: a ciphertext is as long as its plaintext. Without padding, the size of a report's sealed
    fields from one version to the next would tell a copy of the database how many links or new
    sites that company added, and the size of a case's sealed words how long they are."""
    size = len(plaintext)
    if size <= PAD_MINIMUM:
        target = PAD_MINIMUM
    else:
        step = 1 << (size.bit_length() - 3)
        target = -(-size // step) * step
    return plaintext + b" " * (target - size)


class SealingMapper(Mapper[uuid.UUID]):
    def __init__(
        self, transcoder: Transcoder, datakeys: DataKeyStore, app_name: str, specs: dict[str, ConfidentialSpec]
    ):
        transcoder.register(SealedAsBase64())  # type: ignore[attr-defined]  # the library's JSONTranscoder has it; its base type does not declare it
        super().__init__(transcoder=transcoder)
        self.datakeys = datakeys
        self.app_name = app_name
        self.specs = specs

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        spec = self.specs.get(type(domain_event).__qualname__)
        if spec is None:
            return super().to_stored_event(domain_event)
        state = dict(vars(domain_event))
        owner = state[spec.owner_attribute]
        if not isinstance(owner, uuid.UUID):
            # a data key is unwrapped with its owner's id: any other owner would seal what opens only
            # while this process still caches the key (tests/integration/test_sealed_after_restart.py)
            raise TypeError(f"{type(domain_event).__qualname__}: the owner of a sealed field must be a UUID")
        key_ref, key = self.datakeys.current_key(owner)
        for field in spec.fields:
            value = state[field]
            if value is None or isinstance(value, Sealed):
                continue
            if isinstance(value, SealedField):
                raise TypeError("a sealed field read from the store cannot be stored again as is")
            context = field_context(self.app_name, state["originator_id"], state["originator_version"], field)
            plaintext = padded(json.dumps(value, sort_keys=True, separators=(",", ":")).encode())
            state[field] = Sealed(seal(key, key_ref, plaintext, context))
        sealed_event = object.__new__(type(domain_event))
        object.__setattr__(sealed_event, "__dict__", state)
        return super().to_stored_event(sealed_event)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        domain_event = super().to_domain_event(stored_event)
        state = vars(domain_event)
        spec = self.specs.get(type(domain_event).__qualname__)
        owner = state.get(spec.owner_attribute) if spec is not None else None
        owner = None if owner is None else str(owner)
        for field, value in state.items():
            if isinstance(value, Sealed):
                context = field_context(
                    self.app_name, stored_event.originator_id, stored_event.originator_version, field
                )
                state[field] = SealedField(value.blob, context, owner)
        return domain_event
