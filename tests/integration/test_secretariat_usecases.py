"""The secretariat's duties as use cases (issue 13, item 3): the reports awaiting assessment and the
assessment, delay explanations, the held duplicates side by side and their decision, and the
quarry-region list previewed and published. Each call is one access-log entry, granted or denied;
a call refused for its input (404, 409, 422) leaves no granted entry.

Expected levels and dates are the covenant's (docs/covenant.md, "Levels"): level 2 needs 40 %
quarries, 75 % factories and a score of 40; level 3 needs 60 %, 100 % and 60; below level 3 the next
full assessment is a year later; a medium company from level 3 has the action plan's progress
reviewed the next year."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from keys.access.filter import AccessDeniedError
from keys.access.principal import Principal, SystemPrincipal
from registry.domain.accounts import Role
from registry.domain.errors import ConflictError, NotFoundError, ValidationError
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from registry.usecases.assessment import ReportAssessment
from tests.integration.report_files import csv_bytes, factory_row, quarry_row, unknown_quarry_row
from tests.site_intake import register_waiting_sites

D = dt.date
TODAY = D(2025, 4, 1)
CLI = SystemPrincipal("secretariat-cli:tester")


@pytest.fixture
def assessment(services):
    return ReportAssessment(services.registry, services.filter, clock=lambda: TODAY)


@pytest.fixture
def company_principal(registry, member):
    return Principal(f"{member}.user", Role.COMPANY, registry.organisation_id(member), member)


def entries(services, request_id: str) -> list[tuple[str, str, str]]:
    return [
        (entry.actor, entry.action, str(entry.outcome))
        for entry in services.access_log.entries(limit=100_000)
        if entry.request_id == request_id
    ]


def another_member(registry, ref: str = "graniet-import") -> str:
    registry.register_organisation(ref, "Graniet Import NV", OrganisationKind.MEMBER_COMPANY, "BE")
    registry.join(ref, D(2022, 1, 1), CompanyCategory.C, CompanySize.SMALL)
    return ref


# --- the assessment queue -------------------------------------------------------------------------


def test_the_queue_lists_submitted_reports_oldest_first_with_how_long_they_waited(
    services, registry, member, assessment, secretariat_principal
):
    other = another_member(registry)
    registry.import_report(other, 2024, csv_bytes([quarry_row()]), "o.csv", submitted_on=D(2025, 3, 20))
    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "m.csv", submitted_on=D(2025, 3, 1))
    # a corrected file: the report keeps its place in the queue, and the latest version is the one shown
    registry.import_report(member, 2024, csv_bytes([quarry_row()]), "m2.csv", submitted_on=D(2025, 3, 25))

    queue = assessment.queue(secretariat_principal, request_id="queue-1")

    assert [(r.company, r.year, r.version, r.submitted_on, r.waiting_since, r.days_waiting) for r in queue] == [
        (member, 2024, 2, D(2025, 3, 25), D(2025, 3, 1), 31),
        (other, 2024, 1, D(2025, 3, 20), D(2025, 3, 20), 12),
    ]
    assert entries(services, "queue-1") == [("secretariat-test", "read_assessment_queue", "granted")]


def test_an_assessed_report_leaves_the_queue_and_a_new_version_brings_it_back(
    registry, member, assessment, secretariat_principal
):
    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "m.csv", submitted_on=D(2025, 3, 1))
    assert [r.company for r in assessment.queue(secretariat_principal)] == [member]
    assessment.assess(secretariat_principal, member, 2024, version=1, due_diligence_score=Decimal(65))
    assert assessment.queue(secretariat_principal) == []
    registry.import_report(member, 2024, csv_bytes([quarry_row()]), "m2.csv", submitted_on=D(2025, 3, 28))
    assert [(r.version, r.waiting_since) for r in assessment.queue(secretariat_principal)] == [(2, D(2025, 3, 28))]


def test_the_queue_is_the_secretariats_only(services, assessment, company_principal):
    with pytest.raises(AccessDeniedError):
        assessment.queue(company_principal, request_id="queue-2")
    assert entries(services, "queue-2") == [("de-steenhouwer.user", "read_assessment_queue", "denied")]


# --- the assessment ---------------------------------------------------------------------------------


def test_the_score_gives_the_level_from_the_reports_insight_and_the_next_due_date(
    services, registry, member, assessment, secretariat_principal
):
    data = csv_bytes([quarry_row(), factory_row(), unknown_quarry_row()])
    registry.import_report(member, 2024, data, "r.csv", submitted_on=D(2025, 3, 1))

    result = assessment.assess(
        secretariat_principal, member, 2024, version=1, due_diligence_score=Decimal(45), request_id="assess-1"
    )

    assert (result.company, result.year) == (member, 2024)
    record = result.assessment
    # quarries 1 of 2 known = 50 %, factories 1 of 1 = 100 %, score 45: level 2 (3 needs 60 % quarries)
    assert (record.version, record.quarry_insight, record.factory_insight, record.level) == (
        1,
        Decimal("50.00"),
        Decimal("100.00"),
        2,
    )
    assert (record.assessed_on, record.next_due, record.next_kind) == (TODAY, D(2026, 4, 1), "full")
    assert record.assessed_by == "secretariat-test"
    with pytest.raises(dataclasses.FrozenInstanceError):  # a plain frozen value
        setattr(result, "year", 2023)  # noqa: B010 - an assignment mypy would refuse, tried at run time
    assert entries(services, "assess-1") == [("secretariat-test", "assess_report", "granted")]
    assert registry.member_status_on(member, TODAY, today=TODAY).level == 2


def test_a_medium_company_from_level_3_has_its_action_plan_reviewed_next(
    registry, member, assessment, secretariat_principal
):
    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=D(2025, 3, 1))
    record = assessment.assess(
        secretariat_principal, member, 2024, version=1, due_diligence_score=Decimal(65)
    ).assessment
    assert (record.level, record.next_due, record.next_kind) == (3, D(2026, 4, 1), "action_plan")


def test_a_version_assessed_already_is_409_and_leaves_no_granted_entry(
    services, registry, member, assessment, secretariat_principal
):
    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=D(2025, 3, 1))
    assessment.assess(secretariat_principal, member, 2024, version=1, due_diligence_score=Decimal(65))
    with pytest.raises(ConflictError, match="version 1 of this report is assessed already"):
        assessment.assess(
            secretariat_principal, member, 2024, version=1, due_diligence_score=Decimal(70), request_id="again"
        )
    assert entries(services, "again") == []
    assert [r.due_diligence_score for r in registry.report(member, 2024).assessments] == [Decimal(65)]


def test_a_version_that_is_not_the_latest_is_409(services, registry, member, assessment, secretariat_principal):
    """The secretariat read version 1, and a corrected file came in meanwhile: its score is not for version 2."""
    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=D(2025, 3, 1))
    registry.import_report(member, 2024, csv_bytes([quarry_row()]), "r2.csv", submitted_on=D(2025, 3, 2))
    with pytest.raises(ConflictError, match="version 2"):
        assessment.assess(
            secretariat_principal, member, 2024, version=1, due_diligence_score=Decimal(65), request_id="stale"
        )
    assert entries(services, "stale") == []
    assert registry.report(member, 2024).assessments == []


@pytest.mark.parametrize("score", [Decimal(-1), Decimal("100.5")])
def test_a_score_outside_0_to_100_is_422_naming_the_field(
    services, registry, member, assessment, secretariat_principal, score
):
    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=D(2025, 3, 1))
    with pytest.raises(ValidationError) as refused:
        assessment.assess(secretariat_principal, member, 2024, version=1, due_diligence_score=score, request_id="bad")
    assert refused.value.field == "due_diligence_score"
    assert entries(services, "bad") == []


def test_a_report_that_does_not_exist_is_404(services, member, assessment, secretariat_principal):
    with pytest.raises(NotFoundError):
        assessment.assess(secretariat_principal, member, 2023, version=1, due_diligence_score=Decimal(50))


def test_a_company_cannot_assess_its_own_report(services, registry, member, assessment, company_principal):
    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=D(2025, 3, 1))
    with pytest.raises(AccessDeniedError):
        assessment.assess(company_principal, member, 2024, version=1, due_diligence_score=Decimal(99), request_id="c")
    assert entries(services, "c") == [("de-steenhouwer.user", "assess_report", "denied")]
    assert registry.report(member, 2024).assessments == []


# --- delay explanations ------------------------------------------------------------------------------


def test_a_company_explains_its_own_delay_and_the_listing_shows_it(
    services, registry, member, assessment, company_principal
):
    text = "Our new quarry audits in Rajasthan take until the autumn."
    result = assessment.explain_delay(company_principal, member, 2024, text, request_id="delay-1")
    assert (result.company, result.year, result.explanation) == (member, 2024, text)
    assert entries(services, "delay-1") == [("de-steenhouwer.user", "explain_delay", "granted")]
    services.projections.catch_up()
    listed = next(m for m in services.member_listing.members() if m["ref"] == member)
    assert listed["delay_explanations"] == [{"year": 2024, "explanation": text}]


def test_a_company_cannot_explain_another_companys_delay_the_secretariat_can(
    services, registry, member, assessment, company_principal, secretariat_principal
):
    other = another_member(registry)
    with pytest.raises(AccessDeniedError, match="not your organisation's report"):
        assessment.explain_delay(company_principal, other, 2024, "Ten characters at least.", request_id="d")
    assert entries(services, "d") == [("de-steenhouwer.user", "explain_delay", "denied")]
    assessment.explain_delay(secretariat_principal, other, 2024, "Recorded by the secretariat.")
    assert registry.company(other).delay_explanations == {"2024": "Recorded by the secretariat."}


def test_a_too_short_explanation_is_422_and_a_year_outside_the_membership_409(
    services, member, assessment, company_principal
):
    with pytest.raises(ValidationError) as short:
        assessment.explain_delay(company_principal, member, 2024, "late", request_id="short")
    assert short.value.field == "explanation"
    with pytest.raises(ConflictError):
        assessment.explain_delay(company_principal, member, 2019, "We joined only in 2021.", request_id="early")
    assert entries(services, "short") == entries(services, "early") == []


# --- held duplicates ---------------------------------------------------------------------------------


NEARBY = {"name": "Mahadev Sandstone Quarries Bijoliya", "latitude": "25.1750"}


def held_duplicate(services, member) -> None:
    """Two descriptions of what may be one quarry (a similar name 400 m away), registered together:
    one is held with the other as its candidate (tests/integration/test_report_import.py)."""
    registry = services.registry
    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "a.csv", submitted_on=D(2025, 3, 1))
    registry.import_report(member, 2025, csv_bytes([quarry_row(**NEARBY)]), "b.csv", submitted_on=D(2025, 3, 2))
    register_waiting_sites(services)


def test_a_held_site_is_shown_beside_its_candidate_with_public_facts_only(services, member, secretariat_principal):
    held_duplicate(services, member)
    queue = services.duplicates.queue(secretariat_principal, request_id="held-1")

    [pair] = queue
    assert {pair.held.name, pair.candidate.name} == {"Mahadev Sandstone Quarry Bijolia", NEARBY["name"]}
    for site in (pair.held, pair.candidate):
        assert (site.kind, site.country, site.province, site.district) == ("quarry", "IN", "Rajasthan", "Bhilwara")
        assert site.longitude == 75.3303 and site.latitude in (25.1712, 25.1750)
        assert site.stone_types == ("sandstone",)
    assert (pair.held.site_id, pair.candidate.site_id) == services.registry.sites_awaiting_review()[0]
    shown = json.dumps(dataclasses.asdict(pair), default=str)
    assert member not in shown and "Steenhouwer" not in shown  # nothing says who described the site
    assert entries(services, "held-1") == [("secretariat-test", "read_duplicate_queue", "granted")]


def test_deciding_same_merges_the_held_site_into_its_candidate_and_once_only(services, member, secretariat_principal):
    held_duplicate(services, member)
    [pair] = services.duplicates.queue(secretariat_principal)
    decided = services.duplicates.decide(secretariat_principal, pair.held.site_id, "same", request_id="same")
    assert (decided.site_id, decided.decision, decided.site_id_now) == (
        pair.held.site_id,
        "same",
        pair.candidate.site_id,
    )
    assert services.registry.current_site_id(pair.held.site_id) == pair.candidate.site_id
    assert services.duplicates.queue(secretariat_principal) == []
    assert entries(services, "same") == [("secretariat-test", "decide_duplicate", "granted")]
    with pytest.raises(ConflictError):
        services.duplicates.decide(secretariat_principal, pair.held.site_id, "distinct", request_id="twice")
    assert entries(services, "twice") == []


def test_deciding_distinct_keeps_both_sites(services, member, secretariat_principal):
    held_duplicate(services, member)
    [pair] = services.duplicates.queue(secretariat_principal)
    decided = services.duplicates.decide(secretariat_principal, pair.held.site_id, "distinct")
    assert decided.site_id_now == pair.held.site_id
    assert services.registry.site(pair.held.site_id).status.value == "active"


def test_a_decision_that_is_neither_same_nor_distinct_is_422_and_an_unknown_site_404(
    services, member, secretariat_principal
):
    held_duplicate(services, member)
    [pair] = services.duplicates.queue(secretariat_principal)
    with pytest.raises(ValidationError) as refused:
        services.duplicates.decide(secretariat_principal, pair.held.site_id, "maybe", request_id="maybe")
    assert refused.value.field == "decision"
    with pytest.raises(NotFoundError):
        services.duplicates.decide(secretariat_principal, "IN-RJ-NOSUCHSITE", "same", request_id="nosuch")
    assert entries(services, "maybe") == entries(services, "nosuch") == []


def test_only_the_secretariat_reads_and_decides_held_sites(services, member, company_principal):
    held_duplicate(services, member)
    [(held_id, _)] = services.registry.sites_awaiting_review()
    with pytest.raises(AccessDeniedError):
        services.duplicates.queue(company_principal, request_id="q")
    with pytest.raises(AccessDeniedError):
        services.duplicates.decide(company_principal, held_id, "same", request_id="d")
    assert entries(services, "q") + entries(services, "d") == [
        ("de-steenhouwer.user", "read_duplicate_queue", "denied"),
        ("de-steenhouwer.user", "decide_duplicate", "denied"),
    ]
    assert services.registry.site(held_id).status.value == "pending_review"


# --- publishing ----------------------------------------------------------------------------------------


def three_companies_report(services) -> None:
    """k = 3 companies report 2024: the year's aggregated list is released, so its list can be published."""
    registry = services.registry
    for n, ref in enumerate(("steen-a", "steen-b", "steen-c")):
        registry.register_organisation(ref, f"Steen {n} BV", OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, D(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)
        registry.import_report(ref, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=D(2025, 3, 1))


def test_the_preview_shows_the_rows_the_published_list_will_have(services, secretariat_principal):
    three_companies_report(services)
    preview = services.publishing.preview(secretariat_principal, 2024, request_id="preview")
    assert (preview.year, preview.k, preview.published_on) == (2024, 3, None)
    assert [(r.country, r.province, r.district, r.companies, r.sites) for r in preview.regions] == [
        ("IN", "Rajasthan", "Bhilwara", 3, 1)
    ]
    assert services.quarry_regions.document(2024) is None  # a preview freezes nothing
    published = services.publishing.publish(secretariat_principal, 2024, request_id="publish", on=D(2025, 7, 1))
    assert published.regions == preview.regions and published.published_on == D(2025, 7, 1)
    frozen = services.quarry_regions.require(2024)
    assert frozen["regions"] == [dataclasses.asdict(region) for region in preview.regions]
    assert entries(services, "preview") == [("secretariat-test", "publish_list", "granted")]
    assert entries(services, "publish") == [("secretariat-test", "publish_list", "granted")]


def test_a_year_is_published_once_and_its_preview_then_shows_the_frozen_list(services, secretariat_principal):
    three_companies_report(services)
    services.publishing.publish(secretariat_principal, 2024, on=D(2025, 7, 1))
    with pytest.raises(ConflictError, match="published already"):
        services.publishing.publish(secretariat_principal, 2024, request_id="twice")
    assert entries(services, "twice") == []
    assert services.publishing.preview(secretariat_principal, 2024).published_on == D(2025, 7, 1)


def test_a_year_without_a_release_has_no_preview_and_cannot_be_published(services, secretariat_principal):
    with pytest.raises(NotFoundError, match="not yet released"):
        services.publishing.preview(secretariat_principal, 2024, request_id="none")
    with pytest.raises(ConflictError, match="cannot publish"):
        services.publishing.publish(secretariat_principal, 2024, request_id="none-2")
    assert entries(services, "none") == entries(services, "none-2") == []


def test_only_the_secretariat_publishes(services, company_principal):
    three_companies_report(services)
    with pytest.raises(AccessDeniedError):
        services.publishing.publish(company_principal, 2024, request_id="p")
    assert entries(services, "p") == [("de-steenhouwer.user", "publish_list", "denied")]
    assert services.quarry_regions.document(2024) is None


# --- the command line ------------------------------------------------------------------------------------


def cli(settings, *args: str):
    from trustone.cli import cli as command

    env = {"TRUSTONE_DATA_DIR": str(settings.data_dir), "TRUSTONE_DATABASE_URL": settings.database_url or ""}
    return CliRunner().invoke(command, list(args), env=env)


def cli_entries(services, action: str) -> list[tuple[str, str]]:
    return [
        (entry.actor, str(entry.outcome))
        for entry in services.access_log.entries(limit=100_000)
        if entry.action == action
    ]


def test_the_cli_lists_the_queue_and_assesses_as_the_secretariats_operator(services, registry, member):
    import getpass

    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=D(2025, 3, 1))
    listed = cli(services.settings, "reports", "queue")
    assert listed.exit_code == 0, listed.output
    assert f"{member}  2024  v1  submitted 2025-03-01" in listed.output
    assessed = cli(services.settings, "reports", "assess", member, "2024", "--version", "1", "--score", "65")
    assert assessed.exit_code == 0, assessed.output
    assert "level 3" in assessed.output and "action_plan" in assessed.output
    again = cli(services.settings, "reports", "assess", member, "2024", "--version", "1", "--score", "65")
    assert again.exit_code == 1 and "assessed already" in again.output
    operator = f"system:secretariat-cli:{getpass.getuser()}"
    assert cli_entries(services, "read_assessment_queue") == [(operator, "granted")]
    assert cli_entries(services, "assess_report") == [(operator, "granted")]
    explained = cli(services.settings, "reports", "explain-delay", member, "2024", "Audits take until autumn.")
    assert explained.exit_code == 0, explained.output
    assert registry.company(member).delay_explanations == {"2024": "Audits take until autumn."}


def test_the_cli_shows_held_sites_side_by_side_and_decides(services, member):
    held_duplicate(services, member)
    [(held_id, candidate_id)] = services.registry.sites_awaiting_review()
    shown = cli(services.settings, "sites", "held")
    assert shown.exit_code == 0, shown.output
    assert held_id in shown.output and candidate_id in shown.output and NEARBY["name"] in shown.output
    assert member not in shown.output
    decided = cli(services.settings, "sites", "decide", held_id, "same")
    assert decided.exit_code == 0, decided.output
    assert candidate_id in decided.output
    assert services.registry.current_site_id(held_id) == candidate_id
    twice = cli(services.settings, "sites", "decide", held_id, "same")
    assert twice.exit_code == 1 and "not waiting for a duplicate decision" in twice.output


def test_the_cli_publishes_through_the_use_case(services):
    three_companies_report(services)
    published = cli(services.settings, "publish", "quarry-regions", "--year", "2024")
    assert published.exit_code == 0, published.output
    assert "1 region(s), k=3" in published.output
    assert services.quarry_regions.document(2024) is not None
    assert [actor for actor, _ in cli_entries(services, "publish_list")] == [f"system:secretariat-cli:{_user()}"]


def _user() -> str:
    import getpass

    return getpass.getuser()


@pytest.mark.parametrize("score", ["NaN", "sixty", "Infinity"])
def test_the_cli_refuses_a_score_that_is_not_a_number_naming_the_option(services, registry, member, score):
    registry.import_report(member, 2024, csv_bytes([quarry_row(), factory_row()]), "r.csv", submitted_on=D(2025, 3, 1))
    refused = cli(services.settings, "reports", "assess", member, "2024", "--version", "1", "--score", score)
    assert refused.exit_code == 1 and "--score: a number between 0 and 100" in refused.output
    assert refused.exception is None or isinstance(refused.exception, SystemExit)
    assert registry.report(member, 2024).assessments == []


def test_the_cli_previews_the_list_without_freezing_it(services):
    three_companies_report(services)
    shown = cli(services.settings, "publish", "quarry-regions", "--year", "2024", "--preview")
    assert shown.exit_code == 0, shown.output
    assert "quarry-region list 2024 (not yet published; figures from k=3 companies on)" in shown.output
    assert "IN > Rajasthan > Bhilwara: 3 companies, 1 sites" in shown.output
    assert services.quarry_regions.document(2024) is None
