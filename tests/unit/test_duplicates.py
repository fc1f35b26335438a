import pytest

from registry.domain.duplicates import (
    CERTAIN_DISTANCE_KM,
    MatchVerdict,
    SiteFingerprint,
    best_match,
    compare,
    normalise_name,
)
from registry.domain.geography import Coordinates

JALORE = Coordinates(25.3456, 72.6234)


def site(name, kind="quarry", district="jalore", coordinates=JALORE, public_id="IN-RJ-X"):
    return SiteFingerprint(
        public_id=public_id, kind=kind, name_key=normalise_name(name), district_key=district, coordinates=coordinates
    )


def north_of(point: Coordinates, km: float) -> Coordinates:
    return Coordinates(point.latitude + km / 111.2, point.longitude)


def test_names_are_compared_without_legal_forms_accents_or_spelling_variants():
    assert normalise_name("Shree Balaji Granites Pvt. Ltd.") == normalise_name("sri  balaji GRANITE")
    assert normalise_name("Pedreira São João, Lda") == "pedreira sao joao"


def test_the_same_name_at_the_same_place_is_a_certain_match():
    assert compare(site("Sri Balaji Granites Pvt Ltd"), site("Shri Balaji Granite")) == MatchVerdict.CERTAIN


def test_the_same_name_just_beyond_the_certain_distance_needs_a_person():
    far = north_of(JALORE, CERTAIN_DISTANCE_KM + 0.2)
    assert compare(site("Balaji Granite", coordinates=far), site("Balaji Granite")) == MatchVerdict.UNCERTAIN


def test_a_similar_name_nearby_needs_a_person():
    near = north_of(JALORE, 0.3)
    assert (
        compare(site("Balaji Granite Mines", coordinates=near), site("Balaji Granite Mine")) == MatchVerdict.UNCERTAIN
    )


def test_the_same_name_without_coordinates_or_district_needs_a_person():
    assert (
        compare(site("Balaji Granite", district="", coordinates=None), site("Balaji Granite")) == MatchVerdict.UNCERTAIN
    )


def test_the_same_description_without_coordinates_in_the_same_district_is_certain():
    assert (
        compare(site("Balaji Granite", coordinates=None), site("Balaji Granite", coordinates=None))
        == MatchVerdict.CERTAIN
    )


@pytest.mark.parametrize(
    "new",
    [
        site("Balaji Granite", coordinates=north_of(JALORE, 40)),  # namesake far away
        site("Balaji Granite", kind="factory"),  # same owner, a factory next to the quarry
        site("Balaji Granite", district="bundi"),  # another district
        site("Mahadev Sandstone Quarry"),  # another name at the same spot
    ],
)
def test_distinct_sites_stay_distinct(new):
    assert compare(new, site("Balaji Granite")) == MatchVerdict.DISTINCT


def test_the_best_match_prefers_certain_over_uncertain_and_names_the_site():
    known = [
        site("Balaji Granite Mine", public_id="A", coordinates=north_of(JALORE, 0.5)),
        site("Balaji Granite", public_id="B"),
    ]
    match = best_match(site("Balaji Granite"), known)
    assert (match.verdict, match.site.public_id) == (MatchVerdict.CERTAIN, "B")


def test_no_candidates_means_distinct():
    assert best_match(site("Balaji Granite"), []).verdict == MatchVerdict.DISTINCT


def test_the_region_index_offers_only_sites_of_the_same_kind_and_district_as_candidates():
    from registry.domain.region_index import RegionSiteIndex

    index = RegionSiteIndex(country="IN", province="Rajasthan")
    index.add(public_id="A", kind="quarry", name_key="a", district_key="bundi", latitude=None, longitude=None)
    index.add(public_id="B", kind="quarry", name_key="b", district_key="jalore", latitude=None, longitude=None)
    index.add(public_id="C", kind="factory", name_key="c", district_key="bundi", latitude=None, longitude=None)
    index.add(public_id="D", kind="quarry", name_key="d", district_key="", latitude=25.0, longitude=75.0)
    assert [f.public_id for f in index.candidates("quarry", "bundi")] == ["A", "D"]
    assert [f.public_id for f in index.candidates("quarry", "")] == ["A", "B", "D"]
    assert index.candidates("cobble_yard", "bundi") == []
