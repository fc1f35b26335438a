"""Reading the auditor's kept-digests file (keys.access.accesslog.read_digests): every form the system
exports is read as is; anything else is refused naming the line where the bad value starts."""

from __future__ import annotations

import json

import pytest

from keys.access.accesslog import DigestFileError, SignedDigest, read_digests

ONE = SignedDigest(
    seq=3, head_hash="ab" * 32, signed_at="2026-01-02T03:04:05.000000+00:00", key_id="sig-1", signature="c2lnbmF0dXJl"
)
TWO = SignedDigest(
    seq=7,
    head_hash="cd" * 32,
    signed_at="2026-02-02T03:04:05.000000+00:00",
    key_id="sig-1",
    signature="c2lnbmF0dXJlMg==",
)
PRINTED = (
    '{"head_hash":"' + "ab" * 32 + '","key_id":"sig-1","seq":3,'
    '"signature":"c2lnbmF0dXJl","signed_at":"2026-01-02T03:04:05.000000+00:00"}'
)


def test_a_line_printed_by_audit_digest_is_read():
    assert ONE.to_json() == PRINTED
    assert read_digests(PRINTED + "\n") == [ONE]


def test_an_api_body_compact_or_pretty_printed_is_read():
    body = {"digest": json.loads(PRINTED), "public_key_pem": "-----BEGIN PUBLIC KEY-----\nxyz\n"}
    assert read_digests(json.dumps(body, separators=(",", ":"))) == [ONE]
    assert read_digests(json.dumps(body, indent=2)) == [ONE]


def test_a_body_saved_from_the_earlier_api_with_the_digest_as_a_string_is_read():
    assert read_digests(json.dumps({"digest": PRINTED, "public_key_pem": "pem"})) == [ONE]


def test_several_digests_in_one_file_in_mixed_forms_are_all_read():
    body = json.dumps({"digest": TWO.to_dict(), "public_key_pem": "pem"}, indent=1)
    assert read_digests(f"\n{PRINTED}\n\n{body}{PRINTED}") == [ONE, TWO, ONE]


def test_an_empty_file_holds_no_digest():
    assert read_digests("") == [] and read_digests(" \n\n") == []


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{"seq": 1}', 1, "not a signed access-log digest"),
        (PRINTED + "\n\n" + PRINTED.replace('"seq":3', '"seq":true'), 3, "not a signed access-log digest"),
        (PRINTED + '\n{"seq":', 2, "not a signed access-log digest"),
        ("[1, 2]", 1, "not a signed access-log digest"),
        (
            PRINTED + '\n{"digest": null, "public_key_pem": "pem"}',
            2,
            "the export holds no digest (the access log was empty when it was exported)",
        ),
        ('{"digest": "not json", "public_key_pem": "pem"}', 1, "not a signed access-log digest"),
    ],
)
def test_anything_else_is_refused_naming_the_line_where_it_starts(text, line, message):
    with pytest.raises(DigestFileError) as refused:
        read_digests(text)
    assert (refused.value.line, refused.value.message) == (line, message)
