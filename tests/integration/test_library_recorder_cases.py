"""The eventsourcing library's own recorder test cases, run against every recorder of ours.

``eventsourcing.tests.persistence`` ships the cases the library runs against its SQLite and
PostgreSQL recorders (each with a ``create_recorder`` that returns a fresh recorder). Here each
library test method becomes one pytest test per store (the ``settings`` fixture: a fresh SQLite
directory, or a fresh PostgreSQL schema dropped afterwards), and ``create_recorder`` hands the case a
recorder built the way ``trustone.bootstrap`` builds it, so the cases follow the composition root
whatever it changes:

- the application stores (registry, grievance) with the append-only triggers of keys/append_only.py:
  ``ApplicationRecorderTestCase`` and ``NonInterleavingNotificationIDsBaseCase``; their snapshot
  stores (also protected), when snapshotting is on: ``AggregateRecorderTestCase``;
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

try:
    from eventsourcing.tests.persistence import (
        AggregateRecorderTestCase,
        ApplicationRecorderTestCase,
        NonInterleavingNotificationIDsBaseCase,
        ProcessRecorderTestCase,
        TrackingRecorderTestCase,
    )
except ModuleNotFoundError as missing:  # the library's test module imports its AES cipher at import time
    raise ImportError(f"{missing}: the library's recorder test cases need pycryptodome "
                      "(eventsourcing's 'crypto' extra) in the test dependencies") from missing

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
    recorder = application(services, name).recorder
    assert isinstance(recorder, ApplicationRecorder)
    run_library_case(ApplicationRecorderTestCase, method, lambda: recorder)


@pytest.mark.parametrize("name", APPLICATIONS)
def test_non_interleaving_notification_ids_case(services, name):
    recorder = application(services, name).recorder
    run_library_case(NonInterleavingNotificationIDsBaseCase, "test", lambda: recorder)


@pytest.mark.parametrize("name", APPLICATIONS)
def test_insert_subscribe_case(services, name):
    """The library runs ``optional_test_insert_subscribe`` against its PostgreSQL recorder only:
    its SQLite recorder cannot subscribe (the projection runner polls instead), and says so."""
    recorder = application(services, name).recorder
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
    recorder = app.snapshots.recorder
    assert isinstance(recorder, AggregateRecorder)
    run_library_case(AggregateRecorderTestCase, method, lambda: recorder)


@pytest.mark.parametrize("name", APPLICATIONS)
def test_the_recorders_under_test_are_the_append_only_ones(services, name):
    """The cases above ran against the protected tables: an UPDATE or DELETE of what the library
    just inserted is refused by the database (keys/append_only.py), through the same datastore."""
    recorder = application(services, name).recorder
    recorder.insert_events([StoredEvent(originator_id=uuid.uuid4(), originator_version=1,
                                        topic="topic1", state=b"state1")])
    table = recorder.events_table_name
    if services.settings.backend == "postgres":
        table = f"{recorder.datastore.schema}.{table}"
    for statement in (f"UPDATE {table} SET topic = 'rewritten'", f"DELETE FROM {table}"):
        with pytest.raises(Exception, match="append-only"):
            with recorder.datastore.transaction(commit=True) as cursor:
                cursor.execute(statement)
    assert [n.topic for n in recorder.select_notifications(start=None, limit=10)] == ["topic1"]


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
