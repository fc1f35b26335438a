import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys.encryption.envelope import MAGIC, DecryptionError, key_ref_of, open_sealed, seal

KEY = bytes(range(32))
NONCE = bytes(range(100, 112))
REF = "dk-00112233aabbccdd"
CONTEXT = "registry/6f1d3e34-8a51-4a55-9d1c-0c3f7f6f2b10/3/links"
PLAINTEXT = b'{"site_id":"IN-RJ-7KQ2M9XHS"}'

KNOWN_BLOB = bytes.fromhex(
    "5453453113646b2d303031313232333361616262636364646465666768696a6b6c6d6e6f3339ad0f0d8c09f75a"
    "4065ca932b47af08ef3141da5ebe4bff99ff6a865ba7e92051b5be616e9bfe39c3e60b9a"
)


def test_known_answer_pins_the_on_disk_format():
    assert seal(KEY, REF, PLAINTEXT, CONTEXT, nonce=NONCE) == KNOWN_BLOB


def test_the_known_answer_matches_the_documented_layout_built_independently():
    aad = b"trustone/v1\0" + REF.encode() + b"\0" + CONTEXT.encode()
    expected = MAGIC + bytes([len(REF)]) + REF.encode() + NONCE + AESGCM(KEY).encrypt(NONCE, PLAINTEXT, aad)
    assert KNOWN_BLOB == expected


def test_a_sealed_value_opens_in_its_own_row_and_names_its_key():
    blob = seal(KEY, REF, PLAINTEXT, CONTEXT)
    assert key_ref_of(blob) == REF
    assert open_sealed(KEY, blob, CONTEXT) == PLAINTEXT


def test_two_seals_of_the_same_value_differ():
    assert seal(KEY, REF, PLAINTEXT, CONTEXT) != seal(KEY, REF, PLAINTEXT, CONTEXT)


@pytest.mark.parametrize(
    "other_context",
    [
        "registry/6f1d3e34-8a51-4a55-9d1c-0c3f7f6f2b10/4/links",  # another version of the same aggregate
        "registry/0b9f4a57-3f8e-4c1e-b0f4-3c6f2d8e9a21/3/links",  # another aggregate
        "registry/6f1d3e34-8a51-4a55-9d1c-0c3f7f6f2b10/3/terms",  # another field
    ],
)
def test_a_value_moved_to_another_row_or_field_does_not_open(other_context):
    blob = seal(KEY, REF, PLAINTEXT, CONTEXT)
    with pytest.raises(DecryptionError):
        open_sealed(KEY, blob, other_context)


def test_the_wrong_key_does_not_open_and_the_error_says_nothing_more():
    blob = seal(KEY, REF, PLAINTEXT, CONTEXT)
    with pytest.raises(DecryptionError) as caught:
        open_sealed(bytes(32), blob, CONTEXT)
    assert str(caught.value) == "the value could not be decrypted"


def test_a_header_naming_another_key_id_does_not_open():
    blob = seal(KEY, REF, PLAINTEXT, CONTEXT)
    forged = blob.replace(REF.encode(), b"dk-99112233aabbccdd")
    with pytest.raises(DecryptionError):
        open_sealed(KEY, forged, CONTEXT)


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:-1],  # truncated tag
        lambda b: b[:-1] + bytes([b[-1] ^ 1]),  # flipped bit in the tag
        lambda b: b"XXXX" + b[4:],  # not our format
        lambda b: b[:6],  # header only
    ],
)
def test_a_damaged_blob_gives_the_same_opaque_error(damage):
    with pytest.raises(DecryptionError):
        open_sealed(KEY, damage(seal(KEY, REF, PLAINTEXT, CONTEXT)), CONTEXT)
