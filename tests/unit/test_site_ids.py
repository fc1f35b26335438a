import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.domain.errors import ValidationError
from registry.domain.site_ids import (
    BODY_ALPHABET,
    BODY_LENGTH,
    CHECK_ALPHABET,
    has_valid_check,
    new_site_id,
    parse_site_id,
)

bodies = st.text(alphabet=BODY_ALPHABET, min_size=BODY_LENGTH, max_size=BODY_LENGTH)
prefixes = st.sampled_from([("IN", "RJ"), ("CN", "FJ"), ("ZW", "ME"), ("TR", "03"), ("VN", None)])


def test_a_new_id_has_the_documented_shape_and_a_valid_check_character():
    site_id = new_site_id("IN", "RJ")
    assert site_id.startswith("IN-RJ-")
    assert len(site_id) == len("IN-RJ-") + BODY_LENGTH + 1
    assert parse_site_id(site_id) == site_id


def test_an_unknown_subdivision_is_written_as_xx():
    assert new_site_id("VN", None).startswith("VN-XX-")


def test_ids_are_random_not_derived_from_anything():
    assert len({new_site_id("IN", "RJ") for _ in range(200)}) == 200


@given(prefixes, bodies)
def test_every_single_mistyped_character_is_caught(prefix, body):
    site_id = new_site_id(prefix[0], prefix[1], random_body=body)
    chars = list(site_id)
    for position, original in enumerate(chars):
        if original == "-":
            continue
        for replacement in CHECK_ALPHABET:
            if replacement != original:
                mistyped = "".join(chars[:position] + [replacement] + chars[position + 1 :])
                assert not has_valid_check(mistyped), mistyped


@given(prefixes, bodies)
def test_every_swap_of_two_neighbouring_characters_is_caught(prefix, body):
    compact = new_site_id(prefix[0], prefix[1], random_body=body).replace("-", "")
    for i in range(len(compact) - 1):
        if compact[i] != compact[i + 1]:
            swapped = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :]
            assert not has_valid_check(swapped)


def test_parsing_accepts_lower_case_and_surrounding_blanks():
    site_id = new_site_id("CN", "FJ")
    assert parse_site_id(f"  {site_id.lower()} ") == site_id


def test_a_mistyped_id_is_refused_with_a_message_naming_the_field_and_the_cause():
    site_id = new_site_id("IN", "RJ")
    last_body_char = site_id[-2]
    other = next(c for c in BODY_ALPHABET if c != last_body_char)
    with pytest.raises(ValidationError) as caught:
        parse_site_id(site_id[:-2] + other + site_id[-1], field="site_id")
    assert caught.value.field == "site_id"
    assert "check character" in caught.value.message


@pytest.mark.parametrize("text", ["", "IN-RJ", "IN-RJ-123", "INRJ12345678X", "IN-RJ-ABCDEFGH!"])
def test_text_that_is_not_an_id_at_all_is_refused(text):
    with pytest.raises(ValidationError, match="not a site id"):
        parse_site_id(text)


def test_the_check_table_is_a_totally_anti_symmetric_quasigroup():
    """The property Damm's algorithm rests on, checked exhaustively over all 36 symbols."""
    from registry.domain.site_ids import _step

    n = len(CHECK_ALPHABET)
    for c in range(n):
        assert sorted(_step(c, x) for x in range(n)) == list(range(n))
        assert sorted(_step(x, c) for x in range(n)) == list(range(n))
        for x in range(n):
            for y in range(x + 1, n):
                assert _step(_step(c, x), y) != _step(_step(c, y), x)


@pytest.mark.parametrize(
    ("country", "subdivision", "body", "expected"),
    [
        ("IN", "RJ", "7KQ2M9XH", "IN-RJ-7KQ2M9XHS"),
        ("CN", "FJ", "00000000", "CN-FJ-000000008"),
    ],
)
def test_known_answers_keep_the_id_format_from_drifting(country, subdivision, body, expected):
    assert new_site_id(country, subdivision, random_body=body) == expected
