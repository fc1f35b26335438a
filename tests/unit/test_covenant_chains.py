"""Covenant chains, their verdicts and the regime, on hand-built report links (issue 17).

Bijlage 4: "Keten: van eindverbruiker tot en met fabriek" (a chain ends at its factory); "Als een
bedrijf 1 of meer ketens heeft met een herkomst in een risicoland, valt het onder volledige due
diligence"; limited due diligence is for "herkomst niet-risicolanden of afname bij Nederlandse of
Belgische importeurs". The risk test here is a literal set, not the risk-country list.
"""

from __future__ import annotations

import dataclasses

import pytest

from registry.domain.contributions import (
    ChainLink,
    CovenantChain,
    MemberType,
    Regime,
    Verdict,
    chain_verdict,
    covenant_chains,
    default_member_type,
    recorded_regime,
    regime_of,
)
from registry.domain.organisations import CompanyCategory


def is_risk(country: str) -> bool:
    return country not in {"NL", "BE", "DE", "IT", "PT"}


def link(chain, tier, kind, site_id, country, circular=False) -> ChainLink:
    return ChainLink(chain=chain, tier=tier, site_kind=kind, site_id=site_id, country=country, circular=circular)


def verdict(*links: ChainLink) -> tuple[Verdict, tuple[str, ...]]:
    return chain_verdict(list(links), is_risk)


# --- one report chain's verdict ---------------------------------------------------------------------


def test_quarry_in_a_risk_country():
    assert verdict(
        link("a", 1, "factory", "F1", "PT"),
        link("a", 2, "quarry", "Q1", "IN"),
    ) == (Verdict.RISK_COUNTRY, ("IN",))


def test_factory_in_a_risk_country():
    # processing ("verwerking") in a risk country counts as origin too
    assert verdict(
        link("a", 1, "factory", "F1", "CN"),
        link("a", 2, "quarry", "Q1", "PT"),
    ) == (Verdict.RISK_COUNTRY, ("CN",))


def test_cobble_yard_in_a_risk_country():
    assert verdict(
        link("a", 1, "cobble_yard", "Y1", "VN"),
        link("a", 2, "quarry", "Q1", "DE"),
    ) == (Verdict.RISK_COUNTRY, ("VN",))


def test_every_risk_country_of_the_chain_is_listed_once_sorted():
    assert verdict(
        link("a", 1, "factory", "F1", "IN"),
        link("a", 2, "quarry", "Q1", "CN"),
        link("a", 2, "quarry", "Q2", "IN"),
    ) == (Verdict.RISK_COUNTRY, ("CN", "IN"))


def test_a_trader_in_a_risk_country_is_no_origin():
    # "winning en/of verwerking": a trading company's country is not the stone's origin
    assert verdict(
        link("a", 1, "trader", "T1", "CN"),
        link("a", 2, "factory", "F1", "PT"),
        link("a", 3, "quarry", "Q1", "PT"),
    ) == (Verdict.NOT_RISK, ())


def test_unknown_quarry_is_origin_unknown_and_risk():
    result = verdict(
        link("a", 1, "factory", "F1", "PT"),
        link("a", 2, "quarry", None, None),
    )
    assert result == (Verdict.ORIGIN_UNKNOWN, ())
    assert result[0].is_risk


def test_only_a_trader_in_a_risk_country_is_origin_unknown():
    assert verdict(link("a", 1, "trader", "T1", "CN")) == (Verdict.ORIGIN_UNKNOWN, ())


def test_circular_is_not_risk():
    result = verdict(
        link("a", 1, "trader", "T1", "FR", circular=True),
        link("a", 2, "quarry", None, None),
    )
    assert result == (Verdict.CIRCULAR, ())
    assert not result[0].is_risk


@pytest.mark.parametrize(("kind", "country"), [("trader", "NL"), ("trader", "BE"), ("other", "BE"), ("trader", "nl")])
def test_bought_from_a_dutch_or_belgian_importer_is_not_risk(kind, country):
    # "afname bij Nederlandse of Belgische importeurs": even with a quarry behind it in a risk country
    result = verdict(
        link("a", 1, kind, "T1", country),
        link("a", 2, "factory", "F1", "CN"),
        link("a", 3, "quarry", "Q1", "IN"),
    )
    assert result == (Verdict.DUTCH_OR_BELGIAN_IMPORTER, ())
    assert not result[0].is_risk


def test_the_importer_is_the_link_nearest_the_company_whatever_the_order_given():
    result = verdict(
        link("a", 2, "quarry", "Q1", "IN"),
        link("a", 1, "trader", "T1", "NL"),
    )
    assert result == (Verdict.DUTCH_OR_BELGIAN_IMPORTER, ())


def test_a_dutch_trader_further_down_is_no_importer():
    assert verdict(
        link("a", 1, "factory", "F1", "CN"),
        link("a", 2, "trader", "T1", "NL"),
        link("a", 3, "quarry", "Q1", "PT"),
    ) == (Verdict.RISK_COUNTRY, ("CN",))


@pytest.mark.parametrize(("kind", "country"), [("trader", "DE"), ("trader", None), ("factory", "NL")])
def test_no_dutch_or_belgian_importer(kind, country):
    # a trader elsewhere, a trader whose country is unknown, a Dutch factory (no importer)
    assert verdict(
        link("a", 1, kind, "T1", country),
        link("a", 2, "quarry", "Q1", "IN"),
    ) == (Verdict.RISK_COUNTRY, ("IN",))


def test_every_origin_known_and_none_risk_is_not_risk():
    result = verdict(
        link("a", 1, "cobble_yard", "Y1", "BE"),
        link("a", 2, "factory", "F1", "PT"),
        link("a", 3, "quarry", "Q1", "PT"),
    )
    assert result == (Verdict.NOT_RISK, ())
    assert not result[0].is_risk


def test_links_are_not_circular_unless_said():
    assert link("a", 1, "quarry", "Q1", "PT").circular is False
    assert verdict(ChainLink(chain="a", tier=1, site_kind="quarry", site_id="Q1", country="PT")) == (
        Verdict.NOT_RISK,
        (),
    )


def test_verdicts_that_are_risk():
    assert {v for v in Verdict if v.is_risk} == {Verdict.RISK_COUNTRY, Verdict.ORIGIN_UNKNOWN}


def test_stored_verdict_values():
    # in the order the verdicts are tried (docs/contributions.md's table)
    assert [v.value for v in Verdict] == [
        "dutch_or_belgian_importer",
        "risk_country",
        "circular",
        "not_risk",
        "origin_unknown",
    ]


# --- covenant chains: "van eindverbruiker tot en met fabriek" ---------------------------------------


def test_two_report_chains_through_one_factory_are_one_covenant_chain():
    chains = covenant_chains(
        [
            link("b", 1, "factory", "F1", "PT"),
            link("b", 2, "quarry", "Q2", "PT"),
            link("a", 1, "trader", "T1", "DE"),
            link("a", 2, "factory", "F1", "PT"),
            link("a", 3, "quarry", "Q1", "IN"),
        ],
        is_risk,
    )
    # the weightiest verdict decides (a risk one), and its risk countries are kept
    assert chains == [CovenantChain("factory:F1", ("a", "b"), Verdict.RISK_COUNTRY, ("IN",))]


def test_a_chain_without_a_known_factory_counts_on_its_own():
    chains = covenant_chains(
        [
            link("a", 1, "factory", "F1", "PT"),
            link("a", 2, "quarry", "Q1", "PT"),
            link("b", 1, "factory", None, None),
            link("b", 2, "cobble_yard", "Y1", "IT"),
            link("b", 3, "cobble_yard", "Y2", "IT"),
            link("c", 1, "trader", "T9", "CN"),
            link("d", 1, "quarry", "Q1", "PT", circular=True),
            link("e", 1, "trader", "T2", "NL"),
            link("e", 2, "quarry", "Q3", "IN"),
        ],
        is_risk,
    )
    assert chains == [
        CovenantChain("chain:c", ("c",), Verdict.ORIGIN_UNKNOWN, ()),  # no factory, no cobble yard: its name
        CovenantChain("chain:d", ("d",), Verdict.CIRCULAR, ()),
        CovenantChain("chain:e", ("e",), Verdict.DUTCH_OR_BELGIAN_IMPORTER, ()),
        CovenantChain("cobble_yard:Y1", ("b",), Verdict.ORIGIN_UNKNOWN, ()),  # its first known cobble yard
        CovenantChain("factory:F1", ("a",), Verdict.NOT_RISK, ()),
    ]


def test_the_factory_decides_the_key_over_a_known_trader_before_it():
    chains = covenant_chains(
        [
            link("a", 1, "trader", "T1", "DE"),
            link("a", 2, "cobble_yard", "Y1", "PT"),
            link("a", 3, "factory", "F1", "PT"),
            link("a", 4, "quarry", "Q1", "PT"),
        ],
        is_risk,
    )
    assert [c.key for c in chains] == ["factory:F1"]


@pytest.mark.parametrize(
    ("second", "merged"),
    [
        (Verdict.ORIGIN_UNKNOWN, Verdict.ORIGIN_UNKNOWN),  # risk outweighs not risk
        (Verdict.CIRCULAR, Verdict.NOT_RISK),
        (Verdict.DUTCH_OR_BELGIAN_IMPORTER, Verdict.NOT_RISK),
    ],
)
def test_the_weightiest_verdict_of_one_factory(second, merged):
    second_chain = {
        Verdict.ORIGIN_UNKNOWN: [link("b", 1, "factory", "F1", "PT"), link("b", 2, "quarry", None, None)],
        Verdict.CIRCULAR: [link("b", 1, "factory", "F1", "PT", circular=True)],
        Verdict.DUTCH_OR_BELGIAN_IMPORTER: [link("b", 1, "trader", "T1", "BE"), link("b", 2, "factory", "F1", "CN")],
    }[second]
    chains = covenant_chains(
        [link("a", 1, "factory", "F1", "PT"), link("a", 2, "quarry", "Q1", "PT"), *second_chain], is_risk
    )
    assert [(c.key, c.names, c.verdict) for c in chains] == [("factory:F1", ("a", "b"), merged)]


def test_circular_outweighs_bought_from_an_importer():
    chains = covenant_chains(
        [
            link("a", 1, "factory", "F1", "PT", circular=True),
            link("b", 1, "trader", "T1", "NL"),
            link("b", 2, "factory", "F1", "PT"),
        ],
        is_risk,
    )
    assert [c.verdict for c in chains] == [Verdict.CIRCULAR]


def test_no_links_no_chains():
    assert covenant_chains([], is_risk) == []


# --- the regime --------------------------------------------------------------------------------------


def _chain(name: str, verdict: Verdict) -> CovenantChain:
    return CovenantChain(f"chain:{name}", (name,), verdict, ("IN",) if verdict is Verdict.RISK_COUNTRY else ())


@pytest.mark.parametrize("risky", [Verdict.RISK_COUNTRY, Verdict.ORIGIN_UNKNOWN])
def test_one_risk_chain_among_many_is_full(risky):
    chains = [
        _chain("a", Verdict.NOT_RISK),
        _chain("b", Verdict.CIRCULAR),
        _chain("c", risky),
        _chain("d", Verdict.DUTCH_OR_BELGIAN_IMPORTER),
    ]
    assert regime_of(chains) is Regime.FULL


def test_no_risk_chain_is_limited():
    chains = [
        _chain("a", Verdict.NOT_RISK),
        _chain("b", Verdict.CIRCULAR),
        _chain("c", Verdict.DUTCH_OR_BELGIAN_IMPORTER),
    ]
    assert regime_of(chains) is Regime.LIMITED
    assert regime_of([]) is Regime.LIMITED


def test_regime_from_report_links():
    links = [
        link("a", 1, "factory", "F1", "PT"),
        link("a", 2, "quarry", "Q1", "PT"),
        link("b", 1, "factory", "F2", "DE"),
        link("b", 2, "quarry", "Q2", "ZW"),
    ]
    assert regime_of(covenant_chains(links, is_risk)) is Regime.FULL
    assert regime_of(covenant_chains(links[:2], is_risk)) is Regime.LIMITED


@pytest.mark.parametrize(
    ("category", "regime", "member_type"),
    [
        (CompanyCategory.A, "limited", "associated"),  # buys from Dutch or Belgian importers
        (CompanyCategory.B, "limited", "importer"),  # non-risk countries only
        (CompanyCategory.C, "full", "importer"),  # "herkomst risicolanden"
    ],
)
def test_recorded_regime_and_default_member_type(category, regime, member_type):
    assert recorded_regime(category) == regime
    assert default_member_type(category) == member_type


# --- stored form -------------------------------------------------------------------------------------


def test_covenant_chain_round_trip():
    chain = CovenantChain("factory:F1", ("a", "b"), Verdict.RISK_COUNTRY, ("CN", "IN"))
    assert chain.as_list() == ["factory:F1", ["a", "b"], "risk_country", ["CN", "IN"]]
    assert CovenantChain.from_list(["factory:F1", ["a", "b"], "risk_country", ["CN", "IN"]]) == chain
    assert CovenantChain.from_list(chain.as_list()) == chain


def test_chains_and_links_are_values():
    with pytest.raises(dataclasses.FrozenInstanceError):
        link("a", 1, "quarry", "Q1", "PT").country = "IN"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        _chain("a", Verdict.NOT_RISK).verdict = Verdict.RISK_COUNTRY  # type: ignore[misc]
    assert MemberType.IMPORTER == "importer"


@pytest.mark.parametrize("kind", ["factory", "cobble_yard"])
def test_a_chain_that_names_no_quarry_is_origin_unknown(kind):
    # art. 5 lid 2a: "winning en verwerking ... in niet risicolanden": a processing site in Portugal
    # says nothing of where the stone was extracted (granite from India is cut in Europe too)
    result = verdict(
        link("a", 1, "trader", "T1", "DE"),
        link("a", 2, kind, "F1", "PT"),
    )
    assert result == (Verdict.ORIGIN_UNKNOWN, ())
    assert result[0].is_risk
