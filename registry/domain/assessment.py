"""Insight percentages, covenant level and next assessment date (art. 5 lid 6, 7 and 9)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from registry.domain.errors import ValidationError
from registry.domain.organisations import CompanySize
from registry.domain.sites import SiteKind

if TYPE_CHECKING:
    from registry.domain.reports import ReportContent

# Level: (quarries known %, factories known %, due-diligence score %), all "at least".
LEVEL_THRESHOLDS: dict[int, tuple[int, int, int]] = {
    1: (20, 50, 20),
    2: (40, 75, 40),
    3: (60, 100, 60),
    4: (75, 100, 75),
    5: (90, 100, 90),
}
BELOW_LEVEL_1 = 0

QUARRY_KINDS = frozenset({SiteKind.QUARRY})
# Assumption: a cobble yard is where quarried setts are processed, so it counts with factories.
FACTORY_KINDS = frozenset({SiteKind.FACTORY, SiteKind.COBBLE_YARD})

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


def insight_percentages(content: ReportContent) -> tuple[Decimal, Decimal]:
    """(quarries known %, factories known %), each counted over links of that kind.

    A link with no site is an unknown site. A circular chain counts as fully known (art. 5 lid 7):
    all its links count as known, and a circular chain with no link of a kind adds one known.
    """
    return _share(content, QUARRY_KINDS), _share(content, FACTORY_KINDS)


def _share(content: ReportContent, kinds: frozenset[SiteKind]) -> Decimal:
    circular_chains = {link.chain for link in content.links if link.circular}
    known = total = 0
    chains_with_kind = set()
    for link in content.links:
        if link.site_kind not in kinds:
            continue
        chains_with_kind.add(link.chain)
        total += 1
        known += link.known or link.chain in circular_chains
    extra = len(circular_chains - chains_with_kind)
    known, total = known + extra, total + extra
    if total == 0:
        return Decimal(0)
    return (Decimal(known) * _HUNDRED / Decimal(total)).quantize(_CENT, ROUND_HALF_UP)


def due_diligence_score(value: Decimal | int | str) -> Decimal:
    """The secretariat's score as recorded: a percentage 0-100 with at most two decimals (it is
    stored in the event as given, so no digits beyond what a percentage needs)."""
    try:
        score = Decimal(value)
    except ArithmeticError:
        raise ValidationError("due_diligence_score", "must be a percentage between 0 and 100") from None
    if not score.is_finite() or not Decimal(0) <= score <= _HUNDRED:
        raise ValidationError("due_diligence_score", "must be a percentage between 0 and 100")
    if score != score.quantize(Decimal("0.01")):
        raise ValidationError("due_diligence_score", "at most two decimals")
    return score


def level_for(quarry_insight: Decimal, factory_insight: Decimal, due_diligence_score: Decimal) -> int:
    """The highest level whose three thresholds are all met; 0 when not even level 1's."""
    for name, value in (
        ("quarry_insight", quarry_insight),
        ("factory_insight", factory_insight),
        ("due_diligence_score", due_diligence_score),
    ):
        if not Decimal(0) <= Decimal(value) <= _HUNDRED:
            raise ValidationError(name, "must be a percentage between 0 and 100")
    reached = BELOW_LEVEL_1
    for level, (quarries, factories, score) in sorted(LEVEL_THRESHOLDS.items()):
        if quarry_insight >= quarries and factory_insight >= factories and due_diligence_score >= score:
            reached = level
    return reached


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def next_assessment(
    assessed_on: dt.date, level: int, size: CompanySize, this_kind: str = "full"
) -> tuple[dt.date, str]:
    """Art. 5 lid 9 and appendix 1: when the next assessment is due, and which kind.

    Below level 3: a full assessment every year. From level 3, large and medium companies alternate a
    full assessment with a review of the action plan's progress, every year; small companies get a
    full assessment every two years.
    """
    if level < 3:
        return add_years(assessed_on, 1), "full"
    if size == CompanySize.SMALL:
        return add_years(assessed_on, 2), "full"
    return add_years(assessed_on, 1), ("action_plan" if this_kind == "full" else "full")
