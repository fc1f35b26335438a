"""The retention schedule at work (issue 16 acceptance; docs/retention.md), on both stores, with the
services' clock moved by hand: a closed case's reporter identity and evidence become unreadable after
its period (two years), the case still counts in the published statistics, the erasure is in the access
log and in the erasure records (by reference, naming no reporter), a warning came first, and an
extension with a reason postpones it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3

import pytest

from grievance.domain.filing import Attachment, Filing, Reporter
from keys.access.filter import AccessDeniedError
from registry.domain.errors import GoneError, NotFoundError, ValidationError
from registry.domain.retention import RecordKind, RetentionLedger, Standing
from tests.clock import FakeClock
from tests.principals import of_account

CLOSED_AT = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
TWO_YEARS = dt.timedelta(days=730)  # docs/retention.md: a closed case is kept two years
REPORTER = Reporter("Kamla Devi Meghwal", "+91 94140 55511", "Bijolia Mine Workers")
LEDGER = RetentionLedger.ID
EVIDENCE = Attachment("wage-sheet.txt", "text/plain", b"Piece rate 180 rupees a day, March 2025.")


@pytest.fixture
def world(services, demo):
    clock = FakeClock(CLOSED_AT - dt.timedelta(days=10))
    services.clock.set(clock)
    return services, clock, of_account(services, demo.logins["ngo"]), of_account(services, demo.logins["secretariat"])


def closed_case(services, clock, ngo, clerk, region: str = "Bhilwara") -> str:
    """A complaint with a reporter and evidence, declared inadmissible and closed at CLOSED_AT."""
    reference, _code = services.grievance.file(
        ngo,
        Filing(
            case_type="complaint",
            description="Wages at the quarry fell below the state minimum this season.",
            themes=["living_wage"],
            country="IN",
            region=region,
            reporter=REPORTER,
            attachments=[EVIDENCE],
        ),
    )
    services.grievance.advance(clerk, reference, "acknowledge", "received")
    services.grievance.advance(clerk, reference, "declare_inadmissible", "outside the covenant's scope")
    clock.now = CLOSED_AT
    services.grievance.advance(clerk, reference, "close", "closed after the decision")
    return reference


def statistics(services) -> tuple[int, dict[str, int], dict[str, int]]:
    figures = services.case_desk.statistics()
    return figures["total"], figures["by_stage"], figures["by_theme"]


def erase_entries(services, reference: str) -> list[tuple[str, str, str]]:
    return [
        (entry.actor, entry.action, entry.outcome)
        for entry in services.access_log.entries(limit=100_000)
        if entry.purpose == f"retention: erase closed_case {reference}"
    ]


def test_a_closed_cases_reporter_and_evidence_are_erased_after_two_years_after_a_warning(world):
    services, clock, ngo, clerk = world
    retention, cases = services.retention, services.grievance_cases
    reference = closed_case(services, clock, ngo, clerk)
    assert cases.reporter(ngo, reference)["name"] == "Kamla Devi Meghwal"
    assert cases.evidence(clerk, reference, 1)[2] == EVIDENCE.content
    published = statistics(services)
    assert published[1]["closed"] >= 1

    # a month and a day before: nothing yet
    clock.now = CLOSED_AT + TWO_YEARS - dt.timedelta(days=31)
    assert [item.ref for item in retention.due(clerk).items if item.kind is RecordKind.CLOSED_CASE] == []

    # on the window's first day: the run warns, erases nothing
    clock.now = CLOSED_AT + TWO_YEARS - dt.timedelta(days=30)
    due = [item for item in retention.due(clerk).items if item.ref == reference]
    assert [(i.kind, i.standing, i.expires_on, i.warned) for i in due] == [
        (RecordKind.CLOSED_CASE, Standing.EXPIRING, dt.date(2027, 3, 3), False)
    ]
    ran = retention.run(clerk)
    assert reference in [item.ref for item in ran.warned]
    assert reference not in [erasure.ref for erasure in ran.erased]
    assert cases.reporter(ngo, reference)["name"] == "Kamla Devi Meghwal"
    assert retention.run(clerk).warned == ()  # once per record and expiry
    assert erase_entries(services, reference) == []

    # on the day it expires: erased
    clock.now = CLOSED_AT + TWO_YEARS
    ran = retention.run(clerk)
    assert [(e.kind, e.ref, e.destroyed, e.on, e.by) for e in ran.erased if e.ref == reference] == [
        (RecordKind.CLOSED_CASE, reference, 1, dt.date(2027, 3, 3), clerk.login)
    ]
    with pytest.raises(GoneError):
        cases.reporter(ngo, reference)
    with pytest.raises(GoneError):
        cases.evidence(clerk, reference, 1)
    view = cases.read_case(clerk, reference)
    assert view["description"] is None and view["stage"] == "closed" and view["themes"] == ["living_wage"]
    assert statistics(services) == published  # the statistics still count it
    assert erase_entries(services, reference) == [(clerk.login, "manage_retention", "granted")]
    erasures = retention.erasures(clerk)
    assert [(e.kind, e.ref) for e in erasures] == [(RecordKind.CLOSED_CASE, reference)]
    assert "Kamla" not in repr(erasures) and "Bijolia" not in repr(erasures)
    # gone from the list of what is kept: a second run erases nothing more
    assert reference not in [erasure.ref for erasure in retention.run(clerk).erased]
    report = {row.kind: row for row in retention.report(clerk).rows}
    assert report[RecordKind.CLOSED_CASE].erased == 1
    assert retention.report(clerk).last_run == dt.date(2027, 3, 3)
    # trustone verify: every sealed field opens or was shredded (with the proof a shredding leaves), the
    # access log's chain holds
    from trustone.cli_verify import verify_services

    checked = verify_services(services)
    assert checked.failures == [] and checked.shredded >= 6  # reporter+description+parties, evidence, 3 reasons


def test_an_extension_with_a_reason_postpones_the_erasure(world):
    services, clock, ngo, clerk = world
    retention = services.retention
    reference = closed_case(services, clock, ngo, clerk)
    clock.now = CLOSED_AT + TWO_YEARS - dt.timedelta(days=5)
    retention.run(clerk)  # warned
    with pytest.raises(ValidationError) as error:
        retention.extend(clerk, "closed_case", reference, "why", days=90)
    assert error.value.field == "reason"
    with pytest.raises(NotFoundError):
        retention.extend(clerk, "closed_case", "TS-2024-9999", "a related case is open", days=90)
    made = retention.extend(clerk, "closed_case", reference, "a related case about the same site is open", days=90)
    assert made.expires_on == dt.date(2027, 6, 1)

    clock.now = CLOSED_AT + TWO_YEARS + dt.timedelta(days=1)
    assert reference not in [erasure.ref for erasure in retention.run(clerk).erased]
    assert services.grievance_cases.reporter(ngo, reference)["name"] == "Kamla Devi Meghwal"

    clock.now = dt.datetime(2027, 5, 2, 9, 0, tzinfo=dt.UTC)  # warned again, a window before the new expiry
    assert reference in [item.ref for item in retention.run(clerk).warned]
    clock.now = dt.datetime(2027, 6, 1, 9, 0, tzinfo=dt.UTC)
    assert reference in [erasure.ref for erasure in retention.run(clerk).erased]
    assert [(ext.ref, ext.until, ext.by) for ext in services.registry.repository.get(LEDGER).extensions] == [
        (reference, dt.date(2027, 6, 1), clerk.login)
    ]


def test_a_record_past_its_period_never_warned_of_is_kept_the_full_window_after_its_warning(world):
    """docs/retention.md: a warning always gives the secretariat the whole window (30 days) to extend,
    even when the job did not run in the window: not erased by the next run seconds later."""
    services, clock, ngo, clerk = world
    reference = closed_case(services, clock, ngo, clerk)
    clock.now = CLOSED_AT + TWO_YEARS + dt.timedelta(days=40)  # the job did not run in the window
    warned_at = clock.now
    ran = services.retention.run(clerk)
    assert reference in [item.ref for item in ran.warned] and ran.erased == ()
    clock.now = warned_at + dt.timedelta(seconds=5)
    assert reference not in [erasure.ref for erasure in services.retention.run(clerk).erased]
    clock.now = warned_at + dt.timedelta(days=29)
    assert reference not in [erasure.ref for erasure in services.retention.run(clerk).erased]
    assert services.grievance_cases.reporter(ngo, reference)["name"] == "Kamla Devi Meghwal"
    [item] = [item for item in services.retention.due(clerk).items if item.ref == reference]
    assert (item.standing, item.warned_on, item.erased_from) == (
        Standing.DUE,
        dt.date(2027, 4, 12),
        dt.date(2027, 5, 12),
    )
    clock.now = warned_at + dt.timedelta(days=30)
    assert reference in [erasure.ref for erasure in services.retention.run(clerk).erased]


def test_a_record_warned_a_day_before_its_expiry_is_erased_a_full_window_after_the_warning(world):
    services, clock, ngo, clerk = world
    reference = closed_case(services, clock, ngo, clerk)
    clock.now = CLOSED_AT + TWO_YEARS - dt.timedelta(days=1)  # the job missed the window's first 29 days
    assert reference in [item.ref for item in services.retention.run(clerk).warned]
    clock.now = CLOSED_AT + TWO_YEARS  # its expiry, but only a day after the warning
    assert reference not in [erasure.ref for erasure in services.retention.run(clerk).erased]
    clock.now = CLOSED_AT + TWO_YEARS + dt.timedelta(days=29)  # 2027-04-01: 30 days after 2027-03-02
    assert reference in [erasure.ref for erasure in services.retention.run(clerk).erased]


def test_only_the_secretariat_runs_and_extends_and_the_auditor_reads(world, demo):
    services, clock, ngo, clerk = world
    reference = closed_case(services, clock, ngo, clerk)
    auditor = of_account(services, demo.logins["auditor"])
    assert services.retention.report(auditor).rows
    assert services.retention.schedule(auditor).warning_days == 30
    for who in (auditor, ngo):
        with pytest.raises(AccessDeniedError):
            services.retention.run(who)
        with pytest.raises(AccessDeniedError):
            services.retention.extend(who, "closed_case", reference, "a related case is open", days=30)
    with pytest.raises(AccessDeniedError):
        services.retention.due(ngo)
    assert (
        services.retention.extend(clerk, "closed_case", reference, "a related case is open", days=30).ref == reference
    )


def test_the_erasure_record_names_no_reporter_in_the_database_files(world, settings):
    services, clock, ngo, clerk = world
    reference = closed_case(services, clock, ngo, clerk)
    clock.now = CLOSED_AT + TWO_YEARS - dt.timedelta(days=30)
    services.retention.run(clerk)
    clock.now = CLOSED_AT + TWO_YEARS
    services.retention.run(clerk)
    rows = _ledger_rows(services, settings)
    assert any(reference in row for row in rows)  # the erasure record is there, by reference
    assert not any(name in row for row in rows for name in ("Kamla", "94140", "Bijolia", "wage-sheet"))


def _ledger_rows(services, settings) -> list[str]:
    """The stored events of the retention ledger, as the database holds them."""
    ledger = "2b9e4c71-5a0d-4e3f-8c16-d7a4f0b9e235"
    if settings.backend == "sqlite":
        path = settings.data_dir / "registry.sqlite3"
        with sqlite3.connect(path) as connection:
            found = connection.execute(
                "SELECT topic, state FROM stored_events WHERE originator_id = ?", (ledger.replace("-", ""),)
            ).fetchall()
            if not found:
                found = connection.execute(
                    "SELECT topic, state FROM stored_events WHERE originator_id = ?", (ledger,)
                ).fetchall()
    else:
        with services.sql.transaction() as cursor:
            found = cursor.execute(
                f"SELECT topic, state FROM {services.sql.schema}.registry_events WHERE originator_id = %s", (ledger,)
            ).fetchall()
    assert found, "no ledger events found"
    return [f"{topic} {bytes(state).decode('utf-8', 'replace')}" for topic, state in found]


def test_a_bad_retention_setting_names_the_kind(settings):
    from trustone.settings import SettingsError

    with pytest.raises(SettingsError, match="TRUSTONE_RETENTION: closed_cases: not a record kind"):
        dataclasses.replace(settings, retention="closed_cases=30").retention_schedule()


def test_a_refused_releases_local_partner_is_erased_a_year_after_and_the_request_stays(world):
    services, clock, ngo, clerk = world
    clock.now = CLOSED_AT
    asked = services.data_access.request(
        ngo, {"name": "Sangh Kishanpura", "contact": "+91 98290 11111"}, "IN", None, None, "wage checks at quarries"
    )
    services.data_access.decide(clerk, asked.id, False, "no clause yet")
    assert services.data_access.get(ngo, asked.id).local_partner.name == "Sangh Kishanpura"
    clock.now = CLOSED_AT + dt.timedelta(days=335)
    assert str(asked.id) in [item.ref for item in services.retention.run(clerk).warned]
    clock.now = CLOSED_AT + dt.timedelta(days=365)
    ran = services.retention.run(clerk)
    assert [(e.kind, e.ref, e.destroyed) for e in ran.erased] == [(RecordKind.DATA_ACCESS_RELEASE, str(asked.id), 1)]
    with pytest.raises(GoneError):
        services.data_access.get(ngo, asked.id)
    assert [row.status for row in services.data_access.list_for(clerk) if row.id == asked.id] == ["refused"]


def test_a_withdrawn_company_is_shredded_two_years_after_its_membership_ended(world, demo):
    services, clock, _ngo, clerk = world
    company = of_account(services, demo.logins["company"]).organisation_ref
    clock.now = CLOSED_AT
    services.registry.withdraw(company, CLOSED_AT.date())
    clock.now = CLOSED_AT + TWO_YEARS - dt.timedelta(days=30)
    assert company in [item.ref for item in services.retention.run(clerk).warned]
    assert services.registry.company(company).shredded_on is None
    clock.now = CLOSED_AT + TWO_YEARS
    erased = [(e.kind, e.ref) for e in services.retention.run(clerk).erased if e.kind is RecordKind.WITHDRAWN_COMPANY]
    assert erased == [(RecordKind.WITHDRAWN_COMPANY, company)]
    assert services.registry.company(company).shredded_on == dt.date(2027, 3, 3)
    shredding = [e for e in services.access_log.entries(limit=100_000) if e.action == "administer_keys"]
    assert [(e.actor, e.outcome) for e in shredding][-1:] == [(clerk.login, "granted")]


def test_sessions_are_deleted_a_month_after_they_ended(world):
    from keys.logins.sessions import SessionStore

    services, clock, ngo, clerk = world
    clock.now = CLOSED_AT
    sessions = SessionStore(services.sql, clock)
    sessions.issue(ngo.login, dt.timedelta(hours=8))
    clock.now = CLOSED_AT + dt.timedelta(days=30)
    assert services.retention.due(clerk).sessions_due == 0
    clock.now = CLOSED_AT + dt.timedelta(days=31)
    assert services.retention.due(clerk).sessions_due == 1
    ran = services.retention.run(clerk)
    assert [(e.kind, e.ref, e.destroyed) for e in ran.erased] == [
        (RecordKind.SESSION, "1 sessions ended before 2025-03-04", 1)
    ]
    assert sessions.count() == 0


def test_an_extension_made_while_a_run_looks_is_honoured(world):
    """The run asks the ledger again right before each erasure: an extension saved after the run read
    the records (here: while its source lists them) keeps the record."""
    from keys.logins.sessions import SessionStore
    from registry.usecases.retention import Retention, closed_cases, key_eraser

    services, clock, ngo, clerk = world
    reference = closed_case(services, clock, ngo, clerk)
    clock.now = CLOSED_AT + TWO_YEARS - dt.timedelta(days=30)
    services.retention.run(clerk)  # warned
    clock.now = CLOSED_AT + TWO_YEARS
    listed = closed_cases(lambda: map(services.grievance.case, services.grievance.references()))

    def racing(today: dt.date) -> list:
        records = listed(today)
        services.retention.extend(clerk, "closed_case", reference, "a related case was filed just now", days=60)
        return records

    racer = Retention(
        services.registry,
        services.filter,
        services.settings.retention_schedule(),
        {RecordKind.CLOSED_CASE: racing},
        {RecordKind.CLOSED_CASE: key_eraser(services.datakeys.shred, lambda ref: services.grievance.case(ref).id)},
        SessionStore(services.sql),
        services.clock,
    )
    assert racer.run(clerk).erased == ()
    assert services.grievance_cases.reporter(ngo, reference)["name"] == "Kamla Devi Meghwal"


def _crashing_after(eraser):
    """An eraser that destroys the key, then fails: a run that stops before it records the erasure."""

    def erase(record, principal, request_id):
        eraser(record, principal, request_id)
        raise RuntimeError("the process stopped here")

    return erase


def _with_erasers(services, erasers, sources=None):
    from keys.logins.sessions import SessionStore
    from registry.usecases.retention import Retention

    built = services.retention
    return Retention(
        services.registry,
        services.filter,
        services.settings.retention_schedule(),
        sources if sources is not None else built._sources,  # noqa: SLF001 - the services' own sources
        erasers,
        SessionStore(services.sql),
        services.clock,
    )


def test_a_run_that_stopped_after_destroying_a_cases_key_is_completed_by_the_next_run(world):
    services, clock, ngo, clerk = world
    reference = closed_case(services, clock, ngo, clerk)
    clock.now = CLOSED_AT + TWO_YEARS - dt.timedelta(days=30)
    services.retention.run(clerk)  # warned
    clock.now = CLOSED_AT + TWO_YEARS
    erasers = dict(services.retention._erasers)  # noqa: SLF001 - the services' own erasers
    erasers[RecordKind.CLOSED_CASE] = _crashing_after(erasers[RecordKind.CLOSED_CASE])
    with pytest.raises(RuntimeError):
        _with_erasers(services, erasers).run(clerk)
    with pytest.raises(GoneError):
        services.grievance_cases.reporter(ngo, reference)  # the key is gone, the erasure not recorded
    assert services.retention.erasures(clerk) == ()
    assert [(i.kind, i.ref) for i in services.registry.repository.get(LEDGER).unfinished()] == [
        (RecordKind.CLOSED_CASE, reference)
    ]

    clock.now += dt.timedelta(hours=1)
    ran = services.retention.run(clerk)
    assert [(e.kind, e.ref, e.on) for e in ran.erased] == [(RecordKind.CLOSED_CASE, reference, dt.date(2027, 3, 3))]
    assert [(e.kind, e.ref) for e in services.retention.erasures(clerk)] == [(RecordKind.CLOSED_CASE, reference)]
    assert services.registry.repository.get(LEDGER).unfinished() == ()
    assert erase_entries(services, reference) == [(clerk.login, "manage_retention", "granted")]  # the first run's
    completed = [
        (e.actor, e.action, e.outcome)
        for e in services.access_log.entries(limit=100_000)
        if e.purpose == f"retention: complete the erasure of closed_case {reference} begun on 2027-03-03"
    ]
    assert completed == [(clerk.login, "manage_retention", "granted")]
    assert services.retention.run(clerk).erased == ()  # recorded once


def test_a_withdrawn_company_shredded_by_a_run_that_stopped_gets_its_erasure_record(world, demo):
    services, clock, _ngo, clerk = world
    company = of_account(services, demo.logins["company"]).organisation_ref
    clock.now = CLOSED_AT
    services.registry.withdraw(company, CLOSED_AT.date())
    clock.now = CLOSED_AT + TWO_YEARS - dt.timedelta(days=30)
    services.retention.run(clerk)  # warned
    clock.now = CLOSED_AT + TWO_YEARS
    erasers = dict(services.retention._erasers)  # noqa: SLF001 - the services' own erasers
    erasers[RecordKind.WITHDRAWN_COMPANY] = _crashing_after(erasers[RecordKind.WITHDRAWN_COMPANY])
    with pytest.raises(RuntimeError):
        _with_erasers(services, erasers).run(clerk)
    assert services.registry.company(company).shredded_on == dt.date(2027, 3, 3)
    shreddings = len([e for e in services.access_log.entries(limit=100_000) if e.action == "administer_keys"])

    ran = services.retention.run(clerk)
    assert [(e.kind, e.ref) for e in ran.erased if e.kind is not RecordKind.SESSION] == [
        (RecordKind.WITHDRAWN_COMPANY, company)
    ]
    assert len([e for e in services.access_log.entries(limit=100_000) if e.action == "administer_keys"]) == shreddings
    assert [e.ref for e in services.retention.erasures(clerk) if e.kind is RecordKind.WITHDRAWN_COMPANY] == [company]
