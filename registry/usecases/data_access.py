"""Data-access requests as a service: a local partner gets the part of the aggregated list relevant
to it (docs/lifecycles.md, art. 6 lid 4a). The lifecycle is in registry/domain/access_requests.py.

Who may do what is decided by the policy only, through the vault: every attempt, allowed or not, is
one access-log entry. Request-side actions (a new request, the clause, reading a request, a
download) are ``request_release``, granted to NGO and union parties for their *own* requests (a new
request is own by definition); the secretariat's are ``approve_release``. The local partner's name
and contact are opened through the filter only, for the requester and the secretariat.

A download is one access-log entry, purpose "data access release <id>": the filter opens the
partner's name for the watermark in the same step that decides and logs. The export holds exactly
the rows the aggregated list shows for the request's scope, in its latest report year.

A refused request reads nothing and leaves no granted entry (issue 10): each command first asks the
policy (``vault.check``: a denial is logged, a grant not yet), then runs on the aggregate in memory
(its status and input: 409, 422), and only then logs the grant (and opens the partner's name, for a
download) and saves.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from registry.csvsafe import comment_line, rows_to_csv
from registry.domain.access_requests import DataAccessRegister, DataAccessRequest, allowed_steps
from registry.domain.errors import ConflictError, GoneError, NotFoundError, ValidationError
from registry.sealed_application import VersionConflictError

REQUEST, APPROVE = "request_release", "approve_release"
CSV_COLUMNS = ("site_id", "kind", "name", "country", "province", "district", "latitude", "longitude", "stone_types")
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


class DataAccess:
    def __init__(
        self,
        registry: Any,
        vault: Any,
        aggregated_list: Any,
        projections: Any,
        clock: Callable[[], dt.date] = dt.date.today,
    ):
        self.registry = registry
        self.vault = vault
        self.aggregated_list = aggregated_list
        self.projections = projections
        self.clock = clock

    # --- the requesting party -----------------------------------------------------------------

    def request(
        self,
        principal: Any,
        local_partner: dict[str, str],
        country: str,
        region: str | None,
        stone_type: str | None,
        purpose: str,
        *,
        request_id: str = "",
    ) -> uuid.UUID:
        """A new request on behalf of a local partner; returns its id."""
        # Validated first: bad input is a 422 naming the field, before anything is decided or logged.
        access = DataAccessRequest.request(
            requester_ref=getattr(principal, "organisation_ref", ""),
            requester_role=str(getattr(principal, "role", "")),
            requested_by=getattr(principal, "login", ""),
            local_partner=local_partner,
            country=country,
            region=region,
            stone_type=stone_type,
            purpose=purpose,
            on=self.clock(),
        )
        self.vault.authorise(
            principal,
            REQUEST,
            facts={"own_data": True},
            subject_kind="data_access_request",
            subject_ref=str(access.id),
            purpose="data access request",
            request_id=request_id,
        )
        requested = access.collect_events()  # kept, so that a retry saves the very same request
        for _attempt in range(5):  # two requests at once conflict on the register: one retries
            register = self._register()
            register.add(request_id=access.id, requester_ref=access.requester_ref)
            try:
                self.registry.save(register, *requested)
            except VersionConflictError:
                continue
            return access.id
        raise ConflictError("too many requests at once: please try again")

    def record_clause(
        self,
        principal: Any,
        access_id: uuid.UUID | str,
        title: str,
        version: str,
        sha256: str,
        signed_on: dt.date,
        valid_until: dt.date,
        *,
        request_id: str = "",
    ) -> str:
        """The local partner's signed confidentiality clause (the requesting party records it)."""
        access = self._load(access_id)
        self._check(principal, REQUEST, access, request_id)
        access.record_clause(
            title=title,
            version=version,
            sha256=sha256,
            signed_on=signed_on,
            valid_until=valid_until,
            on=self.clock(),
            by=principal.login,
        )  # in memory
        self._authorise(principal, REQUEST, access, request_id)
        self._save(access)
        return access.status.value

    def release(
        self, principal: Any, access_id: uuid.UUID | str, fmt: str = "csv", *, request_id: str = ""
    ) -> tuple[str, bytes]:
        """The scoped rows of the aggregated list, watermarked: (media type, bytes)."""
        if fmt not in FORMATS:
            raise ValidationError("format", "csv or json")
        access = self._load(access_id)
        purpose = f"data access release {access.id}"
        self._check(principal, REQUEST, access, request_id, purpose)
        # What was reported before the download is in it; waited for before anything is written, so
        # that a download refused because the lists are behind (503) has recorded nothing.
        self.projections.wait(["aggregated_list"])
        today = self.clock()
        first = access.release(on=today, by=principal.login)  # in memory: 409 unless approved and valid
        opened = self._open(principal, REQUEST, access, request_id, purpose=purpose)
        partner = _partner_or_gone(opened["local_partner"])
        if first:
            try:
                self._save(access)
            except ConflictError:
                pass  # a download at the same moment recorded the first release: nothing else changes
        year, sites = self.aggregated_list.sites(None, access.country, access.region, access.stone_type, None)
        watermark = (
            f"TruStone data-access release {access.id} for {partner['name']} on {today.isoformat()}: "
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
            return FORMATS[fmt], json.dumps(body, ensure_ascii=False, indent=2).encode()
        return FORMATS[fmt], _csv(watermark, sites).encode()

    # --- the secretariat ------------------------------------------------------------------------

    def decide(
        self, principal: Any, access_id: uuid.UUID | str, approve: bool, reason: str, *, request_id: str = ""
    ) -> str:
        access = self._load(access_id)
        self._check(principal, APPROVE, access, request_id)
        status = access.decide(approve=approve, reason=reason, on=self.clock(), by=principal.login)  # in memory
        self._authorise(principal, APPROVE, access, request_id)
        self._save(access)
        return status.value

    def revoke(self, principal: Any, access_id: uuid.UUID | str, reason: str, *, request_id: str = "") -> str:
        access = self._load(access_id)
        self._check(principal, APPROVE, access, request_id)
        access.revoke(reason=reason, on=self.clock(), by=principal.login)  # in memory
        self._authorise(principal, APPROVE, access, request_id)
        self._save(access)
        return access.status.value

    # --- reading --------------------------------------------------------------------------------

    def get(self, principal: Any, access_id: uuid.UUID | str, *, request_id: str = "") -> dict[str, Any]:
        """The request as its requester or the secretariat sees it, the local partner included."""
        access = self._load(access_id)
        opened = self._open(
            principal, _reading_action(principal), access, request_id, purpose=f"data access request {access.id}"
        )
        return {**self._summary(access), "local_partner": _partner_or_gone(opened["local_partner"])}

    def list_for(self, principal: Any, *, request_id: str = "") -> list[dict[str, Any]]:
        """The secretariat: every request; a requesting party: its own. No local partner in a list
        (opening one per row would be one access-log entry per row); ``get`` shows it."""
        action = _reading_action(principal)
        self.vault.authorise(
            principal,
            action,
            facts={"own_data": True},
            subject_kind="data_access_request",
            purpose="data access requests",
            request_id=request_id,
        )
        own = getattr(principal, "organisation_ref", None)
        return [
            self._summary(self.registry.repository.get(access_id))
            for access_id, requester_ref in self._register().requests
            if action == APPROVE or requester_ref == own
        ]

    # --- helpers --------------------------------------------------------------------------------

    def _summary(self, access: DataAccessRequest) -> dict[str, Any]:
        today = self.clock()
        status = access.status_on(today)
        expires = access.expires_on()
        return {
            "id": str(access.id),
            "status": status.value,
            "allowed_next": allowed_steps(status),
            "requester": access.requester_ref,
            "requested_by": access.requested_by,
            "requested_on": access.requested_on.isoformat(),
            "scope": access.scope,
            "purpose": access.purpose,
            "clause": _dates(access.clause),
            "decision": _dates(access.decision),
            "first_released": _dates(access.first_released),
            "revocation": _dates(access.revocation),
            "expires_on": expires.isoformat() if expires else None,
        }

    def _register(self) -> DataAccessRegister:
        try:
            return self.registry.repository.get(DataAccessRegister.ID)
        except AggregateNotFoundError:
            return DataAccessRegister()

    def _load(self, access_id: uuid.UUID | str) -> DataAccessRequest:
        try:
            access = self.registry.repository.get(uuid.UUID(str(access_id)))
        except (AggregateNotFoundError, ValueError):
            raise NotFoundError("no data-access request with that id") from None
        if not isinstance(access, DataAccessRequest):
            raise NotFoundError("no data-access request with that id")
        return access

    def _save(self, access: DataAccessRequest) -> None:
        """A lost race (another step saved first) is a conflict naming the request, not retried:
        this step was decided on a status that no longer holds."""
        try:
            self.registry.save(access)
        except VersionConflictError:
            raise ConflictError(f"data-access request {access.id} changed meanwhile: please try again") from None

    def _audit(self, principal: Any, access: DataAccessRequest, request_id: str, purpose: str = "") -> dict[str, Any]:
        own = getattr(principal, "organisation_ref", None) == access.requester_ref
        return {
            "facts": {"own_data": own},
            "subject_kind": "data_access_request",
            "subject_ref": str(access.id),
            "purpose": purpose or f"data access request {access.id}",
            "request_id": request_id,
        }

    def _check(
        self, principal: Any, action: str, access: DataAccessRequest, request_id: str, purpose: str = ""
    ) -> None:
        """The policy decides before anything else; a denial is logged, a grant only by ``_authorise``
        or ``_open`` once the command has passed its own checks."""
        self.vault.check(principal, action, **self._audit(principal, access, request_id, purpose))

    def _authorise(self, principal: Any, action: str, access: DataAccessRequest, request_id: str) -> None:
        self.vault.authorise(principal, action, **self._audit(principal, access, request_id))

    def _open(
        self, principal: Any, action: str, access: DataAccessRequest, request_id: str, purpose: str
    ) -> dict[str, Any]:
        return self.vault.open(
            principal,
            action,
            {"local_partner": access.local_partner},
            **self._audit(principal, access, request_id, purpose),
        )


def _reading_action(principal: Any) -> str:
    """Which row of the policy a read falls under: the secretariat reads as the approver, everyone
    else as a requester (the policy then grants NGO and union parties their own requests only)."""
    return APPROVE if str(getattr(principal, "role", "")) == "secretariat" else REQUEST


def _partner_or_gone(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):  # the request's key was shredded
        raise GoneError("the local partner of this request can no longer be read")
    return value


def _dates(record: dict[str, Any] | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in record.items()}


def _site_dict(site: Any) -> dict[str, Any]:
    return {
        column: list(site.stone_types) if column == "stone_types" else getattr(site, column) for column in CSV_COLUMNS
    }


def _csv(watermark: str, sites: list[Any]) -> str:
    """The watermark line (a ``#`` comment naming the local partner) and the rows, all through
    ``registry.csvsafe``: a partner's name or a reported district cannot become a formula."""
    rows = [[_site_dict(site)[column] for column in CSV_COLUMNS] for site in sites]
    return comment_line(watermark) + rows_to_csv([CSV_COLUMNS, *rows])
