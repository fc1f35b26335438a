"""Re-assessing a corrected version (covenant art. 5 lid 9) and the services' one clock for the
assessment, the published list and the shredding."""

import datetime as dt
from decimal import Decimal

from tests.integration.report_files import csv_bytes, factory_row, quarry_row

D = dt.date

# art. 5 lid 6, niveau 3: insight into 60% of quarries and 100% of factories, a score of at least 60%
LEVEL_3_SCORE = Decimal(65)


def test_a_reassessment_of_a_corrected_version_keeps_the_years_kind(registry, member):
    """Lid 9: a medium company from level 3 alternates a full assessment with one of the action plan's
    progress. A corrected version of the same year, re-assessed, is still that year's (full)
    assessment: the next one stays the action plan's."""
    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=D(2025, 3, 1))
    first = registry.assess_report(member, 2024, LEVEL_3_SCORE, assessed_on=D(2025, 5, 1), assessed_by="s")
    assert (first.level, first.next_kind) == (3, "action_plan")
    corrected = csv_bytes([quarry_row(), factory_row(), quarry_row(chain="C2", name="Second Quarry")])
    registry.import_report(member, 2024, corrected, "r2.csv", submitted_on=D(2025, 6, 1))
    again = registry.assess_report(member, 2024, LEVEL_3_SCORE, assessed_on=D(2025, 6, 5), assessed_by="s")
    assert (again.version, again.level, again.next_kind) == (2, 3, "action_plan")
    # the year after is the action plan's review, so the one after that is full again
    registry.import_report(member, 2025, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=D(2026, 3, 1))
    following = registry.assess_report(member, 2025, LEVEL_3_SCORE, assessed_on=D(2026, 5, 1), assessed_by="s")
    assert (following.level, following.next_kind) == (3, "full")
    registry.import_report(member, 2025, corrected, "r2.csv", submitted_on=D(2026, 6, 1))
    following_again = registry.assess_report(member, 2025, LEVEL_3_SCORE, assessed_on=D(2026, 6, 5), assessed_by="s")
    assert (following_again.level, following_again.next_kind) == (3, "full")


# --- the services' one clock -------------------------------------------------------------------

CLOCK_DAY = D(2025, 4, 1)


def set_clock(services):
    from tests.clock import FakeClock

    services.clock.set(FakeClock(dt.datetime(2025, 4, 1, 9, 0, tzinfo=dt.UTC)))


def test_the_assessment_and_its_queue_go_by_the_services_clock(services, member):
    from tests.publishing import OPERATOR

    set_clock(services)
    services.registry.import_report(
        member, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=D(2025, 3, 1)
    )
    (waiting,) = services.assessment.queue(OPERATOR)
    assert (waiting.waiting_since, waiting.days_waiting) == (D(2025, 3, 1), 31)
    assessed = services.assessment.assess(OPERATOR, member, 2024, 1, LEVEL_3_SCORE)
    assert assessed.assessment.assessed_on == CLOCK_DAY
    assert assessed.assessment.next_due == D(2026, 4, 1)  # lid 9: a year on


def test_a_published_list_is_published_on_the_services_clocks_day(services):
    from tests.publishing import publish_quarry_regions

    set_clock(services)
    # a year with no release cannot be published; the publishing of a released year is in
    # test_quarry_regions; here the day only: release 2024 through three members' reports
    from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind

    for ref in ("steen-a", "steen-b", "steen-c"):
        services.registry.register_organisation(ref, ref.upper(), OrganisationKind.MEMBER_COMPANY, "NL")
        services.registry.join(ref, D(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
        services.registry.import_report(ref, 2024, csv_bytes([quarry_row()]), f"{ref}.csv", submitted_on=D(2025, 3, 1))
    document = publish_quarry_regions(services, 2024)
    assert document["published_on"] == "2025-04-01"


def test_a_shredding_is_recorded_on_the_services_clocks_day(services, member):
    from keys.access.principal import SystemPrincipal

    set_clock(services)
    services.shredding.shred(member, SystemPrincipal("keys-admin:test"))
    assert services.registry.company(member).shredded_on == CLOCK_DAY
