"""Exactly-once projections on the library's tracking recorders, for SQLite and PostgreSQL.

Each view is a subclass of the library's ``SQLiteTrackingRecorder`` or ``PostgresTrackingRecorder``
(chosen by the store), so its rows and its tracking record are written in one transaction: an event
is applied exactly once, crash or no crash (the library's single-row tracking refuses a position
that does not advance). There is one code path for applying events; only finding new ones varies,
and for now both stores poll the notification log (``select_notifications`` from the tracked
position), because the SQLite recorder cannot ``subscribe()``.

View SQL is written once with ``%s`` placeholders and ``{schema}.`` prefixes (keys/sql.py's Cursor).
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any, ClassVar

from eventsourcing.application import Application
from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.persistence import IntegrityError as TrackingConflict
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from eventsourcing.utils import Environment

from keys.filter import IntegrityError
from keys.sql import Cursor
from trustone.settings import Settings

log = logging.getLogger("trustone.projections")


class View(ABC):
    """What a list needs: its tables, how an event changes them, how to empty them."""

    name: ClassVar[str]
    topics: ClassVar[tuple[str, ...]]  # full event topics this view reads
    tables: ClassVar[tuple[str, ...]]

    @abstractmethod
    def create_tables(self, cursor: Cursor) -> None: ...

    @abstractmethod
    def apply(self, cursor: Cursor, event: Any) -> None: ...

    def clear(self, cursor: Cursor) -> None:
        for table in self.tables:
            cursor.execute(f"DELETE FROM {{schema}}.{table}")


class RebuildIntegrityError(IntegrityError):
    """A rebuild stopped at an event whose sealed value does not verify. Names the view and the
    event's position in its application's notification log (as ``trustone verify`` does), never a
    value; the view was left as it was."""

    def __init__(self, view: str, application: str, position: int, where: str):
        super().__init__(where)
        self.view, self.application, self.position = view, application, position


class _AlreadyApplied(Exception):
    """The tracking record for this position exists: roll the attempt back and move on."""


class _ViewRecorderMixin:
    """Adds the view's tables and one-transaction apply-and-track to a library tracking recorder."""

    view: View
    _dialect: ClassVar[str]

    def create_table(self) -> None:
        super().create_table()  # type: ignore[misc]  # the library's tracking table
        with self.cursor(commit=True) as cursor:
            self.view.create_tables(cursor)

    @contextmanager
    def cursor(self, commit: bool) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=commit) as raw:  # type: ignore[attr-defined]
            yield self._wrap(raw)

    def process(self, event: Any, tracking: Tracking) -> bool:
        """Apply and track in one transaction; False when this position was already applied.

        Only a conflict on the tracking record itself means "already applied" (another runner got
        there first, and nothing of this attempt is kept); any other error propagates.
        """
        try:
            with self.datastore.transaction(commit=True) as raw:  # type: ignore[attr-defined]
                position = self._max_tracking_id(tracking.application_name, raw) or 0  # type: ignore[attr-defined]
                if tracking.notification_id <= position:
                    return False
                self.view.apply(self._wrap(raw), event)
                try:
                    self._insert_tracking(raw, tracking)  # type: ignore[attr-defined]
                except TrackingConflict as conflict:
                    raise _AlreadyApplied from conflict
        except _AlreadyApplied:
            return False
        return True

    def forget(self, application_name: str) -> None:
        """Empty the view and its position, in one transaction (a rebuild starts from here)."""
        with self.datastore.transaction(commit=True) as raw:  # type: ignore[attr-defined]
            cursor = self._wrap(raw)
            self.view.clear(cursor)
            cursor.execute(f"DELETE FROM {self._tracking_table()} WHERE application_name = %s",
                           (application_name,))

    def replay(self, raw: Any, app: Application, batch: int) -> int:
        """Empty the view and apply every event again, inside the caller's transaction ``raw`` (see
        ``ProjectionRunner.rebuild``): an event that cannot be applied (a sealed value that does not
        verify) raises, and the caller's rollback leaves the view as it was."""
        applied = last = 0
        cursor = self._wrap(raw)
        self.view.clear(cursor)
        cursor.execute(f"DELETE FROM {self._tracking_table()} WHERE application_name = %s", (app.name,))
        while notifications := app.recorder.select_notifications(start=last + 1, limit=batch,
                                                                 topics=self.view.topics):
            for notification in notifications:
                try:
                    self.view.apply(cursor, app.mapper.to_domain_event(notification))
                except IntegrityError as failure:
                    raise RebuildIntegrityError(self.view.name, app.name, notification.id,
                                                failure.where) from failure
                last = notification.id
            applied += len(notifications)
        if last:
            self._insert_tracking(raw, Tracking(app.name, last))  # type: ignore[attr-defined]
        return applied

    def _wrap(self, raw: Any) -> Cursor:
        raise NotImplementedError

    def _tracking_table(self) -> str:
        raise NotImplementedError


class SQLiteViewRecorder(_ViewRecorderMixin, SQLiteTrackingRecorder):
    def _wrap(self, raw: Any) -> Cursor:
        return Cursor(raw, translate=True, schema="")

    def _tracking_table(self) -> str:
        return "tracking"  # the library's SQLite tracking table (fixed name; one file per view)


class PostgresViewRecorder(_ViewRecorderMixin, PostgresTrackingRecorder):
    def _wrap(self, raw: Any) -> Cursor:
        from psycopg.rows import tuple_row

        return Cursor(raw.connection.cursor(row_factory=tuple_row), translate=False, schema=self.datastore.schema)

    def _tracking_table(self) -> str:
        return f"{self.datastore.schema}.{self.tracking_table_name}"


def view_recorder(settings: Settings, view: View) -> SQLiteViewRecorder | PostgresViewRecorder:
    """The view's recorder: its own SQLite file, or its own tracking table in the PostgreSQL schema."""
    env = dict(settings.application_env(f"view_{view.name}"))
    factory = InfrastructureFactory.construct(Environment(name=f"view_{view.name}", env=env))
    recorder_class = PostgresViewRecorder if settings.database_url else SQLiteViewRecorder
    recorder_class = type(f"{view.name.title()}{recorder_class.__name__}", (recorder_class,), {"view": view})
    recorder = factory.tracking_recorder(recorder_class)
    recorder.create_table()
    return recorder


class ProjectionRunner:
    """Follows one application's notification log into its views."""

    def __init__(self, app: Application, recorders: list, batch: int = 200):
        self.app = app
        self.recorders = {recorder.view.name: recorder for recorder in recorders}
        self.batch = batch
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, name: str) -> int:
        recorder = self.recorders[name]
        position = recorder.max_tracking_id(self.app.name) or 0
        notifications = self.app.recorder.select_notifications(
            start=position + 1, limit=self.batch, topics=recorder.view.topics)
        for notification in notifications:
            recorder.process(self.app.mapper.to_domain_event(notification),
                             Tracking(self.app.name, notification.id))
        return len(notifications)

    def catch_up(self) -> int:
        """Apply everything recorded so far to every view; returns how many events were applied."""
        total = 0
        with self._lock:
            for name in self.recorders:
                while (count := self.run_once(name)):
                    total += count
        return total

    def rebuild(self, names: list[str] | None = None) -> int:
        """Rebuild the named views (default: all) from the events, then catch up the others.

        Every named view is rebuilt inside a transaction of its own, and all of them stay open until
        every view is rebuilt: an event that cannot be applied (RebuildIntegrityError) rolls every
        one back, so the views are as they were before the rebuild, and no reader ever sees a view
        emptied or half rebuilt. (Each view is its own SQLite file, so the commits at the end are one
        per view: only a crash between two of them could leave some rebuilt and some not, and a
        rebuild gives the same rows as following along.)"""
        with self._lock, ExitStack() as transactions:
            applied = 0
            for name in names or list(self.recorders):
                recorder = self.recorders[name]
                raw = transactions.enter_context(recorder.datastore.transaction(commit=True))
                applied += recorder.replay(raw, self.app, self.batch)
        return applied + self.catch_up()

    # --- while serving ---------------------------------------------------------------------

    def start(self, interval: float = 0.2) -> None:
        """Follow in the background. An integrity failure stops the following (no retry could mend a
        broken row, and each try would add an access-log entry): the views stay where they were, and
        every request that catches up first (a search, a match) is refused with the same error."""
        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.catch_up()
                except IntegrityError:
                    log.critical("projection runner for %s stopped: integrity failure in a stored event; "
                                 "run `trustone verify`", self.app.name)
                    return
                except Exception as error:  # keep following; the next round retries from the tracked position
                    log.error("projection runner: %s; retrying", type(error).__name__)

        self._thread = threading.Thread(target=loop, name="projection-runner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
