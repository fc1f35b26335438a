"""The access log: who read, or was refused, whose confidential data. Append-only and tamper-evident.

Three layers, each against a different attacker:

- **Hash chain.** Each row's hash commits to the previous row's hash and to every column of its
  own, so an edited, removed, inserted or reordered row breaks the chain at that row.
- **Signed digests.** Each append also stores an Ed25519 signature over the new head. Someone with
  write access to the database but not the keyring can rebuild a consistent chain, but cannot sign
  it. An auditor keeps digests (``trustone audit digest``); one kept from before catches even a
  rewritten chain whose stored digests were deleted too, and a log cut short at the end.
- **Append-only triggers** (``keys.append_only``): a guard rail against accidents, not a proof.

Nothing an attacker with only the database could join on is in clear (docs/confidentiality.md,
threat model). In clear: seq, actor, role, the actor's organisation, outcome, and the day of the
signed digest. Sealed (``details``): the company whose data it is, the action, the exact time, the
request id, the subject and the purpose. Otherwise the request id and time of a matching's
``read_linked_list`` entries (company in clear) join with the case's ``Matched`` event (sites in
clear) and name the case's buyers.

Sealing is two layers, both with the row's seq as associated data, so a sealed value copied into
another row does not open:

- inner: the details, padded to a multiple of ``PAD`` bytes (no size tells companies apart), under
  the data key of the company they concern when it has one (so shredding the company makes its
  entries unreadable, while the chain and digests still verify), else the access log's own key;
- outer: the inner blob, under the access log's own key. Every entry's header thus names the same
  key: the inner header, which would name the company's key, is hidden.

"Entries about own data" cannot use a clear company column, nor any per-company constant (that
would link all of one company's entries, and one entry by that company's own user names it). Each
entry carries a ``tag``: HMAC(key derived from the company's data key, or from the log key and the
company ref when the company has no key, seq). Entries about no company get a random tag. The
application recomputes the tag per entry for the one company asking; without a key, tags are noise.

Decrypting details is the filter's job for requests (it logs the auditor's own read first):
``AccessLog.rows`` hands out stored rows and ``open_entry`` opens one. ``AccessLog.entries`` opens
them for the application's own use (the command line, tests); no route may hand those out.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from keys.append_only import protect_tables
from keys.datakeys import DataKeyStore
from keys.envelope import DecryptionError, key_ref_of, open_sealed, seal
from keys.keyring import FileKeyring
from keys.sql import Cursor, SqlStore
from registry.domain.organisations import Organisation

ACCESS_LOG_OWNER = uuid.UUID("e1e25ded-4a99-44a5-b820-36b0d764b376")  # data-key owner of sealed details
GENESIS_HASH = "0" * 64
DIGEST_DOMAIN = "trustone-access-log/v1"
TABLES = ("access_log", "access_log_digests")
_PAGE = 2000
PAD = 512  # sealed details are padded to a multiple of this many bytes
_TAG_INFO = b"trustone access-log tag v1"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Outcome(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"
    INTEGRITY_FAILURE = "integrity_failure"  # refused: stored data did not verify (keys/filter.py)


@dataclass(frozen=True)
class AccessEntry:
    """One access decision, as the filter reports it. ``subject_ref`` and ``purpose`` are sealed."""

    actor: str  # login, or "system:<name>"
    role: str
    organisation: str  # the actor's organisation ref, or ""
    action: str  # short verb: "read_report", "read_linked_list", ...
    company: str | None  # ref of the company whose data is concerned
    subject_kind: str  # "report", "linked_list", "aggregated_list", "case", "access_log", ...
    subject_ref: str
    purpose: str
    request_id: str
    outcome: Outcome

    def __post_init__(self) -> None:
        object.__setattr__(self, "outcome", Outcome(self.outcome))
        for name in ("actor", "role", "action"):
            if not getattr(self, name):
                raise ValueError(f"access entry: {name} is required")


@dataclass(frozen=True)
class StoredAccessEntry:
    """A row as stored: the clear columns, the sealed details (base64 text) and the chain links."""

    seq: int
    at: str
    actor: str
    role: str
    organisation: str
    action: str
    company: str | None
    outcome: str
    request_id: str
    details: str
    prev_hash: str
    hash: str

    @property
    def details_blob(self) -> bytes:
        return base64.b64decode(self.details, validate=True)

    @property
    def details_context(self) -> str:
        return details_context(self.seq)

    def hashed_columns(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("prev_hash", "hash")}


_COLUMNS = ", ".join(f.name for f in fields(StoredAccessEntry))


def details_context(seq: int) -> str:
    return f"access-log/{seq}"


def entry_hash(prev_hash: str, columns: dict) -> str:
    """SHA-256 hex over the previous hash and a canonical JSON of the row's other columns."""
    canonical = json.dumps(columns, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def open_details(datakeys: DataKeyStore, stored: StoredAccessEntry) -> dict:
    """The sealed subject kind, subject ref and purpose; DecryptionError if they do not open here."""
    try:
        blob = stored.details_blob
    except (binascii.Error, ValueError):
        raise DecryptionError from None
    key = datakeys.key(key_ref_of(blob))
    try:
        return json.loads(open_sealed(key, blob, stored.details_context))
    except ValueError:
        raise DecryptionError from None


# --- signed digests --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignedDigest:
    """The head of the chain at ``seq``, signed. An auditor keeps these as JSON lines."""

    seq: int
    head_hash: str
    signed_at: str
    key_id: str
    signature: str  # base64 Ed25519 signature over ``message()``

    def message(self) -> bytes:
        return f"{DIGEST_DOMAIN}|{self.seq}|{self.head_hash}|{self.signed_at}".encode()

    def signed_by(self, public_key: Ed25519PublicKey) -> bool:
        try:
            public_key.verify(base64.b64decode(self.signature, validate=True), self.message())
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True

    def to_dict(self) -> dict[str, int | str]:
        return asdict(self)

    def to_json(self) -> str:
        """One line: what ``trustone audit digest`` prints."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> SignedDigest:
        try:
            data = json.loads(text)
        except ValueError:
            raise ValueError("not a signed access-log digest") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: object) -> SignedDigest:
        try:
            digest = cls(**{f.name: data[f.name] for f in fields(cls)})  # type: ignore[index]
        except (TypeError, KeyError):
            raise ValueError("not a signed access-log digest") from None
        if not isinstance(digest.seq, int) or isinstance(digest.seq, bool) or not all(
                isinstance(getattr(digest, f.name), str) for f in fields(cls) if f.name != "seq"):
            raise ValueError("not a signed access-log digest")
        return digest


# --- the auditor's files: what is exported is read back as is -------------------------------------

def digest_export(digest: SignedDigest | None, public_key_pem: str) -> dict[str, object]:
    """The body of ``GET /api/v1/audit/digest``: the latest digest (an object, as ``audit digest``
    prints it; null while the log is empty) and the verification key. ``read_digests`` reads it back."""
    return {"digest": digest.to_dict() if digest else None, "public_key_pem": public_key_pem}


class DigestFileError(ValueError):
    """A kept-digests file that cannot be read; ``line`` is where the bad value starts."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def read_digests(text: str) -> list[SignedDigest]:
    """Every digest in a file an auditor kept, whichever way it was saved.

    The file is a sequence of JSON values separated by whitespace (so JSON lines too, and values
    spread over several lines). Each value is a digest as ``trustone audit digest`` prints it, or a
    body of ``GET /api/v1/audit/digest`` saved as is (``{"digest": {...}, "public_key_pem": ...}``,
    also the earlier form with the digest as a JSON string). The body's public key is not used:
    digests are checked against the system's own key, so a digest signed by any other key fails
    as a bad signature.
    """
    decoder = json.JSONDecoder()
    digests: list[SignedDigest] = []
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position == len(text):
            return digests
        line = text.count("\n", 0, position) + 1
        try:
            value, position = decoder.raw_decode(text, position)
            digests.append(_digest_in(value))
        except DigestFileError as error:
            raise DigestFileError(line, error.message) from None
        except ValueError:
            raise DigestFileError(line, "not a signed access-log digest") from None


def _digest_in(value: object) -> SignedDigest:
    if isinstance(value, dict) and "digest" in value:  # an export of the API
        inner = value["digest"]
        if inner is None:
            raise DigestFileError(0, "the export holds no digest (the access log was empty when it was exported)")
        return SignedDigest.from_json(inner) if isinstance(inner, str) else SignedDigest.from_dict(inner)
    return SignedDigest.from_dict(value)


# --- verification ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int  # entries whose chain link and hash were checked and found good
    first_bad_seq: int | None = None
    problem: str | None = None
    digests_checked: int = 0


def _row_problem(row: StoredAccessEntry, expected: int, prev_hash: str) -> tuple[int, str] | None:
    if row.seq > expected:
        gone = f"entry {expected}" if row.seq == expected + 1 else f"entries {expected}-{row.seq - 1}"
        return expected, f"missing: {gone} removed"
    if row.seq < expected:
        return row.seq, f"inserted: an extra entry numbered {row.seq}"
    if row.prev_hash != prev_hash:
        return row.seq, ("reordered: its link to the entry before does not match "
                         "(moved, or an entry before it was inserted or removed)")
    if entry_hash(row.prev_hash, row.hashed_columns()) != row.hash:
        return row.seq, "changed: its content does not match its hash"
    return None


def _digest_problem(digest: SignedDigest, row: StoredAccessEntry, public_key: Ed25519PublicKey) -> str | None:
    if not digest.signed_by(public_key):
        return "bad signature: a digest for this entry is not signed by the access-log key"
    if digest.seq != row.seq:
        return "inserted: a signed digest names an entry that cannot exist"
    if digest.head_hash != row.hash:
        return ("changed: the chain up to this entry differs from its signed digest "
                "(this entry or one before it was edited, inserted or removed)")
    return None


def verify(log_rows: Iterable[StoredAccessEntry], digests: Iterable[SignedDigest],
           public_key: Ed25519PublicKey, require_signed_head: bool = True) -> VerifyResult:
    """Walk the chain from seq 1 and check every digest against it; stop at the first problem.

    Rows must come in seq order. Each digest is checked when the walk reaches its seq, so the
    first problem reported is the earliest entry known to be bad. ``require_signed_head``: the
    last entry must be covered by a digest, which every append writes; off, for an auditor
    checking an export against older digests only.
    """
    pending = sorted(digests, key=lambda d: d.seq)
    checked = digests_checked = signed_up_to = 0
    expected, prev_hash, index = 1, GENESIS_HASH, 0

    def bad(seq: int, problem: str) -> VerifyResult:
        return VerifyResult(False, checked, seq, problem, digests_checked)

    for row in log_rows:
        found = _row_problem(row, expected, prev_hash)
        if found:
            return bad(*found)
        checked += 1
        while index < len(pending) and pending[index].seq <= row.seq:
            digest = pending[index]
            index += 1
            problem = _digest_problem(digest, row, public_key)
            if problem:
                return bad(digest.seq, problem)
            digests_checked += 1
            signed_up_to = row.seq
        expected, prev_hash = row.seq + 1, row.hash

    for digest in pending[index:]:  # digests beyond the last row
        if not digest.signed_by(public_key):
            return bad(digest.seq, "bad signature: a digest for this entry is not signed by the access-log key")
        return bad(expected, f"truncated: the log ends at entry {expected - 1}, "
                             f"but a signed digest covers entry {digest.seq}")
    if require_signed_head and checked and signed_up_to < expected - 1:
        return bad(signed_up_to + 1, f"inserted: entries {signed_up_to + 1}-{expected - 1} are not covered "
                                     "by any signed digest (added, or the digests were removed)")
    return VerifyResult(True, checked, digests_checked=digests_checked)


# --- the store -------------------------------------------------------------------------------------

class AccessLog:
    def __init__(self, sql: SqlStore, datakeys: DataKeyStore, keyring: FileKeyring,
                 clock: Callable[[], dt.datetime] = _utcnow):
        self.sql = sql
        self.datakeys = datakeys
        self.keyring = keyring
        self.clock = clock

    def create_tables(self) -> None:
        """Create the tables and their append-only triggers (idempotent)."""
        with self.sql.transaction() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS {schema}.access_log ("
                " seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,"
                " organisation TEXT NOT NULL, action TEXT NOT NULL, company TEXT, outcome TEXT NOT NULL,"
                " request_id TEXT NOT NULL, details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)")
            cursor.execute("CREATE INDEX IF NOT EXISTS access_log_company ON {schema}.access_log (company, seq)")
            cursor.execute("CREATE INDEX IF NOT EXISTS access_log_actor ON {schema}.access_log (actor, seq)")
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS access_log_organisation ON {schema}.access_log (organisation, seq)")
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS {schema}.access_log_digests ("
                " seq INTEGER PRIMARY KEY, head_hash TEXT NOT NULL, signed_at TEXT NOT NULL,"
                " key_id TEXT NOT NULL, signature TEXT NOT NULL)")
        protect_tables(self.sql, TABLES)

    # --- writing --------------------------------------------------------------------------------

    def append(self, entry: AccessEntry) -> int:
        """Record one entry and a signed digest of the new head, in one transaction; returns its seq.

        Appends are serialised across processes (the head is read and extended under a write
        lock). Any failure writes nothing and propagates: the caller must then release no data.
        """
        key_ref, key = self.datakeys.current_key(ACCESS_LOG_OWNER)  # its own transaction: not inside ours
        details = json.dumps({"subject_kind": entry.subject_kind, "subject_ref": entry.subject_ref,
                              "purpose": entry.purpose}, sort_keys=True).encode()
        with self.sql.transaction(exclusive=True) as cursor:
            if self.sql.dialect == "postgres":
                cursor.execute("LOCK TABLE {schema}.access_log IN EXCLUSIVE MODE")
            head = cursor.execute(
                "SELECT seq, hash FROM {schema}.access_log ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev_hash = (1, GENESIS_HASH) if head is None else (head[0] + 1, head[1])
            at = self.clock().astimezone(dt.UTC).isoformat(timespec="microseconds")
            row = StoredAccessEntry(
                seq=seq, at=at, actor=entry.actor, role=str(entry.role), organisation=entry.organisation,
                action=entry.action, company=entry.company, outcome=entry.outcome.value,
                request_id=entry.request_id,
                details=base64.b64encode(seal(key, key_ref, details, details_context(seq))).decode("ascii"),
                prev_hash=prev_hash, hash="")
            row = replace(row, hash=entry_hash(prev_hash, row.hashed_columns()))
            cursor.execute(
                f"INSERT INTO {{schema}}.access_log ({_COLUMNS}) VALUES ({', '.join(['%s'] * 12)})",
                tuple(getattr(row, f.name) for f in fields(row)))
            digest = self._sign(seq, row.hash, at)
            cursor.execute(
                "INSERT INTO {schema}.access_log_digests (seq, head_hash, signed_at, key_id, signature)"
                " VALUES (%s, %s, %s, %s, %s)",
                (digest.seq, digest.head_hash, digest.signed_at, digest.key_id, digest.signature))
        return seq

    def _sign(self, seq: int, head_hash: str, signed_at: str) -> SignedDigest:
        unsigned = SignedDigest(seq, head_hash, signed_at, self.keyring.signing_key_id, "")
        signature = self.keyring.signing_key().sign(unsigned.message())
        return replace(unsigned, signature=base64.b64encode(signature).decode("ascii"))

    # --- reading --------------------------------------------------------------------------------

    def entries(self, actor: str | None = None, organisation: str | None = None, company: str | None = None,
                limit: int = 100, after_seq: int = 0) -> list[StoredAccessEntry]:
        """Stored entries in seq order, filtered on clear columns; details stay sealed."""
        where: list[str] = ["seq > %s"]
        params: list = [after_seq]
        for column, value in (("actor", actor), ("organisation", organisation), ("company", company)):
            if value is not None:
                where.append(f"{column} = %s")
                params.append(value)
        with self.sql.transaction() as cursor:
            rows = cursor.execute(
                f"SELECT {_COLUMNS} FROM {{schema}}.access_log WHERE {' AND '.join(where)}"
                " ORDER BY seq LIMIT %s", (*params, max(0, limit))).fetchall()
        return [StoredAccessEntry(*row) for row in rows]

    def latest_digest(self) -> SignedDigest | None:
        with self.sql.transaction() as cursor:
            row = cursor.execute(
                "SELECT seq, head_hash, signed_at, key_id, signature FROM {schema}.access_log_digests"
                " ORDER BY seq DESC LIMIT 1").fetchone()
        return None if row is None else SignedDigest(*row)

    def public_key(self) -> Ed25519PublicKey:
        return self.keyring.signing_key().public_key()

    def public_key_pem(self) -> str:
        return self.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")

    def verify(self, extra_digests: Iterable[SignedDigest] = ()) -> VerifyResult:
        """Verify the stored log against its stored digests and any an auditor kept.

        Rows and digests are read in one transaction with one snapshot, so an append running
        meanwhile is either wholly seen or not at all (never a digest without its row).
        """
        with self.sql.transaction() as cursor:
            if self.sql.dialect == "postgres":
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            stored = [SignedDigest(*row) for row in cursor.execute(
                "SELECT seq, head_hash, signed_at, key_id, signature FROM {schema}.access_log_digests"
                " ORDER BY seq").fetchall()]
            return verify(self._all_rows(cursor), [*stored, *extra_digests], self.public_key())

    @staticmethod
    def _all_rows(cursor: Cursor) -> Iterator[StoredAccessEntry]:
        """Every row in seq order, a page at a time (the log may be long).

        The first page has no lower bound, so a row forged with seq 0 or below is seen too.
        """
        after: int | None = None
        while True:
            condition, params = ("", ()) if after is None else (" WHERE seq > %s", (after,))
            rows = cursor.execute(f"SELECT {_COLUMNS} FROM {{schema}}.access_log{condition}"
                                  " ORDER BY seq LIMIT %s", (*params, _PAGE)).fetchall()
            yield from (StoredAccessEntry(*row) for row in rows)
            if len(rows) < _PAGE:
                return
            after = rows[-1][0]
