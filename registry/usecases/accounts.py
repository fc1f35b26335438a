"""User accounts: create, disable, reset a second factor; the role must fit the organisation's kind.

Whose logins a person administers is a table next to the policy (``keys.access.visibility.
ACCOUNT_REMIT``): the secretariat those of the parties it serves, never its own, the auditor's or the
committee's. The facts name the role of the login administered: the one asked for, or the one the
login has; where it is not known yet (a role that is no role, a login or organisation that does not
exist) the attempt is decided on whether the person administers any login at all, and the input's
error (422, 404) comes after the decision, so a person without the right is refused and logged first.

A second factor's secret is made here and shown once, in the result of the call that made it (the
creation of a login whose role requires one, or a reset): it is sealed at rest and never read back
except by the login check. A disabled login's sessions end on their next request, because the
authenticator asks whether the account is active on every request (``keys/logins/auth.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyotp

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from keys.access.visibility import account_facts
from keys.logins.passwords import hash_password
from registry.application import RegistryApplication
from registry.domain.accounts import (
    ORGANISATION_KIND_OF_ROLE,
    ROLES_REQUIRING_TOTP,
    Role,
    UserAccount,
    check_role_fits,
    validate_login,
)
from registry.domain.errors import NotFoundError, ValidationError
from registry.domain.organisations import Organisation
from registry.domain.text import one_line
from registry.usecases.decisions import checked

ISSUER = "TruStone"  # the name an authenticator app shows next to the code
MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class SecondFactor:
    """Shown once: enrol it in an authenticator app (the URI as a QR code, or the secret by hand)."""

    login: str
    totp_secret: str
    totp_provisioning_uri: str


@dataclass(frozen=True)
class AccountCreated:
    login: str
    role: str
    organisation_ref: str
    # shown once, for a role that requires a second factor (secretariat, auditor); None otherwise
    second_factor: SecondFactor | None


@dataclass(frozen=True)
class AccountRecord:
    """A login as the secretariat sees it: never its password hash or second-factor secret."""

    login: str
    role: str
    organisation_ref: str
    display_name: str
    active: bool
    second_factor_enrolled: bool


def _second_factor(login: str) -> SecondFactor:
    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=login, issuer_name=ISSUER)
    return SecondFactor(login=login, totp_secret=secret, totp_provisioning_uri=uri)


class Accounts:
    def __init__(
        self, registry: RegistryApplication, guard: ConfidentialFilter, end_sessions: Callable[[str], None]
    ) -> None:
        self._registry = registry
        self._guard = guard
        self._end_sessions = end_sessions  # every session of a login (keys/logins/sessions.py revoke_all)

    def create(
        self,
        principal: Principal | SystemPrincipal,
        login: str,
        role: str,
        organisation_ref: str,
        display_name: str,
        password: str,
        request_id: str = "",
    ) -> AccountCreated:
        """A new login for a person of an organisation; its role must fit the organisation's kind."""
        audit = self._audit(login, "create account", request_id)
        attempt = checked(self._guard, principal, Action.ADMINISTER_USERS, audit, self._facts(principal, role))
        login = validate_login(login)
        name = one_line(display_name, "display_name", 120)
        if len(password or "") < MIN_PASSWORD_LENGTH:
            raise ValidationError("password", f"at least {MIN_PASSWORD_LENGTH} characters")
        # The role is checked before the password is hashed (argon2 is slow on purpose) and again by
        # the registry, which also refuses a login that is taken.
        chosen = check_role_fits(role, self._registry.organisation(organisation_ref).kind)
        second = _second_factor(login) if chosen in ROLES_REQUIRING_TOTP else None
        self._registry.create_account(
            login,
            chosen,
            organisation_ref,
            name,
            hash_password(password),
            second.totp_secret if second else None,
            before_write=attempt.grant,
        )
        return AccountCreated(login=login, role=chosen.value, organisation_ref=organisation_ref, second_factor=second)

    def disable(
        self, principal: Principal | SystemPrincipal, login: str, reason: str, request_id: str = ""
    ) -> AccountRecord:
        """The login can no longer log in; a session it holds is refused on its next request."""
        audit = self._audit(login, "disable account", request_id)
        attempt = checked(self._guard, principal, Action.ADMINISTER_USERS, audit, self._login_facts(principal, login))
        text = one_line(reason, "reason", 500, shortest=3)
        self._registry.disable_account(login, text, before_write=attempt.grant)
        return self._record(self._registry.account(login))

    def reset_second_factor(
        self, principal: Principal | SystemPrincipal, login: str, request_id: str = ""
    ) -> SecondFactor:
        """A new TOTP secret, shown once; codes of the old one stop working at once, and so do the
        login's open sessions (a reset follows a lost or stolen phone)."""
        audit = self._audit(login, "reset second factor", request_id)
        attempt = checked(self._guard, principal, Action.ADMINISTER_USERS, audit, self._login_facts(principal, login))
        second = _second_factor(validate_login(login))
        self._registry.reset_second_factor(second.login, second.totp_secret, before_write=attempt.grant)
        self._end_sessions(second.login)
        return second

    def listing(
        self, principal: Principal | SystemPrincipal, organisation_ref: str, request_id: str = ""
    ) -> list[AccountRecord]:
        """The organisation's logins, active or disabled, by login."""
        audit = Audit(
            subject_kind="account", subject_ref=organisation_ref, purpose="list accounts", request_id=request_id
        )
        attempt = checked(
            self._guard,
            principal,
            Action.ADMINISTER_USERS,
            audit,
            self._organisation_facts(principal, organisation_ref),
        )
        accounts = self._registry.accounts_of(organisation_ref)  # an unknown organisation is 404
        attempt.grant()
        return [self._record(account) for account in accounts]

    def may_administer(self, principal: Principal | SystemPrincipal, request_id: str = "") -> None:
        """Whether ``principal`` administers any logins, asked before a page reads its input or
        draws its forms: a refusal is logged and raised; a grant logs nothing (nothing is read)."""
        audit = Audit(subject_kind="user_account", purpose="administer logins", request_id=request_id)
        self._guard.check(principal, Action.ADMINISTER_USERS, self._facts(principal, None), audit)

    @staticmethod
    def roles_offered(principal: Principal | SystemPrincipal) -> tuple[str, ...]:
        """The roles whose logins ``principal`` administers, in ``Role``'s order: the choices a login
        form offers (it reads nothing, so logs nothing). ``create`` still decides every attempt."""
        return tuple(role.value for role in Role if account_facts(principal, role).in_remit)

    # --- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _facts(principal: Principal | SystemPrincipal, role: str | Role | None) -> Facts:
        """Administering a login of ``role``; a role not known yet: whether any login is in the remit."""
        try:
            return account_facts(principal, Role(role)) if role is not None else _any_login(principal)
        except ValueError:
            return _any_login(principal)

    def _login_facts(self, principal: Principal | SystemPrincipal, login: str) -> Facts:
        try:
            return self._facts(principal, self._registry.account(login).role)
        except (NotFoundError, ValidationError):
            return _any_login(principal)

    def _organisation_facts(self, principal: Principal | SystemPrincipal, organisation_ref: str) -> Facts:
        try:
            kind = str(self._registry.organisation(organisation_ref).kind)
        except (NotFoundError, ValidationError):
            return _any_login(principal)
        return self._facts(principal, next((r for r, k in ORGANISATION_KIND_OF_ROLE.items() if k == kind), None))

    def _record(self, account: UserAccount) -> AccountRecord:
        organisation: Organisation = self._registry.repository.get(account.organisation_id)
        return AccountRecord(
            login=account.login,
            role=account.role.value,
            organisation_ref=organisation.ref,
            display_name=account.display_name,
            active=account.active,
            second_factor_enrolled=account.totp_secret is not None,
        )

    @staticmethod
    def _audit(login: str, purpose: str, request_id: str) -> Audit:
        return Audit(subject_kind="account", subject_ref=login, purpose=purpose, request_id=request_id)


def _any_login(principal: Principal | SystemPrincipal) -> Facts:
    """Whether ``principal`` administers the logins of any role (the attempt's decision while the role
    of the login is not known)."""
    return Facts(in_remit=any(account_facts(principal, role).in_remit for role in Role))
