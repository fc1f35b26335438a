"""Properties of bijlage 4's table that hold for every count, year and membership year (issue 17).

- One more chain or establishment never lowers the contribution (the table only adds per chain
  and per establishment, up to its maxima).
- No contribution exceeds the table's maximum for its company type and regime: the covenant's own
  figures, written here as literals (raised by 10 % from 2027).
- Full due diligence never costs less than limited for the same counts.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from registry.domain.contributions import MemberType, Regime, contribution

# bijlage 4: "maximum totaal 1200 + 6 x 400 = 3600", "400 + 10 x 200 = 2400", "1200 + 10x200 + 6x400 = 5600"
MAXIMUM_BEFORE_2027 = {
    (MemberType.IMPORTER, Regime.LIMITED): 400,
    (MemberType.IMPORTER, Regime.FULL): 3600,
    (MemberType.ASSOCIATED, Regime.LIMITED): 2400,
    (MemberType.ASSOCIATED, Regime.FULL): 5600,
}
# "Vanaf januari 2027 worden alle tarieven (basis en variabel) eenmalig met 10 procent verhoogd"
MAXIMUM_FROM_2027 = {
    (MemberType.IMPORTER, Regime.LIMITED): 440,
    (MemberType.IMPORTER, Regime.FULL): 3960,
    (MemberType.ASSOCIATED, Regime.LIMITED): 2640,
    (MemberType.ASSOCIATED, Regime.FULL): 6160,
}

member_types = st.sampled_from(list(MemberType))
regimes = st.sampled_from(list(Regime))
years = st.integers(2024, 2030)
membership_years = st.integers(1, 6)
counts = st.integers(0, 40)


def amount(member_type, regime, chains, establishments, membership_year, year) -> int:
    return contribution(
        member_type,
        regime,
        chains=chains,
        establishments=establishments,
        membership_year=membership_year,
        year=year,
    ).amount


@settings(max_examples=400, deadline=None)
@given(member_types, regimes, years, membership_years, counts, counts)
def test_one_more_chain_or_establishment_never_costs_less(member_type, regime, year, joined, chains, establishments):
    now = amount(member_type, regime, chains, establishments, joined, year)
    assert amount(member_type, regime, chains + 1, establishments, joined, year) >= now
    assert amount(member_type, regime, chains, establishments + 1, joined, year) >= now


@settings(max_examples=400, deadline=None)
@given(member_types, regimes, years, membership_years, counts, counts)
def test_never_above_the_table_s_maximum(member_type, regime, year, joined, chains, establishments):
    most = (MAXIMUM_FROM_2027 if year >= 2027 else MAXIMUM_BEFORE_2027)[(member_type, regime)]
    assert amount(member_type, regime, chains, establishments, joined, year) <= most


@settings(max_examples=400, deadline=None)
@given(member_types, years, membership_years, counts, counts)
def test_full_never_costs_less_than_limited(member_type, year, joined, chains, establishments):
    full = amount(member_type, Regime.FULL, chains, establishments, joined, year)
    limited = amount(member_type, Regime.LIMITED, chains, establishments, joined, year)
    assert full >= limited
