"""Login sessions: opaque bearer tokens, stored only as their SHA-256.

Why a hash and not the token: anyone who can read the table (a backup, a replica, a support query)
must not be able to replay a session. The token has 256 bits of randomness, so a plain SHA-256 is
enough (no salt or slow KDF needed: there is nothing to guess).

Timestamps are ISO-8601 UTC text of one fixed width, so comparing them as strings in SQL compares
the moments, identically on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from keys.storage.sql import SqlStore

# The clock lives in registry/domain/clock.py. Clock and utc_now are named here too only for
# trustone/web/auth.py, which still imports them from this module: switch it, then drop the aliases.
from registry.domain.clock import Clock as Clock  # noqa: PLC0414 - an explicit re-export (see above)
from registry.domain.clock import iso_utc
from registry.domain.clock import utc_now as utc_now  # noqa: PLC0414 - an explicit re-export (see above)

MAX_TOKEN_LENGTH = 256  # ours are 43 characters; anything much longer is not one of ours


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SessionStore:
    def __init__(self, sql: SqlStore, clock: Clock = utc_now):
        self._sql = sql
        self._clock = clock

    def create_tables(self) -> None:
        with self._sql.transaction() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS {schema}.auth_sessions ("
                " token_hash TEXT PRIMARY KEY,"
                " login TEXT NOT NULL,"
                " issued_at TEXT NOT NULL,"
                " expires_at TEXT NOT NULL,"
                " revoked INTEGER NOT NULL DEFAULT 0)"
            )
            cursor.execute("CREATE INDEX IF NOT EXISTS auth_sessions_login_idx ON {schema}.auth_sessions (login)")

    def issue(self, login: str, ttl: dt.timedelta) -> str:
        now = self._clock()
        token = secrets.token_urlsafe(32)
        with self._sql.transaction() as cursor:
            # Housekeeping on the way: this login's dead sessions are of no further use.
            cursor.execute(
                "DELETE FROM {schema}.auth_sessions WHERE login = %s AND expires_at <= %s",
                (login, iso_utc(now)),
            )
            cursor.execute(
                "INSERT INTO {schema}.auth_sessions (token_hash, login, issued_at, expires_at, revoked)"
                " VALUES (%s, %s, %s, %s, 0)",
                (token_digest(token), login, iso_utc(now), iso_utc(now + ttl)),
            )
        return token

    def resolve(self, token: str) -> str | None:
        """The login a live session belongs to; None for an unknown, expired or revoked token."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        with self._sql.transaction() as cursor:
            row = cursor.execute(
                "SELECT login FROM {schema}.auth_sessions WHERE token_hash = %s AND revoked = 0 AND expires_at > %s",
                (token_digest(token), iso_utc(self._clock())),
            ).fetchone()
        return row[0] if row else None

    def revoke(self, token: str) -> None:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            return
        with self._sql.transaction() as cursor:
            cursor.execute(
                "UPDATE {schema}.auth_sessions SET revoked = 1 WHERE token_hash = %s", (token_digest(token),)
            )

    def revoke_all(self, login: str) -> None:
        """Every session of a login (password change, deactivation, suspected theft)."""
        with self._sql.transaction() as cursor:
            cursor.execute("UPDATE {schema}.auth_sessions SET revoked = 1 WHERE login = %s", (login,))

    def count(self, ended_before: dt.datetime | None = None) -> int:
        """How many session rows there are (``ended_before``: whose expiry time is before it): for the
        retention report (registry/usecases/retention.py)."""
        with self._sql.transaction() as cursor:
            if ended_before is None:
                row = cursor.execute("SELECT COUNT(*) FROM {schema}.auth_sessions").fetchfirst()
            else:
                row = cursor.execute(
                    "SELECT COUNT(*) FROM {schema}.auth_sessions WHERE expires_at < %s", (iso_utc(ended_before),)
                ).fetchfirst()
        return int(row[0])

    def delete_ended_before(self, moment: dt.datetime) -> int:
        """Delete every session whose expiry time is before ``moment`` (the retention schedule's
        erasure of sessions); returns how many rows went."""
        with self._sql.transaction() as cursor:
            deleted = cursor.execute(
                "DELETE FROM {schema}.auth_sessions WHERE expires_at < %s", (iso_utc(moment),)
            ).rowcount
        return int(deleted)
