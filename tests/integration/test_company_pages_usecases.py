"""What a company's pages ask of the use cases (issue 14), on both stores: its own links with the
insight percentages, its level and the next level's thresholds (art. 5 lid 6-7), and which public
buyers checked its membership status (a logged-in check is an access-log entry about the company)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from keys.access.filter import AccessDeniedError
from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row, unknown_quarry_row

TODAY = dt.date(2025, 4, 1)


def person(login: str, role: Role, organisation: str) -> Principal:
    return Principal(login, role, uuid.uuid4(), organisation)


BUYER = person("inkoop.utrecht", Role.BUYER, "gemeente-utrecht")
OTHER_BUYER = person("inkoop.gent", Role.BUYER, "stad-gent")


@pytest.fixture
def other_member(registry) -> str:
    registry.register_organisation("andere-steen", "Andere Steen BV", OrganisationKind.MEMBER_COMPANY, "BE")
    registry.join("andere-steen", dt.date(2021, 3, 1), CompanyCategory.C, CompanySize.SMALL)
    return "andere-steen"


@pytest.fixture
def reported(services, registry, member):
    """Version 1 of the member's 2024 report: one described quarry, one unknown quarry, one factory."""
    data = csv_bytes([quarry_row(), unknown_quarry_row(), factory_row()])
    registry.import_report(member, 2024, data, "report.csv", submitted_on=TODAY)
    return member


def test_a_company_reads_its_own_links_insight_and_the_next_levels_thresholds(
    services, registry, reported, company_principal
):
    registry.assess_report(reported, 2024, Decimal(45), TODAY, "secretariat-test")
    overview = services.reports.own_links(company_principal, reported, 2024, request_id="links-1")
    assert overview.year == 2024
    assert overview.years == (2024,)
    assert overview.report is not None and overview.report.version == 1
    assert [link.site_kind.value for link in overview.report.links] == ["quarry", "quarry", "factory"]
    assert (overview.quarry_insight, overview.factory_insight) == (Decimal("50.00"), Decimal("100.00"))
    # quarries 50 % (>= 40), factories 100 % (>= 75), score 45 (>= 40): level 2 (LEVEL_THRESHOLDS)
    assert overview.assessment is not None and overview.assessment.level == 2
    assert overview.next_level is not None
    assert (overview.next_level.level, overview.next_level.quarry_insight) == (3, 60)
    assert (overview.next_level.factory_insight, overview.next_level.due_diligence_score) == (100, 60)
    logged = [(e.action, e.company, e.outcome) for e in services.access_log.entries() if e.request_id == "links-1"]
    assert logged == [("read_report", reported, "granted")]
    assert services.reports.own_links(company_principal, reported).year == 2024  # the latest year with a version


def test_a_year_without_a_report_has_no_links_and_level_one_is_next(services, member, company_principal):
    overview = services.reports.own_links(company_principal, member, 2024, request_id="links-2")
    assert (overview.years, overview.report, overview.assessment) == ((), None, None)
    assert overview.next_level is not None
    assert (overview.next_level.level, overview.next_level.quarry_insight, overview.next_level.factory_insight) == (
        1,
        20,
        50,
    )


def test_another_companys_links_are_refused_and_the_refusal_logged(services, reported, other_member, registry):
    other = Principal("andere.user", Role.COMPANY, registry.organisation(other_member).id, other_member)
    with pytest.raises(AccessDeniedError):
        services.reports.own_links(other, reported, 2024, request_id="links-3")
    logged = [(e.actor, e.action, e.outcome) for e in services.access_log.entries() if e.request_id == "links-3"]
    assert logged == [("andere.user", "read_report", "denied")]


def test_a_company_reads_which_buyers_checked_its_status_and_when(services, member, other_member, company_principal):
    services.member_status.on(member, principal=BUYER, request_id="check-1")
    services.member_status.on(other_member, principal=OTHER_BUYER, request_id="check-2")  # not about the member
    services.member_status.on(member)  # anonymous (the public API): no entry, nobody to name
    questions = services.access_log_reading.status_checks(company_principal, request_id="questions-1")
    assert [(q.organisation, q.login) for q in questions] == [("gemeente-utrecht", "inkoop.utrecht")]
    assert questions[0].at
    logged = [(e.action, e.outcome) for e in services.access_log.entries() if e.request_id == "questions-1"]
    assert logged == [("read_access_log", "granted")]


def test_a_buyer_may_not_read_who_checked_a_company(services, member):
    services.member_status.on(member, principal=BUYER, request_id="check-3")
    with pytest.raises(AccessDeniedError):
        services.access_log_reading.status_checks(BUYER, request_id="questions-2")
    logged = [(e.action, e.outcome) for e in services.access_log.entries() if e.request_id == "questions-2"]
    assert logged == [("read_access_log", "denied")]


def test_a_status_check_of_an_unknown_company_leaves_no_granted_entry(services):
    from registry.domain.errors import NotFoundError

    with pytest.raises(NotFoundError):
        services.member_status.on("no-such-company", principal=BUYER, request_id="check-4")
    assert [e for e in services.access_log.entries() if e.request_id == "check-4"] == []
