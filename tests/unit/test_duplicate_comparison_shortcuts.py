"""The shortcuts of ``duplicates.compare`` (too far apart; name lengths too different) give the very
verdict of the full comparison: the reference below is the comparison as it was before them."""

from __future__ import annotations

from difflib import SequenceMatcher

from hypothesis import given, settings
from hypothesis import strategies as st

from registry.domain.duplicates import MatchVerdict, SiteFingerprint, compare
from registry.domain.geography import Coordinates


def reference(new: SiteFingerprint, known: SiteFingerprint) -> MatchVerdict:
    if new.kind != known.kind:
        return MatchVerdict.DISTINCT
    if new.district_key and known.district_key and new.district_key != known.district_key:
        return MatchVerdict.DISTINCT
    same_name = new.name_key == known.name_key
    similar = same_name or SequenceMatcher(None, new.name_key, known.name_key).ratio() >= 0.85
    if not similar:
        return MatchVerdict.DISTINCT
    if new.coordinates is None and known.coordinates is None and same_name and new.district_key:
        return MatchVerdict.CERTAIN
    if new.coordinates is None or known.coordinates is None:
        return MatchVerdict.UNCERTAIN
    distance = new.coordinates.distance_km(known.coordinates)
    if same_name and distance <= 1.0:
        return MatchVerdict.CERTAIN
    if distance <= 10.0:
        return MatchVerdict.UNCERTAIN
    return MatchVerdict.DISTINCT


names = st.text(alphabet="abcdeo rs", max_size=14)
places = st.none() | st.builds(
    lambda lat, lon: Coordinates(25.0 + lat, 75.0 + lon), st.floats(0, 0.2), st.floats(0, 0.2)
)
fingerprints = st.builds(
    lambda kind, name, district, place: SiteFingerprint("X", kind, name, district, place),
    st.sampled_from(["quarry", "factory"]),
    names,
    st.sampled_from(["", "bundi", "kota"]),
    places,
)


@settings(max_examples=400)
@given(fingerprints, fingerprints)
def test_compare_gives_the_verdict_of_the_full_comparison(new, known):
    assert compare(new, known) == reference(new, known)


@settings(max_examples=200)
@given(names, places)
def test_a_name_compared_with_a_variant_of_itself_gives_the_verdict_of_the_full_comparison(name, place):
    new = SiteFingerprint("N", "quarry", name, "bundi", place)
    for variant in (name + "s", name[1:], name.replace("a", "e"), name.upper().lower() + " co"):
        known = SiteFingerprint("K", "quarry", variant, "bundi", place)
        assert compare(new, known) == reference(new, known)
