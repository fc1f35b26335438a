"""Signed text documents: a UTF-8 body, then a signature block with the key id and an Ed25519
signature over the body's bytes (docs/statements.md, "Verifying offline").

The format is plain on purpose: a reader years later checks it with any Ed25519 tool, e.g.
``openssl pkeyutl -verify -rawin``, after cutting the file at the block's first line. Line endings are
the one change a file may take on its way (a Windows mail client, a document system): CRLF is read
as LF before the check, and nothing else is forgiven: one changed character fails.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

BEGIN = "-----BEGIN TRUSTONE SIGNATURE-----\n"
END_LINE = "-----END TRUSTONE SIGNATURE-----"
END = END_LINE + "\n"
SIGNATURE_BYTES = 64
_BLOCK_LINES = ("Key: ", "Signature: ", END_LINE)  # each line of the block after BEGIN starts so


class Check(StrEnum):
    VALID = "valid"  # the signature holds for the body with the named key
    CHANGED = "changed"  # a well-formed document whose body (or signature) is not what was signed
    UNKNOWN_KEY = "unknown_key"  # signed with a key this verifier does not know
    NOT_A_DOCUMENT = "not_a_statement"  # no signature block, or one that cannot be read


@dataclass(frozen=True)
class Checked:
    result: Check
    body: str = ""  # the signed part as found (empty when the document could not be read)
    key_id: str = ""


def sign(body: str, key: Ed25519PrivateKey, key_id: str) -> str:
    """The document: ``body`` (ending in a newline), then the signature block."""
    if not body.endswith("\n") or BEGIN in body:
        raise ValueError("a signed body ends in a newline and holds no signature block")
    signature = base64.b64encode(key.sign(body.encode("utf-8"))).decode("ascii")
    return f"{body}{BEGIN}Key: {key_id}\nSignature: {signature}\n{END}"


def check(document: bytes | str, public_keys: dict[str, Ed25519PublicKey]) -> Checked:
    """Whether ``document`` is a body signed by one of ``public_keys`` (key id -> key)."""
    try:
        text = document.decode("utf-8") if isinstance(document, bytes) else document
    except UnicodeDecodeError:
        return Checked(Check.NOT_A_DOCUMENT)
    text = text.replace("\r\n", "\n")
    body, found, block = text.partition(BEGIN)
    lines = block.rstrip("\n").split("\n")
    if not found or len(lines) != len(_BLOCK_LINES) or lines[-1] != END_LINE:
        return Checked(Check.NOT_A_DOCUMENT)
    if not all(line.startswith(prefix) for line, prefix in zip(lines, _BLOCK_LINES, strict=True)):
        return Checked(Check.CHANGED, body)
    key_id, signature_text = (line.removeprefix(prefix) for line, prefix in zip(lines[:2], _BLOCK_LINES, strict=False))
    try:
        signature = base64.b64decode(signature_text, validate=True)
    except (binascii.Error, ValueError):
        return Checked(Check.CHANGED, body, key_id)
    if not key_id or len(signature) != SIGNATURE_BYTES:
        return Checked(Check.CHANGED, body, key_id)
    key = public_keys.get(key_id)
    if key is None:
        return Checked(Check.UNKNOWN_KEY, body, key_id)
    try:
        key.verify(signature, body.encode("utf-8"))
    except InvalidSignature:
        return Checked(Check.CHANGED, body, key_id)
    return Checked(Check.VALID, body, key_id)


def public_pem(key: Ed25519PublicKey) -> str:
    """The key as published: SubjectPublicKeyInfo PEM, what ``openssl pkeyutl -pubin`` reads."""
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_pem(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise TypeError("not an Ed25519 public key")
    return key
