"""Data keys: one per owner (a member company, a grievance case, an account, the access log),
stored wrapped by the primary master key in the ``data_keys`` table.

Rotation rewraps every data key under a new master key without touching a single event. Shredding
removes an owner's wrapped keys: everything sealed under them becomes unreadable everywhere, for
good. The wrapping binds key ref and owner as associated data, so a wrapped key moved to another
owner's row does not open.

A shredding leaves a proof in the key's row (``shred_proof``): a marker wrapped by the master keyring
with the key ref, owner and time of the shredding as associated data. Only the keyring can make one,
so a writer to the database without it cannot pass a deleted or blanked key off as shredded: a key
that is gone without a valid proof is "missing but never shredded", an integrity failure, never
"shredded". The proof is rewrapped on rotation like a live key, so its master key is never retired.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
import uuid

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from keys.encryption.envelope import DecryptionError
from keys.encryption.keyring import MasterKeyProvider
from keys.storage.sql import SqlStore
from registry.domain.clock import Clock, utc_now

CACHE_SECONDS = 30.0  # how long another process may still use a key shredded elsewhere


class KeyShreddedError(DecryptionError):
    """The data key existed and was destroyed on purpose (``shred``): what it sealed is gone, not broken.

    Every other failure to find or unwrap a key (no such key, a wrapped key that does not unwrap, a
    key of another owner than the value names) stays a plain ``DecryptionError``: to the filter
    that is an integrity failure, never "shredded".
    """


def _wrap_aad(key_ref: str, owner: uuid.UUID) -> bytes:
    return b"trustone-datakey/v1\0" + key_ref.encode() + b"\0" + str(owner).encode()


_SHREDDED = b"trustone-datakey shredded"


def _shred_aad(key_ref: str, owner: str, shredded_at: str) -> bytes:
    return b"trustone-datakey-shredded/v1\0" + key_ref.encode() + b"\0" + owner.encode() + b"\0" + shredded_at.encode()


class DataKeyStore:
    def __init__(self, sql: SqlStore, master: MasterKeyProvider, clock: Clock = utc_now):
        self.sql = sql
        self.master = master
        self.clock = clock
        self._cache: dict[str, tuple[bytes, str, float]] = {}  # key ref -> key, owner, when read
        self._current: dict[uuid.UUID, str] = {}
        self._lock = threading.Lock()
        self.generation = (
            0  # +1 at each shredding or rewrapping: caches of opened values start over (keys/access/filter.py)
        )
        self._creating = threading.Lock()  # one new key per owner when two threads need one at once

    @staticmethod
    def create_tables(sql: SqlStore) -> None:
        with sql.transaction() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS {schema}.data_keys ("
                " key_ref TEXT PRIMARY KEY, owner TEXT NOT NULL, master_key_id TEXT,"
                " wrapped TEXT, created_at TEXT NOT NULL, shredded_at TEXT)"
            )
            cursor.execute("CREATE INDEX IF NOT EXISTS data_keys_owner ON {schema}.data_keys (owner)")
        try:  # stores created before shredding left a proof
            with sql.transaction() as cursor:
                cursor.execute("SELECT shred_proof FROM {schema}.data_keys WHERE 1 = 0")
        except Exception:  # noqa: BLE001 - the column is missing (sqlite3 and psycopg name it differently)
            with sql.transaction() as cursor:
                cursor.execute("ALTER TABLE {schema}.data_keys ADD COLUMN shred_proof TEXT")

    @staticmethod
    def has_keys(sql: SqlStore) -> bool:
        with sql.transaction() as cursor:
            return bool(cursor.execute("SELECT COUNT(*) FROM {schema}.data_keys").fetchfirst()[0] > 0)

    # --- use ----------------------------------------------------------------------------------

    def current_key(self, owner: uuid.UUID) -> tuple[str, bytes]:
        """The owner's key for new data, created on first use."""
        key_ref = self._current.get(owner)
        if key_ref is not None:
            try:
                return key_ref, self.key(key_ref)
            except DecryptionError:
                self._current.pop(owner, None)  # shredded meanwhile: fall through to a new key
        with self._creating:  # one thread of this process at a time; the database lock for other processes
            stored = self._stored_key(owner)  # the usual case, without taking the write lock
            if stored is not None:
                self._current[owner] = stored[0]
                return stored
            return self._find_or_create(owner)

    def live_key(self, owner: uuid.UUID) -> tuple[str, bytes] | None:
        """The owner's current key if it has one, else None: never creates one (a key created as a
        side effect of a read would date that read in the ``data_keys`` table)."""
        key_ref = self._current.get(owner)
        try:
            if key_ref is not None:
                return key_ref, self.key(key_ref)
            stored = self._stored_key(owner)
        except DecryptionError:  # shredded meanwhile
            self._current.pop(owner, None)
            return None
        if stored is not None:
            self._current[owner] = stored[0]
        return stored

    def _stored_key(self, owner: uuid.UUID) -> tuple[str, bytes] | None:
        with self.sql.transaction() as cursor:
            row = cursor.execute(
                "SELECT key_ref FROM {schema}.data_keys WHERE owner = %s AND wrapped IS NOT NULL"
                " ORDER BY created_at DESC, key_ref LIMIT 1",
                (str(owner),),
            ).fetchone()
        return None if row is None else (row[0], self.key(row[0]))

    def _find_or_create(self, owner: uuid.UUID) -> tuple[str, bytes]:
        """The owner's live key, or a new one: looked for and made in one transaction that holds the
        store's write lock (SQLite) or a lock on this owner (PostgreSQL), so processes that need an
        owner's first key at once end up with one key, never one each (two keys would give two
        fingerprints of one file, and two follow-up tags for one case)."""
        key_ref = f"dk-{secrets.token_hex(8)}"
        data_key = AESGCM.generate_key(bit_length=256)
        master_id, wrapped = self.master.wrap(data_key, _wrap_aad(key_ref, owner))
        with self.sql.transaction(exclusive=True) as cursor:
            if self.sql.dialect == "postgres":
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"data_keys/{owner}",))
            row = cursor.execute(
                "SELECT key_ref FROM {schema}.data_keys WHERE owner = %s AND wrapped IS NOT NULL"
                " ORDER BY created_at DESC, key_ref LIMIT 1",
                (str(owner),),
            ).fetchone()
            if row is None:
                cursor.execute(
                    "INSERT INTO {schema}.data_keys (key_ref, owner, master_key_id, wrapped, created_at)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    (key_ref, str(owner), master_id, base64.b64encode(wrapped).decode(), self.clock().isoformat()),
                )
        if row is not None:
            self._current[owner] = row[0]
            return row[0], self.key(row[0])
        with self._lock:
            self._cache[key_ref] = (data_key, str(owner), time.monotonic())
        self._current[owner] = key_ref
        return key_ref, data_key

    def key(self, key_ref: str, owner: object | None = None) -> bytes:
        """Unwrapped data key by reference.

        KeyShreddedError when it was shredded; DecryptionError when it is unknown, does not unwrap,
        or (``owner`` given) belongs to another owner: a value whose header names a key of another
        owner was moved there, and must not pass for that owner's shredded data.
        """
        with self._lock:
            cached = self._cache.get(key_ref)
        if cached is not None and time.monotonic() - cached[2] < CACHE_SECONDS:
            if owner is not None and str(owner) != cached[1]:
                raise DecryptionError
            return cached[0]
        with self.sql.transaction() as cursor:
            row = cursor.execute(
                "SELECT owner, master_key_id, wrapped, shredded_at, shred_proof FROM {schema}.data_keys"
                " WHERE key_ref = %s",
                (key_ref,),
            ).fetchone()
        if row is None or (owner is not None and str(owner) != row[0]):
            raise DecryptionError
        if row[2] is None:
            if self._proves_shredding(key_ref, *row):
                raise KeyShreddedError
            raise DecryptionError  # gone without a shredding: an integrity failure, not "shredded"
        data_key = self.master.unwrap(row[1], base64.b64decode(row[2]), _wrap_aad(key_ref, uuid.UUID(row[0])))
        with self._lock:
            self._cache[key_ref] = (data_key, row[0], time.monotonic())
        return data_key

    def _proves_shredding(
        self,
        key_ref: str,
        owner: str,
        master_id: str | None,
        wrapped: str | None,
        shredded_at: str | None,
        proof: str | None,
    ) -> bool:
        if wrapped is not None or master_id is None or shredded_at is None or proof is None:
            return False
        try:
            return (
                self.master.unwrap(master_id, base64.b64decode(proof), _shred_aad(key_ref, owner, shredded_at))
                == _SHREDDED
            )
        except (DecryptionError, ValueError):
            return False

    def is_recorded(self, key_ref: str) -> bool:
        """Whether the key has a row at all, live or shredded (for ``trustone verify``)."""
        with self.sql.transaction() as cursor:
            return (
                cursor.execute("SELECT 1 FROM {schema}.data_keys WHERE key_ref = %s", (key_ref,)).fetchone() is not None
            )

    def missing_never_shredded(self) -> list[str]:
        """Key refs (random, naming no one) of keys that are gone without a valid shredding proof:
        for ``trustone verify``. A key row deleted outright shows where a sealed value names it."""
        with self.sql.transaction() as cursor:
            rows = cursor.execute(
                "SELECT key_ref, owner, master_key_id, wrapped, shredded_at, shred_proof FROM {schema}.data_keys"
                " WHERE wrapped IS NULL ORDER BY key_ref"
            ).fetchall()
        return [row[0] for row in rows if not self._proves_shredding(*row)]

    def fingerprint(self, owner: uuid.UUID, data: bytes, create: bool = True) -> str | None:
        """A keyed digest (HMAC-SHA256 under a key derived from the owner's data key).

        Used to recognise identical content (idempotent re-import) without storing a plain hash
        that anyone holding the database could test guesses against. ``create=False``: None when
        the owner has no live key (never made one, or it was shredded), and no key is created.
        """
        live = self.current_key(owner) if create else self.live_key(owner)
        if live is None:
            return None
        _, data_key = live
        mac_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"trustone fingerprint v1").derive(
            data_key
        )
        return hmac.new(mac_key, data, hashlib.sha256).hexdigest()

    # --- administration ----------------------------------------------------------------------

    def rewrap_all(self) -> int:
        """Wrap every live data key with the primary master key; returns how many changed."""
        primary = self.master.primary_id
        # Exclusive: a read-then-write SQLite transaction cannot wait for a concurrent writer (the
        # access log, written by every reader) and would fail with "database is locked".
        with self.sql.transaction(exclusive=True) as cursor:
            rows = cursor.execute(
                "SELECT key_ref, owner, master_key_id, wrapped FROM {schema}.data_keys"
                " WHERE wrapped IS NOT NULL AND master_key_id <> %s",
                (primary,),
            ).fetchall()
            for key_ref, owner, master_id, wrapped in rows:
                aad = _wrap_aad(key_ref, uuid.UUID(owner))
                data_key = self.master.unwrap(master_id, base64.b64decode(wrapped), aad)
                new_master, new_wrapped = self.master.wrap(data_key, aad)
                cursor.execute(
                    "UPDATE {schema}.data_keys SET master_key_id = %s, wrapped = %s WHERE key_ref = %s",
                    (new_master, base64.b64encode(new_wrapped).decode(), key_ref),
                )
            # The shredding proofs move to the new master key too (a proof that does not open, a
            # forged one, is left as it is for `trustone verify` to name).
            proofs = cursor.execute(
                "SELECT key_ref, owner, master_key_id, wrapped, shredded_at, shred_proof FROM {schema}.data_keys"
                " WHERE wrapped IS NULL AND shred_proof IS NOT NULL AND master_key_id <> %s",
                (primary,),
            ).fetchall()
            for key_ref, owner, master_id, wrapped, shredded_at, proof in proofs:
                if self._proves_shredding(key_ref, owner, master_id, wrapped, shredded_at, proof):
                    new_master, new_proof = self.master.wrap(_SHREDDED, _shred_aad(key_ref, owner, shredded_at))
                    cursor.execute(
                        "UPDATE {schema}.data_keys SET master_key_id = %s, shred_proof = %s WHERE key_ref = %s",
                        (new_master, base64.b64encode(new_proof).decode(), key_ref),
                    )
        with self._lock:
            self.generation += 1
        return len(rows)

    def master_keys_in_use(self) -> set[str]:
        with self.sql.transaction() as cursor:
            rows = cursor.execute(
                "SELECT DISTINCT master_key_id FROM {schema}.data_keys"
                " WHERE wrapped IS NOT NULL OR shred_proof IS NOT NULL"
            ).fetchall()
        return {row[0] for row in rows}

    def shred(self, owner: uuid.UUID) -> int:
        """Destroy the owner's data keys, leaving in each row the proof that it was shredded (module
        docstring); returns how many were destroyed."""
        shredded_at = self.clock().isoformat()
        with self.sql.transaction(exclusive=True) as cursor:  # read-then-write: see rewrap_all
            refs = [
                row[0]
                for row in cursor.execute(
                    "SELECT key_ref FROM {schema}.data_keys WHERE owner = %s AND wrapped IS NOT NULL", (str(owner),)
                ).fetchall()
            ]
            for key_ref in refs:
                master_id, proof = self.master.wrap(_SHREDDED, _shred_aad(key_ref, str(owner), shredded_at))
                cursor.execute(
                    "UPDATE {schema}.data_keys SET wrapped = NULL, master_key_id = %s, shredded_at = %s,"
                    " shred_proof = %s WHERE key_ref = %s",
                    (master_id, shredded_at, base64.b64encode(proof).decode(), key_ref),
                )
        with self._lock:
            for key_ref in refs:
                self._cache.pop(key_ref, None)
            self.generation += 1
        self._current.pop(owner, None)
        return len(refs)

    def summary(self) -> dict[str, int]:
        """Counts only (for the key report): no key material, no owner."""
        with self.sql.transaction() as cursor:
            live, shredded = cursor.execute(
                "SELECT COUNT(*) FILTER (WHERE wrapped IS NOT NULL), COUNT(*) FILTER (WHERE wrapped IS NULL)"
                " FROM {schema}.data_keys"
            ).fetchfirst()
        return {"live_data_keys": live, "shredded_data_keys": shredded}
