"""Data-access requests: a local partner gets the part of the aggregated list relevant to it
(docs/lifecycles.md, art. 6 lid 4a). The lifecycle is in registry/domain/access_requests.py.

Who may do what is decided by the policy only, through the filter: every attempt, allowed or not,
is one access-log entry. Request-side commands (a new request, the clause, a download) are
``request_release``, granted to NGO and union parties for their *own* requests (a new request is own
by definition); the secretariat's are ``approve_release``. Which row a *read* falls under, and which
requests a list shows, is the table in keys/access/visibility.py (``data_access_sight``): no role is
compared here. The local partner's name and contact are opened through the filter only, for the
requester and the secretariat, and only by ``get`` and a download: a list shows no partner (opening
one per row would be one access-log entry per row).

A download is one access-log entry, purpose "data access release <id>": the filter opens the
partner's name for the watermark in the same step that decides and logs. The export holds exactly
the rows the aggregated list shows for the request's scope, in its latest report year.

A refused request reads nothing and leaves no granted entry (issue 10): each command first asks the
policy (``guard.check``: a denial is logged, a grant not yet), then runs on the aggregate in memory
(its status and input: 409, 422), and only then logs the grant (and opens the partner's name, for a
download) and saves.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from eventsourcing.application import AggregateNotFoundError

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from keys.access.visibility import RequestScope, data_access_sight
from projections.aggregated_reads import AggregatedList, AggregatedSite
from registry.application import RegistryApplication
from registry.csvsafe import comment_line, rows_to_csv
from registry.domain.access_requests import DataAccessRegister, DataAccessRequest, Status, allowed_steps
from registry.domain.errors import ConflictError, GoneError, NotFoundError, ValidationError
from registry.sealed_application import VersionConflictError

Who = Principal | SystemPrincipal | None
CSV_COLUMNS = ("site_id", "kind", "name", "country", "province", "district", "latitude", "longitude", "stone_types")
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
SUBJECT = "data_access_request"  # the access log's subject kind


# --- results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The part of the aggregated list asked for."""

    country: str
    region: str | None
    stone_type: str | None


@dataclass(frozen=True)
class Clause:
    """The local partner's signed confidentiality clause, as recorded."""

    title: str
    version: str
    sha256: str
    signed_on: dt.date
    valid_until: dt.date  # the first day it no longer covers
    recorded_on: dt.date
    recorded_by: str


@dataclass(frozen=True)
class ReleaseDecision:
    """The secretariat's approval or refusal."""

    approved: bool
    reason: str
    on: dt.date
    by: str


@dataclass(frozen=True)
class FirstRelease:
    on: dt.date
    by: str


@dataclass(frozen=True)
class Revocation:
    reason: str
    on: dt.date
    by: str


@dataclass(frozen=True)
class LocalPartner:
    """Opened through the filter, for the requesting party and the secretariat only."""

    name: str
    contact: str


@dataclass(frozen=True)
class AccessRequestSummary:
    """A request as a list shows it: no local partner. ``status`` and ``allowed_next`` are as of today
    (an approved request expires without a job having to run)."""

    id: uuid.UUID
    status: Status
    allowed_next: tuple[str, ...]
    requester: str  # the requesting organisation's ref
    requested_by: str
    requested_on: dt.date
    scope: Scope
    purpose: str
    clause: Clause | None
    decision: ReleaseDecision | None
    first_released: FirstRelease | None
    revocation: Revocation | None
    expires_on: dt.date | None  # the first day an approved request no longer releases anything


@dataclass(frozen=True)
class AccessRequestView(AccessRequestSummary):
    """One request as its requesting party and the secretariat read it, the local partner included."""

    local_partner: LocalPartner


@dataclass(frozen=True)
class StepTaken:
    """A command's outcome: the request and the status it is in now."""

    id: uuid.UUID
    status: Status


class ReleaseFile(NamedTuple):
    """A download: its media type and its watermarked bytes."""

    media_type: str
    content: bytes


# --- the use case -----------------------------------------------------------------------------------


class DataAccess:
    def __init__(
        self,
        registry: RegistryApplication,
        guard: ConfidentialFilter,
        aggregated_list: AggregatedList,
        wait_for_views: Callable[[Sequence[str]], object],
        clock: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self._registry = registry
        self._guard = guard
        self._aggregated_list = aggregated_list
        self._wait_for_views = wait_for_views
        self._clock = clock

    # --- the requesting party -----------------------------------------------------------------

    def may_decide(self, principal: Who, request_id: str = "") -> None:
        """Asked before the approver's pages are drawn: a refusal is logged and raised; a grant logs
        nothing. Each decision is decided again."""
        audit = Audit(SUBJECT, "", purpose="data access decision", request_id=request_id)
        self._guard.check(principal, Action.APPROVE_RELEASE, Facts(), audit)

    def may_request(self, principal: Who, request_id: str = "") -> None:
        """Asked before the form to request a release is drawn: a refusal is logged and raised; a
        grant logs nothing (nothing is read). ``request`` decides again."""
        audit = Audit(SUBJECT, "", purpose="data access request", request_id=request_id)
        self._guard.check(principal, Action.REQUEST_RELEASE, Facts(own_data=True), audit)

    def request(
        self,
        principal: Who,
        local_partner: dict[str, str],
        country: str,
        region: str | None,
        stone_type: str | None,
        purpose: str,
        *,
        request_id: str = "",
    ) -> StepTaken:
        """A new request on behalf of a local partner."""
        # Validated first: bad input is a 422 naming the field, before anything is decided or logged.
        access = DataAccessRequest.request(
            requester_ref=_organisation_of(principal) or "",
            requester_role=str(principal.role) if isinstance(principal, Principal) else "",
            requested_by=principal.login if principal is not None else "",
            local_partner=local_partner,
            country=country,
            region=region,
            stone_type=stone_type,
            purpose=purpose,
            on=self._clock(),
        )
        audit = Audit(SUBJECT, str(access.id), purpose="data access request", request_id=request_id)
        self._guard.authorise(principal, Action.REQUEST_RELEASE, Facts(own_data=True), audit)  # own by definition
        requested = access.collect_events()  # kept, so that a retry saves the very same request
        for _attempt in range(5):  # two requests at once conflict on the register: one retries
            register = self._register()
            register.add(request_id=access.id, requester_ref=access.requester_ref)
            try:
                self._registry.save(register, *requested)
            except VersionConflictError:
                continue
            return StepTaken(access.id, access.status)
        raise ConflictError("too many requests at once: please try again")

    def record_clause(
        self,
        principal: Who,
        access_id: uuid.UUID | str,
        title: str,
        version: str,
        sha256: str,
        signed_on: dt.date,
        valid_until: dt.date,
        *,
        request_id: str = "",
    ) -> StepTaken:
        """The local partner's signed confidentiality clause (the requesting party records it)."""
        access = self._load(access_id)
        self._check(principal, Action.REQUEST_RELEASE, access, request_id)
        access.record_clause(
            title=title,
            version=version,
            sha256=sha256,
            signed_on=signed_on,
            valid_until=valid_until,
            on=self._clock(),
            by=_login(principal),
        )  # in memory
        return self._authorised_save(principal, Action.REQUEST_RELEASE, access, request_id)

    def release(
        self, principal: Who, access_id: uuid.UUID | str, fmt: str = "csv", *, request_id: str = ""
    ) -> ReleaseFile:
        """The scoped rows of the aggregated list, watermarked with the request id and the partner."""
        if fmt not in FORMATS:
            raise ValidationError("format", "csv or json")
        access = self._load(access_id)
        purpose = f"data access release {access.id}"
        self._check(principal, Action.REQUEST_RELEASE, access, request_id, purpose)
        # What was reported before the download is in it; waited for before anything is written, so
        # that a download refused because the lists are behind (503) has recorded nothing.
        self._wait_for_views(["aggregated_list"])
        today = self._clock()
        first = access.release(on=today, by=_login(principal))  # in memory: 409 unless approved and valid
        partner = self._partner(principal, Action.REQUEST_RELEASE, access, request_id, purpose)
        if first:
            try:
                self._save(access)
            except ConflictError:
                pass  # a download at the same moment recorded the first release: nothing else changes
        year, sites = self._aggregated_list.sites(None, access.country, access.region, access.stone_type, None)
        watermark = (
            f"TruStone data-access release {access.id} for {partner.name} on {today.isoformat()}: "
            "confidential, for the stated purpose only"
        )
        if fmt == "json":
            body = {
                "release": str(access.id),
                "watermark": watermark,
                "year": year,
                "scope": access.scope,
                "sites": [_site_dict(site) for site in sites],
            }
            return ReleaseFile(FORMATS[fmt], json.dumps(body, ensure_ascii=False, indent=2).encode())
        return ReleaseFile(FORMATS[fmt], _csv(watermark, sites).encode())

    # --- the secretariat ------------------------------------------------------------------------

    def decide(
        self, principal: Who, access_id: uuid.UUID | str, approve: bool, reason: str, *, request_id: str = ""
    ) -> StepTaken:
        access = self._load(access_id)
        self._check(principal, Action.APPROVE_RELEASE, access, request_id)
        access.decide(approve=approve, reason=reason, on=self._clock(), by=_login(principal))  # in memory
        return self._authorised_save(principal, Action.APPROVE_RELEASE, access, request_id)

    def revoke(self, principal: Who, access_id: uuid.UUID | str, reason: str, *, request_id: str = "") -> StepTaken:
        access = self._load(access_id)
        self._check(principal, Action.APPROVE_RELEASE, access, request_id)
        access.revoke(reason=reason, on=self._clock(), by=_login(principal))  # in memory
        return self._authorised_save(principal, Action.APPROVE_RELEASE, access, request_id)

    # --- reading --------------------------------------------------------------------------------

    def get(self, principal: Who, access_id: uuid.UUID | str, *, request_id: str = "") -> AccessRequestView:
        """The request as its requester or the secretariat sees it, the local partner included."""
        access = self._load(access_id)
        purpose = f"data access request {access.id}"
        partner = self._partner(principal, data_access_sight(principal).action, access, request_id, purpose)
        return AccessRequestView(**vars(self._summary(access)), local_partner=partner)

    def list_for(self, principal: Who, *, request_id: str = "") -> list[AccessRequestSummary]:
        """The requests the principal's scope covers (keys/access/visibility.py), without the partner."""
        sight = data_access_sight(principal)
        audit = Audit(subject_kind=SUBJECT, purpose="data access requests", request_id=request_id)
        self._guard.authorise(principal, sight.action, sight.facts(), audit)
        own = _organisation_of(principal)
        return [
            self._summary(self._registry.repository.get(access_id))
            for access_id, requester_ref in self._register().requests
            if sight.scope is RequestScope.EVERY_REQUEST
            or (sight.scope is RequestScope.OWN_ORGANISATION and requester_ref == own)
        ]

    # --- helpers --------------------------------------------------------------------------------

    def _summary(self, access: DataAccessRequest) -> AccessRequestSummary:
        status = access.status_on(self._clock())
        return AccessRequestSummary(
            id=access.id,
            status=status,
            allowed_next=tuple(allowed_steps(status)),
            requester=access.requester_ref,
            requested_by=access.requested_by,
            requested_on=access.requested_on,
            scope=Scope(access.country, access.region, access.stone_type),
            purpose=access.purpose,
            clause=Clause(**access.clause) if access.clause else None,
            decision=ReleaseDecision(**access.decision) if access.decision else None,
            first_released=FirstRelease(**access.first_released) if access.first_released else None,
            revocation=Revocation(**access.revocation) if access.revocation else None,
            expires_on=access.expires_on(),
        )

    def _register(self) -> DataAccessRegister:
        try:
            register: DataAccessRegister = self._registry.repository.get(DataAccessRegister.ID)
        except AggregateNotFoundError:
            return DataAccessRegister()
        return register

    def _load(self, access_id: uuid.UUID | str) -> DataAccessRequest:
        try:
            access: object = self._registry.repository.get(uuid.UUID(str(access_id)))
        except (AggregateNotFoundError, ValueError):
            raise NotFoundError("no data-access request with that id") from None
        if not isinstance(access, DataAccessRequest):
            raise NotFoundError("no data-access request with that id")
        return access

    def _save(self, access: DataAccessRequest) -> None:
        """A lost race (another step saved first) is a conflict naming the request, not retried:
        this step was decided on a status that no longer holds."""
        try:
            self._registry.save(access)
        except VersionConflictError:
            raise ConflictError(f"data-access request {access.id} changed meanwhile: please try again") from None

    def _facts_and_audit(
        self, principal: Who, access: DataAccessRequest, request_id: str, purpose: str = ""
    ) -> tuple[Facts, Audit]:
        """``own_data``: the request is the principal's organisation's."""
        facts = Facts(own_data=_organisation_of(principal) == access.requester_ref)
        audit = Audit(
            subject_kind=SUBJECT,
            subject_ref=str(access.id),
            purpose=purpose or f"data access request {access.id}",
            request_id=request_id,
        )
        return facts, audit

    def _check(
        self, principal: Who, action: Action, access: DataAccessRequest, request_id: str, purpose: str = ""
    ) -> None:
        """The policy decides before anything else; a denial is logged, a grant only by
        ``_authorised_save`` or ``_partner`` once the command has passed its own checks."""
        self._guard.check(principal, action, *self._facts_and_audit(principal, access, request_id, purpose))

    def _authorised_save(self, principal: Who, action: Action, access: DataAccessRequest, request_id: str) -> StepTaken:
        self._guard.authorise(principal, action, *self._facts_and_audit(principal, access, request_id))
        self._save(access)
        return StepTaken(access.id, access.status)

    def _partner(
        self, principal: Who, action: Action, access: DataAccessRequest, request_id: str, purpose: str
    ) -> LocalPartner:
        """Decide, log and open the local partner in one step (the filter)."""
        facts, audit = self._facts_and_audit(principal, access, request_id, purpose)
        opened = self._guard.open(principal, action, facts, {"local_partner": access.local_partner}, audit)
        value = opened["local_partner"]
        if not isinstance(value, Mapping):  # the request's key was shredded: UNREADABLE
            raise GoneError("the local partner of this request can no longer be read")
        return LocalPartner(name=value["name"], contact=value["contact"])


def _organisation_of(principal: Who) -> str | None:
    return principal.organisation_ref if isinstance(principal, Principal) else None


def _login(principal: Who) -> str:
    return principal.login if principal is not None else ""


def _site_dict(site: AggregatedSite) -> dict[str, Any]:
    return {
        column: list(site.stone_types) if column == "stone_types" else getattr(site, column) for column in CSV_COLUMNS
    }


def _csv(watermark: str, sites: list[AggregatedSite]) -> str:
    """The watermark line (a ``#`` comment naming the local partner) and the rows, all through
    ``registry.csvsafe``: a partner's name or a reported district cannot become a formula."""
    rows = [[_site_dict(site)[column] for column in CSV_COLUMNS] for site in sites]
    return comment_line(watermark) + rows_to_csv([CSV_COLUMNS, *rows])
