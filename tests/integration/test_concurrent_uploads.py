"""Two uploads at once (issue 12, item 7): the store's version check refuses the second save of a
report (or of the site intake every submission joins); the upload that lost is decided again on the
fresh state, so it becomes the next version (or, for the same file, nothing), never an error, and no
version is lost or doubled. Real threads against each store."""

from __future__ import annotations

import datetime as dt
import threading

from tests.integration.report_files import csv_bytes, quarry_row

TODAY = dt.date(2025, 4, 1)
ROUNDS = 5


def at_once(*actions):
    """Runs the actions in threads released together; returns (results, errors)."""
    barrier = threading.Barrier(len(actions))
    results, errors = [], []

    def run(action):
        barrier.wait()
        try:
            results.append(action())
        except Exception as error:  # noqa: BLE001 - the test reports whatever escaped
            errors.append(error)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_two_different_files_for_one_company_and_year_at_once_become_the_next_two_versions(
    registry, member, company_principal
):
    for round_number in range(ROUNDS):
        files = [csv_bytes([quarry_row(chain=f"R{round_number}-{upload}")]) for upload in (1, 2)]
        results, errors = at_once(
            *(
                lambda data=data: registry.upload_report(
                    company_principal, member, 2024, data, "report.csv", submitted_on=TODAY
                )
                for data in files
            )
        )
        assert errors == []
        assert sorted(result.version for result in results) == [2 * round_number + 1, 2 * round_number + 2]
        assert all(result.changed for result in results)
        versions = [version.number for version in registry.report(member, 2024).versions]
        assert versions == list(range(1, 2 * round_number + 3))


def test_the_same_file_twice_at_once_is_recorded_once(registry, member, company_principal):
    for round_number in range(ROUNDS):
        data = csv_bytes([quarry_row(chain=f"S{round_number}")])
        results, errors = at_once(
            *(
                lambda: registry.upload_report(company_principal, member, 2024, data, "report.csv", submitted_on=TODAY)  # noqa: B023 - called within this iteration
                for _ in (1, 2)
            )
        )
        assert errors == []
        assert sorted((result.changed, result.version) for result in results) == [
            (False, round_number + 1),
            (True, round_number + 1),
        ]
        assert [v.number for v in registry.report(member, 2024).versions] == list(range(1, round_number + 2))


def test_uploads_of_two_companies_at_once_are_both_recorded(registry, member, company_principal):
    """Every submission joins the one site intake: two companies' uploads race on it."""
    import datetime

    from keys.access.principal import Principal
    from registry.domain.accounts import Role
    from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind

    registry.register_organisation("other-co", "Other Co BV", OrganisationKind.MEMBER_COMPANY, "NL")
    registry.join("other-co", datetime.date(2021, 3, 1), CompanyCategory.C, CompanySize.MEDIUM)
    other = Principal(
        login="other-test",
        role=Role.COMPANY,
        organisation_id=registry.organisation("other-co").id,
        organisation_ref="other-co",
    )
    for round_number in range(ROUNDS):
        results, errors = at_once(
            lambda: registry.upload_report(
                company_principal,
                member,
                2024,
                csv_bytes([quarry_row(chain=f"A{round_number}")]),  # noqa: B023 - called within this iteration
                "a.csv",
                submitted_on=TODAY,
            ),
            lambda: registry.upload_report(
                other,
                "other-co",
                2024,
                csv_bytes([quarry_row(chain=f"B{round_number}")]),  # noqa: B023 - called within this iteration
                "b.csv",
                submitted_on=TODAY,
            ),
        )
        assert errors == []
        assert [result.version for result in results] == [round_number + 1] * 2
