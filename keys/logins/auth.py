"""Authentication: password (argon2id), TOTP second factor, throttling, sessions.

What a failed login tells the caller is deliberately little: an unknown login, a wrong password, a
deactivated account and a wrong TOTP code all give the same message, and an unknown login costs the
same argon2 verification as a known one, so neither the answer nor its timing says which logins
exist. Two distinct answers come only after the right password: "a second factor is required",
and a valid code that was already used (RFC 6238 section 5.2) is told to wait for the next one; the
caller sent that code, so saying so tells an attacker nothing new, and it still counts as a failure.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets
from typing import TYPE_CHECKING

import pyotp

from keys.access.principal import Principal
from keys.logins.passwords import hash_password, verify_password
from registry.domain.accounts import ROLES_REQUIRING_TOTP, UserAccount
from registry.domain.errors import NotFoundError, RegistryError, ValidationError

if TYPE_CHECKING:
    from keys.logins.sessions import SessionStore
    from keys.logins.throttle import LoginThrottle
    from registry.application import RegistryApplication
    from registry.domain.clock import Clock
    from registry.domain.organisations import Organisation

log = logging.getLogger("trustone.auth")


class AuthenticationError(RegistryError):
    """Not (or no longer) logged in: HTTP 401 with ``WWW-Authenticate: Bearer``."""

    code = "not_authenticated"

    def __init__(self, message: str = "authentication required"):
        super().__init__(message)


class InvalidCredentialsError(AuthenticationError):
    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("invalid login or password")


class TotpRequiredError(AuthenticationError):
    code = "totp_required"

    def __init__(self) -> None:
        super().__init__("a second factor is required: send the current TOTP code as 'totp'")


class TotpReusedError(AuthenticationError):
    """The right password and a code that was valid, but already used: a failure all the same."""

    code = "totp_reused"

    def __init__(self) -> None:
        super().__init__("this code was already used: wait for the next one")


class LockedOutError(AuthenticationError):
    """Too many failed logins: HTTP 429 with ``Retry-After``. Raised for unknown logins too."""

    code = "locked_out"

    def __init__(self, until: dt.datetime, retry_after: int):
        super().__init__("too many failed logins; try again later")
        self.until = until
        self.retry_after = retry_after


@functools.cache
def _dummy_hash() -> str:
    """An argon2 hash of nothing anyone knows, to verify unknown logins against (equal timing)."""
    return hash_password(secrets.token_urlsafe(32))


class Authenticator:
    def __init__(
        self,
        registry: RegistryApplication,
        sessions: SessionStore,
        throttle: LoginThrottle,
        clock: Clock,
        session_ttl: dt.timedelta = dt.timedelta(hours=8),
    ):
        self._registry = registry
        self._sessions = sessions
        self._throttle = throttle
        self._clock = clock
        self.session_ttl = session_ttl
        _dummy_hash()  # pay for it at startup, not during the first unknown-login request

    def login(self, login: str, password: str, totp: str | None) -> str:
        """A new session token, or one of the errors above."""
        self._throttle.reserve(login)  # before the password check: see LoginThrottle.reserve
        try:
            account = self._find(login)
            password_ok = verify_password(account.password_hash if account else _dummy_hash(), password or "")
            if account is None or not password_ok or not account.active:
                raise InvalidCredentialsError
            self._second_factor(account, totp)
        except TotpRequiredError:
            self._throttle.release(login)  # the right password, the code still to come: no failure
            raise
        except AuthenticationError:
            self._throttle.record_failure(login)
            raise
        self._throttle.record_success(login)
        return self._sessions.issue(account.login, self.session_ttl)

    def principal_for(self, token: str) -> Principal | None:
        """Who holds this token; None when it is unknown, expired, revoked, or the account is gone."""
        login = self._sessions.resolve(token)
        if login is None:
            return None
        account = self._find(login)
        if account is None or not account.active:
            return None
        organisation: Organisation = self._registry.repository.get(account.organisation_id)
        return Principal(
            login=account.login,
            role=account.role,
            organisation_id=account.organisation_id,
            organisation_ref=organisation.ref,
        )

    def logout(self, token: str) -> None:
        self._sessions.revoke(token)

    def _find(self, login: str) -> UserAccount | None:
        try:
            return self._registry.account(login)
        except (NotFoundError, ValidationError):  # a malformed login cannot exist either
            return None

    def _second_factor(self, account: UserAccount, totp: str | None) -> None:
        """Required for the roles that must have it, and for anyone who enrolled one anyway."""
        secret = self._registry.totp_secret_for(account.login)
        if secret is None:
            if account.role in ROLES_REQUIRING_TOTP:
                # Fail closed: a misconfigured account is refused, not let in on a password alone.
                log.warning("login refused: account %s requires a second factor but has none enrolled", account.login)
                raise InvalidCredentialsError
            return
        code = (totp or "").replace(" ", "")
        if not code:
            raise TotpRequiredError  # not a failure: the normal first step of a two-step login
        try:
            step = pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=self._clock(), valid_window=1)
        except pyotp.OTPVerificationError:
            step = None
        if step is None:
            raise InvalidCredentialsError  # counted: the attempt was reserved in ``login``
        if not self._throttle.accept_totp_step(account.login, step):
            raise TotpReusedError
