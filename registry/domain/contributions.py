"""Regimes and yearly contributions (covenant bijlage 4; docs/contributions.md).

Plain domain: no store, no key. Three rules, each a function of plain values:

- ``covenant_chains``: the report's links grouped into the covenant's chains. Bijlage 4 note ***:
  "Keten: van eindverbruiker tot en met fabriek", so a chain ends at its factory: the report's chains
  (its ``chain`` column) that reach the same known factory are one covenant chain, whatever quarries
  lie behind it. A report chain with no known factory is a chain of its own (under its first known
  cobble yard, else under its own name).
- ``chain_verdict`` / ``regime_of``: note **: one chain with its origin ("winning en/of verwerking")
  in a risk country puts the whole company under full due diligence. A chain counts as *not* risk
  when it is bought from a Dutch or Belgian importer (the table's "afname bij Nederlandse of Belgische
  importeurs"), when it is circular (reused stone: no new extraction, art. 5 lid 7), or when it
  names its quarry and every quarry, factory and cobble yard in it is known and outside the risk
  countries. A chain whose origin is unknown (a site not known, or no quarry reported: Indian granite
  processed in Portugal is not of non-risk origin) counts as risk: the limited regime is for stone
  whose extraction and processing took place in non-risk countries (art. 5 lid 2a), and an unknown
  site does not show that.
- ``contribution``: the table, with the growth path for new members and the one-off increase of
  10 percent from January 2027.

The budget line the contributions are set against is bijlage 5's (``BUDGET``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from eventsourcing.domain import Aggregate, event

from registry.domain.errors import ValidationError
from registry.domain.organisations import CompanyCategory

# event class name -> (owner attribute, sealed field names): registry/application.py seals them. The
# owner is the company's own id, as for its report: CompanyShredding destroys both with its keys.
CONFIDENTIAL_EVENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ContributionStatement.Prepared": ("company_id", ("facts",)),
    "ContributionStatement.Revised": ("company_id", ("facts",)),
}


class MemberType(StrEnum):
    """Bijlage 4's two company types: importers (natural-stone companies, importing infrastructure
    companies and contractors) and associated members (processing and retail companies)."""

    IMPORTER = "importer"
    ASSOCIATED = "associated"


class Regime(StrEnum):
    LIMITED = "limited"  # "beperkte due diligence": steps 1 and 2.1 of bijlage 1
    FULL = "full"  # "volledige due diligence": inkoopsituatie C


class Verdict(StrEnum):
    """Why a chain counts as risk or not (one reason, the first that holds, in this order)."""

    DUTCH_OR_BELGIAN_IMPORTER = "dutch_or_belgian_importer"  # bought from an importer in NL or BE
    RISK_COUNTRY = "risk_country"  # a quarry, factory or cobble yard in a risk country
    CIRCULAR = "circular"  # reused stone
    NOT_RISK = "not_risk"  # a quarry reported, every quarry, factory and cobble yard known, none in a risk country
    ORIGIN_UNKNOWN = "origin_unknown"  # a quarry, factory or cobble yard not known, or no quarry reported

    @property
    def is_risk(self) -> bool:
        return self in (Verdict.RISK_COUNTRY, Verdict.ORIGIN_UNKNOWN)


ORIGIN_KINDS = frozenset({"quarry", "factory", "cobble_yard"})  # "winning en/of verwerking"
IMPORTER_COUNTRIES = frozenset({"NL", "BE"})
IMPORTER_KINDS = frozenset({"trader", "other"})  # an importer in the Netherlands or Belgium

# --- the table (bijlage 4), in whole euros -------------------------------------------------------------

BASE_LIMITED = 400
BASE_FULL = 1200  # "het basistarief geldt voor 2 ketens"
CHAINS_IN_BASE = 2
PER_EXTRA_CHAIN = 400
EXTRA_CHAINS_CHARGED = 6  # "1200 plus 6 x 400 is 3600 euro, ongeacht het aantal ketens boven de 8"
PER_ESTABLISHMENT = 200  # associated members only
ESTABLISHMENTS_CHARGED = 10  # "400 plus 10 x 200 is 2400 euro, ongeacht het aantal vestigingen boven de 10"
NEW_MEMBER_CAPS = {1: 800, 2: 1200}  # "Jaar 1: basistarief tot maximaal 800 euro; Jaar 2: ... 1200 euro"
INCREASE_FROM = 2027  # "Vanaf januari 2027 worden alle tarieven (basis en variabel) eenmalig met 10 procent verhoogd"
INCREASE_PERCENT = 10

# Bijlage 5 ("Voorlopige begroting"), income: company contributions per covenant year. The NL sector's
# line holds the O&O-fonds Afbouw's collective 66,000 a year and the companies' contributions (its
# footnote); the Flemish sector's line is companies' contributions. So: NL sector - 66,000 + VL sector.
# Covenant year 3 is 2027, the year of the tariffs' increase (both lines rise by 10 % that year).
COLLECTIVE_NL = 66_000
BUDGET_LINES = {  # covenant year: (NL sector, VL sector)
    1: (100_800, 25_200),
    2: (100_800, 25_200),
    3: (104_280, 27_720),
    4: (104_280, 27_720),
    5: (104_280, 27_720),
}
FIRST_COVENANT_YEAR = 2025


def budget_for(year: int) -> int | None:
    """Bijlage 5's company contributions for a calendar year; None outside the covenant's five years."""
    line = BUDGET_LINES.get(year - FIRST_COVENANT_YEAR + 1)
    if line is None:
        return None
    nl_sector, vl_sector = line
    return nl_sector - COLLECTIVE_NL + vl_sector


@dataclass(frozen=True)
class Contribution:
    """The figure and how it is made up (all in whole euros)."""

    amount: int
    base: int
    chains_part: int
    establishments_part: int
    cap: int | None  # the new member's cap that applied, if any

    def as_dict(self) -> dict[str, Any]:
        return {
            "amount": self.amount,
            "base": self.base,
            "chains_part": self.chains_part,
            "establishments_part": self.establishments_part,
            "cap": self.cap,
        }


def _raised(euros: int, year: int) -> int:
    """A tariff of ``year``: the table's, raised once by 10 % from 2027 (every tariff is a multiple of 10)."""
    return euros * (100 + INCREASE_PERCENT) // 100 if year >= INCREASE_FROM else euros


def contribution(
    member_type: MemberType,
    regime: Regime,
    *,
    chains: int,
    establishments: int,
    membership_year: int,
    year: int,
) -> Contribution:
    """The contribution of a company for calendar ``year``, in its ``membership_year`` (1 = the year
    it first joined). New members pay the base tariff only, up to the cap of their year ("Jaar 1:
    basistarief tot maximaal 800 euro"); the regular tariff from year 3."""
    if chains < 0:
        raise ValidationError("chains", "0 or more")
    if establishments < 0:
        raise ValidationError("establishments", "0 or more")
    if membership_year < 1:
        raise ValidationError("membership_year", "1 or more")
    base = _raised(BASE_FULL if regime is Regime.FULL else BASE_LIMITED, year)
    cap = NEW_MEMBER_CAPS.get(membership_year)
    if cap is not None:
        return Contribution(min(base, cap), min(base, cap), 0, 0, cap)
    chains_part = 0
    if regime is Regime.FULL:
        chains_part = min(max(chains - CHAINS_IN_BASE, 0), EXTRA_CHAINS_CHARGED) * _raised(PER_EXTRA_CHAIN, year)
    establishments_part = 0
    if member_type is MemberType.ASSOCIATED:
        establishments_part = min(establishments, ESTABLISHMENTS_CHARGED) * _raised(PER_ESTABLISHMENT, year)
    return Contribution(base + chains_part + establishments_part, base, chains_part, establishments_part, None)


def maximum(member_type: MemberType, regime: Regime, year: int) -> int:
    """The table's most for a company type and regime (no count above it costs more)."""
    return contribution(
        member_type,
        regime,
        chains=CHAINS_IN_BASE + EXTRA_CHAINS_CHARGED,
        establishments=ESTABLISHMENTS_CHARGED,
        membership_year=3,
        year=year,
    ).amount


def membership_year(first_joined: dt.date, year: int) -> int:
    """Year 1 is the calendar year a company first joined ("voor het eerst toetreden": joining
    again after a withdrawal does not start the growth path again)."""
    return year - first_joined.year + 1


# --- chains and the regime --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainLink:
    """What the rules need of one reported link: ``country`` None when its site is not known."""

    chain: str
    tier: int
    site_kind: str
    site_id: str | None
    country: str | None
    circular: bool = False


@dataclass(frozen=True)
class CovenantChain:
    key: str  # "factory:<site id>", "cobble_yard:<site id>" or "chain:<name>"
    names: tuple[str, ...]  # the report's chain names it gathers
    verdict: Verdict
    countries: tuple[str, ...]  # the risk countries of its origin sites (RISK_COUNTRY), else empty

    def as_list(self) -> list[Any]:
        return [self.key, list(self.names), self.verdict.value, list(self.countries)]

    @classmethod
    def from_list(cls, row: Sequence[Any]) -> CovenantChain:
        return cls(row[0], tuple(row[1]), Verdict(row[2]), tuple(row[3]))


def _chain_key(name: str, links: Sequence[ChainLink]) -> str:
    by_tier = sorted(links, key=lambda link: link.tier)
    for kind in ("factory", "cobble_yard"):
        known = [link for link in by_tier if link.site_kind == kind and link.site_id is not None]
        if known:
            return f"{kind}:{known[0].site_id}"
    return f"chain:{name}"


def chain_verdict(links: Sequence[ChainLink], is_risk: Callable[[str], bool]) -> tuple[Verdict, tuple[str, ...]]:
    """One report chain's verdict (see the module's docstring for the order)."""
    origins = [link for link in links if link.site_kind in ORIGIN_KINDS]
    risky = sorted({link.country for link in origins if link.country is not None and is_risk(link.country)})
    first = min(links, key=lambda link: link.tier)
    if first.site_kind in IMPORTER_KINDS and first.country is not None and first.country.upper() in IMPORTER_COUNTRIES:
        return Verdict.DUTCH_OR_BELGIAN_IMPORTER, ()
    if risky:
        return Verdict.RISK_COUNTRY, tuple(risky)
    if any(link.circular for link in links):
        return Verdict.CIRCULAR, ()
    if any(link.site_kind == "quarry" for link in origins) and all(link.country is not None for link in origins):
        return Verdict.NOT_RISK, ()
    return Verdict.ORIGIN_UNKNOWN, ()


_SEVERITY = [
    Verdict.RISK_COUNTRY,
    Verdict.ORIGIN_UNKNOWN,
    Verdict.NOT_RISK,
    Verdict.CIRCULAR,
    Verdict.DUTCH_OR_BELGIAN_IMPORTER,
]


def covenant_chains(links: Sequence[ChainLink], is_risk: Callable[[str], bool]) -> list[CovenantChain]:
    """The report's chains gathered into covenant chains (ending at the same factory), each with the
    weightiest verdict of the report chains it gathers (a risk one decides)."""
    by_name: dict[str, list[ChainLink]] = {}
    for link in links:
        by_name.setdefault(link.chain, []).append(link)
    gathered: dict[str, list[tuple[str, Verdict, tuple[str, ...]]]] = {}
    for name, chain_links in by_name.items():
        verdict, countries = chain_verdict(chain_links, is_risk)
        gathered.setdefault(_chain_key(name, chain_links), []).append((name, verdict, countries))
    chains = []
    for key, members in sorted(gathered.items()):
        verdict = min((v for _, v, _ in members), key=_SEVERITY.index)
        risky = sorted({c for _, v, cs in members if v is Verdict.RISK_COUNTRY for c in cs})
        chains.append(CovenantChain(key, tuple(sorted(n for n, _, _ in members)), verdict, tuple(risky)))
    return chains


def regime_of(chains: Sequence[CovenantChain]) -> Regime:
    """Note **: one chain of risk origin puts the company under full due diligence."""
    return Regime.FULL if any(chain.verdict.is_risk for chain in chains) else Regime.LIMITED


def recorded_regime(category: CompanyCategory) -> Regime:
    """What the category recorded at joining says: C ("herkomst risicolanden") is full due diligence;
    A (buys from Dutch or Belgian importers) and B (non-risk countries only) are limited."""
    return Regime.FULL if category is CompanyCategory.C else Regime.LIMITED


def default_member_type(category: CompanyCategory) -> MemberType:
    """Until the secretariat records it: category A (buying from Dutch or Belgian importers, art. 5
    lid 14-15) is an associated member, B and C import."""
    return MemberType.ASSOCIATED if category is CompanyCategory.A else MemberType.IMPORTER


# --- the statement ----------------------------------------------------------------------------------

_NAMESPACE = uuid.UUID("2a7c5e19-8d4b-4f63-a1e0-7b9c3d5f2e86")


class Basis(StrEnum):
    REPORT = "report"  # the company's submitted report of the year before
    RECORDED_CATEGORY = "recorded_category"  # no report to rest on (a new member): its category


class ContributionStatement(Aggregate):
    """A company's contribution for one calendar year, as the secretariat prepared it.

    In clear: which company and year (every member has one), which report version it rests on (the
    report's own record says when versions came), when and by whom. Sealed (``facts``) with the
    company's key, like the report: the regime, the chain count and the chains that decide it, the
    amount and its parts. The amount is sealed too: under full due diligence it gives the chain count
    away (1,200 + 400 per chain above 2)."""

    @staticmethod
    def create_id(company_id: uuid.UUID, year: int) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"{company_id}/{year}")

    @classmethod
    def prepare(
        cls,
        *,
        company_id: uuid.UUID,
        year: int,
        report_version: int | None,
        facts: Any,
        fingerprint: str,
        on: dt.date,
        by: str,
    ) -> ContributionStatement:
        return cls._create(
            cls.Prepared,  # type: ignore[attr-defined]  # an @event class, made by the library
            id=cls.create_id(company_id, year),
            company_id=company_id,
            year=year,
            report_version=report_version,
            facts=facts,
            fingerprint=fingerprint,
            on=on,
            by=by,
        )

    @event("Prepared")
    def __init__(
        self,
        company_id: uuid.UUID,
        year: int,
        report_version: int | None,
        facts: Any,
        fingerprint: str,
        on: dt.date,
        by: str,
    ) -> None:
        """``fingerprint``: a keyed digest (HMAC under the company's key) of the facts, so preparing
        again recognises unchanged facts without opening them; it tells nothing without the key."""
        self.company_id = company_id
        self.year = year
        self.report_version = report_version
        self.facts = facts
        self.fingerprint = fingerprint
        self.prepared_on = on
        self.revisions = 0
        self.by = by

    def revise(self, report_version: int | None, facts: Any, fingerprint: str, on: dt.date, by: str) -> None:
        """Prepared again with different facts (a corrected report, a changed basis)."""
        self._revised(
            company_id=self.company_id,
            report_version=report_version,
            facts=facts,
            fingerprint=fingerprint,
            on=on,
            by=by,
        )

    @event("Revised")
    def _revised(
        self, company_id: uuid.UUID, report_version: int | None, facts: Any, fingerprint: str, on: dt.date, by: str
    ) -> None:
        """``company_id`` travels in the event: the sealing mapper finds the key's owner there."""
        self.report_version = report_version
        self.facts = facts
        self.fingerprint = fingerprint
        self.prepared_on = on
        self.revisions += 1
        self.by = by
