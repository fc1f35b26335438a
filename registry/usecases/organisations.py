"""The register of organisations (the secretariat's duty): member companies, NGO and union parties,
public buyers; joining, withdrawal, exclusion, contact address.

Each command asks the policy first (a refusal is logged and raised), then lets the registry check
everything (an unknown ref is 404, a duplicate or an illegal step 409, a bad field 422, and none of
these leaves a granted entry), and logs the grant right before the one save. Reads log their grant
once the organisation is found. Every attempt is one access-log entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action
from keys.access.principal import Principal, SystemPrincipal
from registry.application import RegistryApplication
from registry.domain.errors import ConflictError, ValidationError
from registry.domain.organisations import (
    CompanyCategory,
    CompanySize,
    Organisation,
    OrganisationKind,
    check_membership_date,
)
from registry.usecases.decisions import checked

# What the secretariat registers; its own organisation, the committee's and the auditor's come with
# the installation (`trustone demo`, or by hand), not through the register.
REGISTRABLE_KINDS = (
    OrganisationKind.MEMBER_COMPANY,
    OrganisationKind.NGO_PARTY,
    OrganisationKind.UNION_PARTY,
    OrganisationKind.PUBLIC_BUYER,
)


@dataclass(frozen=True)
class Membership:
    """One stretch of membership: from ``joined_on`` up to, not including, ``ended_on``."""

    joined_on: dt.date
    category: str
    size: str
    ended_on: dt.date | None
    end_reason: str | None  # withdrawn or excluded


@dataclass(frozen=True)
class OrganisationSummary:
    """One line of the register; a company's latest membership, if any."""

    ref: str
    name: str
    kind: str
    country: str
    joined_on: dt.date | None
    ended_on: dt.date | None
    end_reason: str | None


@dataclass(frozen=True)
class OrganisationRecord:
    """An organisation as the secretariat sees it: its register entry, contact and membership history."""

    ref: str
    name: str
    kind: str
    country: str
    contact_email: str | None
    memberships: tuple[Membership, ...]


def _summary(organisation: Organisation) -> OrganisationSummary:
    last = organisation.periods[-1] if organisation.periods else None
    return OrganisationSummary(
        ref=organisation.ref,
        name=organisation.name,
        kind=organisation.kind.value,
        country=organisation.country,
        joined_on=last.joined_on if last else None,
        ended_on=last.ended_on if last else None,
        end_reason=last.end_reason.value if last and last.end_reason else None,
    )


def _record(organisation: Organisation) -> OrganisationRecord:
    return OrganisationRecord(
        ref=organisation.ref,
        name=organisation.name,
        kind=organisation.kind.value,
        country=organisation.country,
        contact_email=organisation.contact_email,
        memberships=tuple(
            Membership(
                joined_on=p.joined_on,
                category=p.category.value,
                size=p.size.value,
                ended_on=p.ended_on,
                end_reason=p.end_reason.value if p.end_reason else None,
            )
            for p in organisation.periods
        ),
    )


Choice = TypeVar("Choice", OrganisationKind, CompanyCategory, CompanySize)


def _choice(field: str, value: str, allowed: tuple[Choice, ...]) -> Choice:
    """The value as one of ``allowed``, or a refusal naming the field and the choices."""
    for choice in allowed:
        if str(value).strip().lower() == choice.value.lower():
            return choice
    raise ValidationError(field, f"one of: {', '.join(c.value for c in allowed)}")


class Organisations:
    def __init__(
        self,
        registry: RegistryApplication,
        guard: ConfidentialFilter,
        committee_cases: Callable[[str], bool],
        today: Callable[[], dt.date],
    ) -> None:
        """``committee_cases``: whether a company (by ref) is part of an open case before the
        complaints committee (the grievance cases know; Verklaring D). ``today``: the services' one
        clock's day, which bounds a membership date (``check_membership_date``)."""
        self._registry = registry
        self._guard = guard
        self._committee_cases = committee_cases
        self._today = today

    # --- commands ----------------------------------------------------------------------------

    def register(
        self,
        principal: Principal | SystemPrincipal,
        ref: str,
        name: str,
        kind: str,
        country: str,
        request_id: str = "",
    ) -> OrganisationRecord:
        """A member company, NGO party, union party or public buyer joins the register."""
        audit = self._audit(ref, "register organisation", request_id)
        attempt = checked(self._guard, principal, Action.MANAGE_ORGANISATIONS, audit)
        chosen = _choice("kind", kind, REGISTRABLE_KINDS)
        self._registry.register_organisation(ref, name, chosen, country, before_write=attempt.grant)
        return _record(self._registry.organisation(ref))

    def join(
        self,
        principal: Principal | SystemPrincipal,
        ref: str,
        on: dt.date,
        category: str,
        size: str,
        request_id: str = "",
    ) -> OrganisationRecord:
        audit = self._audit(ref, "record joining", request_id)
        attempt = checked(self._guard, principal, Action.MANAGE_ORGANISATIONS, audit)
        self._registry.join(
            ref,
            check_membership_date("on", on, self._today()),
            _choice("category", category, tuple(CompanyCategory)),
            _choice("size", size, tuple(CompanySize)),
            before_write=attempt.grant,
        )
        return _record(self._registry.organisation(ref))

    def withdraw(
        self, principal: Principal | SystemPrincipal, ref: str, on: dt.date, request_id: str = ""
    ) -> OrganisationRecord:
        """Verklaring D: a company that is part of an open case before the complaints committee
        cannot withdraw until the case is decided."""
        audit = self._audit(ref, "record withdrawal", request_id)
        attempt = checked(self._guard, principal, Action.MANAGE_ORGANISATIONS, audit)
        self._registry.company(ref)  # an unknown ref is 404 before the cases are asked
        if self._committee_cases(ref):
            raise ConflictError(
                f"{ref} has a dispute pending before the complaints committee: "
                "it cannot withdraw until the dispute is decided"
            )
        self._registry.withdraw(ref, check_membership_date("on", on, self._today()), before_write=attempt.grant)
        return _record(self._registry.organisation(ref))

    def exclude(
        self, principal: Principal | SystemPrincipal, ref: str, on: dt.date, request_id: str = ""
    ) -> OrganisationRecord:
        audit = self._audit(ref, "record exclusion", request_id)
        attempt = checked(self._guard, principal, Action.MANAGE_ORGANISATIONS, audit)
        self._registry.exclude(ref, check_membership_date("on", on, self._today()), before_write=attempt.grant)
        return _record(self._registry.organisation(ref))

    def set_contact(
        self, principal: Principal | SystemPrincipal, ref: str, email: str, request_id: str = ""
    ) -> OrganisationRecord:
        """Where the secretariat's notices to the company go (a grievance about a site it buys from)."""
        audit = self._audit(ref, "set contact address", request_id)
        attempt = checked(self._guard, principal, Action.MANAGE_ORGANISATIONS, audit)
        self._registry.set_contact_email(ref, email, before_write=attempt.grant)
        return _record(self._registry.organisation(ref))

    # --- reads -------------------------------------------------------------------------------

    def listing(
        self, principal: Principal | SystemPrincipal, kind: str | None = None, request_id: str = ""
    ) -> list[OrganisationSummary]:
        audit = Audit(subject_kind="organisation", purpose="list organisations", request_id=request_id)
        attempt = checked(self._guard, principal, Action.READ_ORGANISATIONS, audit)
        chosen = _choice("kind", kind, tuple(OrganisationKind)) if kind is not None else None
        attempt.grant()
        return [_summary(organisation) for organisation in self._registry.organisations(chosen)]

    def show(self, principal: Principal | SystemPrincipal, ref: str, request_id: str = "") -> OrganisationRecord:
        audit = self._audit(ref, "look up organisation", request_id)
        attempt = checked(self._guard, principal, Action.READ_ORGANISATIONS, audit)
        organisation = self._registry.organisation(ref)
        attempt.grant()
        return _record(organisation)

    # --- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _audit(ref: str, purpose: str, request_id: str) -> Audit:
        return Audit(subject_kind="organisation", subject_ref=ref, purpose=purpose, request_id=request_id)
