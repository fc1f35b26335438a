"""The eventsourcing library's own recorder test cases, run against every recorder of ours.

``eventsourcing.tests.persistence`` ships the cases the library runs against its SQLite and
PostgreSQL recorders (each with a ``create_recorder`` that returns a fresh recorder). Here each
library test method becomes one pytest test per store (the ``settings`` fixture: a fresh SQLite
directory, or a fresh PostgreSQL schema dropped afterwards), and ``create_recorder`` hands the case a
recorder built the way ``trustone.bootstrap`` builds it, so the cases follow the composition root
whatever it changes:

- the application stores (registry, grievance) with the append-only triggers of keys/storage/append_only.py:
  ``ApplicationRecorderTestCase`` and ``NonInterleavingNotificationIDsBaseCase``; their snapshot
  stores (also protected), when snapshotting is on: ``AggregateRecorderTestCase``. The library's
  cases expect an empty store, and bootstrap may write (a migration event), so each case gets a
  twin of the application's recorder: the same class on the same datastore (same pool, same
  pragmas), a table of its own, protected by the same triggers;
- every projection view recorder of every runner (projections/runner.py ``view_recorder``, with any
  batching it does): ``TrackingRecorderTestCase``, and ``ProcessRecorderTestCase`` for any that is a
  process recorder.

A case that cannot apply is replaced by a test that says why in one line and asserts what our
recorder does instead; none is skipped.
"""

from __future__ import annotations

import unittest
import uuid
from collections.abc import Callable, Iterator

import pytest
from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    ProcessRecorder,
    StoredEvent,
    TrackingRecorder,
)
from eventsourcing.tests.persistence import (
    AggregateRecorderTestCase,
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
    ProcessRecorderTestCase,
    TrackingRecorderTestCase,
)

from keys.storage.append_only import protect_sqlite_file, protect_tables
from trustone.bootstrap import Services

APPLICATIONS = ("registry", "grievance")


def case_methods(case_class: type[unittest.TestCase]) -> list[str]:
    return list(unittest.TestLoader().getTestCaseNames(case_class))


def run_library_case(case_class: type[unittest.TestCase], method: str, create_recorder: Callable[[], object]) -> None:
    """Run one library test method with our recorder; fail with the library's own traceback.

    A skip, an error, a failure or an unexpected success all fail here: a case either applies and
    passes, or it is replaced (below) by a test that asserts our refusal.
    """
    case_type = type(case_class.__name__, (case_class,), {"create_recorder": lambda self: create_recorder()})
    result = unittest.TestResult()
    case_type(method).run(result)
    problems = [text for _, text in result.errors + result.failures]
    problems += [f"skipped: {reason}" for _, reason in result.skipped]
    problems += ["unexpected success" for _ in result.unexpectedSuccesses]
    assert result.testsRun == 1 and not problems, "\n".join(problems)


def application(services: Services, name: str):
    return {"registry": services.registry, "grievance": services.grievance}[name]


def protected_twin(services: Services, recorder, table: str):
    """A fresh, empty table behind a recorder of the application's own class and datastore, with the
    append-only triggers installed as ``keys.storage.append_only.protect_event_tables`` installs them."""
    twin = type(recorder)(recorder.datastore, events_table_name=table)
    twin.create_table()
    if services.settings.backend == "sqlite":
        protect_sqlite_file(recorder.datastore.pool.db_name, [table])
    else:
        protect_tables(services.sql, [table])
    return twin


def _qualified(services: Services, recorder, table: str) -> str:
    return f"{recorder.datastore.schema}.{table}" if services.settings.backend == "postgres" else table


def assert_append_only(services: Services, recorder, table: str) -> None:
    """An UPDATE or DELETE of the table's rows is refused by the database, and nothing changes."""
    before = (
        recorder.select_notifications(start=None, limit=1000) if hasattr(recorder, "select_notifications") else None
    )
    for statement in (
        f"UPDATE {_qualified(services, recorder, table)} SET topic = 'rewritten'",
        f"DELETE FROM {_qualified(services, recorder, table)}",
    ):
        with (
            pytest.raises(Exception, match="append-only"),
            recorder.datastore.transaction(commit=True) as cursor,
        ):
            cursor.execute(statement)
    if before is not None:
        assert recorder.select_notifications(start=None, limit=1000) == before


def view_recorders(services: Services) -> list[TrackingRecorder]:
    """Every projection recorder bootstrap built, each a library tracking recorder."""
    recorders = [recorder for runner in services.runners for recorder in runner.recorders.values()]
    assert len(recorders) >= 4, "the aggregated list, linked list, member listing and case views at least"
    for recorder in recorders:
        assert isinstance(recorder, TrackingRecorder), type(recorder).__mro__
    return recorders


def one_at_a_time(recorders: list) -> Callable[[], object]:
    """``create_recorder`` for a case that is run once per recorder: each call gives the next one."""
    queue: Iterator = iter(recorders)
    return lambda: next(queue)


# --- the application stores, append-only ---------------------------------------------------------


@pytest.mark.parametrize("name", APPLICATIONS)
@pytest.mark.parametrize("method", case_methods(ApplicationRecorderTestCase))
def test_application_recorder_case(services, name, method):
    recorder = protected_twin(services, application(services, name).recorder, "libcase_events")
    assert isinstance(recorder, ApplicationRecorder)
    run_library_case(ApplicationRecorderTestCase, method, lambda: recorder)


@pytest.mark.parametrize("name", APPLICATIONS)
def test_non_interleaving_notification_ids_case(services, name):
    recorder = protected_twin(services, application(services, name).recorder, "libcase_events")
    run_library_case(NonInterleavingNotificationIDsBaseCase, "test", lambda: recorder)


@pytest.mark.parametrize("name", APPLICATIONS)
def test_insert_subscribe_case(services, name):
    """The library runs ``optional_test_insert_subscribe`` against its PostgreSQL recorder only:
    its SQLite recorder cannot subscribe (the projection runner polls instead), and says so."""
    recorder = protected_twin(services, application(services, name).recorder, "libcase_events")
    if services.settings.backend == "postgres":
        run_library_case(ApplicationRecorderTestCase, "optional_test_insert_subscribe", lambda: recorder)
        return
    with pytest.raises(NotImplementedError):
        recorder.subscribe(gt=None)


@pytest.mark.parametrize("name", APPLICATIONS)
@pytest.mark.parametrize("method", case_methods(AggregateRecorderTestCase))
def test_snapshot_recorder_case(services, name, method):
    """The snapshot store, protected like the events; without snapshotting there is none to test,
    and then the application must say so (``snapshots`` is None), not hide one elsewhere."""
    app = application(services, name)
    if app.snapshots is None:
        assert not getattr(app, "snapshotting_intervals", None)
        return
    recorder = protected_twin(services, app.snapshots.recorder, "libcase_snapshots")
    assert isinstance(recorder, AggregateRecorder)
    run_library_case(AggregateRecorderTestCase, method, lambda: recorder)


@pytest.mark.parametrize("name", APPLICATIONS)
def test_the_recorders_under_test_are_append_only_like_the_applications(services, name):
    """The twins the cases ran against refuse an UPDATE or DELETE, as the application's own event
    and snapshot tables do (keys/storage/append_only.py), through the same datastore."""
    app = application(services, name)
    recorders = [(app.recorder, "libcase_events")]
    if app.snapshots is not None:
        recorders.append((app.snapshots.recorder, "libcase_snapshots"))
    for recorder, twin_table in recorders:
        twin = protected_twin(services, recorder, twin_table)
        assert type(twin) is type(recorder) and twin.datastore is recorder.datastore
        for target, table in ((twin, twin_table), (recorder, recorder.events_table_name)):
            # a row to refuse (SQLite's triggers fire per row)
            target.insert_events(
                [StoredEvent(originator_id=uuid.uuid4(), originator_version=1, topic="topic1", state=b"state1")]
            )
            assert_append_only(services, target, table)


# --- the projection views --------------------------------------------------------------------------


@pytest.mark.parametrize("method", case_methods(TrackingRecorderTestCase))
def test_view_tracking_recorder_case(services, method):
    recorders = view_recorders(services)
    create = one_at_a_time(recorders)
    for _ in recorders:
        run_library_case(TrackingRecorderTestCase, method, create)


@pytest.mark.parametrize("method", case_methods(ProcessRecorderTestCase))
def test_view_process_recorder_case(services, method):
    """``ProcessRecorderTestCase`` applies to a recorder that also stores events (a process
    application's); a view stores rows, not events, so it applies to none that is not one."""
    recorders = view_recorders(services)
    processes = [recorder for recorder in recorders if isinstance(recorder, ProcessRecorder)]
    for recorder in recorders:
        if recorder not in processes:
            assert not hasattr(recorder, "insert_events"), type(recorder).__mro__
    create = one_at_a_time(processes)
    for _ in processes:
        run_library_case(ProcessRecorderTestCase, method, create)
