"""The access log: who read, or was refused, whose confidential data. Append-only and tamper-evident.

Three layers, each against a different attacker:

- **Hash chain.** Each row's hash commits to the previous row's hash and to every column of its
  own, so an edited, removed, inserted or reordered row breaks the chain at that row.
- **Signed checkpoints.** Now and then an append also stores an Ed25519 signature over the head of
  the chain (a ``SignedDigest``): when ``CHECKPOINT_ENTRIES`` entries were written since the last
  one (inside a long batch too), or on the first append ``CHECKPOINT_SECONDS`` or more after it (and
  on a process's first append, which cannot know when the last one was). A signature over the head
  covers every entry before it through the chain, so verify checks hashes between checkpoints and
  signatures only at checkpoints: it is bounded by hashing, not by one signature check per entry.
  Someone with write access to the database but not the keyring can rebuild a consistent chain,
  but cannot sign it. An auditor keeps digests (``trustone audit digest``, which signs the head
  first when it is not yet covered); one kept from before catches even a rewritten chain whose
  stored checkpoints were deleted too, and a log cut short at the end. Logs stored by earlier
  versions, with a digest after every entry, are logs whose every entry is a checkpoint.
- **Append-only triggers** (``keys.storage.append_only``): a guard rail against accidents, not a proof.

The residual: the unsigned tail. The entries after the last checkpoint (fewer than
``CHECKPOINT_ENTRIES``, all appended less than ``CHECKPOINT_SECONDS`` after it, as a verify checks
by count) are covered by the hash chain only. A writer to the database without the keyring can
remove, rewrite or add to that tail unseen by the stored log alone; a digest the auditor kept that
covers them still catches it. A tail longer than a checkpoint allows is reported as tampering.

Nothing an attacker with only the database could join on is in clear (docs/confidentiality.md,
threat model). In clear: seq, actor, role, the actor's organisation, outcome, and the day of the
signed digest. Sealed (``details``): the company whose data it is, the action, the exact time, the
request id, the subject and the purpose. Otherwise the request id and time of a matching's
``read_linked_list`` entries (company in clear) join with the case's ``Matched`` event (sites in
clear) and name the case's buyers.

One request, one transaction: ``append_many`` writes all the entries of one request (one per
company whose data it released) together or not at all, each with its own seq, tag and sealing.
The requests of one process that arrive while another is being written queue in the process and
are then written together, in one transaction (group commit), each still consecutive; entries are
sealed before the lock is taken. Appends take the log's write lock (SQLite ``BEGIN IMMEDIATE``,
PostgreSQL ``LOCK TABLE ... IN
EXCLUSIVE MODE``, which still admits plain SELECTs); readers never wait for it (SQLite in WAL
mode, PostgreSQL's snapshots). On PostgreSQL an append waits at most ``LOCK_TIMEOUT_SECONDS`` for
the lock, then fails as a busy store (HTTP 503, trustone/storage_errors.py), writing nothing.

Sealing is two layers, both with the row's seq as associated data, so a sealed value copied into
another row does not open:

- inner: whose data (company, subject, purpose), under the data key of that company when it has
  one (shredding the company makes this part unreadable, while the chain and digests still
  verify), else the access log's own key;
- outer: the action, exact time, request id and the inner blob, under the access log's own key.
  Every entry's header thus names the same key: the inner header, which names the company's key,
  is hidden. Both are padded to a multiple of ``PAD`` bytes, so no size tells companies apart.

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
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields, replace
from enum import StrEnum
from json.encoder import encode_basestring as _json_string  # what json.dumps(ensure_ascii=False) uses
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from keys.encryption.datakeys import DataKeyStore
from keys.encryption.envelope import DecryptionError, key_ref_of, open_sealed, seal
from keys.encryption.keyring import FileKeyring
from keys.storage.append_only import protect_tables
from keys.storage.sql import Cursor, SqlStore
from registry.domain.clock import Clock, utc_now
from registry.domain.organisations import Organisation

ACCESS_LOG_OWNER = uuid.UUID("e1e25ded-4a99-44a5-b820-36b0d764b376")  # data-key owner of sealed details
GENESIS_HASH = "0" * 64
DIGEST_DOMAIN = "trustone-access-log/v1"
TABLES = ("access_log", "access_log_digests")
_PAGE = 2000
_VERIFY_PAGE = 20_000  # rows per read while verifying: few round trips, bounded memory
CHECKPOINT_ENTRIES = 256  # a signature at least every this many entries ...
CHECKPOINT_SECONDS = 1.0  # ... and on the first append this long after the last one
LOCK_TIMEOUT_SECONDS = 5.0  # PostgreSQL: how long an append waits for the log's lock (then: busy, 503)
PAD = 512  # sealed details are padded to a multiple of this many bytes
_TAG_INFO = b"trustone access-log tag v1"


class AccessLogFormatError(RuntimeError):
    """The stored log is in a format this version does not write."""


class Outcome(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"
    INTEGRITY_FAILURE = "integrity_failure"  # refused: stored data did not verify (keys/access/filter.py)


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
    """A row as stored: the clear columns, the per-entry tag, the sealed details (base64 text) and
    the chain links. Nothing here can be joined with another table (see the module docstring)."""

    seq: int
    actor: str
    role: str
    organisation: str
    outcome: str
    tag: str
    details: str
    prev_hash: str
    hash: str

    @property
    def details_blob(self) -> bytes:
        return base64.b64decode(self.details, validate=True)

    @property
    def details_context(self) -> str:
        return details_context(self.seq)

    def hashed_columns(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("prev_hash", "hash")}


@dataclass(frozen=True)
class OpenedAccessEntry:
    """An entry with its details opened: what the auditor sees. ``unreadable``: the details did not
    open (the company was shredded, or the row was tampered with); the sealed fields are then None."""

    seq: int
    at: str | None
    actor: str
    role: str
    organisation: str
    action: str | None
    company: str | None
    outcome: str
    request_id: str | None
    subject_kind: str | None
    subject_ref: str | None
    purpose: str | None
    unreadable: bool = False

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if not self.unreadable:
            del out["unreadable"]
        return out


_COLUMNS = ", ".join(f.name for f in fields(StoredAccessEntry))
_OUTER = ("at", "action", "request_id")  # under the log key: stay readable when a company is shredded
_INNER = ("company", "subject_kind", "subject_ref", "purpose")  # under the company's key when it has one
_SEALED = _OUTER + _INNER


def details_context(seq: int) -> str:
    return f"access-log/{seq}"


def _inner_context(seq: int) -> str:
    return f"access-log/{seq}/about"


def entry_hash(prev_hash: str, columns: dict[str, Any]) -> str:
    """SHA-256 hex over the previous hash and a canonical JSON of the row's other columns."""
    canonical = json.dumps(columns, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def _padded(details: dict[str, Any]) -> bytes:
    text = json.dumps(details, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return text + b" " * (-len(text) % PAD)  # JSON allows trailing whitespace


def company_key_owner(company_ref: str) -> uuid.UUID:
    """The owner of a company's data key, from its public ref."""
    return Organisation.create_id(company_ref)


def _tag_key(key: bytes, company: str | None = None) -> bytes:
    info = _TAG_INFO if company is None else _TAG_INFO + b"\0" + company.encode("utf-8")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)


def _tag(tag_key: bytes, seq: int) -> str:
    return hmac.new(tag_key, f"access-log/{seq}".encode(), hashlib.sha256).hexdigest()


def open_details(datakeys: DataKeyStore, stored: StoredAccessEntry | OpenedAccessEntry) -> dict[str, Any]:
    """Every sealed field (``_SEALED``); DecryptionError if they do not open here (shredded, moved,
    or changed). An entry already opened (``AccessLog.entries``) gives its fields as they are."""
    if isinstance(stored, OpenedAccessEntry):
        if stored.unreadable:
            raise DecryptionError
        return {name: getattr(stored, name) for name in _SEALED}
    return {**_open_outer(datakeys, stored), **_open_inner(datakeys, stored)}


def _open_outer(datakeys: DataKeyStore, stored: StoredAccessEntry) -> dict[str, Any]:
    try:
        outer = stored.details_blob
        opened = json.loads(open_sealed(datakeys.key(key_ref_of(outer)), outer, stored.details_context))
    except (binascii.Error, ValueError):
        raise DecryptionError from None
    if not isinstance(opened, dict) or set(opened) != {*_OUTER, "about"}:
        raise DecryptionError
    return opened


def _open_inner(datakeys: DataKeyStore, stored: StoredAccessEntry) -> dict[str, Any]:
    try:
        inner = base64.b64decode(_open_outer(datakeys, stored)["about"], validate=True)
        opened = json.loads(open_sealed(datakeys.key(key_ref_of(inner)), inner, _inner_context(stored.seq)))
    except (binascii.Error, ValueError, TypeError):
        raise DecryptionError from None
    if not isinstance(opened, dict) or set(opened) != set(_INNER):
        raise DecryptionError
    return opened


def open_entry(datakeys: DataKeyStore, stored: StoredAccessEntry) -> OpenedAccessEntry:
    """The entry as the auditor reads it; unreadable details are marked, not raised. A shredded
    company's entry still shows who acted, how, when and under which request id; not whose data."""
    details, unreadable = dict.fromkeys(_SEALED), False
    for part in (_open_outer, _open_inner):
        try:
            details.update({k: v for k, v in part(datakeys, stored).items() if k in _SEALED})
        except DecryptionError:
            unreadable = True
    return OpenedAccessEntry(
        seq=stored.seq,
        actor=stored.actor,
        role=stored.role,
        organisation=stored.organisation,
        outcome=stored.outcome,
        unreadable=unreadable,
        **details,
    )


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
        if (
            not isinstance(digest.seq, int)
            or isinstance(digest.seq, bool)
            or not all(isinstance(getattr(digest, f.name), str) for f in fields(cls) if f.name != "seq")
        ):
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
    digests_checked: int = 0  # signed checkpoints (stored or kept by an auditor) found good


_ROW_FIELDS = tuple(f.name for f in fields(StoredAccessEntry))


_BASE64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="


def _row_hash(row: tuple[Any, ...]) -> str:
    """``entry_hash`` of a stored row (a tuple in ``_COLUMNS`` order; ``details`` as text, or as its
    UTF-8 bytes), without building a dict or copying the sealed details: the same canonical JSON,
    written out in its sorted key order and hashed in three pieces. Details in base64 (as every
    append writes them) need no JSON escaping; anything else (a tampered row can hold anything) goes
    the general way."""
    seq, actor, role, organisation, outcome, tag, details, prev_hash, _ = row
    if type(details) is bytes:
        raw = details
    elif type(details) is str and details.isascii():
        raw = details.encode("ascii")
    else:
        return _general_row_hash(row)
    if (
        raw.translate(None, _BASE64)
        or type(seq) is not int
        or type(prev_hash) is not str
        or not type(actor) is type(role) is type(organisation) is type(outcome) is type(tag) is str
    ):
        return _general_row_hash(row)
    try:
        digest = hashlib.sha256(f'{prev_hash}{{"actor":{_json_string(actor)},"details":"'.encode())
        digest.update(raw)
        digest.update(
            f'","organisation":{_json_string(organisation)},"outcome":{_json_string(outcome)},'
            f'"role":{_json_string(role)},"seq":{seq},"tag":{_json_string(tag)}}}'.encode()
        )
    except UnicodeEncodeError:
        return _general_row_hash(row)
    return digest.hexdigest()


def _general_row_hash(row: tuple[Any, ...]) -> str:
    """``entry_hash`` of any row; "" (matches no hash) for one that cannot have been written so."""
    columns = dict(zip(_ROW_FIELDS[:7], row[:7], strict=True))
    try:
        if isinstance(columns["details"], bytes):
            columns["details"] = columns["details"].decode("utf-8")
        return entry_hash(row[7], columns)
    except (UnicodeError, TypeError, ValueError):
        return ""


def _row_problem(row: tuple[Any, ...], expected: int, prev_hash: str) -> tuple[int, str] | None:
    seq = row[0]
    if type(seq) is not int:
        return expected, "changed: its number is not a number"
    if seq > expected:
        gone = f"entry {expected}" if seq == expected + 1 else f"entries {expected}-{seq - 1}"
        return expected, f"missing: {gone} removed"
    if seq < expected:
        return seq, f"inserted: an extra entry numbered {seq}"
    if row[7] != prev_hash:
        return seq, (
            "reordered: its link to the entry before does not match "
            "(moved, or an entry before it was inserted or removed, or edited and rehashed)"
        )
    if _row_hash(row) != row[8]:
        return seq, "changed: its content does not match its hash"
    return None


def _digest_problem(
    digest: SignedDigest, seq: int, head_hash: str, public_key: Ed25519PublicKey, covered_from: int
) -> tuple[int, str] | None:
    if not digest.signed_by(public_key):
        return digest.seq, "bad signature: a digest for this entry is not signed by the access-log key"
    if digest.seq != seq:
        return digest.seq, "inserted: a signed digest names an entry that cannot exist"
    if digest.head_hash != head_hash:
        if covered_from == seq:
            return seq, (
                "changed: the chain up to this entry differs from its signed digest "
                "(this entry or one before it was edited, inserted or removed)"
            )
        return covered_from, (
            f"changed: entries {covered_from}-{seq} differ from the signed checkpoint at entry "
            f"{seq} (one of them was edited, inserted or removed and the chain rehashed)"
        )
    return None


def verify(
    log_rows: Iterable[StoredAccessEntry | tuple[Any, ...]],
    digests: Iterable[SignedDigest],
    public_key: Ed25519PublicKey,
    max_unsigned: int | None = CHECKPOINT_ENTRIES,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    """Walk the chain from seq 1, check each row's link and hash, and each signed digest (stored
    checkpoints and any an auditor kept) where the walk reaches its seq; stop at the first problem.

    Rows come in seq order (``StoredAccessEntry`` or tuples in its field order). A checkpoint whose
    head no longer matches while every hash before it does means the chain since the previous good
    checkpoint was rewritten and rehashed: the first entry after that checkpoint is named, with the
    range. ``max_unsigned``: the entries after the last checkpoint must be fewer than this (an append
    signs at least every ``CHECKPOINT_ENTRIES``); None for an auditor checking an export against
    older digests only. ``progress`` is called with the number of entries checked so far, now and then.
    """
    pending = sorted(digests, key=lambda d: d.seq)
    checked = digests_checked = signed_up_to = 0
    expected, prev_hash, index = 1, GENESIS_HASH, 0
    next_digest = pending[0].seq if pending else None

    def bad(seq: int, problem: str) -> VerifyResult:
        return VerifyResult(False, checked, seq, problem, digests_checked)

    for row in log_rows:
        if type(row) is not tuple:
            row = tuple(getattr(row, name) for name in _ROW_FIELDS)
        seq = row[0]
        if seq != expected or row[7] != prev_hash or _row_hash(row) != row[8]:
            found = _row_problem(row, expected, prev_hash)
            if found:
                return bad(*found)
        checked += 1
        if next_digest is not None and next_digest <= seq:
            while index < len(pending) and pending[index].seq <= seq:
                digest = pending[index]
                index += 1
                problem = _digest_problem(digest, seq, row[8], public_key, signed_up_to + 1)
                if problem:
                    return bad(*problem)
                digests_checked += 1
                signed_up_to = seq
            next_digest = pending[index].seq if index < len(pending) else None
        expected, prev_hash = seq + 1, row[8]
        if progress is not None and checked % _VERIFY_PAGE == 0:
            progress(checked)

    if progress is not None:
        progress(checked)
    for digest in pending[index:]:  # digests beyond the last row
        if not digest.signed_by(public_key):
            return bad(digest.seq, "bad signature: a digest for this entry is not signed by the access-log key")
        return bad(
            expected, f"truncated: the log ends at entry {expected - 1}, but a signed digest covers entry {digest.seq}"
        )
    if max_unsigned is not None and checked and (expected - 1) - signed_up_to >= max_unsigned:
        return bad(
            signed_up_to + 1,
            f"inserted: entries {signed_up_to + 1}-{expected - 1} are not covered by any "
            "signed checkpoint (added, or the checkpoints were removed)",
        )
    return VerifyResult(True, checked, digests_checked=digests_checked)


# --- the store -------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Request:
    """One ``append_many`` waiting to be written: its entries and its companies' keys; then its
    seqs, or the error that wrote none of them."""

    entries: list[AccessEntry]
    company_keys: dict[str, tuple[str, bytes] | None]
    seqs: list[int] | None = None
    error: BaseException | None = None
    done: bool = False


class AccessLog:
    def __init__(
        self,
        sql: SqlStore,
        datakeys: DataKeyStore,
        keyring: FileKeyring,
        clock: Clock = utc_now,
        checkpoint_entries: int = CHECKPOINT_ENTRIES,
        checkpoint_seconds: float = CHECKPOINT_SECONDS,
    ):
        self.sql = sql
        self.datakeys = datakeys
        self.keyring = keyring
        self.clock = clock
        self.checkpoint_entries = checkpoint_entries
        self.checkpoint_seconds = checkpoint_seconds
        self.lock_timeout = LOCK_TIMEOUT_SECONDS
        self._checkpointed_at: dt.datetime | None = None  # this process's last checkpoint (the clock's time)
        self._checkpoint_lock = threading.Lock()
        self._queue = threading.Condition()  # group commit (``append_many``): the requests waiting ...
        self._waiting: list[_Request] = []
        self._writing = 0  # ... and how many the thread writing now carries (0: nobody writes)

    def create_tables(self) -> None:
        """Create the tables and their append-only triggers (idempotent).

        A log in the earlier format (company, request id and exact time in clear) is refused: new
        entries cannot be appended to it, and it still holds the joinable columns
        (docs/confidentiality.md, "The access log")."""
        with self.sql.transaction() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS {schema}.access_log ("
                " seq INTEGER PRIMARY KEY, actor TEXT NOT NULL, role TEXT NOT NULL,"
                " organisation TEXT NOT NULL, outcome TEXT NOT NULL, tag TEXT NOT NULL,"
                " details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"
            )
            cursor.execute("CREATE INDEX IF NOT EXISTS access_log_actor ON {schema}.access_log (actor, seq)")
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS access_log_organisation ON {schema}.access_log (organisation, seq)"
            )
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS {schema}.access_log_digests ("
                " seq INTEGER PRIMARY KEY, head_hash TEXT NOT NULL, signed_at TEXT NOT NULL,"
                " key_id TEXT NOT NULL, signature TEXT NOT NULL)"
            )
        self._refuse_old_format()
        protect_tables(self.sql, TABLES)

    def _refuse_old_format(self) -> None:
        try:
            with self.sql.transaction() as cursor:
                cursor.execute(f"SELECT {_COLUMNS} FROM {{schema}}.access_log LIMIT 1").fetchall()
        except Exception:  # noqa: BLE001 - each driver has its own "no such column" error
            raise AccessLogFormatError(
                "the access_log table is in the earlier format, with company, request id and time in "
                "clear: archive it (rename access_log and access_log_digests, after a last "
                "`trustone audit verify`) before starting this version"
            ) from None

    # --- writing --------------------------------------------------------------------------------

    def append(self, entry: AccessEntry) -> int:
        """Record one entry (``append_many`` of one); returns its seq."""
        return self.append_many([entry])[0]

    def append_many(self, entries: Sequence[AccessEntry]) -> list[int]:
        """Record the entries of one request in one transaction, in order; returns their seqs.

        Each entry gets its own seq, tag and two-layer sealing, exactly as if appended alone; a
        checkpoint is signed inside the batch each time ``checkpoint_entries`` were written since the
        last one, and over the batch's last entry when ``checkpoint_seconds`` have passed. Appends
        are serialised across processes (the head is read and extended under the write lock); readers
        do not wait for them. Any failure writes none of the entries and propagates: the caller must
        then release no data.

        Group commit: while one thread of this process writes, the requests of the others queue here
        (not at the database, whose lock SQLite waits for by sleeping); the next writer takes every
        request queued and writes them in one transaction, each request's entries consecutive. The
        entries are sealed before the write lock is taken, for the seqs that follow the head as read
        just before; under the lock only the links, hashes, checkpoint signatures and inserts are done
        (and the sealing again in the rare case another process appended in between).
        """
        entries = list(entries)
        if not entries:
            return []
        log_key = self.datakeys.current_key(ACCESS_LOG_OWNER)  # their own transactions: not inside ours
        company_keys = {
            company: self.datakeys.live_key(company_key_owner(company))
            for company in {entry.company for entry in entries if entry.company}
        }
        request = _Request(entries, company_keys)
        with self._queue:
            self._waiting.append(request)
            while self._writing and not request.done:
                self._queue.wait()
            group = None
            if not request.done:  # nobody is writing: this thread writes every request queued
                group, self._waiting, self._writing = self._waiting, [], len(self._waiting)
        if group is not None:
            try:
                self._write(group, log_key)
            except BaseException as error:  # noqa: BLE001 - handed to every waiting request, which raises it
                for queued in group:
                    queued.error = error
            finally:
                with self._queue:
                    for queued in group:
                        queued.done = True
                    self._writing = 0
                    self._queue.notify_all()
        if request.error is not None:
            raise request.error
        assert request.seqs is not None  # set by the writer with done, unless it set error
        return request.seqs

    def appends_waiting(self) -> int:
        """Requests of this process being written or queued to be (for tests and diagnostics)."""
        with self._queue:
            return self._writing + len(self._waiting)

    def _write(self, group: list[_Request], log_key: tuple[str, bytes]) -> None:
        """One transaction for the requests of ``group``, in order; sets each request's seqs."""
        now = self.clock().astimezone(dt.UTC)
        day = now.date().isoformat()  # the day only: no exact time in clear
        with self.sql.transaction() as cursor:  # a plain read: the seqs to seal for, if nobody appends first
            head = cursor.execute("SELECT MAX(seq) FROM {schema}.access_log").fetchfirst()[0] or 0
        sealed = self._sealed_rows(group, head, now, log_key)
        with self.sql.transaction(exclusive=True) as cursor:
            self._lock_for_append(cursor)
            last_row = cursor.execute("SELECT seq, hash FROM {schema}.access_log ORDER BY seq DESC LIMIT 1").fetchone()
            last = cursor.execute("SELECT seq FROM {schema}.access_log_digests ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev_hash = (0, GENESIS_HASH) if last_row is None else last_row
            if seq != head:  # another process appended in between: sealed again, for the seqs now next
                sealed = self._sealed_rows(group, seq, now, log_key)
            checkpointed = 0 if last is None else last[0]
            rows: list[StoredAccessEntry] = []
            digests: list[SignedDigest] = []
            for row in sealed:
                row = replace(row, prev_hash=prev_hash)
                row = replace(row, hash=entry_hash(prev_hash, row.hashed_columns()))
                rows.append(row)
                seq, prev_hash = row.seq, row.hash
                if seq - checkpointed >= self.checkpoint_entries:
                    digests.append(self._sign(seq, prev_hash, day))
                    checkpointed = seq
            if checkpointed < seq and self._time_for_checkpoint(now):
                digests.append(self._sign(seq, prev_hash, day))
            self._insert_rows(cursor, rows)
            for digest in digests:
                self._insert_digest(cursor, digest)
        if digests:
            self._checkpoint_done(now)
        seqs = iter(row.seq for row in rows)
        for request in group:
            request.seqs = [next(seqs) for _ in request.entries]

    def _sealed_rows(
        self, group: list[_Request], head: int, now: dt.datetime, log_key: tuple[str, bytes]
    ) -> list[StoredAccessEntry]:
        """Every entry of the group sealed and tagged for the seqs after ``head``, not yet linked."""
        rows, seq = [], head
        for request in group:
            for entry in request.entries:
                seq += 1
                rows.append(
                    self._sealed_row(
                        entry,
                        seq,
                        now,
                        log_key,
                        None if entry.company is None else request.company_keys.get(entry.company),
                    )
                )
        return rows

    @staticmethod
    def _insert_rows(cursor: Cursor, rows: list[StoredAccessEntry]) -> None:
        insert = f"INSERT INTO {{schema}}.access_log ({_COLUMNS}) VALUES ({', '.join(['%s'] * len(_ROW_FIELDS))})"
        for row in rows:
            cursor.execute(insert, tuple(getattr(row, name) for name in _ROW_FIELDS))

    def checkpoint(self) -> SignedDigest | None:
        """A signed digest of the current head, signing one now if the head is not yet covered
        (``trustone audit digest``, ``GET /api/v1/audit/digest``: what an auditor keeps must cover the
        whole log as it is); None while the log is empty."""
        with self.sql.transaction(exclusive=True) as cursor:
            self._lock_for_append(cursor)
            head = cursor.execute("SELECT seq, hash FROM {schema}.access_log ORDER BY seq DESC LIMIT 1").fetchone()
            if head is None:
                return None
            latest = cursor.execute(
                "SELECT seq, head_hash, signed_at, key_id, signature FROM {schema}.access_log_digests"
                " ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            if latest is not None and latest[0] == head[0]:
                return SignedDigest(*latest)
            now = self.clock().astimezone(dt.UTC)
            digest = self._sign(head[0], head[1], now.date().isoformat())
            self._insert_digest(cursor, digest)
        self._checkpoint_done(now)
        return digest

    def _lock_for_append(self, cursor: Cursor) -> None:
        """PostgreSQL: the log's write lock, waited for at most ``lock_timeout`` (SQLite took its
        write lock at BEGIN IMMEDIATE). EXCLUSIVE mode admits ACCESS SHARE: plain reads go on."""
        if self.sql.dialect == "postgres":
            cursor.execute(f"SET LOCAL lock_timeout = {max(1, int(self.lock_timeout * 1000))}")
            cursor.execute("LOCK TABLE {schema}.access_log IN EXCLUSIVE MODE")

    def _time_for_checkpoint(self, now: dt.datetime) -> bool:
        with self._checkpoint_lock:
            last = self._checkpointed_at
        return last is None or (now - last).total_seconds() >= self.checkpoint_seconds

    def _checkpoint_done(self, now: dt.datetime) -> None:
        with self._checkpoint_lock:
            if self._checkpointed_at is None or now > self._checkpointed_at:
                self._checkpointed_at = now

    @staticmethod
    def _insert_digest(cursor: Cursor, digest: SignedDigest) -> None:
        cursor.execute(
            "INSERT INTO {schema}.access_log_digests (seq, head_hash, signed_at, key_id, signature)"
            " VALUES (%s, %s, %s, %s, %s)",
            (digest.seq, digest.head_hash, digest.signed_at, digest.key_id, digest.signature),
        )

    @staticmethod
    def _sealed_row(
        entry: AccessEntry, seq: int, now: dt.datetime, log: tuple[str, bytes], company_key: tuple[str, bytes] | None
    ) -> StoredAccessEntry:
        """One entry as stored, both layers sealed with its seq and tagged; its link and hash are
        set under the write lock (``_write``)."""
        log_ref, log_key = log
        inner_ref, inner_key = company_key or log
        about = _padded(
            {
                "company": entry.company,
                "subject_kind": entry.subject_kind,
                "subject_ref": entry.subject_ref,
                "purpose": entry.purpose,
            }
        )
        inner = seal(inner_key, inner_ref, about, _inner_context(seq))
        details = _padded(
            {
                "at": now.isoformat(timespec="microseconds"),
                "action": entry.action,
                "request_id": entry.request_id,
                "about": base64.b64encode(inner).decode("ascii"),
            }
        )
        if entry.company is None:
            tag = secrets.token_hex(32)
        elif company_key is not None:
            tag = _tag(_tag_key(company_key[1]), seq)
        else:
            tag = _tag(_tag_key(log_key, entry.company), seq)
        return StoredAccessEntry(
            seq=seq,
            actor=entry.actor,
            role=str(entry.role),
            organisation=entry.organisation,
            outcome=entry.outcome.value,
            tag=tag,
            details=base64.b64encode(seal(log_key, log_ref, details, details_context(seq))).decode("ascii"),
            prev_hash="",
            hash="",
        )

    def _sign(self, seq: int, head_hash: str, signed_at: str) -> SignedDigest:
        unsigned = SignedDigest(seq, head_hash, signed_at, self.keyring.signing_key_id, "")
        signature = self.keyring.signing_key().sign(unsigned.message())
        return replace(unsigned, signature=base64.b64encode(signature).decode("ascii"))

    # --- reading --------------------------------------------------------------------------------

    def rows(
        self,
        actor: str | None = None,
        organisation: str | None = None,
        company: str | None = None,
        limit: int = 100,
        after_seq: int = 0,
        role: str | None = None,
        outcome: str | None = None,
        before_seq: int | None = None,
    ) -> list[StoredAccessEntry]:
        """Stored entries in seq order, details still sealed; with ``before_seq``, the entries before
        it, newest first (``after_seq`` is then not used).

        ``actor``, ``organisation``, ``role`` and ``outcome`` filter on clear columns. ``company``
        keeps the entries about that company's data: their tag is recomputed per entry (an HMAC
        each), scanning a page at a time until ``limit`` are found."""
        newest_first = before_seq is not None
        where: list[str] = ["seq < %s" if newest_first else "seq > %s"]
        params: list[Any] = []
        for column, value in (("actor", actor), ("organisation", organisation), ("role", role), ("outcome", outcome)):
            if value is not None:
                where.append(f"{column} = %s")
                params.append(value)
        matches = self._company_matcher(company) if company is not None else None
        found: list[StoredAccessEntry] = []
        after, limit = (before_seq if before_seq is not None else after_seq), max(0, limit)
        while len(found) < limit:
            page = limit if matches is None else _PAGE
            with self.sql.transaction() as cursor:
                rows = [
                    StoredAccessEntry(*row)
                    for row in cursor.execute(
                        f"SELECT {_COLUMNS} FROM {{schema}}.access_log WHERE {' AND '.join(where)}"
                        f" ORDER BY {'seq DESC' if newest_first else 'seq'} LIMIT %s",
                        (after, *params, page),
                    ).fetchall()
                ]
            found.extend(row for row in rows if matches is None or matches(row))
            if len(rows) < page:
                break
            after = rows[-1].seq
        return found[:limit]

    def _company_matcher(self, company: str) -> Callable[[StoredAccessEntry], bool]:
        """Whether an entry's tag is one this company's entries carry: from its data key (when it has
        one) or from the log key and its ref (entries written while it had none)."""
        keys = [_tag_key(self.datakeys.current_key(ACCESS_LOG_OWNER)[1], company)]
        company_key = self.datakeys.live_key(company_key_owner(company))
        if company_key is not None:
            keys.append(_tag_key(company_key[1]))
        return lambda row: any(hmac.compare_digest(_tag(key, row.seq), row.tag) for key in keys)

    def entries(
        self,
        actor: str | None = None,
        organisation: str | None = None,
        company: str | None = None,
        limit: int = 100,
        after_seq: int = 0,
    ) -> list[OpenedAccessEntry]:
        """``rows``, opened: for the application's own use (command line, tests). A request reads
        the log through ``ConfidentialFilter.read_access_log``, which logs the read first."""
        return [open_entry(self.datakeys, row) for row in self.rows(actor, organisation, company, limit, after_seq)]

    def latest_digest(self) -> SignedDigest | None:
        with self.sql.transaction() as cursor:
            row = cursor.execute(
                "SELECT seq, head_hash, signed_at, key_id, signature FROM {schema}.access_log_digests"
                " ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        return None if row is None else SignedDigest(*row)

    def public_key(self) -> Ed25519PublicKey:
        return self.keyring.signing_key().public_key()

    def public_key_pem(self) -> str:
        return (
            self.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )

    def count(self) -> int:
        """How many entries the log holds (for a progress bar: the number of the last one)."""
        with self.sql.transaction() as cursor:
            row = cursor.execute("SELECT MAX(seq) FROM {schema}.access_log").fetchfirst()
        return int(row[0] or 0)

    def verify(
        self,
        extra_digests: Iterable[SignedDigest] = (),
        progress: Callable[[int], None] | None = None,
        workers: int | None = None,
    ) -> VerifyResult:
        """Verify the stored log against its stored checkpoints and any digests an auditor kept.

        Rows and digests are read in one transaction with one snapshot, so an append running
        meanwhile is either wholly seen or not at all (never a digest without its row), and the
        reading does not wait for it. A long log is hashed in ranges by ``workers`` processes
        (default: one per core from ``PARALLEL_MIN_ROWS`` entries on; 0: here, in one walk), at the
        same snapshot (keys/access/accesslog_ranges.py); any problem is then named by the one walk.
        """
        from keys.access import accesslog_ranges  # it imports this module

        with self.sql.transaction() as cursor:
            if self.sql.dialect == "postgres":
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            digests = [
                SignedDigest(*row)
                for row in cursor.execute(
                    "SELECT seq, head_hash, signed_at, key_id, signature FROM {schema}.access_log_digests ORDER BY seq"
                ).fetchall()
            ]
            digests.extend(extra_digests)
            head = cursor.execute("SELECT MAX(seq) FROM {schema}.access_log").fetchfirst()[0] or 0
            workers = accesslog_ranges.workers_for(head) if workers is None else workers
            source = accesslog_ranges.source_of(self.sql, cursor) if workers > 1 and head > 0 else None
            if source is not None:
                result = accesslog_ranges.verify_in_ranges(
                    source, head, digests, self.public_key(), self.checkpoint_entries, workers, progress
                )
                if result is not None:
                    return result
            return verify(
                self._all_rows(cursor),
                digests,
                self.public_key(),
                max_unsigned=self.checkpoint_entries,
                progress=progress,
            )

    @staticmethod
    def _all_rows(cursor: Cursor) -> Iterator[tuple[Any, ...]]:
        """Every row in seq order (tuples in ``_COLUMNS`` order), a page at a time (the log may be long).

        The first page has no lower bound, so a row forged with seq 0 or below is seen too.
        """
        after: int | None = None
        while True:
            condition, params = ("", ()) if after is None else (" WHERE seq > %s", (after,))
            rows = cursor.execute(
                f"SELECT {_COLUMNS} FROM {{schema}}.access_log{condition} ORDER BY seq LIMIT %s",
                (*params, _VERIFY_PAGE),
            ).fetchall()
            yield from rows
            if len(rows) < _VERIFY_PAGE:
                return
            after = rows[-1][0]
