"""The covenant's level table (art. 5 lid 6), transcribed from the covenant text, not from the code.

Convenant TruStone 2025, art. 5 lid 6 (the same table in every copy of the text):

    Niveau 1  Bedrijf heeft inzicht in 20% groeves en 50% fabrieken;  due diligence-score ten minste 20%
    Niveau 2  Bedrijf heeft inzicht in 40% groeves en 75% fabrieken;  due diligence-score ten minste 40%
    Niveau 3  Bedrijf heeft inzicht in 60% groeves en 100% fabrieken; due diligence-score ten minste 60%
    Niveau 4  Bedrijf heeft inzicht in 75% groeves en 100% fabrieken; due diligence-score ten minste 75%
    Niveau 5  Bedrijf heeft inzicht in 90% groeves en 100% fabrieken; due diligence-score ten minste 90%

Every threshold is tested exactly at its value (reached) and one cent below (not reached), so a
table that is off by one in any cell fails here.
"""

from decimal import Decimal

import pytest

from registry.domain.assessment import level_for
from registry.domain.errors import ValidationError

# level: (quarries known %, factories known %, due-diligence score %), each "at least"
COVENANT_LEVELS = {
    1: (20, 50, 20),
    2: (40, 75, 40),
    3: (60, 100, 60),
    4: (75, 100, 75),
    5: (90, 100, 90),
}
CRITERIA = ("quarries", "factories", "score")
CENT = Decimal("0.01")


def expected_level(values) -> int:
    """The highest level of the covenant table whose three thresholds the values meet (0: none)."""
    return max(
        (level for level, minimum in COVENANT_LEVELS.items() if all(v >= m for v, m in zip(values, minimum))), default=0
    )


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_a_level_is_reached_exactly_at_its_three_thresholds(level):
    assert level_for(*(Decimal(t) for t in COVENANT_LEVELS[level])) == level


CELLS = [(level, criterion) for level in COVENANT_LEVELS for criterion in range(3)]


@pytest.mark.parametrize(("level", "criterion"), CELLS, ids=[f"level{lv}-{CRITERIA[c]}" for lv, c in CELLS])
def test_one_cent_below_one_threshold_the_level_is_not_reached(level, criterion):
    values = [Decimal(t) for t in COVENANT_LEVELS[level]]
    values[criterion] -= CENT
    assert level_for(*values) == expected_level(values) < level


@pytest.mark.parametrize(("level", "criterion"), CELLS, ids=[f"level{lv}-{CRITERIA[c]}" for lv, c in CELLS])
def test_each_threshold_alone_decides_with_the_other_two_at_a_hundred(level, criterion):
    """The other criteria at their maximum: this one threshold alone separates level from level - 1."""
    at = [Decimal(100)] * 3
    at[criterion] = Decimal(COVENANT_LEVELS[level][criterion])
    below = list(at)
    below[criterion] -= CENT
    assert level_for(*at) == expected_level(at) >= level
    assert level_for(*below) == expected_level(below)
    if criterion != 1 or level <= 3:  # from level 3 on the factory threshold is 100 for every level
        assert level_for(*below) < level_for(*at)


def test_the_literal_expectations_themselves():
    """Spot checks written out by hand, so the helper above is not the only oracle."""
    assert level_for(Decimal("19.99"), Decimal(100), Decimal(100)) == 0
    assert level_for(Decimal(20), Decimal("49.99"), Decimal(100)) == 0
    assert level_for(Decimal(100), Decimal("74.99"), Decimal(100)) == 1
    assert level_for(Decimal(100), Decimal("99.99"), Decimal(100)) == 2
    assert level_for(Decimal("89.99"), Decimal(100), Decimal(100)) == 4
    assert level_for(Decimal(100), Decimal(100), Decimal("74.99")) == 3
    assert level_for(Decimal(100), Decimal(100), Decimal(100)) == 5
    assert level_for(Decimal(0), Decimal(0), Decimal(0)) == 0


@pytest.mark.parametrize("field", [0, 1, 2], ids=["quarry_insight", "factory_insight", "due_diligence_score"])
@pytest.mark.parametrize("bad", [Decimal("-0.01"), Decimal("100.01")])
def test_a_percentage_outside_zero_to_a_hundred_is_refused_naming_its_field(field, bad):
    values = [Decimal(50)] * 3
    values[field] = bad
    with pytest.raises(ValidationError) as caught:
        level_for(*values)
    name = ["quarry_insight", "factory_insight", "due_diligence_score"][field]
    assert caught.value.field == name
    assert str(caught.value) == f"{name}: must be a percentage between 0 and 100"


@pytest.mark.parametrize("edge", [Decimal(0), Decimal(100)])
def test_zero_and_a_hundred_are_percentages(edge):
    level_for(edge, edge, edge)  # no error
