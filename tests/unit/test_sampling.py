"""The verification sample draw (issue 16), against the procedure of docs/verification.md.

Numbers of the allocation are worked out by hand in the comments. Values that depend on SHA-256
(digests, seeds, which tokens a draw takes) were computed once with scripts/redraw_sample.py, the
auditor's independent implementation of the documented procedure, which does not import the
registry, and are written here as literals: a change in either implementation shows as a failure.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.domain.errors import ValidationError
from registry.domain.sampling import (
    FORMAT,
    Dimension,
    FrameEntry,
    allocate,
    draw,
    draw_seed,
    frame_digest,
    sample_size,
    stratum_of,
)

BEACON = "Lotto 1 March 2025: 3 11 17 28 36 41"
SEED_0 = "0" * 64
SEED_1 = "1" * 64


def tok(number: int) -> str:
    return f"{number:032x}"


# Ten links: IN 1-5, CN 6-8, ZW 9-10.
FRAME = [
    FrameEntry(tok(1), "IN", "quarry", "claimed"),
    FrameEntry(tok(2), "IN", "factory", "verified"),
    FrameEntry(tok(3), "IN", "quarry", ""),
    FrameEntry(tok(4), "IN", "cobble_yard", "partly_known"),
    FrameEntry(tok(5), "IN", "quarry", "claimed"),
    FrameEntry(tok(6), "CN", "quarry", "claimed"),
    FrameEntry(tok(7), "CN", "factory", "claimed"),
    FrameEntry(tok(8), "CN", "quarry", "verified"),
    FrameEntry(tok(9), "ZW", "quarry", ""),
    FrameEntry(tok(10), "ZW", "factory", "claimed"),
]
# From scripts/redraw_sample.py: frame_digest(FRAME), and draw_seed of it with BEACON.
FRAME_DIGEST = "8f0f1bbd53e9310e3e9d6c7f6438dd3d12aeb671af9e2ab14799c5badba2c759"
FRAME_SEED = "1605c3b660d535a2a96914747b9dcb2e7e18e149f47c480a4aa8635295f29a78"
# The same frame with one link more (IN, 11): its digest, and its seed with the same BEACON.
FRAME_PLUS_ONE = [*FRAME, FrameEntry(tok(11), "IN", "quarry", "claimed")]
FRAME_PLUS_ONE_DIGEST = "96db53e17192615dde955f9aad91191ca1128ba55496a7326a92fb599c069159"
FRAME_PLUS_ONE_SEED = "0c2639e6988f809e78b3ec7ed91824ba13c3a55312ca70e2e418614df0943a69"


def tokens(sample: list[FrameEntry]) -> list[str]:
    return [entry.token for entry in sample]


def refused(field: str, message: str):
    """The error names the field, with this message (it may be shown to the secretariat as it is)."""
    return pytest.raises(ValidationError, match=f"^{re.escape(f'{field}: {message}')}$")


# --- the frame entry ------------------------------------------------------------------------------


def test_format_is_named():
    assert FORMAT == "trustone-sample/1"
    assert [dimension.value for dimension in Dimension] == ["country", "site_kind", "origin_confidence"]


def test_a_frame_entry_is_four_values_in_a_fixed_order():
    entry = FrameEntry(tok(4), "IN", "cobble_yard", "partly_known")
    assert entry.as_list() == [tok(4), "IN", "cobble_yard", "partly_known"]
    assert FrameEntry.from_list([tok(4), "IN", "cobble_yard", "partly_known"]) == entry
    assert FrameEntry.from_list(("t", "CN", "factory", "")) == FrameEntry("t", "CN", "factory", "")


@pytest.mark.parametrize("values", [[tok(1), "IN", "quarry"], [tok(1), "IN", "quarry", "claimed", "x"], []])
def test_a_frame_entry_of_another_length_is_refused(values):
    with refused("frame", "an entry is four values: token, country, site kind, origin confidence"):
        FrameEntry.from_list(values)


# --- the frame digest -----------------------------------------------------------------------------


def test_frame_digest_is_the_documented_hash():
    assert frame_digest(FRAME) == FRAME_DIGEST
    assert frame_digest(FRAME_PLUS_ONE) == FRAME_PLUS_ONE_DIGEST
    # SHA-256 of b"17:trustone-sample/1,5:frame," (scripts/redraw_sample.py on an empty frame)
    assert frame_digest([]) == "5183592aba2ef99f3ca659bb290e59a3eeba37da48ab1a6ecbbbfef9f16edd1b"


def test_frame_digest_does_not_depend_on_the_order_of_the_entries():
    assert frame_digest(reversed(FRAME)) == FRAME_DIGEST
    assert frame_digest(FRAME[5:] + FRAME[:5]) == FRAME_DIGEST


@pytest.mark.parametrize("field", ["token", "country", "site_kind", "origin_confidence"])
def test_frame_digest_changes_with_any_field_of_any_entry(field):
    for index, entry in enumerate(FRAME):
        values = entry.as_list()
        position = ["token", "country", "site_kind", "origin_confidence"].index(field)
        values[position] = values[position] + "x"
        edited = [*FRAME[:index], FrameEntry.from_list(values), *FRAME[index + 1 :]]
        assert frame_digest(edited) != FRAME_DIGEST, (field, index)


def test_frame_digest_changes_when_an_entry_is_added_or_removed():
    assert frame_digest(FRAME[:-1]) != FRAME_DIGEST
    assert frame_digest(FRAME[1:]) != FRAME_DIGEST
    assert FRAME_PLUS_ONE_DIGEST != FRAME_DIGEST


def test_frame_digest_keeps_field_boundaries():
    # Without the lengths these two would be the same bytes.
    assert frame_digest([FrameEntry("t1", "IN", "quarry", "")]) != frame_digest([FrameEntry("t1", "INq", "uarry", "")])
    assert frame_digest([FrameEntry("t1", "IN", "quarry", ""), FrameEntry("t2", "CN", "x", "")]) != frame_digest(
        [FrameEntry("t1", "IN", "quarry", "t2"), FrameEntry("t2", "CN", "x", "")]
    )


def test_a_frame_with_a_token_twice_or_without_a_token_is_refused():
    with refused("frame", "a token appears twice"):
        frame_digest([*FRAME, FrameEntry(tok(3), "CN", "quarry", "")])
    with refused("frame", "an entry has no token"):
        frame_digest([*FRAME, FrameEntry("", "CN", "quarry", "")])
    with refused("frame", "a token appears twice"):
        draw([*FRAME, FrameEntry(tok(3), "CN", "quarry", "")], [], 2, FRAME_SEED)


# --- the seed -------------------------------------------------------------------------------------


def test_draw_seed_is_the_documented_hash():
    assert draw_seed(FRAME_DIGEST, BEACON) == FRAME_SEED
    assert draw_seed(FRAME_PLUS_ONE_DIGEST, BEACON) == FRAME_PLUS_ONE_SEED


def test_draw_seed_keeps_its_two_values_apart():
    assert draw_seed("ab", "c") != draw_seed("a", "bc")
    # both from scripts/redraw_sample.py
    assert draw_seed("ab", "c") == "a4762b322dd82580b9af0758e3aea4e642b023021f2af43f3fd84689b4a279d7"
    assert draw_seed("a", "bc") == "6aebe19cf72b2953c3a962051e2305488febcb4a160284a35b2387bb71607264"


def test_draw_seed_changes_with_the_beacon_value():
    assert draw_seed(FRAME_DIGEST, BEACON + " ") != FRAME_SEED
    assert draw_seed(FRAME_DIGEST, "Lotto 1 March 2025: 3 11 17 28 36 42") != FRAME_SEED


@pytest.mark.parametrize("value", ["", "   ", "\n"])
def test_an_empty_beacon_value_is_refused(value):
    with refused("beacon", "the beacon value is empty"):
        draw_seed(FRAME_DIGEST, value)


# --- the sample size ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frame_size", "share", "expected"),
    [
        (25, "0.1", 3),  # 2.5 rounds half up
        (24, "0.1", 2),  # 2.4 rounds down
        (10, "0.15", 2),  # 1.5 rounds half up
        (10, "0.14", 1),
        (10, "0.01", 1),  # 0.1 rounds to 0: at least 1
        (7, "1", 7),
        (1000, "0.0005", 1),  # 0.5 rounds half up
        (0, "0.5", 0),  # an empty frame: nothing to draw
        (0, "1", 0),
    ],
)
def test_sample_size_from_a_share(frame_size, share, expected):
    assert sample_size(frame_size, share=Decimal(share)) == expected


@pytest.mark.parametrize(("frame_size", "size"), [(10, 1), (10, 10), (10, 4), (1, 1)])
def test_sample_size_from_a_number(frame_size, size):
    assert sample_size(frame_size, size=size) == size


@pytest.mark.parametrize(("frame_size", "size"), [(10, 0), (10, 11), (10, -1), (0, 1), (0, 0)])
def test_a_sample_size_outside_the_frame_is_refused(frame_size, size):
    with refused("size", f"the sample size is between 1 and the {frame_size} links of the frame"):
        sample_size(frame_size, size=size)


@pytest.mark.parametrize("share", ["0", "-0.1", "1.01", "2", "NaN", "Infinity"])
def test_a_share_outside_zero_to_one_is_refused(share):
    with refused("share", "the share is more than 0 and at most 1"):
        sample_size(10, share=Decimal(share))


def test_exactly_one_of_size_and_share():
    with refused("size", "give either a sample size or a share of the frame, not both"):
        sample_size(10)
    with refused("size", "give either a sample size or a share of the frame, not both"):
        sample_size(10, size=2, share=Decimal("0.2"))


def test_a_negative_frame_size_is_refused():
    with refused("frame", "a frame has no negative size"):
        sample_size(-1, share=Decimal("0.5"))


# --- strata and allocation ------------------------------------------------------------------------


def test_stratum_of_follows_the_rounds_dimensions_in_order():
    entry = FrameEntry(tok(3), "IN", "quarry", "")
    assert stratum_of(entry, [Dimension.COUNTRY, Dimension.SITE_KIND]) == ("IN", "quarry")
    assert stratum_of(entry, [Dimension.SITE_KIND, Dimension.COUNTRY]) == ("quarry", "IN")
    assert stratum_of(entry, [Dimension.ORIGIN_CONFIDENCE]) == ("",)
    assert stratum_of(entry, []) == ()


def test_an_unknown_dimension_is_refused():
    with refused("dimensions", "a round stratifies by country, site kind or origin confidence"):
        stratum_of(FRAME[0], ["token"])  # type: ignore[list-item]


def test_allocation_is_proportional():
    # 10 * 50/100 = 5, 10 * 30/100 = 3, 10 * 20/100 = 2: no remainder
    assert allocate({("IN",): 50, ("CN",): 30, ("ZW",): 20}, 10, SEED_0) == {("IN",): 5, ("CN",): 3, ("ZW",): 2}


def test_units_left_go_to_the_largest_remainders():
    # 3 * 7/10 = 2.1, 3 * 2/10 = 0.6, 3 * 1/10 = 0.3: whole parts 2, 0, 0; the one unit left to 0.6
    assert allocate({("A",): 7, ("B",): 2, ("C",): 1}, 3, SEED_0) == {("A",): 2, ("B",): 1, ("C",): 0}
    # 10 * 68/100 = 6.8, 1.7, 1.5: whole parts 6, 1, 1; two units left, to .8 and .7 (not to the largest quota)
    assert allocate({("A",): 68, ("B",): 17, ("C",): 15}, 10, SEED_1) == {("A",): 7, ("B",): 2, ("C",): 1}
    # 3 * 1/4 = 0.75 and 3 * 3/4 = 2.25: the small stratum's remainder wins
    assert allocate({("small",): 1, ("large",): 3}, 3, SEED_0) == {("small",): 1, ("large",): 2}


def test_a_tie_in_the_remainder_is_broken_by_the_seed_not_by_the_name():
    # 5 * 3/10 = 1.5, 1.5, 5 * 4/10 = 2.0: whole parts 1, 1, 2; one unit left, A and B tie at .5.
    # Which wins follows the stratum hash with the seed (scripts/redraw_sample.py): B with SEED_0, A with SEED_1.
    sizes = {("A",): 3, ("B",): 3, ("C",): 4}
    assert allocate(sizes, 5, SEED_0) == {("A",): 1, ("B",): 2, ("C",): 2}
    assert allocate(sizes, 5, SEED_1) == {("A",): 2, ("B",): 1, ("C",): 2}


def test_allocation_at_the_ends():
    sizes = {("A",): 3, ("B",): 0, ("C",): 4}
    assert allocate(sizes, 7, SEED_0) == {("A",): 3, ("B",): 0, ("C",): 4}
    assert allocate(sizes, 0, SEED_0) == {("A",): 0, ("B",): 0, ("C",): 0}
    assert allocate({}, 0, SEED_0) == {}
    assert allocate({(): 0}, 0, SEED_0) == {(): 0}
    assert allocate({(): 5}, 5, SEED_0) == {(): 5}


@pytest.mark.parametrize("total", [8, -1])
def test_an_allocation_beyond_the_frame_is_refused(total):
    with refused("size", "the sample size is between 0 and the 7 links of the frame"):
        allocate({("A",): 3, ("C",): 4}, total, SEED_0)


def test_a_negative_stratum_size_is_refused():
    with refused("frame", "a stratum has no negative size"):
        allocate({("A",): 3, ("C",): -1}, 1, SEED_0)


@pytest.mark.parametrize("seed", ["", "0" * 63, "0" * 65, "A" * 64, "g" * 64, "0" * 64 + "\n"])
def test_a_seed_that_is_not_a_sha256_hex_digest_is_refused(seed):
    with refused("seed", "a seed is 64 lowercase hexadecimal characters"):
        allocate({("A",): 3}, 1, seed)
    with refused("seed", "a seed is 64 lowercase hexadecimal characters"):
        draw(FRAME, [], 1, seed)


# --- the draw -------------------------------------------------------------------------------------


def test_the_draw_gives_the_documented_sample():
    # From scripts/redraw_sample.py with FRAME_SEED. By country, 4 of 10: quotas 2.0 (IN), 1.2 (CN), 0.8 (ZW),
    # whole parts 2, 1, 0, the unit left to ZW (.8); within each stratum the lowest rank hashes.
    assert tokens(draw(FRAME, [Dimension.COUNTRY], 4, FRAME_SEED)) == [tok(1), tok(4), tok(8), tok(10)]
    # By country, 2 of 10: quotas 1.0, 0.6, 0.4: IN 1, CN 1, ZW 0.
    assert tokens(draw(FRAME, [Dimension.COUNTRY], 2, FRAME_SEED)) == [tok(4), tok(8)]
    # One stratum, 2 of 10: the two lowest rank hashes of all ten.
    assert tokens(draw(FRAME, [], 2, FRAME_SEED)) == [tok(8), tok(10)]
    # By origin confidence, 3 of 10: quotas "" 0.6, claimed 1.5, partly_known 0.3, verified 0.6:
    # whole parts 0, 1, 0, 0, the two units left to "" and verified (.6 each).
    assert tokens(draw(FRAME, [Dimension.ORIGIN_CONFIDENCE], 3, FRAME_SEED)) == [tok(8), tok(9), tok(10)]
    # By site kind and country (seven strata, five tie at .4 for two units): the order of the dimensions
    # is part of the stratum hash, so the other order gives another sample here.
    assert tokens(draw(FRAME, [Dimension.SITE_KIND, Dimension.COUNTRY], 4, FRAME_SEED)) == [
        tok(1),
        tok(7),
        tok(8),
        tok(9),
    ]
    assert tokens(draw(FRAME, [Dimension.COUNTRY, Dimension.SITE_KIND], 4, FRAME_SEED)) == [
        tok(1),
        tok(4),
        tok(8),
        tok(10),
    ]


def test_the_same_inputs_draw_the_same_sample_in_any_input_order():
    first = draw(FRAME, [Dimension.COUNTRY], 4, FRAME_SEED)
    assert draw(FRAME, [Dimension.COUNTRY], 4, FRAME_SEED) == first
    assert draw(list(reversed(FRAME)), [Dimension.COUNTRY], 4, FRAME_SEED) == first
    assert first == [FRAME[0], FRAME[3], FRAME[7], FRAME[9]]


def test_a_frame_with_one_link_more_gives_another_seed_and_another_sample():
    seed = draw_seed(frame_digest(FRAME_PLUS_ONE), BEACON)
    assert seed == FRAME_PLUS_ONE_SEED != FRAME_SEED
    # From scripts/redraw_sample.py: by country, 4 of 11: IN 6 -> 2.18, CN 3 -> 1.09, ZW 2 -> 0.73: 2, 1, 1.
    assert tokens(draw(FRAME_PLUS_ONE, [Dimension.COUNTRY], 4, seed)) == [tok(5), tok(7), tok(9), tok(11)]


def test_the_sample_comes_back_in_token_order():
    frame = [FrameEntry("b", "IN", "quarry", ""), FrameEntry("a", "IN", "quarry", ""), FrameEntry("c", "IN", "q", "")]
    assert tokens(draw(frame, [], 3, SEED_0)) == ["a", "b", "c"]


def test_a_draw_from_an_empty_frame_is_empty_and_beyond_the_frame_is_refused():
    assert draw([], [Dimension.COUNTRY], 0, SEED_0) == []
    assert draw(FRAME, [Dimension.COUNTRY], 0, SEED_0) == []
    with refused("size", "the sample size is between 0 and the 10 links of the frame"):
        draw(FRAME, [Dimension.COUNTRY], 11, SEED_0)
    with refused("size", "the sample size is between 0 and the 0 links of the frame"):
        draw([], [], 1, SEED_0)


def test_the_whole_frame_is_drawn_when_the_size_is_the_frame():
    assert draw(FRAME, [Dimension.SITE_KIND], 10, SEED_0) == sorted(FRAME)


# --- properties -----------------------------------------------------------------------------------

stratum_sizes = st.dictionaries(
    st.tuples(st.sampled_from(["IN", "CN", "ZW", "TR", "VN", "PT"])), st.integers(0, 40), min_size=1
)
seeds = st.binary(min_size=32, max_size=32).map(bytes.hex)


@settings(max_examples=300, deadline=None)
@given(stratum_sizes, st.data(), seeds)
def test_allocation_sums_to_the_total_respects_sizes_and_stays_within_one_unit_of_the_quota(sizes, data, seed):
    frame_size = sum(sizes.values())
    total = data.draw(st.integers(0, frame_size))
    counts = allocate(sizes, total, seed)
    assert set(counts) == set(sizes)
    assert sum(counts.values()) == total
    for stratum, size in sizes.items():
        assert 0 <= counts[stratum] <= size
        # |n_h - total * N_h / N| < 1, in integers (an empty frame: every count is 0, checked above)
        assert abs(counts[stratum] * frame_size - total * size) < max(frame_size, 1)


frames = st.lists(
    st.tuples(st.sampled_from(["IN", "CN", "ZW"]), st.sampled_from(["quarry", "factory"]), st.sampled_from(["", "x"])),
    max_size=30,
).map(lambda rows: [FrameEntry(tok(number), *row) for number, row in enumerate(rows)])
dimension_lists = st.lists(st.sampled_from(list(Dimension)), unique=True)


@settings(max_examples=200, deadline=None)
@given(frames, dimension_lists, st.data(), seeds)
def test_a_draw_takes_each_strata_allocation_from_the_frame(frame, dimensions, data, seed):
    total = data.draw(st.integers(0, len(frame)))
    sample = draw(frame, dimensions, total, seed)
    assert len(sample) == len(set(sample)) == total
    assert set(sample) <= set(frame)
    assert tokens(sample) == sorted(tokens(sample))
    sizes: dict[tuple[str, ...], int] = {}
    for entry in frame:
        sizes[stratum_of(entry, dimensions)] = sizes.get(stratum_of(entry, dimensions), 0) + 1
    drawn: dict[tuple[str, ...], int] = dict.fromkeys(sizes, 0)
    for entry in sample:
        drawn[stratum_of(entry, dimensions)] += 1
    assert drawn == allocate(sizes, total, seed)
