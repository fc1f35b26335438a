import datetime as dt
from decimal import Decimal

import pytest

from registry.domain.assessment import insight_percentages, level_for, next_assessment
from registry.domain.errors import ValidationError
from registry.domain.organisations import CompanySize
from registry.domain.reports import Channel, OriginConfidence, ReportContent, SupplyLink
from registry.domain.sites import SiteKind


def link(chain, kind, site_id="IN-RJ-X", circular=False):
    return SupplyLink(
        chain=chain,
        tier=2 if kind == SiteKind.QUARRY else 1,
        site_kind=kind,
        site_id=site_id,
        stone_type="granite",
        product="tiles",
        channel=Channel.DIRECT,
        origin_confidence=OriginConfidence.CLAIMED if site_id else None,
        circular=circular,
    )


def test_insight_is_the_share_of_known_sites_per_kind():
    content = ReportContent(
        links=(
            link("a", SiteKind.QUARRY),
            link("b", SiteKind.QUARRY, site_id=None),
            link("c", SiteKind.QUARRY, site_id=None),
            link("d", SiteKind.QUARRY),
            link("a", SiteKind.FACTORY),
            link("b", SiteKind.COBBLE_YARD, site_id=None),
            link("x", SiteKind.TRADER, site_id=None),  # traders count for neither
        )
    )
    assert insight_percentages(content) == (Decimal("50.00"), Decimal("50.00"))


def test_a_circular_chain_counts_as_fully_known():
    content = ReportContent(
        links=(
            link("reuse", SiteKind.FACTORY, site_id=None, circular=True),
            link("b", SiteKind.QUARRY, site_id=None),
            link("b", SiteKind.FACTORY),
        )
    )
    # quarries: chain "b" unknown, circular chain adds one known -> 1 of 2; factories: 2 of 2
    assert insight_percentages(content) == (Decimal("50.00"), Decimal("100.00"))


def test_a_report_with_no_site_of_a_kind_has_no_insight_in_it():
    content = ReportContent(links=(link("a", SiteKind.FACTORY),))
    assert insight_percentages(content) == (Decimal(0), Decimal("100.00"))


def test_percentages_are_rounded_to_cents():
    content = ReportContent(
        links=(
            link("a", SiteKind.QUARRY),
            link("b", SiteKind.QUARRY, site_id=None),
            link("c", SiteKind.QUARRY, site_id=None),
        )
    )
    assert insight_percentages(content)[0] == Decimal("33.33")


# The level table itself (art. 5 lid 6) is tested from a literal copy of the covenant in
# test_covenant_levels.py, never from LEVEL_THRESHOLDS.


def test_below_level_one_is_level_zero():
    assert level_for(Decimal("19.99"), Decimal(100), Decimal(100)) == 0


@pytest.mark.parametrize("bad", [Decimal(-1), Decimal("100.01")])
def test_percentages_outside_zero_to_hundred_are_refused_naming_the_field(bad):
    with pytest.raises(ValidationError) as caught:
        level_for(Decimal(50), Decimal(50), bad)
    assert caught.value.field == "due_diligence_score"


ON = dt.date(2025, 6, 30)


@pytest.mark.parametrize("size", list(CompanySize))
@pytest.mark.parametrize("level", [0, 1, 2])
def test_below_level_three_every_company_is_assessed_fully_every_year(level, size):
    assert next_assessment(ON, level, size) == (dt.date(2026, 6, 30), "full")


@pytest.mark.parametrize("size", [CompanySize.MEDIUM, CompanySize.LARGE])
def test_from_level_three_larger_companies_alternate_full_and_action_plan_reviews(size):
    assert next_assessment(ON, 3, size, this_kind="full") == (dt.date(2026, 6, 30), "action_plan")
    assert next_assessment(ON, 4, size, this_kind="action_plan") == (dt.date(2026, 6, 30), "full")


@pytest.mark.parametrize("size", [CompanySize.MEDIUM, CompanySize.LARGE])
def test_an_assessment_is_a_full_one_unless_said_otherwise(size):
    assert next_assessment(ON, 3, size) == (dt.date(2026, 6, 30), "action_plan")


def test_from_level_three_small_companies_are_assessed_fully_every_two_years():
    assert next_assessment(ON, 3, CompanySize.SMALL) == (dt.date(2027, 6, 30), "full")


def test_an_assessment_on_29_february_is_next_due_on_28_february():
    assert next_assessment(dt.date(2024, 2, 29), 1, CompanySize.LARGE)[0] == dt.date(2025, 2, 28)
