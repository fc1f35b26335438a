import datetime as dt

import pytest

from registry.domain.errors import ConflictError, NotFoundError
from registry.domain.reports import ReportStatus
from registry.reportfile import ReportFileError
from tests.integration.report_files import (
    csv_bytes,
    factory_row,
    quarry_row,
    unknown_quarry_row,
    xlsx_bytes,
)
from tests.site_intake import register_waiting_sites

TODAY = dt.date(2025, 4, 1)


def stored_position(registry) -> int:
    return registry.recorder.max_notification_id() or 0


def test_a_valid_file_is_recorded_as_version_one_with_its_new_sites(services, registry, member, content_of):
    data = csv_bytes([quarry_row(), factory_row(), unknown_quarry_row()])
    result = registry.import_report(member, 2024, data, "report.csv", submitted_on=TODAY)
    assert (result.changed, result.version, result.new_sites) == (True, 1, 2)
    report = registry.report(member, 2024)
    assert report.status == ReportStatus.SUBMITTED
    content = content_of(member, 2024)
    links = content.links
    assert [link.site_kind.value for link in links] == ["quarry", "factory", "quarry"]
    assert links[2].site_id is None
    # the new sites are kept in the report, under the ids its links use, until other members' join them
    assert [(site.public_id, site.name) for site in content.new_sites] == [
        (links[0].site_id, "Mahadev Sandstone Quarry Bijolia"),
        (links[1].site_id, "Kota Stone Processing Works"),
    ]
    with pytest.raises(NotFoundError):
        registry.site(links[0].site_id)
    register_waiting_sites(services)
    assert registry.site(links[0].site_id).name == "Mahadev Sandstone Quarry Bijolia"
    assert registry.site(links[1].site_id).region.district == "Kota"
    assert str(content_of(member, 2024).terms[0].price_eur_per_unit) == "4321.77"


def test_a_bad_file_is_rejected_whole_with_every_error_by_row_and_column_and_nothing_written(registry, member):
    before = stored_position(registry)
    data = csv_bytes(
        [
            factory_row(),  # row 2 is fine, and would add a site if anything were written
            quarry_row(country="XQ"),  # row 3: no such country
            quarry_row(latitude="95"),  # row 4: latitude out of range
            quarry_row(channel="by-boat", tier="zero"),  # row 5: two errors
        ]
    )
    with pytest.raises(ReportFileError) as caught:
        registry.import_report(member, 2024, data, "report.csv", submitted_on=TODAY)
    places = {(e.row, e.column) for e in caught.value.errors}
    assert {(3, "country"), (4, "latitude"), (5, "channel"), (5, "tier")} <= places
    assert not any(e.row == 2 for e in caught.value.errors)
    assert stored_position(registry) == before
    with pytest.raises(NotFoundError):
        registry.report(member, 2024)


def test_an_unknown_site_id_is_an_error_on_its_row_and_nothing_is_written(registry, member):
    from registry.domain.site_ids import new_site_id

    before = stored_position(registry)
    data = csv_bytes(
        [
            factory_row(),
            quarry_row(
                site_id=new_site_id("IN", "RJ"),
                site_name="",
                country="",
                province="",
                district="",
                latitude="",
                longitude="",
            ),
        ]
    )
    with pytest.raises(ReportFileError) as caught:
        registry.import_report(member, 2024, data, "report.csv", submitted_on=TODAY)
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "site_id")]
    assert stored_position(registry) == before


def test_importing_the_same_file_twice_changes_nothing_the_second_time(registry, member):
    data = csv_bytes([quarry_row(), factory_row(), unknown_quarry_row()])
    registry.import_report(member, 2024, data, "report.csv", submitted_on=TODAY)
    after_first = stored_position(registry)
    again = registry.import_report(member, 2024, data, "report.csv", submitted_on=TODAY)
    assert (again.changed, again.version) == (False, 1)
    assert stored_position(registry) == after_first


def test_the_same_content_as_xlsx_after_csv_is_also_unchanged(registry, member):
    rows = [quarry_row(), factory_row()]
    registry.import_report(member, 2024, csv_bytes(rows), "report.csv", submitted_on=TODAY)
    result = registry.import_report(member, 2024, xlsx_bytes(rows), "report.xlsx", submitted_on=TODAY)
    assert result.changed is False


def test_a_corrected_file_supersedes_the_previous_version_and_history_is_kept(registry, member, content_of):
    registry.import_report(member, 2024, csv_bytes([quarry_row(), unknown_quarry_row()]), "v1.csv", submitted_on=TODAY)
    corrected = csv_bytes([quarry_row(), factory_row(chain="C2")])
    result = registry.import_report(member, 2024, corrected, "v2.csv", submitted_on=TODAY + dt.timedelta(days=3))
    assert (result.changed, result.version) == (True, 2)
    report = registry.report(member, 2024)
    assert [v.number for v in report.versions] == [1, 2]
    first, latest = content_of(member, 2024, 1), content_of(member, 2024)
    assert first.links[1].site_id is None
    assert latest.links[1].site_kind.value == "factory"
    # the quarry described in both versions is one site, not two
    assert first.links[0].site_id == latest.links[0].site_id


def test_a_site_described_by_two_companies_is_one_site(services, registry, member, content_of):
    from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind

    registry.register_organisation("graniet-import", "Graniet Import NV", OrganisationKind.MEMBER_COMPANY, "BE")
    registry.join("graniet-import", dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.SMALL)
    registry.import_report(member, 2024, csv_bytes([quarry_row()]), "a.csv", submitted_on=TODAY)
    registry.import_report(
        "graniet-import",
        2024,
        csv_bytes([quarry_row(name="Mahadev Sandstone Quarry, Bijolia")]),
        "b.csv",
        submitted_on=TODAY,
    )
    first = content_of(member, 2024).links[0].site_id
    second = content_of("graniet-import", 2024).links[0].site_id
    register_waiting_sites(services)
    # registered together: the one described second is merged into the other at once
    assert registry.current_site_id(first) == registry.current_site_id(second)
    assert {registry.site(first).status.value, registry.site(second).status.value} == {"active", "merged"}


def test_an_uncertain_duplicate_in_a_file_is_held_for_review_not_merged(services, registry, member, content_of):
    registry.import_report(member, 2024, csv_bytes([quarry_row()]), "a.csv", submitted_on=TODAY)
    nearby = quarry_row(name="Mahadev Sandstone Quarries Bijoliya", latitude="25.1750")
    result = registry.import_report(member, 2025, csv_bytes([nearby]), "b.csv", submitted_on=TODAY)
    assert result.held_for_review == 1
    assert registry.sites_awaiting_review() == []  # nothing is registered yet
    register_waiting_sites(services)
    described = {content_of(member, 2025).links[0].site_id, content_of(member, 2024).links[0].site_id}
    # registered together, in random order: whichever came second is held, the other is its candidate
    [(held_id, candidate_id)] = registry.sites_awaiting_review()
    assert {held_id, candidate_id} == described and held_id != candidate_id


def test_a_person_confirms_an_uncertain_duplicate_and_later_reports_use_the_surviving_site(
    services, registry, member, content_of
):
    registry.import_report(member, 2024, csv_bytes([quarry_row()]), "a.csv", submitted_on=TODAY)
    nearby = quarry_row(name="Mahadev Sandstone Quarries Bijoliya", latitude="25.1750")
    registry.import_report(member, 2025, csv_bytes([nearby]), "b.csv", submitted_on=TODAY)
    register_waiting_sites(services)
    held_id, original_id = registry.sites_awaiting_review()[0]
    assert registry.decide_duplicate(held_id, same_as_candidate=True, decided_by="secretariat-1") == original_id
    assert registry.sites_awaiting_review() == []
    assert registry.current_site_id(held_id) == original_id
    # the same description again now resolves to the surviving site, with nothing held
    result = registry.import_report(member, 2025, csv_bytes([nearby, factory_row()]), "c.csv", submitted_on=TODAY)
    assert result.held_for_review == 0
    assert content_of(member, 2025).links[0].site_id == original_id


def test_a_person_can_also_decide_that_a_held_site_is_distinct(services, registry, member):
    registry.import_report(member, 2024, csv_bytes([quarry_row()]), "a.csv", submitted_on=TODAY)
    registry.import_report(
        member,
        2025,
        csv_bytes([quarry_row(name="Mahadev Sandstone Quarries Bijoliya", latitude="25.1750")]),
        "b.csv",
        submitted_on=TODAY,
    )
    register_waiting_sites(services)
    held_id, _ = registry.sites_awaiting_review()[0]
    assert registry.decide_duplicate(held_id, same_as_candidate=False, decided_by="secretariat-1") == held_id
    assert registry.site(held_id).status.value == "active"
    with pytest.raises(ConflictError):
        registry.decide_duplicate(held_id, same_as_candidate=True, decided_by="secretariat-1")


def test_a_company_cannot_report_for_a_year_it_was_not_a_member(registry, member):
    with pytest.raises(ConflictError):
        registry.import_report(member, 2019, csv_bytes([quarry_row()]), "a.csv", submitted_on=TODAY)


def test_an_unknown_company_ref_is_not_found(registry):
    with pytest.raises(NotFoundError):
        registry.import_report("nobody", 2024, csv_bytes([quarry_row()]), "a.csv", submitted_on=TODAY)


def test_a_draft_saved_on_the_web_is_a_draft_until_submitted_as_the_next_version(
    registry, member, content_of, company_principal
):
    from registry.domain.reports import ReportContent

    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=TODAY)
    first = content_of(member, 2024)
    registry.save_report_draft(member, 2024, ReportContent(links=first.links[:1], terms=first.terms[:1]))
    drafted = registry.report(member, 2024)
    assert drafted.status == ReportStatus.DRAFT
    assert drafted.latest.number == 1  # the submitted version is untouched by a draft
    result = registry.submit_report_draft(company_principal, member, 2024, submitted_on=TODAY)
    assert (result.changed, result.version) == (True, 2)
    final = registry.report(member, 2024)
    assert (final.status, len(content_of(member, 2024).links)) == (ReportStatus.SUBMITTED, 1)


def test_submitting_without_a_draft_is_refused(registry, member, company_principal):
    registry.import_report(member, 2024, csv_bytes([quarry_row()]), "r.csv", submitted_on=TODAY)
    with pytest.raises(ConflictError):
        registry.submit_report_draft(company_principal, member, 2024, submitted_on=TODAY)


def test_the_secretariat_cannot_submit_a_company_draft_and_the_attempt_is_logged(
    services, registry, member, secretariat_principal, content_of
):
    from keys.access.filter import AccessDeniedError

    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=TODAY)
    registry.save_report_draft(member, 2024, content_of(member, 2024))
    with pytest.raises(AccessDeniedError):
        registry.submit_report_draft(secretariat_principal, member, 2024, submitted_on=TODAY)
    denied = services.access_log.entries(actor=secretariat_principal.login)
    assert [(e.action, str(e.outcome)) for e in denied][-1] == ("submit_report", "denied")
    assert registry.report(member, 2024).latest.number == 1
