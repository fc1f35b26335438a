"""Channel 5 (issue 11) for the case view: a company notice row moved, swapped or re-addressed fails loudly.

The attacker writes to the database without the keyring: plain SQL on ``case_notices`` (and, last, on
the grievance event store with its append-only trigger dropped). The view keeps each notice as sealed
in the event store next to the case id, the company's keyed tag and the notice id (case id and event
version). Before this change the sealing context was read from the row itself, so a notice copied
over another row's, or a row given another company's tag, opened and showed (or mailed) another case's
or another company's notice as if it were this one. What must follow: the inbox read and the outbox
run are refused as an integrity failure (IntegrityError, HTTP 503 ``integrity_failure``, an access-log
entry with that outcome), and ``trustone verify`` names each such row and exits 1.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from fastapi.testclient import TestClient

from keys.access.principal import Principal
from registry.domain.accounts import Role
from tests.integration.test_attack_tamper import (  # noqa: F401 - world is the fixture
    OTHER,
    YEAR,
    acknowledged_case,
    assert_names_no_value,
    assert_refused,
    flip,
    integrity_entries,
    verify,
    world,
)
from tests.principals import secretariat
from trustone.web.app import create_app

ALLEGATION = "Piece rates fell below the state minimum wage this season."


class Outgoing:
    """Collects the mails instead of sending them (the outbox's Mailer protocol)."""

    def __init__(self) -> None:
        self.messages: list = []

    def send(self, message) -> None:
        self.messages.append(message)


def notices_for(services, principal: Principal, request_id: str) -> list:
    return services.case_desk.notices(principal, request_id)


def deliver_notices(services, mailer):
    return services.notice_delivery.deliver(mailer)


def company(services, ref: str) -> Principal:
    return Principal(f"{ref}.user", Role.COMPANY, services.registry.organisation(ref).id, ref)


@pytest.fixture
def notified(world, member):
    """Two notified cases: the quarry (``member`` alone buys there) and the Kota factory (both members).
    Returns {(case reference, company ref): notice_id}."""
    _, rows = world.linked_search.search(secretariat())
    quarry = next(row.site_id for row in rows if row.site_kind == "quarry")
    factory = next(row.site_id for row in rows if row.site_kind != "quarry")
    cases = {}
    for name, site in (("quarry", quarry), ("factory", factory)):
        reference = acknowledged_case(world, site)
        world.grievance.match(
            secretariat(), reference, [site], [YEAR], "site confirmed", buyers=world.linked_search.grievance_buyers
        )
        world.grievance.notify_companies(secretariat(), reference, ALLEGATION)
        cases[name] = reference
    world.case_projections.catch_up()
    tags = {world.grievance.recipient_tag(world.registry.organisation(ref).id): ref for ref in (member, OTHER)}
    with world.cases.recorder.cursor(commit=False) as cursor:
        found = cursor.execute("SELECT reference, recipient_tag, notice_id FROM {schema}.case_notices").fetchall()
    by_reference = {reference: name for name, reference in cases.items()}
    notices = {(by_reference[reference], tags[tag]): notice_id for reference, tag, notice_id in found}
    assert sorted(notices) == sorted([("quarry", member), ("factory", member), ("factory", OTHER)])
    return notices


def notice_sql(services, sql: str, params: tuple) -> None:
    with services.cases.recorder.cursor(commit=True) as cursor:
        cursor.execute(sql, params)


def swap_notices(services, first: str, second: str) -> None:
    """Copy each row's sealed notice and its stored context over the other's, as the attacker would."""
    with services.cases.recorder.cursor(commit=True) as cursor:
        rows = {
            row[0]: row[1:]
            for row in cursor.execute(
                "SELECT notice_id, notice, notice_context FROM {schema}.case_notices WHERE notice_id IN (%s, %s)",
                (first, second),
            ).fetchall()
        }
        for target, source in ((first, second), (second, first)):
            cursor.execute(
                "UPDATE {schema}.case_notices SET notice = %s, notice_context = %s WHERE notice_id = %s",
                (*rows[source], target),
            )


def assert_verify_names(services, *notice_ids: str) -> None:
    result = verify(services)
    assert result.exit_code == 1, result.stdout
    for notice_id in notice_ids:
        assert f"case_notices row {notice_id}" in result.stderr
    assert_names_no_value(result.stdout + result.stderr, services)


# --- (a) notices swapped between rows ------------------------------------------------------------------


def test_notices_swapped_between_two_cases_of_one_company_refuse_its_inbox_and_the_outbox(world, notified, member):
    first, second = notified[("quarry", member)], notified[("factory", member)]
    swap_notices(world, first, second)

    assert_refused(notices_for, world, company(world, member), "req-inbox")
    assert [entry.actor for entry in integrity_entries(world)] == [f"{member}.user"]
    outgoing = Outgoing()
    assert_refused(deliver_notices, world, outgoing)
    assert outgoing.messages == []  # nothing mailed as the wrong case's notice
    assert_verify_names(world, first, second)


def test_notices_swapped_between_two_companies_refuse_both_inboxes(world, notified, member):
    first, second = notified[("quarry", member)], notified[("factory", OTHER)]
    swap_notices(world, first, second)

    assert_refused(notices_for, world, company(world, member), "req-1")
    assert_refused(notices_for, world, company(world, OTHER), "req-2")
    assert len(integrity_entries(world)) == 2
    assert_verify_names(world, first, second)


# --- (b) a row given another company's tag -------------------------------------------------------------


def test_a_notice_row_given_another_companys_tag_refuses_that_companys_inbox(world, notified, member):
    row = notified[("quarry", member)]
    other_tag = world.grievance.recipient_tag(world.registry.organisation(OTHER).id)
    notice_sql(world, "UPDATE {schema}.case_notices SET recipient_tag = %s WHERE notice_id = %s", (other_tag, row))

    assert_refused(notices_for, world, company(world, OTHER), "req-inbox")
    assert integrity_entries(world)
    assert_refused(deliver_notices, world, Outgoing())
    assert_verify_names(world, row)


def test_a_notice_row_moved_to_another_case_refuses_the_outbox(world, notified, member):
    """case_id and reference changed together: the row now claims to be a notice of the factory case."""
    row, factory_row_id = notified[("quarry", member)], notified[("factory", OTHER)]
    with world.cases.recorder.cursor(commit=False) as cursor:
        case_id, reference = cursor.execute(
            "SELECT case_id, reference FROM {schema}.case_notices WHERE notice_id = %s", (factory_row_id,)
        ).fetchone()
    notice_sql(
        world,
        "UPDATE {schema}.case_notices SET case_id = %s, reference = %s WHERE notice_id = %s",
        (case_id, reference, row),
    )

    assert_refused(deliver_notices, world, Outgoing())
    assert_verify_names(world, row)


def test_a_notice_row_given_another_cases_reference_refuses_the_outbox(world, notified, member):
    """Only the reference changed (the outbox files its access-log entry under it): the row no longer
    agrees with its case."""
    row = notified[("quarry", member)]
    with world.cases.recorder.cursor(commit=False) as cursor:
        (reference,) = cursor.execute(
            "SELECT reference FROM {schema}.case_notices WHERE notice_id = %s", (notified[("factory", OTHER)],)
        ).fetchone()
    notice_sql(world, "UPDATE {schema}.case_notices SET reference = %s WHERE notice_id = %s", (reference, row))

    assert_refused(deliver_notices, world, Outgoing())
    assert_verify_names(world, row)


def test_a_notice_row_given_another_notice_id_refuses_the_outbox(world, notified, member):
    """The notice id (the outbox's record of what was mailed) made to name another case: the notice
    would be mailed again as new. The row no longer names its own case."""
    row, other = notified[("quarry", member)], notified[("factory", OTHER)]
    forged = f"{other.partition(':')[0]}:{row.partition(':')[2]}"
    notice_sql(world, "UPDATE {schema}.case_notices SET notice_id = %s WHERE notice_id = %s", (forged, row))

    assert_refused(deliver_notices, world, Outgoing())
    assert_verify_names(world, row, forged)


def test_a_tampered_inbox_answers_503_integrity_failure_and_is_in_the_access_log(world, notified, member):
    registry = world.registry
    registry.create_account("other.user", Role.COMPANY, OTHER, "other", "not-used-here", None)
    other_tag = world.grievance.recipient_tag(registry.organisation(OTHER).id)
    notice_sql(
        world,
        "UPDATE {schema}.case_notices SET recipient_tag = %s WHERE notice_id = %s",
        (other_tag, notified[("quarry", member)]),
    )

    with TestClient(create_app(world), raise_server_exceptions=False) as client:
        sessions = client.app.state.authenticator._sessions  # noqa: SLF001
        client.headers["Authorization"] = f"Bearer {sessions.issue('other.user', dt.timedelta(hours=1))}"
        response = client.get("/api/v1/grievances/notices")

    assert response.status_code == 503, response.text
    assert response.json()["code"] == "integrity_failure"
    for confidential in (member, "Mahadev", "Kota", "Laizhou", "quarry"):
        assert confidential not in response.text
    assert [entry.actor for entry in integrity_entries(world)] == ["other.user"]


# --- the grievance event store: a CompanyNotified event re-addressed -----------------------------------


def _rewrite_grievance_event(services, topic_like: str, change) -> None:
    """UPDATE a grievance event's stored state, the append-only trigger dropped first."""
    if services.settings.backend == "sqlite":
        path = services.settings.application_env(services.grievance.name)["SQLITE_DBNAME"]
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            originator, version, state = connection.execute(
                "SELECT originator_id, originator_version, state FROM stored_events WHERE topic LIKE ?"
                " ORDER BY rowid LIMIT 1",
                (topic_like,),
            ).fetchone()
            new_state = change(json.loads(bytes(state)))
            connection.execute("DROP TRIGGER IF EXISTS stored_events_no_update")
            connection.execute(
                "UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = ?",
                (json.dumps(new_state).encode(), originator, version),
            )
        finally:
            connection.close()
        return
    with services.sql.transaction() as cursor:
        originator, version, state = cursor.execute(
            "SELECT originator_id, originator_version, state FROM {schema}.grievance_events WHERE topic LIKE %s"
            " ORDER BY notification_id LIMIT 1",
            (topic_like,),
        ).fetchone()
        new_state = change(json.loads(bytes(state)))
        cursor.execute("ALTER TABLE {schema}.grievance_events DISABLE TRIGGER grievance_events_no_update")
        cursor.execute(
            "UPDATE {schema}.grievance_events SET state = %s WHERE originator_id = %s AND originator_version = %s",
            (json.dumps(new_state).encode(), originator, version),
        )


def test_a_notice_event_re_addressed_to_another_company_refuses_its_read_of_the_case(world, notified, member):
    """The first CompanyNotified event (the quarry case's, to ``member``) given OTHER's tag: OTHER would
    read the quarry case and ``member``'s notice as its own."""
    other_tag = world.grievance.recipient_tag(world.registry.organisation(OTHER).id)

    def readdress(state: dict) -> dict:
        state["recipient_tag"] = other_tag
        return state

    _rewrite_grievance_event(world, "%CompanyNotified", readdress)
    world.case_projections.rebuild()
    quarry_case = next(
        reference
        for reference in world.grievance.references()
        if world.grievance.case(reference).notice_for(other_tag) is not None
        and len(world.grievance.case(reference).notices) == 1
    )

    assert_refused(world.grievance_cases.read_case, company(world, OTHER), quarry_case, "req-case")
    assert integrity_entries(world)
    result = verify(world)
    assert result.exit_code == 1
    assert "grievance events row" in result.stderr


def test_a_flipped_byte_in_a_notice_event_is_named_in_the_event_store_and_in_the_view(world, notified, member):
    def flip_notice(state: dict) -> dict:
        state["notice"]["_data_"] = flip(state["notice"]["_data_"])
        return state

    _rewrite_grievance_event(world, "%CompanyNotified", flip_notice)
    world.case_projections.rebuild()

    assert_refused(notices_for, world, company(world, member), "req-inbox")
    result = verify(world)
    assert result.exit_code == 1
    assert "grievance events row" in result.stderr
    assert f"case_notices row {notified[('quarry', member)]}: its notice does not open as this row's" in result.stderr


# --- a clean store -----------------------------------------------------------------------------------------


def test_clean_notices_open_in_each_inbox_and_verify_with_exit_0(world, notified, member):
    mine = notices_for(world, company(world, member), "req-1")
    theirs = notices_for(world, company(world, OTHER), "req-2")
    assert sorted(notice["company"] for notice in mine) == [member, member]
    assert [notice["company"] for notice in theirs] == [OTHER]
    report = deliver_notices(world, Outgoing())
    assert (report.sent + report.no_address, report.unreadable, report.failed) == (3, 0, 0)
    result = verify(world)
    assert result.exit_code == 0, result.stderr
    assert "3 case notice row(s) match their source" in result.stdout
    assert integrity_entries(world) == []
