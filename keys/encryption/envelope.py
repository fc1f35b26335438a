"""Field envelope format: AES-256-GCM with the data key named in the header and the row bound in.

    blob = b"TSE1" | len(key_ref) (1 byte) | key_ref (ASCII) | nonce (12 bytes) | ciphertext+tag

The associated data is ``b"trustone/v1\\0" + key_ref + b"\\0" + context``, where the caller's
context names the row and field the value belongs to (application, aggregate id, version, field).
A blob copied into another row, another field or under another key fails to open. Every failure
is the same opaque ``DecryptionError``: no oracle about which part was wrong.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"TSE1"
NONCE_BYTES = 12
KEY_BYTES = 32


class DecryptionError(Exception):
    """The value could not be opened. Deliberately says nothing more."""

    def __init__(self) -> None:
        super().__init__("the value could not be decrypted")


def _aad(key_ref: str, context: str) -> bytes:
    return b"trustone/v1\0" + key_ref.encode("ascii") + b"\0" + context.encode("utf-8")


def seal(key: bytes, key_ref: str, plaintext: bytes, context: str, nonce: bytes | None = None) -> bytes:
    """Encrypt; ``nonce`` is injectable for known-answer tests only (random otherwise)."""
    if len(key) != KEY_BYTES:  # AESGCM alone would also take AES-128 and AES-192 keys
        raise ValueError("key must be 32 bytes")
    ref = key_ref.encode("ascii")
    if not 0 < len(ref) < 256:
        raise ValueError("key_ref must be 1-255 ASCII characters")
    nonce = nonce if nonce is not None else os.urandom(NONCE_BYTES)
    if len(nonce) != NONCE_BYTES:
        raise ValueError("nonce must be 12 bytes")
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, _aad(key_ref, context))
    return MAGIC + bytes([len(ref)]) + ref + nonce + ciphertext


def key_ref_of(blob: bytes) -> str:
    """The data key a blob was sealed with (the header is readable without any key)."""
    if len(blob) <= len(MAGIC) or blob[: len(MAGIC)] != MAGIC:  # the length byte must exist
        raise DecryptionError
    length = blob[len(MAGIC)]
    start = len(MAGIC) + 1
    if len(blob) < start + length + NONCE_BYTES + 16:
        raise DecryptionError
    try:
        return blob[start : start + length].decode("ascii")
    except UnicodeDecodeError:
        raise DecryptionError from None


def open_sealed(key: bytes, blob: bytes, context: str) -> bytes:
    if len(key) != KEY_BYTES:
        raise DecryptionError
    key_ref = key_ref_of(blob)
    start = len(MAGIC) + 1 + len(key_ref)
    nonce, ciphertext = blob[start : start + NONCE_BYTES], blob[start + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, _aad(key_ref, context))
    except (InvalidTag, ValueError):
        raise DecryptionError from None
