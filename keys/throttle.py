"""Failed-login throttling, and the one-time use of TOTP codes.

Rows are keyed by the SHA-256 of the folded login, never the login itself: an attacker's guesses at
logins that do not exist are throttled just like real ones, so the table holds valid and invalid
logins alike and does not become a list of accounts.

Every change is a single conditional statement (an upsert or a guarded update), so two concurrent
requests for the same login cannot both slip through: the database orders them on the row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from keys.auth import LockedOutError
from keys.sessions import Clock, iso_utc, parse_iso_utc, utc_now
from keys.sql import SqlStore


def login_key(login: str) -> str:
    folded = (login or "").strip().lower()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


class LoginThrottle:
    def __init__(self, sql: SqlStore, clock: Clock = utc_now, max_failures: int = 5,
                 lockout: dt.timedelta = dt.timedelta(minutes=15)):
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
                " window_started TEXT,"   # first failure of the current counting window
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

    def record_failure(self, login: str) -> None:
        """Count a failure; the ``max_failures``-th within one lockout period locks the login.

        A counting window starts at the first failure and lasts one lockout period; a failure after
        that starts a new window, so a few typos spread over days never add up to a lockout.
        Locking resets the count: after the lockout the login gets ``max_failures`` fresh attempts.
        """
        now = self._clock()
        key, now_text, window_expired = login_key(login), iso_utc(now), iso_utc(now - self.lockout)
        with self._sql.transaction(exclusive=True) as cursor:
            cursor.execute(
                "INSERT INTO {schema}.auth_throttle AS t (login_key, failures, window_started)"
                " VALUES (%s, 1, %s)"
                " ON CONFLICT (login_key) DO UPDATE SET"
                " failures = CASE WHEN t.window_started IS NULL OR t.window_started <= %s"
                "   THEN 1 ELSE t.failures + 1 END,"
                " window_started = CASE WHEN t.window_started IS NULL OR t.window_started <= %s"
                "   THEN %s ELSE t.window_started END",
                (key, now_text, window_expired, window_expired, now_text),
            )
            cursor.execute(
                "UPDATE {schema}.auth_throttle SET locked_until = %s, failures = 0, window_started = NULL"
                " WHERE login_key = %s AND failures >= %s",
                (iso_utc(now + self.lockout), key, self.max_failures),
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
