"""Preparing the yearly contribution statements (issue 17; docs/contributions.md) through the use case,
on SQLite and PostgreSQL: each member's report of the year before is read through the filter and
logged; preparing again leaves an unchanged statement alone; a corrected report or a recorded basis
revises it; a change of the risk-country list between two reporting deadlines changes one year's
regime and not the other's; a recorded category the report contradicts is a mismatch.

Every expected figure is bijlage 4's table, written out here: importer limited EUR 400; importer full
EUR 1200 for 2 chains plus EUR 400 per extra chain; associated EUR 200 per establishment up to 10; a
new member's first year capped at EUR 800. The statements are for 2025 and 2026 (before the 2027
increase); the companies joined in 2022, so their third year and after is the regular tariff."""

from __future__ import annotations

import datetime as dt

import pytest

from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.clock import FakeClock
from tests.integration.report_files import csv_bytes, factory_row, quarry_row

JOINED = dt.date(2022, 1, 1)


def portugal(row: dict[str, str]) -> dict[str, str]:
    """The same row with its site in Portugal (in the EEA: not a risk country)."""
    return {**row, "country": "PT", "province": "Braga", "district": "Vila Verde"}


def chain(name: str, quarry: str, factory: str, where=lambda row: row) -> list[dict[str, str]]:
    return [where(quarry_row(chain=name, name=quarry)), where(factory_row(chain=name, name=factory))]


# Company refs and their 2024 reports (None: no report, a new member).
INDIAN_TWO = "zandsteen-a"  # category C, two chains through two Indian factories: full, 1200
PORTUGUESE = "graniet-b"  # category B, one chain in Portugal: limited, 400
NEW_MEMBER = "nieuw-c"  # category C, joined 2025, no 2024 report: its category decides (full), capped 800
CONTRADICTED = "tegenspraak-d"  # category C, but its chains are Portuguese: limited, a mismatch
A_ROWS = chain("Noord", "Bijolia Quarry A", "Kota Works A") + chain("Zuid", "Budhpura Quarry A", "Jodhpur Works A")
D_ROWS = chain("Oost", "Braga Quarry D", "Braga Works D", portugal) + chain(
    "West", "Porto Quarry D", "Porto Works D", portugal
)


def secretariat(services) -> Principal:
    registry = services.registry
    registry.register_organisation("secretariaat", "Secretariaat", OrganisationKind.SECRETARIAT, "NL")
    return Principal("secretariat.user", Role.SECRETARIAT, registry.organisation_id("secretariaat"), "secretariaat")


def member(services, ref: str, category: CompanyCategory, joined: dt.date = JOINED) -> None:
    services.registry.register_organisation(ref, ref.replace("-", " ").title(), OrganisationKind.MEMBER_COMPANY, "NL")
    services.registry.join(ref, joined, category, CompanySize.MEDIUM)


def report(services, ref: str, year: int, rows: list[dict[str, str]], submitted: dt.date) -> None:
    services.registry.import_report(ref, year, csv_bytes(rows), f"{ref}-{year}.csv", submitted_on=submitted)


@pytest.fixture
def members(services) -> Principal:
    clerk = secretariat(services)
    member(services, INDIAN_TWO, CompanyCategory.C)
    report(services, INDIAN_TWO, 2024, A_ROWS, dt.date(2025, 3, 1))
    member(services, PORTUGUESE, CompanyCategory.B)
    report(services, PORTUGUESE, 2024, chain("Enige", "Braga Quarry B", "Braga Works B", portugal), dt.date(2025, 3, 2))
    member(services, NEW_MEMBER, CompanyCategory.C, joined=dt.date(2025, 1, 15))
    member(services, CONTRADICTED, CompanyCategory.C)
    report(services, CONTRADICTED, 2024, D_ROWS, dt.date(2025, 3, 3))
    return clerk


def by_ref(services, clerk, year: int) -> dict:
    return {view.company_ref: view for view in services.contributions.statements(clerk, year).statements}


def test_preparing_reads_each_members_previous_report_through_the_filter_once(services, members):
    clerk = members
    before = len(services.access_log.entries(limit=100_000))
    prepared = services.contributions.prepare(clerk, 2025)
    assert (prepared.prepared, prepared.revised, prepared.unchanged) == (4, 0, 0)
    new = services.access_log.entries(limit=100_000)[before:]
    reads = [e for e in new if e.action == "read_report"]
    assert sorted(e.company for e in reads) == [PORTUGUESE, CONTRADICTED, INDIAN_TWO]  # not the new member
    assert {e.purpose for e in reads} == {"contribution statement 2025"}
    assert {(e.actor, str(e.outcome)) for e in reads} == {("secretariat.user", "granted")}

    views = by_ref(services, clerk, 2025)
    assert {ref: (v.regime.value, v.chains, v.contribution.amount) for ref, v in views.items()} == {
        INDIAN_TWO: ("full", 2, 1200),
        PORTUGUESE: ("limited", 1, 400),
        NEW_MEMBER: ("full", None, 800),  # membership year 1: the base tariff up to 800
        CONTRADICTED: ("limited", 2, 400),
    }
    assert views[NEW_MEMBER].basis.value == "recorded_category"
    assert (views[NEW_MEMBER].membership_year, views[NEW_MEMBER].contribution.cap) == (1, 800)
    assert views[INDIAN_TWO].basis.value == "report" and views[INDIAN_TWO].report_version == 1


def test_preparing_again_is_unchanged_and_writes_nothing(services, members):
    clerk = members
    services.contributions.prepare(clerk, 2025)
    last = services.registry.recorder.max_notification_id()
    again = services.contributions.prepare(clerk, 2025)
    assert (again.prepared, again.revised, again.unchanged) == (0, 0, 4)
    assert services.registry.recorder.max_notification_id() == last
    assert {v.revisions for v in by_ref(services, clerk, 2025).values()} == {0}


def test_a_corrected_report_with_one_more_chain_revises_the_statement(services, members):
    clerk = members
    services.contributions.prepare(clerk, 2025)
    third = chain("Midden", "Kota Quarry A", "Udaipur Works A")  # a new factory: a new covenant chain
    report(services, INDIAN_TWO, 2024, A_ROWS + third, dt.date(2025, 4, 1))
    again = services.contributions.prepare(clerk, 2025)
    assert (again.prepared, again.revised, again.unchanged) == (0, 1, 3)
    view = by_ref(services, clerk, 2025)[INDIAN_TWO]
    assert (view.chains, view.report_version, view.revisions) == (3, 2, 1)
    # 1200 for two chains, plus 400 for the third
    assert (view.contribution.amount, view.contribution.base, view.contribution.chains_part) == (1600, 1200, 400)


def test_a_recorded_basis_of_an_associated_member_charges_ten_establishments_at_most(services, members):
    clerk = members
    services.contributions.prepare(clerk, 2025)
    assert by_ref(services, clerk, 2025)[PORTUGUESE].basis_recorded is False
    services.contributions.set_basis(clerk, PORTUGUESE, member_type="associated", establishments=11)
    again = services.contributions.prepare(clerk, 2025)
    assert (again.prepared, again.revised, again.unchanged) == (0, 1, 3)
    view = by_ref(services, clerk, 2025)[PORTUGUESE]
    assert (view.member_type.value, view.basis_recorded, view.establishments) == ("associated", True, 11)
    # limited 400, plus 10 x 200 (not 11: "ongeacht vestigingen boven de 10")
    assert (view.contribution.establishments_part, view.contribution.amount) == (2000, 2400)


def test_a_recorded_category_the_report_contradicts_is_a_mismatch_with_its_deciding_chains(services, members):
    clerk = members
    services.contributions.prepare(clerk, 2025)
    overview = services.contributions.statements(clerk, 2025)
    assert [v.company_ref for v in overview.mismatches] == [CONTRADICTED]
    view = by_ref(services, clerk, 2025)[CONTRADICTED]
    assert (view.category.value, view.recorded_regime.value, view.regime.value) == ("C", "full", "limited")
    # limited: every chain decides, and each is a known Portuguese chain
    assert sorted((c.names, c.verdict.value, c.countries) for c in view.deciding) == [
        (("Oost",), "not_risk", ()),
        (("West",), "not_risk", ()),
    ]
    assert overview.total == 1200 + 400 + 800 + 400
    assert overview.budget == 60_000  # bijlage 5, 2025: 100,800 - 66,000 + 25,200
    assert overview.members_without_statement == () and overview.unreadable == ()


def test_a_change_of_the_risk_list_between_two_deadlines_changes_one_years_regime(services):
    """Turkey stops being a risk country from 1 September 2025: after the 2024 reports' deadline (1 May
    2025), before the 2025 reports' (1 May 2026). A company whose one chain is Turkish is under full due
    diligence for 2025 (its 2024 report) and limited for 2026 (its 2025 report)."""
    clerk = secretariat(services)
    clock = FakeClock(dt.datetime(2025, 8, 1, 9, 0, tzinfo=dt.UTC))
    services.clock.set(clock)

    def turkish(row: dict[str, str]) -> dict[str, str]:
        return {**row, "country": "TR", "province": "Denizli", "district": "Pamukkale"}

    ref = "travertijn-e"
    member(services, ref, CompanyCategory.C)
    rows = chain("Travertijn", "Denizli Quarry E", "Denizli Works E", turkish)
    report(services, ref, 2024, rows, dt.date(2025, 3, 1))
    report(services, ref, 2025, rows, dt.date(2025, 7, 1))
    version = services.contributions.change_risk_list(
        clerk,
        in_force_from=dt.date(2025, 9, 1),
        become_risk=[],
        stop_being_risk=["TR"],
        reason="the parties judged Turkey's natural-stone sector no longer a risk",
    )
    assert (version.number, version.in_force_from) == (2, dt.date(2025, 9, 1))

    clock.now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    services.contributions.prepare(clerk, 2025)
    services.contributions.prepare(clerk, 2026)
    earlier, later = by_ref(services, clerk, 2025)[ref], by_ref(services, clerk, 2026)[ref]
    assert (earlier.regime.value, earlier.risk_list_version, earlier.judged_on) == ("full", 1, dt.date(2025, 5, 1))
    assert [(c.verdict.value, c.countries) for c in earlier.chain_list] == [("risk_country", ("TR",))]
    assert earlier.contribution.amount == 1200
    assert (later.regime.value, later.risk_list_version, later.judged_on) == ("limited", 2, dt.date(2026, 5, 1))
    assert [(c.verdict.value, c.countries) for c in later.chain_list] == [("not_risk", ())]
    assert later.contribution.amount == 400
    assert later.mismatch and not earlier.mismatch  # recorded C, reported non-risk in 2025


def test_a_corrected_report_with_the_same_facts_is_a_revision_naming_its_version(services, members):
    """The version a statement rests on is in clear: it must follow the report's, or whether a
    statement was revised after a correction would tell a copy of the database whether the chains changed."""
    clerk = members
    services.contributions.prepare(clerk, 2025)
    reworded = [{**row, "product": "paving 60x40"} for row in A_ROWS]  # new words, the same chains
    report(services, INDIAN_TWO, 2024, reworded, dt.date(2025, 4, 1))
    again = services.contributions.prepare(clerk, 2025)
    assert (again.prepared, again.revised, again.unchanged) == (0, 1, 3)
    view = by_ref(services, clerk, 2025)[INDIAN_TWO]
    assert (view.report_version, view.revisions, view.chains, view.contribution.amount) == (2, 1, 2, 1200)


def test_the_sealed_facts_are_as_long_for_twelve_chains_as_for_one(services, members):
    """The attacker holds the database: a ciphertext's length is all it sees of a statement. Twelve
    chains through twelve factories (EUR 3600: the most) seal to as many bytes as one chain."""
    from registry.domain.contributions import ContributionStatement

    clerk = members
    many = "veel-ketens-e"
    member(services, many, CompanyCategory.C)
    rows = [row for n in range(12) for row in chain(f"Keten-{n}", f"Quarry E{n}", f"Works E{n}")]
    report(services, many, 2024, rows, dt.date(2025, 3, 4))
    services.contributions.prepare(clerk, 2025)
    views = by_ref(services, clerk, 2025)
    assert (views[many].chains, views[many].contribution.amount, views[PORTUGUESE].chains) == (12, 3600, 1)

    def sealed_length(ref: str) -> int:
        company_id = services.registry.organisation_id(ref)
        statement = services.registry.repository.get(ContributionStatement.create_id(company_id, 2025))
        return len(statement.facts.blob)

    assert sealed_length(many) == sealed_length(PORTUGUESE) == sealed_length(INDIAN_TWO)
