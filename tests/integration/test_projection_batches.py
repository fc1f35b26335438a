"""Projections applied in batches (issue 12 item 2): one transaction per batch with its tracking record
at its end, the position scanned tracked past other topics' events, readers that wait for a
notification id, and a rebuild that is safe while another runner follows the same views."""

from __future__ import annotations

import threading

import pytest

from registry.domain.sites import ProductionSite
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from tests.integration.test_aggregated_list import LAIZHOU, TODAY, release, second_member, use_counts  # noqa: F401
from trustone.bootstrap import bootstrap


class Crash(Exception):
    pass


def rows(services) -> dict[str, list]:
    """Every row of every registry view, as stored."""
    out = {}
    for name, recorder in services.projections.recorders.items():
        with recorder.cursor(commit=False) as cursor:
            for table in recorder.view.tables:
                out[f"{name}.{table}"] = sorted(
                    tuple(row) for row in cursor.execute(f"SELECT * FROM {{schema}}.{table}").fetchall()
                )
    return out


def position(services, name: str) -> int:
    return services.projections.recorders[name].max_tracking_id(services.registry.name) or 0


def reported(services, member, second_member) -> None:
    for year, ref, lines in (
        (2024, member, [quarry_row(), factory_row()]),
        (2024, second_member, [factory_row()]),
        (2025, member, [factory_row()]),
        (2025, second_member, [factory_row(**LAIZHOU)]),
    ):
        services.registry.import_report(ref, year, csv_bytes(lines), f"{ref}{year}.csv", submitted_on=TODAY)
    release(services, 2024, 2025, catch_up=False)


def test_an_error_in_the_middle_of_a_batch_keeps_none_of_it_and_the_next_run_applies_it_once(
    services, member, second_member, monkeypatch
):
    reported(services, member, second_member)
    view = services.projections.recorders["aggregated_list"].view
    healthy_apply, applied = view.apply, []

    def apply_then_die(cursor, event):
        applied.append(event)
        healthy_apply(cursor, event)  # this event's rows are written ...
        if len(applied) == 7:
            raise Crash  # ... and the process dies before the batch is done

    monkeypatch.setattr(view, "apply", apply_then_die)
    with pytest.raises(Crash):
        services.projections.catch_up()
    assert position(services, "aggregated_list") == 0  # the batch was one transaction: nothing of it kept
    assert rows(services)["aggregated_list.agg_reports"] == []
    assert rows(services)["aggregated_list.agg_sites"] == []
    monkeypatch.setattr(view, "apply", healthy_apply)
    services.projections.catch_up()  # the restart applies the whole batch, once
    resumed, resumed_counts = rows(services), use_counts(services)
    services.projections.rebuild()
    assert rows(services) == resumed and use_counts(services) == resumed_counts
    assert resumed_counts  # the releases were cut


def test_a_crash_between_batches_keeps_the_batches_before_it(services, member, second_member, monkeypatch):
    reported(services, member, second_member)
    recorder = services.projections.recorders["aggregated_list"]
    healthy_track, tracked = recorder._insert_tracking, []  # noqa: SLF001

    def track_then_die(raw, tracking):
        tracked.append(tracking.notification_id)
        if len(tracked) == 3:
            raise Crash  # the third batch's rows are written, its tracking is not
        healthy_track(raw, tracking)

    monkeypatch.setattr(recorder, "_insert_tracking", track_then_die)
    services.projections.batch = 4
    with pytest.raises(Crash):
        services.projections.catch_up()
    assert position(services, "aggregated_list") == tracked[1]  # two batches kept, the third not
    monkeypatch.setattr(recorder, "_insert_tracking", healthy_track)
    services.projections.catch_up()
    resumed = rows(services)
    services.projections.rebuild()
    assert rows(services) == resumed


def test_every_view_tracks_the_position_it_scanned_past_events_of_other_topics(services, member):
    services.registry.import_report(member, 2024, csv_bytes([factory_row()]), "a.csv", submitted_on=TODAY)
    services.registry.set_contact_email(member, "inkoop@steenhouwer.example")  # a topic no view reads
    services.catch_up()
    last = services.registry.recorder.max_notification_id()
    assert {name: position(services, name) for name in services.projections.recorders} == {
        "aggregated_list": last,
        "linked_list": last,
        "member_listing": last,
    }


def test_a_reader_without_a_runner_waits_by_catching_up_itself(services, member):
    services.registry.import_report(member, 2024, csv_bytes([factory_row()]), "a.csv", submitted_on=TODAY)
    services.projections.wait(["linked_list"])
    assert position(services, "linked_list") == services.registry.recorder.max_notification_id()
    assert position(services, "aggregated_list") == 0  # only the views it waited for


def test_a_reader_waits_for_the_background_runner_and_sees_the_write_before_it(services, member):
    services.projections.start(interval=60)  # only a waiting reader wakes it
    try:
        services.registry.import_report(member, 2024, csv_bytes([factory_row()]), "a.csv", submitted_on=TODAY)
        services.projections.wait(["linked_list"], timeout=30)
        assert position(services, "linked_list") >= services.registry.recorder.max_notification_id()
        assert services.linked_list.sealed_reports(2024)[1]  # the report written before the wait
    finally:
        services.projections.stop()


def test_a_rebuild_while_another_runner_follows_the_same_views_collides_with_nothing(
    settings, services, member, second_member
):
    """``trustone projections rebuild`` (``rebuilder``) while a server (``services``) follows: the
    server's runner waits for the rebuild, then applies what came after it, once; its reads keep
    answering meanwhile."""
    reported(services, member, second_member)
    services.catch_up()
    served_before = services.aggregated_list.sites(year=2024)
    rebuilder = bootstrap(settings)
    rebuilder.projections.batch = 2  # so that it also scans what the server writes meanwhile
    paused, go, errors = threading.Event(), threading.Event(), []
    view = rebuilder.projections.recorders["aggregated_list"].view
    healthy_apply = view.apply

    def apply_and_pause(cursor, event):
        healthy_apply(cursor, event)
        if not paused.is_set():
            paused.set()  # the rebuild is under way and holds its transactions open
            go.wait(30)

    view.apply = apply_and_pause

    def run(action):
        try:
            action()
        except Exception as error:  # noqa: BLE001  # reported by the assertion below
            errors.append(error)

    rebuild = threading.Thread(target=run, args=(rebuilder.projections.rebuild,))
    rebuild.start()
    try:
        assert paused.wait(30)
        assert services.aggregated_list.sites(year=2024) == served_before  # reads answer meanwhile
        # a new report year: rows the rebuild inserts too (it scans to the end of the log)
        services.registry.import_report(
            member, 2026, csv_bytes([quarry_row(), factory_row(**LAIZHOU)]), "d.csv", submitted_on=TODAY
        )
        services.registry.import_report(second_member, 2026, csv_bytes([factory_row()]), "e.csv", submitted_on=TODAY)
        release(services, 2026, catch_up=False)
        follow = threading.Thread(target=run, args=(services.projections.catch_up,))
        follow.start()
        follow.join(0.5)
        go.set()
        rebuild.join(60)
        follow.join(60)
    finally:
        go.set()
        rebuild.join(60)
        view.apply = healthy_apply
        rebuilder.close()
    assert errors == []
    services.catch_up()
    followed, followed_counts = rows(services), use_counts(services)
    assert "Laizhou Granite Works" in [site.name for site in services.aggregated_list.sites(year=2026)[1]]
    services.projections.rebuild()
    assert rows(services) == followed and use_counts(services) == followed_counts  # nothing applied twice or missed


def test_the_member_listing_reads_site_names_from_its_own_tables_not_from_site_aggregates(services, member):
    from decimal import Decimal

    from tests.integration.report_files import xlsx_bytes
    from tests.integration.test_member_listing import PLAN
    from tests.site_intake import register_waiting_sites

    registry = services.registry
    registry.import_report(
        member, 2024, xlsx_bytes([quarry_row(), factory_row()], action_plan=PLAN), "r.xlsx", submitted_on=TODAY
    )
    register_waiting_sites(services)
    registry.import_report(
        member,
        2024,
        xlsx_bytes([quarry_row(), factory_row(product="tiles")], action_plan=PLAN),
        "r2.xlsx",
        submitted_on=TODAY,
    )  # a second version, naming registered sites
    registry.assess_report(member, 2024, Decimal(65), assessed_on=TODAY, assessed_by="s")
    from tests.principals import secretariat

    links = registry.read_report(secretariat(), member, 2024).links
    site_aggregates = {ProductionSite.create_id(link.site_id) for link in links if link.site_id}
    assert site_aggregates
    loaded, healthy_get = [], registry.repository.get

    def get(aggregate_id, *args, **kwargs):
        loaded.append(aggregate_id)
        return healthy_get(aggregate_id, *args, **kwargs)

    registry.repository.get = get
    try:
        services.projections.rebuild(["member_listing", "linked_list"])
    finally:
        registry.repository.get = healthy_get
    assert not site_aggregates & set(loaded)
    plan = next(m for m in services.member_listing.members() if m["ref"] == member)["action_plan"]
    assert plan["items"][0]["risk"] == "Child labour at [supplier]"
