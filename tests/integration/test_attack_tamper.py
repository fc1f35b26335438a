"""Channel 5 (issue 11): tampering fails loudly. The attacker writes to the database, without the keys.

Each test acts as that attacker: plain SQL on the stored rows, the append-only trigger disabled the
way anyone with the owner's rights can. What must follow (docs/confidentiality.md, threat model):
an unopenable ciphertext that was not shredded, or a view row that no longer matches its source,
is an integrity failure: the read, the linked-list search and the matching of a case are refused
with IntegrityError (never "gone", never skipped), an access-log entry with the outcome
``integrity_failure`` is written, and ``trustone verify`` exits 1 naming the table and row.
A really shredded company still reads as gone and verifies clean.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import sqlite3
import uuid

import pytest
from typer.testing import CliRunner

from grievance.domain.filing import Filing, Reporter
from keys.access.filter import IntegrityError
from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.errors import GoneError
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from tests.principals import secretariat
from tests.site_intake import register_waiting_sites
from trustone.cli import cli

TODAY = dt.date(2025, 4, 1)
YEAR = 2024
OTHER = "graniet-import"
VERSION_SUBMITTED = "%SupplyChainReport.VersionSubmitted"
NGO = Principal("ngo.filer", Role.NGO, uuid.uuid4(), "arisa")
LAIZHOU_ROW = factory_row(
    chain="C2",
    name="Laizhou Granite Works",
    country="CN",
    province="Shandong",
    district="Laizhou",
    latitude="37.18",
    longitude="119.94",
    stone_type="granite",
)


@pytest.fixture
def world(services, member):
    """Two members reporting 2024: ``member`` alone buys from the quarry; both from the Kota factory."""
    registry = services.registry
    registry.register_organisation(OTHER, "Graniet Import NV", OrganisationKind.MEMBER_COMPANY, "BE")
    registry.join(OTHER, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.SMALL)
    registry.register_organisation("arisa", "Arisa", OrganisationKind.NGO_PARTY, "NL")
    registry.import_report(member, YEAR, csv_bytes([quarry_row(), factory_row()]), "a.csv", submitted_on=TODAY)
    registry.import_report(OTHER, YEAR, csv_bytes([factory_row(), LAIZHOU_ROW]), "b.csv", submitted_on=TODAY)
    register_waiting_sites(services)
    return services


def the_quarry(services) -> str:
    _, rows = services.linked_search.search(secretariat(), kind="quarry")
    return rows[0].site_id


def acknowledged_case(services, site_id: str) -> str:
    reference, _ = services.grievance.file(
        NGO,
        Filing(
            case_type="complaint",
            themes=["living_wage"],
            site_ids=[site_id],
            description="Piece rates fell below the state minimum wage this season.",
            reporter=Reporter("Quarry workers"),
        ),
    )
    services.grievance.advance(secretariat(), reference, "acknowledge", "received")
    return reference


# --- the attacker's SQL ---------------------------------------------------------------------------


def _events(services):
    """(connection or None, events table, placeholder) of the registry's event store. The notification
    id is SQLite's rowid there, PostgreSQL's notification_id column."""
    if services.settings.backend == "sqlite":
        path = services.settings.application_env(services.registry.name)["SQLITE_DBNAME"]
        return sqlite3.connect(path, isolation_level=None), "stored_events", "?"
    return None, "{schema}.registry_events", "%s"


def _run(services, statements: list[tuple[str, tuple]]) -> list:
    connection, table, mark = _events(services)
    out: list = []
    if connection is not None:
        try:
            for sql, params in statements:
                out.append(
                    connection.execute(sql.format(events=table, id="rowid").replace("%s", mark), params).fetchall()
                )
        finally:
            connection.close()
        return out
    with services.sql.transaction() as cursor:
        for sql, params in statements:
            cursor.execute(sql.format(events=table, id="notification_id"), params)
            out.append(cursor.fetchall() if sql.lstrip().startswith("SELECT") else [])
    return out


def version_row(services, company_ref: str) -> tuple[int, str, int, dict]:
    """(notification id, originator id, originator version, state) of the company's latest report event."""
    report_id = str(services.registry.report(company_ref, YEAR).id)
    key = report_id.replace("-", "") if services.settings.backend == "sqlite" else report_id
    rows = _run(
        services,
        [
            (
                (
                    "SELECT {id}, originator_id, originator_version, state FROM {events}"
                    " WHERE originator_id = %s AND topic LIKE %s ORDER BY originator_version DESC"
                ),
                (key, VERSION_SUBMITTED),
            )
        ],
    )[0]
    notification_id, originator_id, version, state = rows[0]
    return notification_id, originator_id, version, json.loads(bytes(state))


def rewrite_event(services, company_ref: str, change) -> int:
    """UPDATE the event's stored state as the attacker would: the append-only trigger disabled first."""
    notification_id, originator_id, version, state = version_row(services, company_ref)
    change(state)
    new_state = json.dumps(state, separators=(",", ":")).encode()
    if services.settings.backend == "sqlite":
        disable = ("DROP TRIGGER IF EXISTS stored_events_no_update", ())
    else:
        disable = ("ALTER TABLE {events} DISABLE TRIGGER registry_events_no_update", ())
    _run(
        services,
        [
            disable,
            (
                "UPDATE {events} SET state = %s WHERE originator_id = %s AND originator_version = %s",
                (new_state, originator_id, version),
            ),
        ],
    )
    return notification_id


def flip(data: str, at: int = -3) -> str:
    blob = bytearray(base64.b64decode(data))
    blob[at] ^= 0x01
    return base64.b64encode(bytes(blob)).decode()


def view_rows(services) -> dict[str, tuple]:
    """company ref -> (report_id, links, links_context) of the linked-list view, read with SQL."""
    with services.linked_list.recorder.cursor(commit=False) as cursor:
        rows = cursor.execute(
            "SELECT company, report_id, links, links_context FROM {schema}.linked_reports WHERE year = %s", (YEAR,)
        ).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def view_sql(services, sql: str, params: tuple) -> None:
    with services.linked_list.recorder.cursor(commit=True) as cursor:
        cursor.execute(sql, params)


# --- what must follow -------------------------------------------------------------------------------


def verify(services):
    env = {
        "TRUSTONE_DATA_DIR": str(services.settings.data_dir),
        "TRUSTONE_DATABASE_URL": services.settings.database_url,
    }
    return CliRunner().invoke(cli, ["verify"], env=env, catch_exceptions=False)


def integrity_entries(services) -> list:
    return [e for e in services.access_log.entries(limit=10_000) if str(e.outcome) == "integrity_failure"]


def assert_refused(call, *args, **kwargs) -> IntegrityError:
    with pytest.raises(IntegrityError) as raised:
        call(*args, **kwargs)
    message = str(raised.value)
    assert "integrity failure" in message
    for confidential in ("de-steenhouwer", OTHER, "Mahadev", "Kota", "Laizhou", "4321.77"):
        assert confidential not in message
    return raised.value


def assert_names_no_value(output: str, services) -> None:
    for confidential in (
        "de-steenhouwer",
        OTHER,
        "Mahadev",
        "Kota",
        "Laizhou",
        "4321.77",
        "98765.4",
        *[site for site in services.aggregated_list.catalogue()],
    ):
        assert confidential not in output


def read_as_projection(services, company_ref: str) -> None:
    """What the list projections do with a report event: read its sites and its action plan through
    the filter (projections/readers.py). Today a broken row there reads as shredded and is skipped."""
    from projections.readers import report_plan_reader, report_site_reader

    report = services.registry.report(company_ref, YEAR)
    event = next(
        event
        for event in services.registry.repository.event_store.get(report.id)
        if type(event).__name__ == "VersionSubmitted"
    )
    assert report_site_reader(services.registry, services.vault, "aggregated_list")(event) is not None
    assert (
        report_plan_reader(services.registry, services.vault, "member_listing")(
            event, lambda site_id: f"registered site {site_id}"
        )
        is not None
    )  # the view's catalogue, stood in for


def assert_match_refused_and_case_untouched(services, reference: str, site_id: str) -> None:
    assert_refused(
        services.grievance.match,
        secretariat(),
        reference,
        [site_id],
        [YEAR],
        "site confirmed",
        buyers=services.linked_search.grievance_buyers,
    )
    assert services.grievance_cases.read_case(secretariat(), reference)["stage"] == "acknowledged"


# --- (1) a flipped byte ----------------------------------------------------------------------------


def test_a_flipped_byte_in_a_report_event_refuses_the_read_the_rebuild_the_search_and_the_match(world, member):
    quarry = the_quarry(world)
    reference = acknowledged_case(world, quarry)
    row_id = rewrite_event(world, member, lambda state: state["links"].update(_data_=flip(state["links"]["_data_"])))

    assert_refused(world.registry.read_report, secretariat(), member, YEAR, purpose="test")
    assert_refused(read_as_projection, world, member)  # a projection (re)building over it fails loudly
    world.projections.rebuild()  # the linked list copies the event's ciphertext as it is, unopened
    assert_refused(world.linked_search.search, secretariat())
    assert_match_refused_and_case_untouched(world, reference, quarry)

    recorded = integrity_entries(world)
    assert {"read_report", "read_linked_list"} <= {entry.action for entry in recorded}
    result = verify(world)
    assert result.exit_code == 1
    assert f"registry events row {row_id} field links" in result.stderr
    assert_names_no_value(result.stdout + result.stderr, world)


def test_a_flipped_byte_in_a_linked_list_row_refuses_the_search_and_the_match(world, member):
    quarry = the_quarry(world)
    reference = acknowledged_case(world, quarry)
    report_id, links, _ = view_rows(world)[member]
    view_sql(world, "UPDATE {schema}.linked_reports SET links = %s WHERE report_id = %s", (flip(links), report_id))

    assert_refused(world.linked_search.search, secretariat())
    assert_match_refused_and_case_untouched(world, reference, quarry)
    assert {entry.action for entry in integrity_entries(world)} == {"read_linked_list"}
    result = verify(world)
    assert result.exit_code == 1
    assert f"linked_reports row {report_id}" in result.stderr
    assert_names_no_value(result.stdout + result.stderr, world)


# --- (2) a sealed field copied from another report ---------------------------------------------------


def test_links_copied_from_another_companys_report_event_are_an_integrity_failure_not_gone(world, member):
    other_links = version_row(world, OTHER)[3]["links"]["_data_"]
    row_id = rewrite_event(world, member, lambda state: state["links"].update(_data_=other_links))

    assert_refused(world.registry.read_report, secretariat(), member, YEAR, purpose="test")
    assert_refused(read_as_projection, world, member)
    world.projections.rebuild()
    assert_refused(world.linked_search.search, secretariat())
    assert integrity_entries(world)
    result = verify(world)
    assert result.exit_code == 1
    assert f"registry events row {row_id} field links" in result.stderr


def test_a_linked_list_row_given_another_reports_links_refuses_the_search_instead_of_naming_the_wrong_company(
    world, member
):
    quarry = the_quarry(world)
    reference = acknowledged_case(world, quarry)
    rows = view_rows(world)
    report_id = rows[OTHER][0]
    _, links, context = rows[member]  # the quarry buyer's links, moved under the other company's row
    view_sql(
        world,
        "UPDATE {schema}.linked_reports SET links = %s, links_context = %s WHERE report_id = %s",
        (links, context, report_id),
    )

    assert_refused(world.linked_search.search, secretariat())
    assert_match_refused_and_case_untouched(world, reference, quarry)
    result = verify(world)
    assert result.exit_code == 1
    assert f"linked_reports row {report_id}" in result.stderr


# --- (3) company columns swapped -------------------------------------------------------------------


def test_swapped_company_columns_of_two_linked_list_rows_refuse_the_search_and_the_match(world, member):
    quarry = the_quarry(world)
    reference = acknowledged_case(world, quarry)
    rows = view_rows(world)
    mine, theirs = rows[member][0], rows[OTHER][0]
    view_sql(
        world,
        "UPDATE {schema}.linked_reports SET company = CASE WHEN report_id = %s THEN %s ELSE %s END"
        " WHERE report_id IN (%s, %s)",
        (mine, OTHER, member, mine, theirs),
    )

    assert_refused(world.linked_search.search, secretariat())
    assert_match_refused_and_case_untouched(world, reference, quarry)
    assert integrity_entries(world)
    result = verify(world)
    assert result.exit_code == 1
    assert f"linked_reports row {mine}" in result.stderr and f"linked_reports row {theirs}" in result.stderr
    assert_names_no_value(result.stdout + result.stderr, world)


def test_a_linked_list_row_moved_to_another_year_refuses_the_search(world, member):
    report_id = view_rows(world)[member][0]
    view_sql(world, "UPDATE {schema}.linked_reports SET year = %s WHERE report_id = %s", (YEAR - 1, report_id))

    assert_refused(world.linked_search.search, secretariat(), year=YEAR - 1)
    assert verify(world).exit_code == 1


# --- (4) shredding is not tampering, and tampering cannot pass for shredding -------------------------


def test_a_shredded_company_still_reads_as_gone_and_verifies_clean(world, member):
    world.shredding.shred(member, secretariat())

    with pytest.raises(GoneError):
        world.registry.read_report(secretariat(), member, YEAR, purpose="test")
    _, rows = world.linked_search.search(secretariat())
    assert {row.company for row in rows} == {OTHER}
    assert integrity_entries(world) == []
    result = verify(world)
    assert result.exit_code == 0, result.stderr
    assert "shredded" in result.stdout


def test_a_shredded_companys_ciphertext_copied_into_another_report_is_an_integrity_failure(world, member):
    shredded_links = version_row(world, member)[3]["links"]["_data_"]
    world.shredding.shred(member, secretariat())
    row_id = rewrite_event(world, OTHER, lambda state: state["links"].update(_data_=shredded_links))

    assert_refused(world.registry.read_report, secretariat(), OTHER, YEAR, purpose="test")
    result = verify(world)
    assert result.exit_code == 1
    assert f"registry events row {row_id} field links" in result.stderr


# --- (5) a clean store -------------------------------------------------------------------------------


def test_a_clean_store_with_a_matched_case_verifies_with_exit_0(world, member):
    quarry = the_quarry(world)
    reference = acknowledged_case(world, quarry)
    assert (
        world.grievance.match(
            secretariat(), reference, [quarry], [YEAR], "site confirmed", buyers=world.linked_search.grievance_buyers
        )["companies_found"]
        == 1
    )

    result = verify(world)
    assert result.exit_code == 0, result.stderr
    assert "linked-list row(s) match their source" in result.stdout
    assert integrity_entries(world) == []
