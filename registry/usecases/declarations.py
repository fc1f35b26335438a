"""Signed confidentiality declarations (docs/lifecycles.md): record with the document, list, revoke, expiry.

The secretariat records and revokes (``manage_declarations``); the secretariat reads every
declaration, an NGO party its own organisation's (``read_declarations``, fact ``own_data``). Every
attempt is one access-log entry. The signed document is sealed under the organisation's data key and
opened by the filter only, on a download (registry/domain/declarations.py).

Rights tied to a declaration (an NGO party's linked list) are decided on every request from the
store (``RegistryApplication.valid_declaration``) and the services' one clock, the same this use case
is given: a revocation or an expiry ends them on the next request of a user who is already logged
in; nothing about a declaration is kept in a session.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from keys.access.filter import UNREADABLE, Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from registry.application import RegistryApplication
from registry.domain.declarations import Declaration, IndexEntry
from registry.domain.errors import GoneError, NotFoundError, ValidationError
from registry.domain.organisations import validate_ref
from registry.usecases.decisions import checked

Who = Principal | SystemPrincipal | None
EXPIRING_DAYS = 30  # the "waiting for me" summary's horizon (issue 13)
_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


@dataclass(frozen=True)
class DeclarationView:
    """One declaration as the secretariat and its own NGO party read it; ``status`` is as of today."""

    id: uuid.UUID
    login: str
    organisation: str
    document_title: str
    document_version: str
    document_sha256: str
    document_media_type: str | None  # None: recorded before documents were kept; nothing to download
    signed_on: dt.date
    valid_until: dt.date  # the first day it no longer counts
    revoked_on: dt.date | None
    revocation_reason: str | None
    status: str  # valid, not_yet_valid, expired or revoked


@dataclass(frozen=True)
class ExpiringDeclaration:
    """A declaration that ends soon: what the "waiting for me" summary counts and shows."""

    id: uuid.UUID
    login: str
    organisation: str
    valid_until: dt.date  # the first day it no longer counts
    ends_on: dt.date  # valid_until, or an earlier revocation's day (one set for a later day, of before)
    days_left: int  # until ends_on


@dataclass(frozen=True)
class DeclarationDocumentFile:
    """The signed document, opened: its bytes, what they are, and the digest they must match."""

    media_type: str
    filename: str
    sha256: str
    content: bytes


class Declarations:
    def __init__(
        self,
        registry: RegistryApplication,
        guard: ConfidentialFilter,
        clock: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self._registry = registry
        self._guard = guard
        self.clock = clock  # "today" for validity: tests move it (tests/clock.py)

    # --- the secretariat ------------------------------------------------------------------------

    def record(
        self,
        principal: Who,
        login: str,
        document_title: str,
        document_version: str,
        signed_on: dt.date,
        valid_until: dt.date,
        document: bytes,
        *,
        request_id: str = "",
    ) -> DeclarationView:
        """Record a signed declaration with its document (PDF, PNG or JPEG): the policy first, then
        every check (the account and its role, the dates, the file), the grant logged last, then saved."""
        audit = Audit(
            subject_kind="declaration", subject_ref=login, purpose="record declaration", request_id=request_id
        )
        attempt = checked(self._guard, principal, Action.MANAGE_DECLARATIONS, audit)
        today = self.clock()
        if isinstance(signed_on, dt.date) and signed_on > today:
            raise ValidationError("signed_on", f"a declaration is recorded once signed: not after {today.isoformat()}")
        declaration_id = self._registry.record_signed_declaration(
            login,
            document_title,
            document_version,
            signed_on,
            valid_until,
            document,
            before_write=attempt.grant,
        )
        return self._view(self._registry.declaration(declaration_id))

    def revoke(
        self,
        principal: Who,
        declaration_id: uuid.UUID | str,
        on: dt.date,
        reason: str,
        *,
        request_id: str = "",
    ) -> DeclarationView:
        """From ``on`` (inclusive, today or a past day) the declaration grants nothing; 409 when
        revoked already, 422 for a day after today (registry/domain/declarations.py says why)."""
        declaration = self._registry.declaration(declaration_id)
        audit = self._audit(declaration, "revoke declaration", request_id)
        attempt = checked(self._guard, principal, Action.MANAGE_DECLARATIONS, audit)
        revoked = self._registry.revoke_declaration(
            declaration.id,
            on,
            reason,
            before_write=attempt.grant,
            today=self.clock(),
        )
        return self._view(revoked)

    # --- reading --------------------------------------------------------------------------------

    def get(self, principal: Who, declaration_id: uuid.UUID | str, *, request_id: str = "") -> DeclarationView:
        declaration = self._registry.declaration(declaration_id)
        self._guard.authorise(
            principal,
            Action.READ_DECLARATIONS,
            self._facts(principal, declaration),
            self._audit(declaration, "read declaration", request_id),
        )
        return self._view(declaration)

    def document(
        self, principal: Who, declaration_id: uuid.UUID | str, *, request_id: str = ""
    ) -> DeclarationDocumentFile:
        """The signed document, opened by the filter after the policy and the access-log entry; 404
        for a declaration recorded without one, 410 once the organisation's keys were shredded."""
        declaration = self._registry.declaration(declaration_id)
        facts = self._facts(principal, declaration)
        audit = self._audit(declaration, "download declaration document", request_id)
        self._guard.check(principal, Action.READ_DECLARATIONS, facts, audit)
        document = self._registry.declaration_document(declaration.id)
        opened = self._guard.open(principal, Action.READ_DECLARATIONS, facts, {"content": document.content}, audit)
        if opened["content"] is UNREADABLE:
            raise GoneError("this declaration's document can no longer be read")
        return DeclarationDocumentFile(
            media_type=document.media_type,
            filename=f"declaration-{declaration.id}.{_EXTENSIONS.get(document.media_type, 'bin')}",
            sha256=declaration.document_sha256,
            content=base64.b64decode(opened["content"]),
        )

    def search(
        self,
        principal: Who,
        organisation: str | None = None,
        valid_on: dt.date | None = None,
        expiring_within_days: int | None = None,
        *,
        request_id: str = "",
    ) -> list[DeclarationView]:
        """Every declaration (the secretariat), or one organisation's (an NGO party: its own only),
        soonest-ending first. ``valid_on``: valid on that date. ``expiring_within_days``: valid on
        ``valid_on`` (today when not given) and ending within that many days of it."""
        entries = self._select(principal, organisation, valid_on, expiring_within_days, "list declarations", request_id)
        return [self._view(self._registry.declaration(entry.declaration_id), entry) for entry in entries]

    def expiring(
        self,
        principal: Who,
        on: dt.date | None = None,
        within_days: int = EXPIRING_DAYS,
        organisation: str | None = None,
        *,
        request_id: str = "",
    ) -> list[ExpiringDeclaration]:
        """Declarations valid on ``on`` (today) that end within ``within_days`` of it, the one that
        ends first first: for the "waiting for me" summary."""
        day = on or self.clock()
        entries = self._select(principal, organisation, day, within_days, "declarations expiring", request_id)
        return [
            ExpiringDeclaration(
                id=entry.declaration_id,
                login=entry.login,
                organisation=entry.organisation_ref,
                valid_until=entry.valid_until,
                ends_on=entry.ends_on,
                days_left=(entry.ends_on - day).days,
            )
            for entry in entries
        ]

    # --- helpers --------------------------------------------------------------------------------

    def _select(
        self,
        principal: Who,
        organisation: str | None,
        valid_on: dt.date | None,
        within_days: int | None,
        purpose: str,
        request_id: str,
    ) -> list[IndexEntry]:
        own = (
            isinstance(principal, Principal) and organisation is not None and organisation == principal.organisation_ref
        )
        audit = Audit(
            subject_kind="declarations", subject_ref=organisation or "", purpose=purpose, request_id=request_id
        )
        attempt = checked(self._guard, principal, Action.READ_DECLARATIONS, audit, Facts(own_data=own))
        if within_days is not None and not 0 <= within_days <= 5 * 366:
            raise ValidationError("expiring_within_days", "0-1830 days")
        organisation_id = None
        if organisation is not None:
            try:
                validate_ref(organisation)
            except ValidationError as bad:
                raise ValidationError("organisation", bad.message) from None
            organisation_id = self._registry.organisation(organisation).id  # 404 for an unknown one
        if within_days is not None and valid_on is None:
            valid_on = self.clock()
        expiring_by = valid_on + dt.timedelta(days=within_days) if within_days is not None and valid_on else None
        attempt.grant()
        return self._registry.declaration_index().select(organisation_id, valid_on, expiring_by)

    @staticmethod
    def _facts(principal: Who, declaration: Declaration) -> Facts:
        own = isinstance(principal, Principal) and principal.organisation_id == declaration.organisation_id
        return Facts(own_data=own)

    @staticmethod
    def _audit(declaration: Declaration, purpose: str, request_id: str) -> Audit:
        return Audit(
            subject_kind="declaration", subject_ref=str(declaration.id), purpose=purpose, request_id=request_id
        )

    def _view(self, declaration: Declaration, entry: IndexEntry | None = None) -> DeclarationView:
        if entry is None:
            entry = self._registry.declaration_index().entries.get(declaration.id)
        if entry is None:  # every declaration is in the index (started from the store of before)
            raise NotFoundError("no declaration with that reference")
        return DeclarationView(
            id=declaration.id,
            login=entry.login,
            organisation=entry.organisation_ref,
            document_title=declaration.document_title,
            document_version=declaration.document_version,
            document_sha256=declaration.document_sha256,
            document_media_type=declaration.document_media_type,
            signed_on=declaration.signed_on,
            valid_until=declaration.valid_until,
            revoked_on=declaration.revoked_on,
            revocation_reason=declaration.revocation_reason,
            status=declaration.status_on(self.clock()),
        )
