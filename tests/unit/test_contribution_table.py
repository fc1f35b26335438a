"""The yearly contribution against the covenant's bijlage 4 table, cell by cell (issue 17).

Every expected figure is a literal from the covenant (bijlage 4; bijlage 5 for the budget), with
the table cell it comes from in a comment. Nothing here is computed by the module under test.

    Importeurs, beperkt:        EUR 400 per jaar
    Importeurs, volledig:       EUR 1200 (geldt voor 2 ketens) + EUR 400 per extra keten; max 3600
    Geassocieerd, beperkt:      EUR 400 + EUR 200 per vestiging; max 2400
    Geassocieerd, volledig:     EUR 1200 (2 ketens) + EUR 200 per vestiging + EUR 400 per extra keten; max 5600
    Nieuwe bedrijven:           jaar 1 basistarief tot maximaal 800; jaar 2 tot maximaal 1200; vanaf jaar 3 regulier
    Vanaf januari 2027:         alle tarieven (basis en variabel) eenmalig +10 %
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest

from registry.domain.contributions import (
    CONFIDENTIAL_EVENTS,
    Basis,
    Contribution,
    ContributionStatement,
    MemberType,
    Regime,
    budget_for,
    contribution,
    maximum,
    membership_year,
)
from registry.domain.errors import ValidationError

IMPORTER = MemberType.IMPORTER
ASSOCIATED = MemberType.ASSOCIATED
LIMITED = Regime.LIMITED
FULL = Regime.FULL


def amount(member_type, regime, *, chains=0, establishments=0, membership_year=3, year=2026) -> int:
    return contribution(
        member_type,
        regime,
        chains=chains,
        establishments=establishments,
        membership_year=membership_year,
        year=year,
    ).amount


# --- importers, limited: "basistarief EUR 400 per jaar" -------------------------------------------


@pytest.mark.parametrize("chains", [0, 1, 2, 3, 8, 9, 40])
@pytest.mark.parametrize("establishments", [0, 1, 10, 11])
def test_importer_limited_is_400_whatever_the_counts(chains, establishments):
    # cell "Importeurs / beperkte due diligence": 400, no variable part
    assert amount(IMPORTER, LIMITED, chains=chains, establishments=establishments) == 400


# --- importers, full: 1200 for 2 chains, +400 per extra chain, at most 3600 ------------------------


@pytest.mark.parametrize(
    ("chains", "expected"),
    [
        (0, 1200),  # "basistarief C EUR 1200 per jaar" (no fewer than the base)
        (1, 1200),  # the base tariff "geldt voor 2 ketens": one chain pays the base
        (2, 1200),  # the base tariff covers 2 chains
        (3, 1600),  # 1200 + 1 x 400
        (8, 3600),  # "1200 + 6 x 400 = 3600"
        (9, 3600),  # "ongeacht het aantal ketens boven de 8"
        (40, 3600),
    ],
)
def test_importer_full_per_chain(chains, expected):
    assert amount(IMPORTER, FULL, chains=chains) == expected


def test_importer_pays_nothing_per_establishment():
    # establishments are charged to associated members only (the importers' cells name none)
    assert amount(IMPORTER, FULL, chains=3, establishments=10) == 1600


# --- associated members, limited: 400 + 200 per establishment, at most 2400 ------------------------


@pytest.mark.parametrize(
    ("establishments", "expected"),
    [
        (0, 400),  # "EUR 400"
        (1, 600),  # 400 + 1 x 200
        (10, 2400),  # "400 + 10 x 200 = 2400"
        (11, 2400),  # "ongeacht vestigingen boven de 10"
    ],
)
def test_associated_limited_per_establishment(establishments, expected):
    assert amount(ASSOCIATED, LIMITED, chains=9, establishments=establishments) == expected


# --- associated members, full: 1200 (2 chains) + 200 per establishment + 400 per extra chain ---------


@pytest.mark.parametrize(
    ("chains", "establishments", "expected"),
    [
        (2, 0, 1200),  # "EUR 1200 (2 ketens)"
        (1, 0, 1200),  # one chain: still the base
        (3, 0, 1600),  # 1200 + 1 x 400
        (2, 1, 1400),  # 1200 + 1 x 200
        (3, 1, 1800),  # 1200 + 1 x 400 + 1 x 200
        (8, 0, 3600),  # 1200 + 6 x 400
        (2, 10, 3200),  # 1200 + 10 x 200
        (8, 10, 5600),  # "1200 + 10x200 + 6x400 = 5600"
        (9, 10, 5600),  # chains above 8 cost nothing more
        (8, 11, 5600),  # establishments above 10 cost nothing more
        (9, 11, 5600),
    ],
)
def test_associated_full(chains, establishments, expected):
    assert amount(ASSOCIATED, FULL, chains=chains, establishments=establishments) == expected


def test_the_parts_of_a_regular_contribution():
    # associated full, 8 chains, 10 establishments, 2026: base 1200, 6 x 400 = 2400, 10 x 200 = 2000
    assert contribution(ASSOCIATED, FULL, chains=8, establishments=10, membership_year=3, year=2026) == Contribution(
        amount=5600, base=1200, chains_part=2400, establishments_part=2000, cap=None
    )
    # importer limited: the base only, no parts
    assert contribution(IMPORTER, LIMITED, chains=5, establishments=5, membership_year=4, year=2026) == Contribution(
        amount=400, base=400, chains_part=0, establishments_part=0, cap=None
    )


def test_contribution_as_dict_names_its_parts():
    made = contribution(ASSOCIATED, LIMITED, chains=0, establishments=2, membership_year=3, year=2026)
    assert made.as_dict() == {"amount": 800, "base": 400, "chains_part": 0, "establishments_part": 400, "cap": None}


def test_contribution_is_a_value():
    made = contribution(ASSOCIATED, LIMITED, chains=0, establishments=2, membership_year=3, year=2026)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.amount = 0  # type: ignore[misc]


# --- new members: "Jaar 1: basistarief tot maximaal 800 euro; Jaar 2: ... tot maximaal 1200" --------


@pytest.mark.parametrize(
    ("year_of_membership", "expected"),
    [
        (1, 800),  # year 1: base 1200, capped at 800
        (2, 1200),  # year 2: base 1200, cap 1200
        (3, 3600),  # "vanaf jaar 3 regulier tarief": 1200 + 6 x 400
        (4, 3600),
    ],
)
def test_new_full_importer_with_nine_chains(year_of_membership, expected):
    assert amount(IMPORTER, FULL, chains=9, membership_year=year_of_membership) == expected


@pytest.mark.parametrize("year_of_membership", [1, 2, 3])
def test_new_limited_importer_pays_400_every_year(year_of_membership):
    # base 400 is under both caps
    assert amount(IMPORTER, LIMITED, chains=3, membership_year=year_of_membership) == 400


@pytest.mark.parametrize(
    ("year_of_membership", "expected"),
    [
        # The code reads "basistarief tot maximaal 800" as: the base tariff only, without the variable
        # part per establishment, then capped. So 5 establishments cost nothing in years 1 and 2.
        (1, 400),
        (2, 400),
        (3, 1400),  # regular: 400 + 5 x 200
    ],
)
def test_new_associated_limited_with_five_establishments(year_of_membership, expected):
    assert amount(ASSOCIATED, LIMITED, establishments=5, membership_year=year_of_membership) == expected


@pytest.mark.parametrize(
    ("year_of_membership", "expected"),
    [
        (1, 800),  # base 1200 capped at 800
        (2, 1200),  # base 1200, cap 1200
        (3, 5600),  # regular: 1200 + 10 x 200 + 6 x 400
    ],
)
def test_new_associated_full(year_of_membership, expected):
    assert amount(ASSOCIATED, FULL, chains=9, establishments=11, membership_year=year_of_membership) == expected


def test_the_parts_of_a_new_members_contribution():
    # year 1, full importer with 9 chains: the base 1200 capped to 800, no variable part
    assert contribution(IMPORTER, FULL, chains=9, establishments=0, membership_year=1, year=2026) == Contribution(
        amount=800, base=800, chains_part=0, establishments_part=0, cap=800
    )
    # year 2, associated limited with 5 establishments: the base 400, under the cap 1200
    assert contribution(ASSOCIATED, LIMITED, chains=0, establishments=5, membership_year=2, year=2026) == Contribution(
        amount=400, base=400, chains_part=0, establishments_part=0, cap=1200
    )


# --- the 2027 increase: "alle tarieven (basis en variabel) eenmalig met 10 procent verhoogd" ------------


@pytest.mark.parametrize(
    ("member_type", "regime", "chains", "establishments", "in_2026", "in_2027"),
    [
        (IMPORTER, LIMITED, 9, 11, 400, 440),  # 400 -> 440
        (IMPORTER, FULL, 2, 0, 1200, 1320),  # 1200 -> 1320
        (IMPORTER, FULL, 3, 0, 1600, 1760),  # + one extra chain: 400 -> 440
        (IMPORTER, FULL, 8, 0, 3600, 3960),  # maximum 3600 -> 3960
        (IMPORTER, FULL, 9, 0, 3600, 3960),
        (ASSOCIATED, LIMITED, 0, 0, 400, 440),
        (ASSOCIATED, LIMITED, 0, 1, 600, 660),  # + one establishment: 200 -> 220
        (ASSOCIATED, LIMITED, 0, 10, 2400, 2640),  # maximum 2400 -> 2640
        (ASSOCIATED, LIMITED, 0, 11, 2400, 2640),
        (ASSOCIATED, FULL, 2, 0, 1200, 1320),
        (ASSOCIATED, FULL, 3, 1, 1800, 1980),  # 1320 + 440 + 220
        (ASSOCIATED, FULL, 8, 10, 5600, 6160),  # maximum 5600 -> 6160
        (ASSOCIATED, FULL, 9, 11, 5600, 6160),
    ],
)
def test_the_2027_increase(member_type, regime, chains, establishments, in_2026, in_2027):
    assert amount(member_type, regime, chains=chains, establishments=establishments, year=2026) == in_2026
    assert amount(member_type, regime, chains=chains, establishments=establishments, year=2027) == in_2027
    # "eenmalig": 2028 and later stay at the 2027 tariffs
    assert amount(member_type, regime, chains=chains, establishments=establishments, year=2029) == in_2027


def test_tariffs_before_2026_are_the_table_s():
    assert amount(ASSOCIATED, FULL, chains=3, establishments=1, year=2025) == 1800


@pytest.mark.parametrize(
    ("member_type", "regime", "year_of_membership", "expected"),
    [
        (IMPORTER, FULL, 1, 800),  # base 1320 in 2027; the cap 800 is a cap, not a tariff: not raised
        (IMPORTER, FULL, 2, 1200),  # base 1320, cap 1200 stays
        (IMPORTER, FULL, 3, 3960),  # regular 2027 maximum
        (IMPORTER, LIMITED, 1, 440),  # base 440 is under the cap
        (IMPORTER, LIMITED, 2, 440),
        (ASSOCIATED, LIMITED, 1, 440),
    ],
)
def test_new_member_caps_are_not_raised_in_2027(member_type, regime, year_of_membership, expected):
    assert (
        amount(member_type, regime, chains=9, establishments=5, membership_year=year_of_membership, year=2027)
        == expected
    )


# --- the maxima ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("member_type", "regime", "in_2026", "in_2027"),
    [
        (IMPORTER, LIMITED, 400, 440),
        (IMPORTER, FULL, 3600, 3960),
        (ASSOCIATED, LIMITED, 2400, 2640),
        (ASSOCIATED, FULL, 5600, 6160),
    ],
)
def test_maximum(member_type, regime, in_2026, in_2027):
    assert maximum(member_type, regime, 2026) == in_2026
    assert maximum(member_type, regime, 2027) == in_2027


# --- the membership year ("voor het eerst toetreden") ----------------------------------------------


@pytest.mark.parametrize(("year", "expected"), [(2025, 1), (2026, 2), (2027, 3), (2030, 6)])
def test_membership_year(year, expected):
    assert membership_year(dt.date(2025, 11, 30), year) == expected


def test_membership_year_counts_calendar_years():
    assert membership_year(dt.date(2026, 1, 1), 2026) == 1
    assert membership_year(dt.date(2026, 12, 31), 2027) == 2


# --- the budget (bijlage 5: NL sector line - 66,000 collective + VL sector line) --------------------


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2024, None),  # before the covenant's first year
        (2025, 60_000),  # 100,800 - 66,000 + 25,200
        (2026, 60_000),
        (2027, 66_000),  # 104,280 - 66,000 + 27,720
        (2028, 66_000),
        (2029, 66_000),
        (2030, None),  # after the fifth year
    ],
)
def test_budget_for(year, expected):
    assert budget_for(year) == expected


# --- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "field", "message"),
    [
        ({"chains": -1}, "chains", "0 or more"),
        ({"establishments": -1}, "establishments", "0 or more"),
        ({"membership_year": 0}, "membership_year", "1 or more"),
        ({"membership_year": -1}, "membership_year", "1 or more"),
    ],
)
def test_bad_input_names_the_field(arguments, field, message):
    given = {"chains": 3, "establishments": 3, "membership_year": 3, "year": 2026, **arguments}
    with pytest.raises(ValidationError) as raised:
        contribution(ASSOCIATED, FULL, **given)
    assert raised.value.field == field
    assert raised.value.message == message


def test_zero_counts_and_year_one_are_accepted():
    assert amount(ASSOCIATED, FULL, chains=0, establishments=0, membership_year=1) == 800


# --- stored values: renaming them would break statements already stored ----------------------------


def test_stored_enum_values():
    assert [m.value for m in MemberType] == ["importer", "associated"]
    assert [r.value for r in Regime] == ["limited", "full"]
    assert [b.value for b in Basis] == ["report", "recorded_category"]


# --- the statement aggregate: its facts are sealed under the company's id --------------------------

COMPANY = uuid.UUID("11111111-2222-4333-8444-555555555555")


def _prepared() -> ContributionStatement:
    return ContributionStatement.prepare(
        company_id=COMPANY,
        year=2026,
        report_version=1,
        facts={"amount": 1600},
        fingerprint="f1",
        on=dt.date(2026, 1, 15),
        by="secretariat",
    )


def test_every_statement_event_is_sealed_by_the_company():
    statement = _prepared()
    statement.revise(2, {"amount": 2000}, "f2", dt.date(2026, 2, 1), "secretariat")
    events = statement.collect_events()
    assert [type(e).__qualname__ for e in events] == ["ContributionStatement.Prepared", "ContributionStatement.Revised"]
    assert CONFIDENTIAL_EVENTS == {
        "ContributionStatement.Prepared": ("company_id", ("facts",)),
        "ContributionStatement.Revised": ("company_id", ("facts",)),
    }
    # the owner named in the table travels in each event (the sealing mapper finds the key there)
    assert [e.company_id for e in events] == [COMPANY, COMPANY]  # type: ignore[attr-defined]
    assert [e.facts for e in events] == [{"amount": 1600}, {"amount": 2000}]  # type: ignore[attr-defined]


def test_statement_counts_its_revisions():
    statement = _prepared()
    assert statement.revisions == 0
    statement.revise(2, {"amount": 2000}, "f2", dt.date(2026, 2, 1), "secretariat")
    assert statement.revisions == 1
    assert (statement.report_version, statement.facts, statement.fingerprint) == (2, {"amount": 2000}, "f2")
    statement.revise(3, {"amount": 2400}, "f3", dt.date(2026, 3, 1), "secretariat")
    assert statement.revisions == 2


def test_statement_id_is_fixed_per_company_and_year():
    # the id stored statements were written under: uuid5 of a fixed namespace and "<company>/<year>"
    namespace = uuid.UUID("2a7c5e19-8d4b-4f63-a1e0-7b9c3d5f2e86")
    assert ContributionStatement.create_id(COMPANY, 2026) == uuid.uuid5(namespace, f"{COMPANY}/2026")
    assert _prepared().id == uuid.uuid5(namespace, f"{COMPANY}/2026")
    assert ContributionStatement.create_id(COMPANY, 2027) != ContributionStatement.create_id(COMPANY, 2026)
