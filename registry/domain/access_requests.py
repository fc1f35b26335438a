"""Data-access requests (docs/lifecycles.md, covenant art. 6 lid 4a): a local partner gets the part
of the aggregated list that is relevant to it.

An NGO or union party asks on behalf of a named local partner, for a scope (a country, optionally a
province or district and/or a stone type) and a purpose. The local partner's confidentiality clause
is recorded, the secretariat approves or refuses, and the approved scope can then be downloaded
(released) until the clause lapses, 365 days have passed since the approval, or the secretariat
revokes it.

One table (``NEXT``, read through registry/domain/transitions.py) decides which step may follow
which status; who may take a step is the policy's job (keys/access/policy.py). ``expired`` is never
recorded: it is computed on read against a date, so a request expires on time without a job having
to run.

Confidentiality: the local partner's name and contact travel in the ``Requested`` event's
``local_partner`` attribute, sealed by keys/ with a data key of the request's own
(``CONFIDENTIAL_EVENTS``). Scope, purpose, statuses, reasons and the clause's metadata (a public
document's title, version and digest) are in clear. The id is random, so it carries nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

import pycountry
from eventsourcing.domain import Aggregate, event

from registry.domain.declarations import validate_sha256
from registry.domain.errors import ConflictError, ValidationError
from registry.domain.text import one_line
from registry.domain.transitions import Lifecycle, StepNotAllowedError

CONFIDENTIAL_EVENTS = {"DataAccessRequest.Requested": ("originator_id", ("local_partner",))}

APPROVAL_DAYS = 365  # an approval is good for a year at most (and never beyond the clause)


class Status(StrEnum):
    REQUESTED = "requested"
    CLAUSE_SIGNED = "clause_signed"
    APPROVED = "approved"
    REFUSED = "refused"
    RELEASED = "released"
    EXPIRED = "expired"  # computed on read, never recorded
    REVOKED = "revoked"


class Step(StrEnum):
    RECORD_CLAUSE = "record_clause"
    APPROVE = "approve"
    REFUSE = "refuse"
    RELEASE = "release"
    REVOKE = "revoke"


S = Status
# status -> step -> the status it leads to. A clause may be corrected until the secretariat decides; the
# secretariat may refuse before a clause is in (no need to wait for one to say no). A release can be
# downloaded again while it is valid: the step stays in "released".
NEXT: dict[Status, dict[Step, tuple[Status, ...]]] = {
    S.REQUESTED: {Step.RECORD_CLAUSE: (S.CLAUSE_SIGNED,), Step.REFUSE: (S.REFUSED,)},
    S.CLAUSE_SIGNED: {
        Step.RECORD_CLAUSE: (S.CLAUSE_SIGNED,),
        Step.APPROVE: (S.APPROVED,),
        Step.REFUSE: (S.REFUSED,),
    },
    S.APPROVED: {Step.RELEASE: (S.RELEASED,), Step.REVOKE: (S.REVOKED,)},
    S.RELEASED: {Step.RELEASE: (S.RELEASED,), Step.REVOKE: (S.REVOKED,)},
    S.REFUSED: {},
    S.EXPIRED: {},
    S.REVOKED: {},
}
LIFECYCLE = Lifecycle[Status, Step](NEXT)


class IllegalStepError(StepNotAllowedError):
    """A step that the request's status does not allow (409); names the steps that are allowed."""

    def __init__(self, request_id: uuid.UUID, status: Status, step: Step, allowed: list[str]):
        super().__init__(
            f"data-access request {request_id}", status, step.value, allowed, f"the request is {status.value}"
        )
        self.status = status


def allowed_steps(status: Status) -> list[str]:
    return LIFECYCLE.allowed(status)


# --- checks on input: each error names its field ----------------------------------------------


def _optional(value: Any, field: str, longest: int) -> str | None:
    return one_line(value, field, longest) if value is not None and str(value).strip() else None


def check_country(value: Any) -> str:
    found = pycountry.countries.get(alpha_2=str(value or "").strip().upper()) if value else None
    if found is None:
        raise ValidationError("country", "an ISO 3166-1 alpha-2 code")
    return found.alpha_2


def check_local_partner(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValidationError("local_partner", "the local partner's name and contact")
    return {
        "name": one_line(value.get("name"), "local_partner.name", 200),
        "contact": one_line(value.get("contact"), "local_partner.contact", 500),
    }


def _check_date(value: Any, field: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError(field, "a date (YYYY-MM-DD)")
    return value


# --- the aggregate ------------------------------------------------------------------------------


class DataAccessRequest(Aggregate):
    """One request for one local partner. Random id: nothing about the partner or scope in it."""

    @staticmethod
    def create_id(**_: Any) -> uuid.UUID:
        return uuid.uuid4()

    @classmethod
    def request(
        cls,
        *,
        requester_ref: str,
        requester_role: str,
        requested_by: str,
        local_partner: Any,
        country: Any,
        region: Any,
        stone_type: Any,
        purpose: Any,
        on: dt.date,
    ) -> DataAccessRequest:
        """Validate, then record."""
        return cls(
            requester_ref=requester_ref,
            requester_role=requester_role,
            requested_by=requested_by,
            **check_request(local_partner, country, region, stone_type, purpose),
            on=on,
        )

    @event("Requested")
    def __init__(
        self,
        *,
        requester_ref: str,
        requester_role: str,
        requested_by: str,
        local_partner: Any,
        country: str,
        region: str | None,
        stone_type: str | None,
        purpose: str,
        on: dt.date,
    ):
        self.requester_ref = requester_ref
        self.requester_role = requester_role
        self.requested_by = requested_by
        self.local_partner = local_partner  # a SealedField once read back from the store
        self.country = country
        self.region = region
        self.stone_type = stone_type
        self.purpose = purpose
        self.requested_on = on
        self.status = Status.REQUESTED  # as recorded; status_on() adds expiry
        self.clause: dict[str, Any] | None = None
        self.decision: dict[str, Any] | None = None
        self.first_released: dict[str, Any] | None = None
        self.revocation: dict[str, Any] | None = None

    # --- reading ------------------------------------------------------------------------------

    @property
    def scope(self) -> dict[str, str | None]:
        return {"country": self.country, "region": self.region, "stone_type": self.stone_type}

    def clause_valid_on(self, day: dt.date) -> bool:
        """``valid_until`` is the first day the clause no longer covers (as for declarations)."""
        return self.clause is not None and self.clause["signed_on"] <= day < self.clause["valid_until"]

    def expires_on(self) -> dt.date | None:
        """The first day an approved request no longer releases anything."""
        if self.decision is None or not self.decision["approved"] or self.clause is None:
            return None
        valid_until: dt.date = self.clause["valid_until"]
        approved_on: dt.date = self.decision["on"]
        return min(valid_until, approved_on + dt.timedelta(days=APPROVAL_DAYS))

    def status_on(self, day: dt.date) -> Status:
        if self.status in (S.APPROVED, S.RELEASED):
            expires = self.expires_on()
            if expires is not None and day >= expires:
                return S.EXPIRED
        return self.status

    def _check(self, step: Step, day: dt.date) -> Status:
        status = self.status_on(day)
        target = LIFECYCLE.target(status, step)
        if target is None:
            raise IllegalStepError(self.id, status, step, allowed_steps(status))
        return target

    # --- steps --------------------------------------------------------------------------------

    def record_clause(
        self, *, title: Any, version: Any, sha256: Any, signed_on: Any, valid_until: Any, on: dt.date, by: str
    ) -> None:
        """The local partner's signed confidentiality clause: which document, signed when, valid until."""
        title_text = one_line(title, "title", 200)
        version_text = one_line(version, "version", 40)
        digest = validate_sha256(sha256, "sha256")
        signed = _check_date(signed_on, "signed_on")
        valid = _check_date(valid_until, "valid_until")
        if signed > on:
            raise ValidationError("signed_on", "must not be in the future")
        if valid <= signed:
            raise ValidationError("valid_until", "must be after the date of signing")
        target = self._check(Step.RECORD_CLAUSE, on)
        self._clause_recorded(
            title=title_text,
            version=version_text,
            sha256=digest,
            signed_on=signed,
            valid_until=valid,
            status=target,
            on=on,
            by=by,
        )

    @event("ClauseRecorded")
    def _clause_recorded(
        self,
        title: str,
        version: str,
        sha256: str,
        signed_on: dt.date,
        valid_until: dt.date,
        status: Status,
        on: dt.date,
        by: str,
    ) -> None:
        self.clause = {
            "title": title,
            "version": version,
            "sha256": sha256,
            "signed_on": signed_on,
            "valid_until": valid_until,
            "recorded_on": on,
            "recorded_by": by,
        }
        self.status = Status(status)

    def decide(self, *, approve: bool, reason: Any, on: dt.date, by: str) -> Status:
        reason = one_line(reason, "reason", 2000)
        if approve:
            target = self._check(Step.APPROVE, on)
            if not self.clause_valid_on(on):
                raise ConflictError(
                    f"data-access request {self.id}: the local partner's clause is not valid on "
                    f"{on.isoformat()}; record a valid clause first"
                )
            self._approved(status=target, reason=reason, on=on, by=by)
        else:
            target = self._check(Step.REFUSE, on)
            self._refused(status=target, reason=reason, on=on, by=by)
        return self.status

    @event("Approved")
    def _approved(self, status: Status, reason: str, on: dt.date, by: str) -> None:
        self.decision = {"approved": True, "reason": reason, "on": on, "by": by}
        self.status = Status(status)

    @event("Refused")
    def _refused(self, status: Status, reason: str, on: dt.date, by: str) -> None:
        self.decision = {"approved": False, "reason": reason, "on": on, "by": by}
        self.status = Status(status)

    def release(self, *, on: dt.date, by: str) -> bool:
        """Check that the scope may be handed out on ``on``. The first release is recorded (True);
        later downloads change nothing here (they are access-log entries only)."""
        target = self._check(Step.RELEASE, on)
        if not self.clause_valid_on(on):  # expiry covers the end; this covers a clause signed later
            raise ConflictError(
                f"data-access request {self.id}: the local partner's clause is not valid on {on.isoformat()}"
            )
        if self.status == Status.RELEASED:
            return False
        self._released(status=target, on=on, by=by)
        return True

    @event("Released")
    def _released(self, status: Status, on: dt.date, by: str) -> None:
        self.first_released = {"on": on, "by": by}
        self.status = Status(status)

    def revoke(self, *, reason: Any, on: dt.date, by: str) -> None:
        reason = one_line(reason, "reason", 2000)
        target = self._check(Step.REVOKE, on)
        self._revoked(status=target, reason=reason, on=on, by=by)

    @event("Revoked")
    def _revoked(self, status: Status, reason: str, on: dt.date, by: str) -> None:
        self.revocation = {"reason": reason, "on": on, "by": by}
        self.status = Status(status)


def check_request(local_partner: Any, country: Any, region: Any, stone_type: Any, purpose: Any) -> dict[str, Any]:
    """A request's input, cleaned; raises ValidationError naming the first bad field."""
    return {
        "local_partner": check_local_partner(local_partner),
        "country": check_country(country),
        "region": _optional(region, "region", 80),
        "stone_type": _optional(stone_type, "stone_type", 40),
        "purpose": one_line(purpose, "purpose", 2000, shortest=10),
    }


class DataAccessRegister(Aggregate):
    """Every request's id and requesting organisation, so each party's list needs no scan.

    Saved together with each new request: two requests at once conflict on the register's version
    and one retries. Holds nothing confidential (who asked is in clear on the request too).
    """

    ID = uuid.UUID("0b7d4e2a-91c3-4f58-a6e0-3c5d8f1b2a94")

    @staticmethod
    def create_id() -> uuid.UUID:
        return DataAccessRegister.ID

    @event("Opened")
    def __init__(self) -> None:
        self.requests: list[tuple[uuid.UUID, str]] = []

    @event("RequestAdded")
    def add(self, request_id: uuid.UUID, requester_ref: str) -> None:
        self.requests.append((request_id, requester_ref))
