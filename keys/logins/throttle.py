"""Failed-login throttling, and the one-time use of TOTP codes.

Rows are keyed by the SHA-256 of the folded login, never the login itself: an attacker's guesses at
logins that do not exist are throttled just like real ones, so the table holds valid and invalid
logins alike and does not become a list of accounts.

Every change is a single conditional statement (an upsert or a guarded update), so two concurrent
requests for the same login cannot both slip through: the database orders them on the row. An
attempt is reserved before the password is checked (``reserve``), so concurrent guesses cannot all
be checked before the lock falls.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from keys.logins.auth import LockedOutError
from keys.storage.sql import SqlStore
from registry.domain.clock import Clock, iso_utc, parse_iso_utc, utc_now


def login_key(login: str) -> str:
    folded = (login or "").strip().lower()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


class LoginThrottle:
    def __init__(
        self,
        sql: SqlStore,
        clock: Clock = utc_now,
        max_failures: int = 5,
        lockout: dt.timedelta = dt.timedelta(minutes=15),
    ):
        if max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        self._sql = sql
        self._clock = clock
        self.max_failures = max_failures
        self.lockout = lockout

    def create_tables(self) -> None:
        with self._sql.transaction() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS {schema}.auth_throttle ("
                " login_key TEXT PRIMARY KEY,"
                " failures INTEGER NOT NULL DEFAULT 0,"
                " window_started TEXT,"  # first failure of the current counting window
                " locked_until TEXT,"
                " last_totp_step INTEGER)"  # newest TOTP time step accepted for this login
            )

    def check(self, login: str) -> None:
        """Raises ``LockedOutError`` while the login is locked out."""
        now = self._clock()
        with self._sql.transaction() as cursor:
            row = cursor.execute(
                "SELECT locked_until FROM {schema}.auth_throttle WHERE login_key = %s AND locked_until > %s",
                (login_key(login), iso_utc(now)),
            ).fetchone()
        if row:
            until = parse_iso_utc(row[0])
            raise LockedOutError(until, retry_after=max(1, math.ceil((until - now).total_seconds())))

    def reserve(self, login: str) -> None:
        """Take one of the window's ``max_failures`` attempts *before* the password is checked, or
        raise ``LockedOutError``.

        The attempt counts as a failure from now on; only ``record_success`` or ``release`` gives it
        back. So however many guesses arrive at once, at most ``max_failures`` per window reach the
        (slow) password check: counting after the check would let every guess already in flight
        through before the lock. A counting window starts at the first attempt and lasts one
        lockout period; an attempt after that starts a new window, so a few typos spread over days
        never add up to a lockout. When the window's attempts are all taken, the login is locked.

        Each step is one conditional statement on the login's row, so the database orders
        concurrent requests (SQLite: the write lock; PostgreSQL: the row lock, with the condition
        re-checked on the newest row).
        """
        now = self._clock()
        key, now_text = login_key(login), iso_utc(now)
        with self._sql.transaction(exclusive=True) as cursor:
            cursor.execute(
                "INSERT INTO {schema}.auth_throttle (login_key, failures) VALUES (%s, 0)"
                " ON CONFLICT (login_key) DO NOTHING",
                (key,),
            )
            cursor.execute(
                "UPDATE {schema}.auth_throttle SET failures = 0, window_started = NULL"
                " WHERE login_key = %s AND window_started <= %s",
                (key, iso_utc(now - self.lockout)),
            )
            taken = cursor.execute(
                "UPDATE {schema}.auth_throttle SET failures = failures + 1,"
                " window_started = COALESCE(window_started, %s)"
                " WHERE login_key = %s AND (locked_until IS NULL OR locked_until <= %s) AND failures < %s",
                (now_text, key, now_text, self.max_failures),
            ).rowcount
        if taken != 1:
            self._lock_when_spent(login)
            self.check(login)
            # Unlocked in between by a login that succeeded at the same moment: refuse this one too.
            raise LockedOutError(now + dt.timedelta(seconds=1), retry_after=1)

    def record_failure(self, login: str) -> None:
        """A reserved attempt failed (it is counted already): the ``max_failures``-th locks the login.
        Locking resets the count: after the lockout the login gets ``max_failures`` fresh attempts."""
        self._lock_when_spent(login)

    def release(self, login: str) -> None:
        """Give back a reserved attempt that was not a failure (the right password, and the second
        factor still to come)."""
        with self._sql.transaction() as cursor:
            cursor.execute(
                "UPDATE {schema}.auth_throttle SET failures = failures - 1 WHERE login_key = %s AND failures > 0",
                (login_key(login),),
            )

    def _lock_when_spent(self, login: str) -> None:
        now = self._clock()
        with self._sql.transaction(exclusive=True) as cursor:
            cursor.execute(
                "UPDATE {schema}.auth_throttle SET locked_until = %s, failures = 0, window_started = NULL"
                " WHERE login_key = %s AND failures >= %s AND (locked_until IS NULL OR locked_until <= %s)",
                (iso_utc(now + self.lockout), login_key(login), self.max_failures, iso_utc(now)),
            )

    def record_success(self, login: str) -> None:
        with self._sql.transaction() as cursor:
            cursor.execute(
                "UPDATE {schema}.auth_throttle SET failures = 0, window_started = NULL, locked_until = NULL"
                " WHERE login_key = %s",
                (login_key(login),),
            )

    def accept_totp_step(self, login: str, step: int) -> bool:
        """Claim a TOTP time step for a login; False if it (or a later one) was accepted before.

        RFC 6238 section 5.2: a verifier must not accept the same code twice. Refusing every step
        not newer than the last accepted one also refuses an older, still-valid code.
        """
        key = login_key(login)
        with self._sql.transaction(exclusive=True) as cursor:
            cursor.execute(
                "INSERT INTO {schema}.auth_throttle (login_key, failures) VALUES (%s, 0)"
                " ON CONFLICT (login_key) DO NOTHING",
                (key,),
            )
            claimed = cursor.execute(
                "UPDATE {schema}.auth_throttle SET last_totp_step = %s"
                " WHERE login_key = %s AND (last_totp_step IS NULL OR last_totp_step < %s)",
                (step, key, step),
            ).rowcount
        return claimed == 1
