"""The envelope's limits, from its documented format (keys/encryption/envelope.py, docs/design-notes.md):

    blob = b"TSE1" | len(key_ref) (1 byte) | key_ref (ASCII) | nonce (12 bytes) | ciphertext + 16-byte tag

AES-256-GCM: a 32-byte key. A key ref of 1-255 ASCII characters. Sealing with anything else is a
programming error (ValueError, saying what is wrong). Opening anything that is not exactly such a
blob, under exactly such a key and the same associated data, gives the one opaque DecryptionError,
as pyca's Fernet gives InvalidToken for every failure: no oracle about which part was wrong.
The blobs below are built by hand with AESGCM, independently of the module.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys.encryption.envelope import DecryptionError, key_ref_of, open_sealed, seal

KEY = bytes(range(32))
NONCE = bytes(range(100, 112))
REF = "dk-00112233aabbccdd"
CONTEXT = "registry/6f1d3e34-8a51-4a55-9d1c-0c3f7f6f2b10/3/links"
OPAQUE = "the value could not be decrypted"


def by_hand(key: bytes, ref: bytes, nonce: bytes, plaintext: bytes, context: str = CONTEXT) -> bytes:
    """The documented layout, built without the module."""
    aad = b"trustone/v1\0" + ref + b"\0" + context.encode()
    return b"TSE1" + bytes([len(ref)]) + ref + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def refused(blob: bytes, key: bytes = KEY, context: str = CONTEXT) -> None:
    """Both readers give the one opaque error (key_ref_of only looks at the header)."""
    with pytest.raises(DecryptionError) as caught:
        open_sealed(key, blob, context)
    assert str(caught.value) == OPAQUE and caught.value.__cause__ is None


# --- sealing: key, key ref and nonce lengths ---------------------------------------------------


@pytest.mark.parametrize("length", [16, 24, 31, 33])
def test_only_a_32_byte_key_seals(length):
    """AES-256 as documented: AESGCM itself would take a 16- or 24-byte key (AES-128/192)."""
    with pytest.raises(ValueError, match="^key must be 32 bytes$"):
        seal(bytes(length), REF, b"x", CONTEXT)


@pytest.mark.parametrize("ref", ["k", "k" * 255])
def test_a_key_ref_of_1_to_255_characters_seals(ref):
    blob = seal(KEY, ref, b"x", CONTEXT, nonce=NONCE)
    assert blob == by_hand(KEY, ref.encode(), NONCE, b"x")
    assert key_ref_of(blob) == ref


@pytest.mark.parametrize("ref", ["", "k" * 256, "k" * 300])
def test_a_key_ref_of_0_or_more_than_255_characters_is_refused(ref):
    with pytest.raises(ValueError) as caught:
        seal(KEY, ref, b"x", CONTEXT)
    assert str(caught.value) == "key_ref must be 1-255 ASCII characters"


@pytest.mark.parametrize("length", [0, 8, 11, 13, 16])
def test_only_a_12_byte_nonce_seals(length):
    """AESGCM itself takes nonces of 8 to 128 bytes; the format has room for exactly 12."""
    with pytest.raises(ValueError) as caught:
        seal(KEY, REF, b"x", CONTEXT, nonce=bytes(length))
    assert str(caught.value) == "nonce must be 12 bytes"


def test_an_empty_value_seals_and_opens():
    """The shortest valid blob: header, nonce and the 16-byte tag, no ciphertext."""
    blob = seal(KEY, REF, b"", CONTEXT, nonce=NONCE)
    assert blob == by_hand(KEY, REF.encode(), NONCE, b"")
    assert len(blob) == 4 + 1 + len(REF) + 12 + 16
    assert key_ref_of(blob) == REF
    assert open_sealed(KEY, blob, CONTEXT) == b""


# --- opening: every failure is the same opaque error -----------------------------------------------


@pytest.mark.parametrize("length", [0, 16, 24, 31, 33])
def test_a_key_of_another_length_does_not_open(length):
    refused(seal(KEY, REF, b"x", CONTEXT), key=bytes(length))


@pytest.mark.parametrize("length", [16, 24])
def test_a_blob_sealed_with_a_short_aes_key_does_not_open_with_it(length):
    """A blob made with AES-128/192 (not by this module) is not ours, even under its own key."""
    short_key = bytes(range(length))
    refused(by_hand(short_key, REF.encode(), NONCE, b"x"), key=short_key)


def valid() -> bytes:
    return seal(KEY, REF, b"some value", CONTEXT, nonce=NONCE)


HEADER = 4 + 1 + len(REF)
DAMAGE = {
    "empty": lambda b: b"",
    "magic only": lambda b: b[:4],
    "magic and length byte": lambda b: b[:5],
    "header only": lambda b: b[:HEADER],
    "header and nonce": lambda b: b[: HEADER + 12],
    "tag one byte short (no ciphertext)": lambda b: b[: HEADER + 12 + 15],
    "truncated by one": lambda b: b[:-1],
    "wrong magic": lambda b: b"TSE2" + b[4:],
    "lower-case magic": lambda b: b"tse1" + b[4:],
    "key-ref length one too long": lambda b: b[:4] + bytes([b[4] + 1]) + b[5:],
    "key-ref length one too short": lambda b: b[:4] + bytes([b[4] - 1]) + b[5:],
    "key-ref length past the end": lambda b: b[:4] + bytes([255]) + b[5:],
    "non-ASCII key ref": lambda b: b[:5] + b"\xff" + b[6:],
    "flipped bit in the nonce": lambda b: b[:HEADER] + bytes([b[HEADER] ^ 1]) + b[HEADER + 1 :],
    "flipped bit in the ciphertext": lambda b: b[: HEADER + 12] + bytes([b[HEADER + 12] ^ 1]) + b[HEADER + 13 :],
    "flipped bit in the tag": lambda b: b[:-1] + bytes([b[-1] ^ 1]),
    "another key ref in the header": lambda b: b.replace(REF.encode(), b"dk-99112233aabbccdd"),
    "extra byte at the end": lambda b: b + b"\0",
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_blob_gives_the_one_opaque_error(damage):
    refused(DAMAGE[damage](valid()))


HEADER_DAMAGE = [
    "empty",
    "magic only",
    "magic and length byte",
    "header only",
    "header and nonce",
    "tag one byte short (no ciphertext)",
    "wrong magic",
    "lower-case magic",
    "key-ref length past the end",
    "non-ASCII key ref",
]


@pytest.mark.parametrize("damage", HEADER_DAMAGE)
def test_a_damaged_header_names_no_key(damage):
    """key_ref_of reads the header without a key: a blob too short or not in our format names none."""
    with pytest.raises(DecryptionError) as caught:
        key_ref_of(DAMAGE[damage](valid()))
    assert str(caught.value) == OPAQUE


@pytest.mark.parametrize("other", [CONTEXT + "x", CONTEXT[:-1], "", "registry/other/3/links"])
def test_other_associated_data_does_not_open(other):
    refused(valid(), context=other)


def test_the_associated_data_binds_the_key_ref_too():
    """A blob re-headed with another key ref of the same key does not open (the ref is in the AAD)."""
    aad_without_ref = b"trustone/v1\0" + b"\0" + CONTEXT.encode()
    ciphertext = AESGCM(KEY).encrypt(NONCE, b"x", aad_without_ref)
    refused(b"TSE1" + bytes([len(REF)]) + REF.encode() + NONCE + ciphertext)
