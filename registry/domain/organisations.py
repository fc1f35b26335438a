"""Organisations and membership history.

A member company can join, withdraw or be excluded, and join again later. Each stretch of
membership is kept as a period, so that "was company X a participating member on date D?" has an
answer for any date, which tender evidence needs (snelgids box 5).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from enum import StrEnum

from eventsourcing.domain import Aggregate, event

from registry.domain.errors import ConflictError, ValidationError


class OrganisationKind(StrEnum):
    MEMBER_COMPANY = "member_company"
    NGO_PARTY = "ngo_party"
    UNION_PARTY = "union_party"
    PUBLIC_BUYER = "public_buyer"
    SECRETARIAT = "secretariat"
    COMPLAINTS_COMMITTEE = "complaints_committee"
    AUDITOR = "auditor"


class CompanyCategory(StrEnum):
    """Assumption, the covenant names only B and C (appendix 1, "Weging"):

    A: associated member, buys only from Dutch or Belgian importers (art. 5 lid 14-15);
    B: imports only from non-risk countries; C: also imports from risk countries.
    """

    A = "A"
    B = "B"
    C = "C"


class CompanySize(StrEnum):
    """Appendix 1: small (< 25 staff and <= 5 mln turnover), medium, large (>= 250 and > 50 mln)."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class MembershipEnd(StrEnum):
    WITHDRAWN = "withdrawn"
    EXCLUDED = "excluded"


class Standing(StrEnum):
    """A company's standing on a date, as the public status answers it (art. 6 lid 1)."""

    MEMBER = "member"
    WITHDRAWN = "withdrawn"  # its last membership before the date ended by withdrawal
    EXCLUDED = "excluded"  # ... or by exclusion
    NOT_YET_MEMBER = "not_yet_member"  # no membership had begun by the date


REF_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")


EMAIL_PATTERN = re.compile(r"^[a-z0-9._%+-]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)+$")


def validate_ref(ref: str) -> str:
    """A short public reference such as ``natuursteen-de-vries``: lower case, digits, hyphens."""
    if not isinstance(ref, str) or not REF_PATTERN.match(ref):
        raise ValidationError(
            "ref", "use 3-40 characters: lower-case letters, digits and hyphens, no hyphen at either end"
        )
    return ref


@dataclass(frozen=True)
class MembershipPeriod:
    """One stretch of membership: from ``joined_on`` up to, not including, ``ended_on``."""

    joined_on: dt.date
    category: CompanyCategory
    size: CompanySize
    ended_on: dt.date | None = None
    end_reason: MembershipEnd | None = None

    def covers(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.ended_on is None or day < self.ended_on)


_NAMESPACE = uuid.UUID("4e7d2c10-9b3a-4f5e-8d21-6a0c9e7b5f44")


FIRST_TERM_BEGAN = dt.date(2019, 5, 1)
"""The covenant's first term began in May 2019 ("het oorspronkelijke convenant van mei 2019",
evaluation 2020-2024): no membership date lies before it."""


def check_membership_date(field: str, on: dt.date, today: dt.date) -> dt.date:
    """A joining, withdrawal or exclusion date: not before the first term, and not more than a year
    after ``today`` (a date agreed ahead is fine; year 9999 is a typing error)."""
    latest = add_one_year(today)
    if not FIRST_TERM_BEGAN <= on <= latest:
        raise ValidationError(
            field,
            f"a date from {FIRST_TERM_BEGAN.isoformat()} (the covenant's first term) to {latest.isoformat()}"
            " (a year from today)",
        )
    return on


def add_one_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


class Organisation(Aggregate):
    """Any organisation a principal belongs to; member companies carry a membership history."""

    @staticmethod
    def create_id(ref: str) -> uuid.UUID:
        """From the public ref (the member listing shows it): carries no confidential fact."""
        return uuid.uuid5(_NAMESPACE, ref)

    @event("Registered")
    def __init__(self, ref: str, name: str, kind: OrganisationKind, country: str):
        self.ref = ref
        self.name = name
        self.kind = OrganisationKind(kind)
        self.country = country
        self.periods: list[MembershipPeriod] = []
        self.shredded_on: dt.date | None = None
        self.contact_email: str | None = None

    # --- membership -------------------------------------------------------------------------

    @property
    def is_company(self) -> bool:
        return self.kind == OrganisationKind.MEMBER_COMPANY

    @property
    def current_period(self) -> MembershipPeriod | None:
        if self.periods and self.periods[-1].ended_on is None:
            return self.periods[-1]
        return None

    def join(self, on: dt.date, category: CompanyCategory, size: CompanySize) -> None:
        if not self.is_company:
            raise ConflictError("only a member company can join as a member")
        if self.current_period is not None:
            raise ConflictError("the company is already a member")
        if self.periods and on < self.periods[-1].ended_on:  # type: ignore[operator]
            raise ValidationError("joined_on", "must not be before the end of the previous membership")
        self._joined(on=on, category=CompanyCategory(category), size=CompanySize(size))

    @event("Joined")
    def _joined(self, on: dt.date, category: CompanyCategory, size: CompanySize) -> None:
        self.periods.append(MembershipPeriod(joined_on=on, category=CompanyCategory(category), size=CompanySize(size)))

    def withdraw(self, on: dt.date) -> None:
        self._end(on, MembershipEnd.WITHDRAWN)

    def exclude(self, on: dt.date) -> None:
        self._end(on, MembershipEnd.EXCLUDED)

    def _end(self, on: dt.date, reason: MembershipEnd) -> None:
        period = self.current_period
        if period is None:
            raise ConflictError("the company is not a member")
        if on <= period.joined_on:
            raise ValidationError(f"{reason.value}_on", "must be after the date the company joined")
        self._membership_ended(on=on, reason=reason)

    @event("MembershipEnded")
    def _membership_ended(self, on: dt.date, reason: MembershipEnd) -> None:
        last = self.periods[-1]
        self.periods[-1] = MembershipPeriod(
            joined_on=last.joined_on,
            category=last.category,
            size=last.size,
            ended_on=on,
            end_reason=MembershipEnd(reason),
        )

    # --- public listing --------------------------------------------------------------------

    def explain_delay(self, year: int, explanation: str, by: str) -> None:
        """Art. 5 lid 11: a company delayed from level 3 gets an explanation on the public listing."""
        if not self.is_company:
            raise ConflictError("only a member company has a public listing")
        text = " ".join((explanation or "").split())
        if not 10 <= len(text) <= 2000:
            raise ValidationError("explanation", "10-2000 characters")
        self._delay_explained(year=year, explanation=text, by=by)

    @event("DelayExplained")
    def _delay_explained(self, year: int, explanation: str, by: str) -> None:
        self.delay_explanations = {**getattr(self, "delay_explanations", {}), str(year): explanation}

    # --- notifications ----------------------------------------------------------------------

    def set_contact_email(self, address: str) -> None:
        """Where the secretariat's notifications go (a grievance about a site the company buys from)."""
        cleaned = (address or "").strip().lower()
        if not EMAIL_PATTERN.match(cleaned):
            raise ValidationError("contact_email", "an e-mail address like meldingen@example.nl")
        self._contact_email_set(address=cleaned)

    @event("ContactEmailSet")
    def _contact_email_set(self, address: str) -> None:
        self.contact_email = address

    # --- the contribution's basis (bijlage 4; registry/domain/contributions.py) ----------------

    def set_contribution_basis(self, member_type: str, establishments: int, by: str) -> None:
        """Importer or associated member, and the number of establishments (an associated member
        pays per establishment): recorded by the secretariat, public facts about the company itself."""
        if not self.is_company:
            raise ConflictError("only a member company pays a contribution")
        if member_type not in ("importer", "associated"):
            raise ValidationError("member_type", "importer or associated")
        if isinstance(establishments, bool) or not isinstance(establishments, int) or not 0 <= establishments <= 10000:
            raise ValidationError("establishments", "a whole number from 0 to 10000")
        self._contribution_basis_set(member_type=member_type, establishments=establishments, by=by)

    @event("ContributionBasisSet")
    def _contribution_basis_set(self, member_type: str, establishments: int, by: str) -> None:
        self.member_type = member_type
        self.establishments = establishments

    @property
    def contribution_basis(self) -> tuple[str | None, int | None]:
        """(member type, establishments) as recorded; (None, None) before the secretariat records them."""
        return getattr(self, "member_type", None), getattr(self, "establishments", None)

    # --- erasure -----------------------------------------------------------------------------

    @event("ConfidentialDataShredded")
    def record_shredding(self, on: dt.date, by: str, keys_destroyed: int) -> None:
        """The company's data keys were destroyed: its confidential fields are gone for good."""
        self.shredded_on = on

    def period_on(self, day: dt.date) -> MembershipPeriod | None:
        for period in self.periods:
            if period.covers(day):
                return period
        return None

    def standing_on(self, day: dt.date) -> tuple[Standing, MembershipPeriod | None]:
        """Member on ``day`` (with the period covering it); or how its last membership that began by
        then ended (with that period, whose ``ended_on`` is the date); or not yet a member."""
        period = self.period_on(day)
        if period is not None:
            return Standing.MEMBER, period
        ended = [p for p in self.periods if p.ended_on is not None and p.ended_on <= day]
        if not ended:
            return Standing.NOT_YET_MEMBER, None
        last = ended[-1]
        return Standing(last.end_reason.value), last  # type: ignore[union-attr]

    def periods_in(self, year: int) -> list[MembershipPeriod]:
        """The membership periods that cover at least one day of calendar ``year``."""
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return [p for p in self.periods if p.joined_on <= last and (p.ended_on is None or p.ended_on > first)]

    def was_member_on(self, day: dt.date) -> bool:
        return self.period_on(day) is not None
