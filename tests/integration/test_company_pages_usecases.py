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


# --- a report entered in a form: a draft kept sealed, edited, then submitted -------------------------


def draft_rows(registry, member):
    """Two rows as the form sends them: a registered quarry (its id from version 1) and an unknown one."""
    from tests.integration.report_files import SECRET_NOTE

    return [
        {
            "chain": "FORM-1",
            "tier": "2",
            "site_kind": "quarry",
            "site_id": "",
            "stone_type": "sandstone",
            "product": "kerbs",
            "channel": "trader",
            "origin_confidence": "",
            "circular": "",
            "volume": "120",
            "volume_unit": "t",
            "price_eur_per_unit": "77.5",
            "contract_notes": SECRET_NOTE,
        }
    ]


def test_a_company_saves_a_draft_reads_it_back_and_submits_it(services, registry, reported, company_principal):
    from tests.integration.report_files import SECRET_NOTE
    from tests.site_intake import register_waiting_sites

    register_waiting_sites(services)  # version 1's described quarry enters the site register
    quarry_id = services.reports.read(company_principal, reported, 2024).links[0].site_id
    rows = [
        *draft_rows(registry, reported),
        {**draft_rows(registry, reported)[0], "site_id": quarry_id, "origin_confidence": "verified", "chain": "FORM-2"},
    ]
    services.reports.save_draft(company_principal, reported, 2024, rows, request_id="draft-1")
    assert registry.report(reported, 2024).draft is not None
    draft = services.reports.read_draft(company_principal, reported, 2024, request_id="draft-2")
    assert draft is not None
    assert [(link.chain, link.site_id) for link in draft.links] == [("FORM-1", None), ("FORM-2", quarry_id)]
    assert draft.terms[0].contract_notes == SECRET_NOTE
    assert str(draft.terms[0].price_eur_per_unit) == "77.5"
    result = services.reports.submit_draft(company_principal, reported, 2024, request_id="draft-3")
    assert (result.changed, result.version) == (True, 2)
    assert registry.report(reported, 2024).draft is None
    assert [link.chain for link in services.reports.read(company_principal, reported, 2024).links] == [
        "FORM-1",
        "FORM-2",
    ]
    logged = [
        (e.request_id, e.action, e.outcome)
        for e in services.access_log.entries(limit=1000)
        if e.request_id.startswith("draft-")
    ]
    assert logged == [
        ("draft-1", "submit_report", "granted"),
        ("draft-2", "read_report", "granted"),
        ("draft-3", "submit_report", "granted"),
    ]


def test_a_bad_draft_row_is_refused_by_row_and_column_and_nothing_is_saved(
    services, registry, reported, company_principal
):
    from registry.reportfile import ReportFileError

    rows = [
        {**draft_rows(registry, reported)[0], "tier": "12"},
        {**draft_rows(registry, reported)[0], "site_id": "IN-RJ-NOTANID", "origin_confidence": "claimed"},
    ]
    with pytest.raises(ReportFileError) as refused:
        services.reports.save_draft(company_principal, reported, 2024, rows, request_id="draft-4")
    assert {(e.row, e.column) for e in refused.value.errors} == {(2, "tier"), (3, "site_id")}
    from registry.domain.site_ids import new_site_id

    unregistered = {**rows[0], "tier": "1", "site_id": new_site_id("IN", "RJ"), "origin_confidence": "claimed"}
    with pytest.raises(ReportFileError) as refused:  # well formed, but no site has it
        services.reports.save_draft(company_principal, reported, 2024, [unregistered], request_id="draft-4b")
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "site_id")]
    # an unregistered id may be a site the latest version described: that version is read to know
    read = [(e.action, e.purpose) for e in services.access_log.entries(limit=1000) if e.request_id == "draft-4b"]
    assert read == [("read_report", "draft: the sites the latest version described")]
    assert registry.report(reported, 2024).draft is None
    assert [e for e in services.access_log.entries(limit=1000) if e.request_id == "draft-4"] == []


def test_another_company_may_not_save_or_read_a_draft(services, registry, reported, other_member, company_principal):
    from registry.domain.errors import ConflictError

    services.reports.save_draft(company_principal, reported, 2024, draft_rows(registry, reported))
    other = Principal("andere.user", Role.COMPANY, registry.organisation(other_member).id, other_member)
    with pytest.raises(AccessDeniedError):
        services.reports.save_draft(other, reported, 2024, draft_rows(registry, reported), request_id="draft-5")
    with pytest.raises(AccessDeniedError):
        services.reports.read_draft(other, reported, 2024, request_id="draft-6")
    with pytest.raises(AccessDeniedError):
        services.reports.submit_draft(other, reported, 2024, request_id="draft-7")
    logged = [
        (e.request_id, e.outcome)
        for e in services.access_log.entries(limit=1000)
        if e.request_id in ("draft-5", "draft-6", "draft-7")
    ]
    assert logged == [("draft-5", "denied"), ("draft-6", "denied"), ("draft-7", "denied")]
    assert services.reports.submit_draft(company_principal, reported, 2024).version == 2
    with pytest.raises(ConflictError):  # submitted: no draft left
        services.reports.submit_draft(company_principal, reported, 2024)


def test_a_draft_keeps_a_site_its_latest_version_described_while_the_site_waits_for_the_register(
    services, registry, reported, company_principal
):
    """The form starts from the latest version's links; a site that version described is not in the
    register yet (it enters with other members' new sites), and the draft keeps its description."""
    quarry_id = services.reports.read(company_principal, reported, 2024).links[0].site_id
    row = {
        **draft_rows(registry, reported)[0],
        "site_id": quarry_id,
        "origin_confidence": "claimed",
        "contract_notes": "",
    }
    content = services.reports.save_draft(company_principal, reported, 2024, [row], request_id="draft-8")
    assert [(site.public_id, site.name) for site in content.new_sites] == [
        (quarry_id, "Mahadev Sandstone Quarry Bijolia")
    ]
    wrong_kind = {**row, "site_kind": "factory"}
    from registry.reportfile import ReportFileError

    with pytest.raises(ReportFileError) as refused:
        services.reports.save_draft(company_principal, reported, 2024, [wrong_kind])
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "site_kind")]
    result = services.reports.submit_draft(company_principal, reported, 2024)
    assert result.version == 2
    assert services.reports.read(company_principal, reported, 2024).links[0].site_id == quarry_id


NGO_STAFF = person("staf.arisa", Role.NGO, "arisa")
UNION_STAFF = person("staf.fnv", Role.UNION, "fnv")


@pytest.mark.parametrize("asker", [NGO_STAFF, UNION_STAFF], ids=["ngo", "union"])
def test_a_partys_status_check_is_not_shown_to_the_company_checked(services, member, company_principal, asker):
    """Review of issue 14: an NGO or union looking a company up before it files a complaint must not
    be told to that company (a retaliation risk). Only a buyer's question is the company's to read
    (docs/access.md); the party's check stays in the log for the auditor."""
    services.member_status.on(member, principal=asker, request_id="party-check")
    services.member_status.on(member, principal=BUYER, request_id="buyer-check")
    seen = services.access_log_reading.entries(company_principal, request_id="company-reads", limit=10_000)
    assert "party-check" not in {entry.request_id for entry in seen}
    assert "buyer-check" in {entry.request_id for entry in seen}
    logged = services.access_log.entries(limit=100_000)
    assert [e.actor for e in logged if e.request_id == "party-check"] == [asker.login]  # the auditor's record


def test_past_its_limit_the_company_reads_the_newest_buyer_questions(services, member, company_principal):
    """Review of issue 14: the oldest were read and the newest dropped once there were more than the limit."""
    for number in range(1, 5):
        services.member_status.on(member, principal=BUYER, request_id=f"tender-{number}")
    read = services.access_log_reading.status_checks(company_principal, request_id="newest", limit=2)
    logged = {e.request_id: e.at for e in services.access_log.entries(limit=100_000)}
    assert [check.at for check in read] == [logged["tender-4"], logged["tender-3"]]
