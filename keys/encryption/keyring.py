"""Master keys, outside the database: a JSON file with mode 0600 (path configurable).

Master keys only wrap data keys; they never touch event data directly. ``MasterKeyProvider`` is the
interface an external KMS would implement instead of ``FileKeyring``. The file also holds the
Ed25519 key that signs access-log digests, and the one that signs evidence statements (a key per
purpose: a statement key that leaked could not sign a digest of the access log, nor the reverse).
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys.encryption.envelope import DecryptionError


class KeyringError(Exception):
    """The keyring file is missing, unreadable or too widely readable; the message says which."""


class MasterKeyProvider(Protocol):
    @property
    def primary_id(self) -> str: ...

    def wrap(self, data_key: bytes, aad: bytes) -> tuple[str, bytes]: ...

    def unwrap(self, master_key_id: str, wrapped: bytes, aad: bytes) -> bytes: ...

    def rotate(self) -> str: ...


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class FileKeyring:
    def __init__(self, path: Path, document: dict[str, Any]):
        self.path = path
        self._doc = document

    # --- file ---------------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path) -> FileKeyring:
        if path.exists():
            raise KeyringError(f"keyring {path} exists already")
        signing = Ed25519PrivateKey.generate().private_bytes_raw()
        statements = Ed25519PrivateKey.generate().private_bytes_raw()
        keyring = cls(
            path,
            {
                "format": 1,
                "primary": "",
                "master_keys": {},
                "signing_key": {"id": f"sk-{secrets.token_hex(4)}", "private": _b64(signing)},
                "statement_key": {"id": f"stk-{secrets.token_hex(4)}", "private": _b64(statements)},
            },
        )
        keyring._add_master_key()
        keyring._write()
        return keyring

    @classmethod
    def load(cls, path: Path) -> FileKeyring:
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise KeyringError(f"keyring {path} not found") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyringError(f"keyring {path} is readable by others: chmod 600 it")
        try:
            document = json.loads(path.read_text())
        except (OSError, ValueError):
            raise KeyringError(f"keyring {path} is not readable") from None
        return cls(path, document)

    def _write(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(self._doc, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    # --- master keys --------------------------------------------------------------------------

    @property
    def primary_id(self) -> str:
        return str(self._doc["primary"])

    @property
    def master_key_ids(self) -> list[str]:
        return list(self._doc["master_keys"])

    def _add_master_key(self) -> str:
        key_id = f"mk-{dt.datetime.now(dt.UTC):%Y%m%d}-{secrets.token_hex(3)}"
        self._doc["master_keys"][key_id] = _b64(AESGCM.generate_key(bit_length=256))
        self._doc["primary"] = key_id
        return key_id

    def rotate(self) -> str:
        """A new primary master key; the old ones stay so existing wrappings still open."""
        key_id = self._add_master_key()
        self._write()
        return key_id

    def retire(self, master_key_id: str) -> None:
        """Drop a master key once nothing is wrapped with it any more (after a full rewrap)."""
        if master_key_id == self.primary_id:
            raise KeyringError("the primary master key cannot be retired")
        self._doc["master_keys"].pop(master_key_id, None)
        self._write()

    def _master(self, master_key_id: str) -> bytes:
        try:
            return base64.b64decode(self._doc["master_keys"][master_key_id])
        except KeyError:
            raise DecryptionError from None

    def wrap(self, data_key: bytes, aad: bytes) -> tuple[str, bytes]:
        nonce = os.urandom(12)
        return self.primary_id, nonce + AESGCM(self._master(self.primary_id)).encrypt(nonce, data_key, aad)

    def unwrap(self, master_key_id: str, wrapped: bytes, aad: bytes) -> bytes:
        try:
            return AESGCM(self._master(master_key_id)).decrypt(wrapped[:12], wrapped[12:], aad)
        except (InvalidTag, ValueError):
            raise DecryptionError from None

    # --- signing ------------------------------------------------------------------------------

    @property
    def signing_key_id(self) -> str:
        return str(self._doc["signing_key"]["id"])

    def signing_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(self._doc["signing_key"]["private"]))

    # --- evidence statements --------------------------------------------------------------------

    def ensure_statement_key(self) -> str:
        """The statement key's id, made once per installation: a keyring from before statements gets
        one the first time the services start. Several server workers start at once, so the file is
        locked, read again and written only by the first; the others load what it wrote."""
        if "statement_key" in self._doc:
            return self.statement_key_id
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._doc = json.loads(self.path.read_text())
            if "statement_key" not in self._doc:
                private = Ed25519PrivateKey.generate().private_bytes_raw()
                self._doc["statement_key"] = {"id": f"stk-{secrets.token_hex(4)}", "private": _b64(private)}
                self._write()
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        return self.statement_key_id

    @property
    def statement_key_id(self) -> str:
        return str(self._doc["statement_key"]["id"])

    def statement_key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(self._doc["statement_key"]["private"]))
