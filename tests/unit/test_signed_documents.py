"""The signed text format (keys/signed_documents.py): a body, then the block with the key id and an
Ed25519 signature over the body's UTF-8 bytes (docs/statements.md, "Verifying offline")."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys.signed_documents import Check, check, load_public_pem, public_pem, sign

KEY = Ed25519PrivateKey.generate()
KEYS = {"stk-00000001": KEY.public_key()}
BODY = "TRUSTONE EVIDENCE STATEMENT\nCompany: Eigen Steen BV\nLevel: 3\n"


def test_the_document_is_the_body_then_the_block():
    document = sign(BODY, KEY, "stk-00000001")
    body, block = document[: len(BODY)], document[len(BODY) :]
    assert body == BODY
    lines = block.splitlines()
    assert lines[0] == "-----BEGIN TRUSTONE SIGNATURE-----"
    assert lines[1] == "Key: stk-00000001"
    assert lines[2].startswith("Signature: ")
    assert lines[3] == "-----END TRUSTONE SIGNATURE-----"
    signature = base64.b64decode(lines[2].removeprefix("Signature: "))
    KEY.public_key().verify(signature, BODY.encode("utf-8"))  # a plain Ed25519 signature of the body's bytes


def test_an_unchanged_document_is_valid_also_with_windows_line_endings():
    document = sign(BODY, KEY, "stk-00000001")
    assert check(document, KEYS).result is Check.VALID
    assert check(document.encode(), KEYS).result is Check.VALID
    assert check(document.replace("\n", "\r\n").encode(), KEYS).result is Check.VALID
    assert check(document, KEYS).body == BODY and check(document, KEYS).key_id == "stk-00000001"


@pytest.mark.parametrize(
    ("old", "new"),
    [("Level: 3", "Level: 4"), ("Eigen", "Eigeh"), ("BV\n", "BV \n"), ("TRUSTONE", "TRUSTONe")],
)
def test_one_changed_character_in_the_body_is_changed(old, new):
    document = sign(BODY, KEY, "stk-00000001").replace(old, new, 1)
    assert check(document, KEYS).result is Check.CHANGED


def test_a_changed_signature_or_key_id_is_not_valid():
    document = sign(BODY, KEY, "stk-00000001")
    signature = document.split("Signature: ")[1].split("\n")[0]
    flipped = ("B" if signature[0] == "A" else "A") + signature[1:]
    assert check(document.replace(signature, flipped), KEYS).result is Check.CHANGED
    assert check(document.replace(signature, "not base64!"), KEYS).result is Check.CHANGED
    assert check(document.replace(signature, base64.b64encode(b"short").decode()), KEYS).result is Check.CHANGED
    assert check(document.replace("Key: stk-00000001", "Key: stk-00000002"), KEYS).result is Check.UNKNOWN_KEY
    assert check(document.replace("Key: stk-00000001", "Key: "), KEYS).result is Check.CHANGED


def test_another_key_is_not_this_registry():
    other = sign(BODY, Ed25519PrivateKey.generate(), "stk-00000001")
    assert check(other, KEYS).result is Check.CHANGED


@pytest.mark.parametrize(
    "text",
    [b"", b"a letter", BODY.encode(), b"\xff\xfe not utf-8", b"-----BEGIN TRUSTONE SIGNATURE-----\nKey: x\n"],
)
def test_what_is_no_signed_document(text):
    assert check(text, KEYS).result is Check.NOT_A_DOCUMENT


def test_text_after_the_block_is_not_the_document():
    assert check(sign(BODY, KEY, "stk-00000001") + "PS: level 5\n", KEYS).result is Check.NOT_A_DOCUMENT


def test_a_body_must_end_its_line_and_hold_no_block():
    with pytest.raises(ValueError, match="newline"):
        sign("no newline", KEY, "stk-00000001")
    with pytest.raises(ValueError, match="signature block"):
        sign("-----BEGIN TRUSTONE SIGNATURE-----\n", KEY, "stk-00000001")


def test_the_published_key_is_pem_that_loads_back():
    pem = public_pem(KEY.public_key())
    assert pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    assert load_public_pem(pem.encode()).public_bytes_raw() == KEY.public_key().public_bytes_raw()


def test_the_outcomes_are_the_words_the_api_answers():
    assert [check.value for check in Check] == ["valid", "changed", "unknown_key", "not_a_statement"]


def test_an_unreadable_document_reports_no_body_and_no_key():
    checked = check(b"a letter", KEYS)
    assert (checked.body, checked.key_id) == ("", "")


def test_a_file_saved_without_its_last_newline_or_with_blank_lines_after_is_still_valid():
    document = sign(BODY, KEY, "stk-00000001")
    assert check(document.rstrip("\n"), KEYS).result is Check.VALID
    assert check(document + "\n\n", KEYS).result is Check.VALID


def test_a_character_slipped_into_the_signature_is_not_skipped():
    """base64 without validation drops characters outside its alphabet: the signature must be read strictly."""
    document = sign(BODY, KEY, "stk-00000001")
    signature = document.split("Signature: ")[1].split("\n")[0]
    assert check(document.replace(signature, signature[:10] + "*" + signature[10:]), KEYS).result is Check.CHANGED


def test_the_block_has_exactly_its_three_lines():
    document = sign(BODY, KEY, "stk-00000001")
    extra = document.replace("Key: stk-00000001\n", "Key: stk-00000001\nNote: x\n")
    assert check(extra, KEYS).result is Check.NOT_A_DOCUMENT
    swapped_label = document.replace("Key: stk-00000001", "Kee: stk-00000001")
    assert check(swapped_label, KEYS).result is Check.CHANGED


def test_a_key_that_is_not_ed25519_is_refused():
    from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

    pem = public_pem_of_other(generate_private_key(SECP256R1()).public_key())
    with pytest.raises(TypeError) as raised:
        load_public_pem(pem)
    assert str(raised.value) == "not an Ed25519 public key"


def public_pem_of_other(key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
