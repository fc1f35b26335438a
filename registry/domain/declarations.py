"""Signed confidentiality declarations (docs/lifecycles.md, "Declaration").

Access rights that the covenant ties to a signature (an NGO party's linked-list access, art. 6 lid 3;
a local partner's clause, art. 6 lid 4a) are granted only while a declaration is valid: signed, not
yet expired, not revoked.

Two aggregates, both small:

- ``Declaration``: one signed document (which version, its SHA-256, signed on, ``valid_until``: the
  first day it no longer counts), with a random id. It can be revoked once, from today or a past day.
- ``DeclarationRegister``: one per account, with an id derived from the account id, listing the ids
  of that account's declarations, so "does this person have a valid declaration on day D?" needs no
  lookup table. A new declaration and the register are saved together.
- ``DeclarationIndex``: one for the whole registry, listing every declaration with what the
  secretariat's list filters on (login, organisation, dates, revocation), so a list across accounts
  reads one aggregate. Started, in a store of before, with the declarations recorded until then.
- ``DeclarationDocument``: the signed document itself (a PDF or an image), one per declaration, id
  derived from the declaration's, its bytes sealed under the signer's organisation's data key
  (``CONFIDENTIAL_EVENTS``), so shredding the organisation's keys makes it unreadable. It is an
  aggregate of its own so that the validity check on every linked-list request never loads it.

None holds anything confidential in clear: who signed which document version, when, and the
document's SHA-256 (which proves which document was signed; the bytes are sealed).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
from dataclasses import dataclass, replace
from typing import Any

from eventsourcing.domain import Aggregate, event

from registry.domain.accounts import Role
from registry.domain.errors import ConflictError, ValidationError
from registry.domain.text import one_line

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_REGISTER_NAMESPACE = uuid.UUID("8d0e6b52-3c1f-4a7e-b9d4-2f6a1c0e5d37")
_DOCUMENT_NAMESPACE = uuid.UUID("5f7c2a91-0d4e-4b38-a6e1-93c8d2b47f05")

# The document's bytes are sealed under the signer's organisation's data key (keys/encryption/sealing.py).
CONFIDENTIAL_EVENTS = {"DeclarationDocument.Stored": ("organisation_id", ("content",))}

# Art. 13 lid 3: the covenant's continuation is decided after at most 5 years, so a signature cannot
# promise confidentiality under terms agreed for longer; a renewal is a new declaration.
MAX_VALID_YEARS = 5

# A signed declaration is one to four pages: a PDF, or a scan or phone photo of it, is 0.1-4 MB. Its
# bytes are stored in one event row (base64 in sealed JSON, padded, base64 again: about 1.8 times
# the file), which both stores hold easily at 5 MiB and which is read only on a download.
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024

# What a document may be, recognised by its first bytes (never by the name or type the client gives).
DOCUMENT_MEDIA_TYPES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}

# The covenant ties a signature to rights for NGO parties only (art. 6 lid 3: the linked list). A
# union party's signature would grant nothing (the article names NGOs only), and no other role has a
# right tied to one; a local partner's clause is recorded on its data-access request instead.
SIGNER_ROLES = frozenset({Role.NGO})


def validate_sha256(value: str, field: str = "document_sha256") -> str:
    candidate = (value or "").strip().lower()
    if not _SHA256_HEX.match(candidate):
        raise ValidationError(field, "a SHA-256 digest: 64 hexadecimal characters")
    return candidate


def check_document(content: bytes) -> str:
    """The document's media type: a PDF, PNG or JPEG of at most ``MAX_DOCUMENT_BYTES``."""
    if not content:
        raise ValidationError("file", "the signed document is empty")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise ValidationError("file", f"at most {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB")
    for magic, media_type in DOCUMENT_MEDIA_TYPES.items():
        if content.startswith(magic):
            return media_type
    raise ValidationError("file", "a PDF, PNG or JPEG file of the signed declaration")


def check_signer_role(role: Role | str) -> Role:
    """Only a role whose rights the covenant ties to a signature signs a declaration (``SIGNER_ROLES``)."""
    if Role(role) not in SIGNER_ROLES:
        raise ValidationError(
            "login", f"a declaration is signed by an NGO party's user, not by a {Role(role).value} user"
        )
    return Role(role)


def latest_valid_until(signed_on: dt.date) -> dt.date:
    """The last ``valid_until`` allowed: ``MAX_VALID_YEARS`` after signing (29 February: 28 February)."""
    year = signed_on.year + MAX_VALID_YEARS
    try:
        return signed_on.replace(year=year)
    except ValueError:
        return signed_on.replace(year=year, day=28)


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
        *,
        signer_role: Role | str,
    ) -> Declaration:
        """Validate, then record. ``valid_until`` is the first day it is no longer valid."""
        check_signer_role(signer_role)
        title = one_line(document_title, "document_title", 200)
        version = one_line(document_version, "document_version", 40)
        digest = validate_sha256(document_sha256)
        if not isinstance(signed_on, dt.date) or not isinstance(valid_until, dt.date):
            raise ValidationError("signed_on", "signed_on and valid_until must be dates")
        if valid_until <= signed_on:
            raise ValidationError("valid_until", "must be after the date of signing")
        if valid_until > latest_valid_until(signed_on):
            raise ValidationError("valid_until", f"at most {MAX_VALID_YEARS} years after the date of signing")
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
        self.document_media_type: str | None = None  # None: recorded without its document (before they were kept)

    @event("DocumentKept")
    def keep_document(self, media_type: str) -> None:
        """The signed document is kept (a ``DeclarationDocument``, saved with this event)."""
        self.document_media_type = media_type

    def revoke(self, on: dt.date, reason: str, *, today: dt.date) -> None:
        """From ``on`` (inclusive) the declaration no longer grants anything.

        ``on`` is a day that has come (``today`` at the latest): a revocation is recorded once it has
        been decided, and once recorded it cannot be changed, so a later day (a mistyped year) would
        leave the declaration valid and block the correction as "revoked already". A revocation
        agreed for a later day is recorded on that day."""
        if self.revoked_on is not None:
            raise ConflictError("the declaration has been revoked already")
        if not isinstance(on, dt.date):
            raise ValidationError("on", "must be a date")
        if on < self.signed_on:
            raise ValidationError("on", "must not be before the date of signing")
        if on > today:
            raise ValidationError("on", f"a revocation takes effect from today or a past day: not after {today}")
        self._revoked(on=on, reason=one_line(reason, "reason", 500))

    @event("Revoked")
    def _revoked(self, on: dt.date, reason: str) -> None:
        self.revoked_on = on
        self.revocation_reason = reason

    def is_valid_on(self, day: dt.date) -> bool:
        return is_valid_on(day, self.signed_on, self.valid_until, self.revoked_on)

    def status_on(self, day: dt.date) -> str:
        return status_on(day, self.signed_on, self.valid_until, self.revoked_on)


def is_valid_on(day: dt.date, signed_on: dt.date, valid_until: dt.date, revoked_on: dt.date | None) -> bool:
    return status_on(day, signed_on, valid_until, revoked_on) == "valid"


def status_on(day: dt.date, signed_on: dt.date, valid_until: dt.date, revoked_on: dt.date | None) -> str:
    """valid, not_yet_valid, expired or revoked on ``day`` (revoked wins from its date on)."""
    if revoked_on is not None and day >= revoked_on:
        return "revoked"
    if day < signed_on:
        return "not_yet_valid"
    if day >= valid_until:
        return "expired"
    return "valid"


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


@dataclass(frozen=True)
class IndexEntry:
    """What the secretariat's list filters on, per declaration."""

    declaration_id: uuid.UUID
    login: str
    organisation_id: uuid.UUID
    organisation_ref: str
    signed_on: dt.date
    valid_until: dt.date
    revoked_on: dt.date | None = None

    @property
    def ends_on(self) -> dt.date:
        """The first day it no longer counts: ``valid_until``, or an earlier revocation's day (a store
        of before may hold one set for a later day)."""
        if self.revoked_on is not None and self.revoked_on < self.valid_until:
            return self.revoked_on
        return self.valid_until

    def as_event_value(self) -> dict[str, Any]:
        return {**vars(self), "declaration_id": str(self.declaration_id), "organisation_id": str(self.organisation_id)}

    @staticmethod
    def from_event_value(value: dict[str, Any]) -> IndexEntry:
        return IndexEntry(
            declaration_id=uuid.UUID(str(value["declaration_id"])),
            login=value["login"],
            organisation_id=uuid.UUID(str(value["organisation_id"])),
            organisation_ref=value["organisation_ref"],
            signed_on=_date(value["signed_on"]),
            valid_until=_date(value["valid_until"]),
            revoked_on=None if value.get("revoked_on") is None else _date(value["revoked_on"]),
        )


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


class DeclarationIndex(Aggregate):
    """Every declaration of the registry, for the secretariat's list across accounts."""

    ID = uuid.UUID("0c6a4e2b-7d15-4f93-8b2e-5a1d9c3f7e60")

    @staticmethod
    def create_id() -> uuid.UUID:
        return DeclarationIndex.ID

    @event("Started")
    def __init__(self, entries: list[dict[str, Any]]):
        """``entries``: the declarations recorded before the index existed (a store of before)."""
        self.entries: dict[uuid.UUID, IndexEntry] = {}
        for value in entries:
            entry = IndexEntry.from_event_value(value)
            self.entries[entry.declaration_id] = entry

    def add(self, entry: IndexEntry) -> None:
        self._added(entry=entry.as_event_value())

    @event("DeclarationAdded")
    def _added(self, entry: dict[str, Any]) -> None:
        added = IndexEntry.from_event_value(entry)
        self.entries[added.declaration_id] = added

    @event("DeclarationRevoked")
    def revoke(self, declaration_id: uuid.UUID, on: dt.date) -> None:
        entry = self.entries.get(declaration_id)
        if entry is not None:
            self.entries[declaration_id] = replace(entry, revoked_on=on)

    def select(
        self,
        organisation_id: uuid.UUID | None = None,
        valid_on: dt.date | None = None,
        expiring_by: dt.date | None = None,
    ) -> list[IndexEntry]:
        """The entries of one organisation (or all), valid on ``valid_on``, ending (``ends_on``: the
        earlier of ``valid_until`` and the revocation's day) on or before ``expiring_by``;
        soonest-ending first, then by login and id."""
        chosen = [
            entry
            for entry in self.entries.values()
            if (organisation_id is None or entry.organisation_id == organisation_id)
            and (valid_on is None or is_valid_on(valid_on, entry.signed_on, entry.valid_until, entry.revoked_on))
            and (expiring_by is None or entry.ends_on <= expiring_by)
        ]
        return sorted(chosen, key=lambda entry: (entry.ends_on, entry.login, str(entry.declaration_id)))


class DeclarationDocument(Aggregate):
    """The signed document of one declaration; ``content`` (base64) is sealed at rest and arrives
    from the store as a ``SealedField`` that only the filter opens."""

    @staticmethod
    def create_id(declaration_id: uuid.UUID) -> uuid.UUID:
        return uuid.uuid5(_DOCUMENT_NAMESPACE, str(declaration_id))

    @event("Stored")
    def __init__(self, declaration_id: uuid.UUID, organisation_id: uuid.UUID, media_type: str, content: Any):
        self.declaration_id = declaration_id
        self.organisation_id = organisation_id
        self.media_type = media_type
        self.content = content

    @classmethod
    def keep(cls, declaration_id: uuid.UUID, organisation_id: uuid.UUID, content: bytes) -> DeclarationDocument:
        media_type = check_document(content)
        return cls(
            declaration_id=declaration_id,
            organisation_id=organisation_id,
            media_type=media_type,
            content=base64.b64encode(content).decode("ascii"),
        )
