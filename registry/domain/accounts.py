"""User accounts: one login per person (covenant: "unieke inlogcodes"), exactly one role.

The password arrives here already hashed (``keys/logins/passwords.py``); the domain never sees a password.
"""

from __future__ import annotations

import re
import uuid
from enum import StrEnum

from eventsourcing.domain import Aggregate, event

from registry.domain.errors import ConflictError, ValidationError

_NAMESPACE = uuid.UUID("a3c1f0e2-5d47-4b8e-9c61-7e2f4d9b8a03")
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,79}$")


class Role(StrEnum):
    SECRETARIAT = "secretariat"
    NGO = "ngo"
    UNION = "union"
    COMPANY = "company"
    COMMITTEE = "committee"
    AUDITOR = "auditor"
    BUYER = "buyer"


# docs/confidentiality.md: a second factor is required for these roles.
ROLES_REQUIRING_TOTP = frozenset({Role.SECRETARIAT, Role.AUDITOR})


def validate_login(login: str) -> str:
    candidate = (login or "").strip().lower()
    if not LOGIN_PATTERN.match(candidate):
        raise ValidationError("login", "3-80 characters: letters, digits, '.', '_', '@', '-'")
    return candidate


# docs/access.md, Roles: the kind of organisation each role's people work for. A login's role must fit
# its organisation: a company login for an NGO would let the policy treat an NGO as a member company.
ORGANISATION_KIND_OF_ROLE = {
    Role.SECRETARIAT: "secretariat",
    Role.NGO: "ngo_party",
    Role.UNION: "union_party",
    Role.COMPANY: "member_company",
    Role.COMMITTEE: "complaints_committee",
    Role.AUDITOR: "auditor",
    Role.BUYER: "public_buyer",
}


def check_role_fits(role: Role | str, organisation_kind: str) -> Role:
    """The role, if it fits the kind of organisation (``OrganisationKind``); else a refusal naming ``role``."""
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError("role", f"one of: {', '.join(r.value for r in Role)}") from None
    if ORGANISATION_KIND_OF_ROLE[role] != str(organisation_kind):
        raise ValidationError(
            "role",
            f"a {role.value} login belongs to an organisation of kind "
            f"{ORGANISATION_KIND_OF_ROLE[role]}, not {organisation_kind}",
        )
    return role


# keys/ seals the TOTP secret with the account's own data key.
CONFIDENTIAL_EVENTS = {
    "UserAccount.Created": ("originator_id", ("totp_secret",)),
    "UserAccount.SecondFactorReset": ("originator_id", ("totp_secret",)),
}


class UserAccount(Aggregate):
    @staticmethod
    def create_id(login: str) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, login)

    @event("Created")
    def __init__(
        self,
        login: str,
        role: Role,
        organisation_id: uuid.UUID,
        display_name: str,
        password_hash: str,
        totp_secret: str | None,
    ):
        self.login = login
        self.role = Role(role)
        self.organisation_id = organisation_id
        self.display_name = display_name
        self.password_hash = password_hash
        self.totp_secret = totp_secret
        self.active = True

    @event("PasswordChanged")
    def change_password(self, password_hash: str) -> None:
        self.password_hash = password_hash

    @event("Deactivated")
    def deactivate(self, reason: str) -> None:
        self.active = False

    def reset_second_factor(self, totp_secret: str) -> None:
        """A new TOTP secret replaces the old one (a lost phone): codes of the old one stop working."""
        if not self.active:
            raise ConflictError("the account is disabled")
        self._second_factor_reset(totp_secret=totp_secret)

    @event("SecondFactorReset")
    def _second_factor_reset(self, totp_secret: str) -> None:
        self.totp_secret = totp_secret
