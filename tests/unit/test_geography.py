import pytest

from registry.domain.errors import ValidationError
from registry.domain.geography import Coordinates, RegionPath, subdivision_code, validate_country


@pytest.mark.parametrize(
    ("country", "province", "code"),
    [
        ("IN", "Rajasthan", "RJ"),  # ISO spells it Rājasthān
        ("IN", "tamil nadu", "TN"),
        ("CN", "Fujian", "FJ"),  # ISO: Fujian Sheng
        ("VN", "Binh Dinh", "31"),  # ISO: Bình Định, with a D that Unicode does not decompose
        ("EG", "Minya", "MN"),  # ISO: Al Minyā
        ("IT", "Tuscany", "52"),  # ISO: Toscana
        ("ZW", "IN-RJ", None),  # another country's code is not this country's province
        ("IN", "Atlantis", None),
    ],
)
def test_provinces_are_matched_to_their_iso_subdivision_as_people_type_them(country, province, code):
    assert subdivision_code(country, province) == code


@pytest.mark.parametrize("bad", ["XQ", "India", "", "I"])
def test_a_country_must_be_an_iso_code(bad):
    with pytest.raises(ValidationError) as caught:
        validate_country(bad)
    assert caught.value.field == "country"


@pytest.mark.parametrize(("lat", "lon", "field"), [(91, 0, "latitude"), (0, -181, "longitude"), ("x", 0, "latitude")])
def test_coordinates_out_of_range_name_the_field(lat, lon, field):
    with pytest.raises(ValidationError) as caught:
        Coordinates.create(lat, lon)
    assert caught.value.field == field


def test_a_district_needs_a_province():
    with pytest.raises(ValidationError) as caught:
        RegionPath.create("IN", "", "Bundi")
    assert caught.value.field == "province"


def test_distance_between_jalore_and_bundi_is_about_three_hundred_km():
    # by hand: 3.02 degrees of longitude at 25.4 N (about 100.5 km each) and 0.09 of latitude: ~304 km
    assert 295 < Coordinates(25.35, 72.62).distance_km(Coordinates(25.44, 75.64)) < 312
