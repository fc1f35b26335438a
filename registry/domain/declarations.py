"""Signed confidentiality declarations (docs/lifecycles.md, "Declaration").

Access rights that the covenant ties to a signature (an NGO party's linked-list access, art. 6 lid 3;
a local partner's clause, art. 6 lid 4a) are granted only while a declaration is valid: signed, not
yet expired, not revoked.

Two aggregates, both small:

- ``Declaration``: one signed document (which version, its SHA-256, signed on, valid until), with a
  random id. It can be revoked once.
- ``DeclarationRegister``: one per account, with an id derived from the account id, listing the ids
  of that account's declarations, so "does this person have a valid declaration on day D?" needs no
  lookup table. A new declaration and the register are saved together.

Neither holds anything confidential: who signed which public document, and when.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from eventsourcing.domain import Aggregate, event

from registry.domain.errors import ConflictError, ValidationError

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_REGISTER_NAMESPACE = uuid.UUID("8d0e6b52-3c1f-4a7e-b9d4-2f6a1c0e5d37")


def validate_sha256(value: str, field: str = "document_sha256") -> str:
    candidate = (value or "").strip().lower()
    if not _SHA256_HEX.match(candidate):
        raise ValidationError(field, "a SHA-256 digest: 64 hexadecimal characters")
    return candidate


def _text(value: str, field: str, longest: int) -> str:
    cleaned = " ".join((value or "").split())
    if not 1 <= len(cleaned) <= longest:
        raise ValidationError(field, f"1-{longest} characters")
    return cleaned


class Declaration(Aggregate):
    """One signed confidentiality declaration of one account."""

    @classmethod
    def sign(
        cls,
        account_id: uuid.UUID,
        organisation_id: uuid.UUID,
        document_title: str,
        document_version: str,
        document_sha256: str,
        signed_on: dt.date,
        valid_until: dt.date,
    ) -> Declaration:
        """Validate, then record. ``valid_until`` is the first day it is no longer valid."""
        title = _text(document_title, "document_title", 200)
        version = _text(document_version, "document_version", 40)
        digest = validate_sha256(document_sha256)
        if not isinstance(signed_on, dt.date) or not isinstance(valid_until, dt.date):
            raise ValidationError("signed_on", "signed_on and valid_until must be dates")
        if valid_until <= signed_on:
            raise ValidationError("valid_until", "must be after the date of signing")
        return cls(
            account_id=account_id,
            organisation_id=organisation_id,
            document_title=title,
            document_version=version,
            document_sha256=digest,
            signed_on=signed_on,
            valid_until=valid_until,
        )

    @event("Signed")
    def __init__(
        self,
        account_id: uuid.UUID,
        organisation_id: uuid.UUID,
        document_title: str,
        document_version: str,
        document_sha256: str,
        signed_on: dt.date,
        valid_until: dt.date,
    ):
        self.account_id = account_id
        self.organisation_id = organisation_id
        self.document_title = document_title
        self.document_version = document_version
        self.document_sha256 = document_sha256
        self.signed_on = signed_on
        self.valid_until = valid_until
        self.revoked_on: dt.date | None = None
        self.revocation_reason: str | None = None

    def revoke(self, on: dt.date, reason: str) -> None:
        """From ``on`` (inclusive) the declaration no longer grants anything."""
        if self.revoked_on is not None:
            raise ConflictError("the declaration has been revoked already")
        if not isinstance(on, dt.date):
            raise ValidationError("on", "must be a date")
        if on < self.signed_on:
            raise ValidationError("on", "must not be before the date of signing")
        self._revoked(on=on, reason=_text(reason, "reason", 500))

    @event("Revoked")
    def _revoked(self, on: dt.date, reason: str) -> None:
        self.revoked_on = on
        self.revocation_reason = reason

    def is_valid_on(self, day: dt.date) -> bool:
        if not self.signed_on <= day < self.valid_until:
            return False
        return self.revoked_on is None or day < self.revoked_on


class DeclarationRegister(Aggregate):
    """The declarations of one account, by id (oldest first)."""

    @staticmethod
    def create_id(account_id: uuid.UUID) -> uuid.UUID:
        return uuid.uuid5(_REGISTER_NAMESPACE, str(account_id))

    @event("Started")
    def __init__(self, account_id: uuid.UUID):
        self.account_id = account_id
        self.declaration_ids: list[uuid.UUID] = []

    @event("DeclarationAdded")
    def add(self, declaration_id: uuid.UUID) -> None:
        self.declaration_ids.append(declaration_id)
