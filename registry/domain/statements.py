"""The evidence statement's facts and the tender criteria of the covenant's bijlage 3 (issue 15).

Plain domain: no store, no key. ``StatementFacts`` is what a statement may say about a company on a
date; it has no field for a site, a supplier, a country of a supplier or another company.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

# event class name -> (owner attribute, sealed field names): registry/application.py seals them
CONFIDENTIAL_EVENTS: dict[str, tuple[str, tuple[str, ...]]] = {}


@dataclass(frozen=True)
class StatementFacts:
    company_ref: str
    company_name: str
    on: dt.date
    member: bool
    standing: str  # member, withdrawn, excluded, not_yet_member (registry.domain.organisations.Standing)
    category: str | None
    joined_on: dt.date | None
    ended_on: dt.date | None  # the last membership before ``on`` ended (withdrawn or excluded)
    level: int | None
    level_assessed_on: dt.date | None
    positive_assessments: int  # consecutive positive yearly assessments up to ``on``
    factory_insight: Decimal | None  # % of factories known, at the latest assessment
    quarry_insight: Decimal | None  # % of quarries known, at the latest assessment
    action_plan_published_on: dt.date | None  # published on the member listing with that assessment
    action_plan_year: int | None


@dataclass(frozen=True)
class CriterionCheck:
    """One tender criterion of bijlage 3 (or the snelgids), what it requires and what the company has."""

    key: str  # factories_known, quarries_known, positive_assessments, level_significant, level_ambitious
    required: str  # as printed: "100 %", "3", "level 3"
    actual: str  # as printed: "100 %", "2", "level 2", "-" when not known
    met: bool
