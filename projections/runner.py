"""Exactly-once projections on the library's tracking recorders, for SQLite and PostgreSQL.

Each view is a subclass of the library's ``SQLiteTrackingRecorder`` or ``PostgresTrackingRecorder``
(chosen by the store), so its rows and its tracking record are written in one transaction.

**Batches.** Notifications are applied a batch at a time: one transaction per batch, the tracking
record written at its end, so a crash anywhere in a batch keeps all of it or none of it, and the
next run applies it once. (One commit, and one fsync, per event was what bounded the speed.)

**The position scanned.** A view reads only its own topics, but its tracking record is the position
it has *scanned* up to, events of other topics included: the application's highest notification id
at the time of the scan when the batch reached it. Otherwise a view whose last event is of another
topic would never reach the log's end, and nobody could wait on it (``ProjectionRunner.wait``).

**One applier at a time per view.** Every apply (and a rebuild) first takes the view's write lock in
its own database (PostgreSQL: a transaction-scoped advisory lock; SQLite: the file's write lock,
taken by the transaction's first statement) and then reads its tracked position: a second runner in
another process (a server following the views while ``trustone projections rebuild`` runs) waits
and then skips what was applied meanwhile, instead of colliding on a view row or the tracking row.

**Readers wait, they do not apply.** A request takes the application's highest notification id at
its start and waits until its views have reached it, while the background runner (``start``, in
this worker or another: trustone/followers.py) applies. The wait polls the views' tracked positions
from a few milliseconds on (the library's ``TrackingRecorder.wait`` sleeps 100 ms before its first
look, which alone was twice the latency target of a list read), and a runner in the same process
wakes its waiters after each batch. Where no runner runs in this process (tests, the CLI), the
waiter catches up itself, under the runner's lock.

**A wait that runs out** means the follower is slow, gone (it died after taking the background
lock) or stopped at a broken event in another worker, whose flag this process cannot see. The
reader then applies itself if nobody holds the view's lock (without queueing for it): it gets the
rows when the follower was merely gone, the integrity failure when the event is broken. Only when
someone is applying the view (a rebuild in another process) does it raise ``ViewsBehind`` (a
``TimeoutError``): the web app answers 503 with Retry-After (trustone/storage_errors.py).

View SQL is written once with ``%s`` placeholders and ``{schema}.`` prefixes (keys/storage/sql.py's Cursor).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any, ClassVar, Protocol, cast

from eventsourcing.application import Application
from eventsourcing.persistence import InfrastructureFactory, Notification, Tracking
from eventsourcing.persistence import IntegrityError as TrackingConflict
from eventsourcing.postgres import PostgresFactory, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from eventsourcing.utils import Environment

from keys.access.filter import IntegrityError
from keys.storage.sql import Cursor

log = logging.getLogger("trustone.projections")

DEFAULT_BATCH = 1_000  # notifications scanned per transaction
DEFAULT_WAIT_TIMEOUT = 5.0  # seconds a reader waits for its views before the request is refused (503)

FIRST_POLL = 0.002  # seconds a reader waits before it looks at its views' positions again...
LAST_POLL = 0.05  # ... doubling up to this

Progress = Callable[[int], None]  # called with how many more notifications were scanned


class View(ABC):
    """What a list needs: its tables, how an event changes them, how to empty them."""

    name: ClassVar[str]
    topics: ClassVar[tuple[str, ...]]  # full event topics this view reads
    tables: ClassVar[tuple[str, ...]]

    @abstractmethod
    def create_tables(self, cursor: Cursor) -> bool | None:
        """Create the view's tables if missing. True when the view must be built again from the
        first event (a table it now reads from did not exist in this store yet)."""

    @abstractmethod
    def apply(self, cursor: Cursor, event: Any) -> None: ...

    @contextmanager
    def batch(self, cursor: Cursor) -> Iterator[None]:  # noqa: ARG002 - the signature the caller expects
        """Around the events of one transaction (a batch, or a whole rebuild): a view may keep what it
        read for the batch in memory while it lasts, and must forget it at the end; it may also leave
        writes that a later event of the batch would overwrite to the end (on ``cursor``)."""
        yield

    def clear(self, cursor: Cursor) -> None:
        for table in self.tables:
            cursor.execute(f"DELETE FROM {{schema}}.{table}")


def table_exists(cursor: Cursor, table: str) -> bool:
    """Whether one of the view's tables exists yet (one query for both stores, in a savepoint so that
    a missing table does not abort the transaction)."""
    cursor.execute("SAVEPOINT probe_table")
    try:
        cursor.execute(f"SELECT 1 FROM {{schema}}.{table} LIMIT 1")
    except Exception:  # noqa: BLE001  # the store's own "no such table", whatever class it comes as
        cursor.execute("ROLLBACK TO SAVEPOINT probe_table")
        return False
    cursor.execute("RELEASE SAVEPOINT probe_table")
    return True


class RebuildIntegrityError(IntegrityError):
    """A rebuild stopped at an event whose sealed value does not verify. Names the view and the
    event's position in its application's notification log (as ``trustone verify`` does), never a
    value; the view was left as it was."""

    def __init__(self, view: str, application: str, position: int, where: str):
        super().__init__(where)
        self.view, self.application, self.position = view, application, position


class ViewsBehind(TimeoutError):
    """A reader waited longer than its timeout for a view to reach the notification id it needs.
    Names the view and the application only."""

    def __init__(self, view: str, application: str):
        super().__init__(f"the {view} view of {application} is behind: try again shortly")
        self.view, self.application = view, application


class ViewBusy(Exception):
    """Someone else holds the view's lock (a rebuild, another runner): raised instead of queueing
    for it where the caller asked not to wait (a reader whose wait ran out)."""


class _FailedAt(Exception):
    """Raised inside a batch's transaction (so that it rolls back) when notification
    ``notification_id`` did not verify; the cause is the IntegrityError."""

    def __init__(self, notification_id: int):
        super().__init__(notification_id)
        self.notification_id = notification_id


Batch = Sequence[tuple[int, Any]]  # (notification id, domain event), ids ascending


class _ViewRecorderMixin:
    """Adds the view's tables and one-transaction apply-and-track to a library tracking recorder."""

    view: View

    def create_table(self) -> None:
        super().create_table()  # type: ignore[misc]  # the library's tracking table
        with self.datastore.transaction(commit=True) as raw:  # type: ignore[attr-defined]
            cursor = self._wrap(raw)
            if self.view.create_tables(cursor):
                self.view.clear(cursor)
                cursor.execute(
                    f"DELETE FROM {self._tracking_table()} WHERE application_name <> %s",
                    (self.table_migration_identifier,),  # type: ignore[attr-defined]  # on the recorder this mixin is mixed into
                )

    @contextmanager
    def cursor(self, commit: bool) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=commit) as raw:  # type: ignore[attr-defined]
            yield self._wrap(raw)

    def position(self, application_name: str) -> int:
        return self.max_tracking_id(application_name) or 0  # type: ignore[attr-defined]

    def apply_batch(self, application_name: str, batch: Batch, scanned: int, wait_for_lock: bool = True) -> int:
        """Apply the batch's events and track ``scanned`` (at least the last id of the batch), in one
        transaction under the view's lock; returns how many events were applied.

        Events at or below the tracked position (applied by another runner meanwhile) are skipped.
        ``wait_for_lock=False``: ViewBusy at once when another applier holds the view's lock.
        Any error rolls the whole batch back. After an integrity failure (a sealed value that does
        not verify) the events before the failing one are then applied in a batch of their own
        (tracked up to the one before it) and the failure propagates, so the view stops exactly
        before the event that failed.
        """
        try:
            with self.datastore.transaction(commit=True) as raw:  # type: ignore[attr-defined]
                if not self._lock(raw, wait=wait_for_lock):
                    raise ViewBusy(self.view.name)
                position = self._max_tracking_id(application_name, raw) or 0  # type: ignore[attr-defined]
                if scanned <= position:
                    return 0
                cursor = self._wrap(raw)
                applied = 0
                with self.view.batch(cursor):
                    applied = self._apply_all(cursor, batch, position)
                self._insert_tracking(raw, Tracking(application_name, scanned))  # type: ignore[attr-defined]
                return applied
        except _FailedAt as failed:
            before = [(nid, event) for nid, event in batch if nid < failed.notification_id]
            if before:
                self.apply_batch(application_name, before, failed.notification_id - 1)
            failure = failed.__cause__
            raise failure  # type: ignore[misc]

    def _apply_all(self, cursor: Cursor, batch: Batch, position: int) -> int:
        applied = 0
        for notification_id, event in batch:
            if notification_id <= position:
                continue
            try:
                self.view.apply(cursor, event)
            except IntegrityError as failure:
                raise _FailedAt(notification_id) from failure
            applied += 1
        return applied

    def process(self, event: Any, tracking: Tracking) -> bool:
        """Apply one event and track it; False when this position was already applied."""
        try:
            return (
                self.apply_batch(
                    tracking.application_name, [(tracking.notification_id, event)], tracking.notification_id
                )
                > 0
            )
        except TrackingConflict:  # only the tracking record's own conflict means "already applied"
            return False

    def forget(self, application_name: str) -> None:
        """Empty the view and its position, in one transaction (a rebuild starts from here)."""
        with self.datastore.transaction(commit=True) as raw:  # type: ignore[attr-defined]
            self._lock(raw)
            cursor = self._wrap(raw)
            self.view.clear(cursor)
            cursor.execute(f"DELETE FROM {self._tracking_table()} WHERE application_name = %s", (application_name,))

    def replay(
        self,
        raw: Any,
        scan: Callable[[int], tuple[Batch, int]],
        application_name: str,
        progress: Progress | None = None,
    ) -> int:
        """Empty the view and apply every event again, inside the caller's transaction ``raw`` (see
        ``ProjectionRunner.rebuild``), holding the view's lock throughout. An event that cannot be
        applied (a sealed value that does not verify) raises, and the caller's rollback leaves the
        view as it was."""
        self._lock(raw)
        cursor = self._wrap(raw)
        self.view.clear(cursor)
        cursor.execute(f"DELETE FROM {self._tracking_table()} WHERE application_name = %s", (application_name,))
        applied = position = 0
        with self.view.batch(cursor):
            while True:
                batch, scanned = scan(position)
                if scanned <= position:
                    break
                for notification_id, event in batch:
                    try:
                        self.view.apply(cursor, event)
                    except IntegrityError as failure:
                        raise RebuildIntegrityError(
                            self.view.name, application_name, notification_id, failure.where
                        ) from failure
                applied += len(batch)
                if progress is not None:
                    progress(scanned - position)
                position = scanned
        if position:
            self._insert_tracking(raw, Tracking(application_name, position))  # type: ignore[attr-defined]
        return applied

    def _lock(self, raw: Any, wait: bool = True) -> bool:
        """Take the view's write lock for the transaction ``raw``; False (without waiting) when
        ``wait`` is False and another transaction holds it."""
        raise NotImplementedError

    def _wrap(self, raw: Any) -> Cursor:
        raise NotImplementedError

    def _tracking_table(self) -> str:
        raise NotImplementedError


class SQLiteViewRecorder(_ViewRecorderMixin, SQLiteTrackingRecorder):
    def _lock(self, raw: Any, wait: bool = True) -> bool:
        # A write as the transaction's first statement takes the file's write lock (waiting up to the
        # busy timeout for another process's), and the reads after it see everything committed.
        take = "UPDATE tracking SET notification_id = notification_id WHERE 0"
        if wait:
            raw.execute(take)
            return True
        raw.execute("PRAGMA busy_timeout")
        busy_timeout = raw.fetchone()[0]
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            raw.execute(take)
        except sqlite3.OperationalError as busy:
            if busy.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise
            return False
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")
        return True

    def _wrap(self, raw: Any) -> Cursor:
        return Cursor(raw, translate=True, schema="")

    def _tracking_table(self) -> str:
        return "tracking"  # the library's SQLite tracking table (fixed name; one file per view)


class PostgresViewRecorder(_ViewRecorderMixin, PostgresTrackingRecorder):
    def _lock(self, raw: Any, wait: bool = True) -> bool:
        # READ COMMITTED: each statement after the lock sees what the previous holder committed.
        function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
        raw.execute(f"SELECT {function}(hashtext(%s)) AS taken", (f"trustone view {self._tracking_table()}",))
        return wait or bool(raw.fetchone()["taken"])  # the library's connections give rows as dicts

    def _wrap(self, raw: Any) -> Cursor:
        from psycopg.rows import tuple_row

        return Cursor(raw.connection.cursor(row_factory=tuple_row), translate=False, schema=self.datastore.schema)

    def _tracking_table(self) -> str:
        return f"{self.datastore.schema}.{self.tracking_table_name}"


class StoreEnvironment(Protocol):
    """What a view recorder needs of the settings (``trustone.settings.Settings`` is one): the
    library's environment for a named store. The projections import nothing from trustone/."""

    def application_env(self, app_name: str) -> Mapping[str, str]: ...


def view_recorder(settings: StoreEnvironment, view: View) -> SQLiteViewRecorder | PostgresViewRecorder:
    """The view's recorder: its own SQLite file, or its own tracking table in the PostgreSQL schema
    (whichever store the environment's factory opens)."""
    name = f"view_{view.name}"
    factory = InfrastructureFactory.construct(Environment(name=name, env=dict(settings.application_env(name))))
    base = PostgresViewRecorder if isinstance(factory, PostgresFactory) else SQLiteViewRecorder
    # A class of its own per view: the library builds the recorder from its class alone (and may
    # create its tables at once), so the view must be on the class.
    recorder_class = type(f"{view.name.title()}{base.__name__}", (base,), {"view": view})
    # cast: the factory returns an instance of the class it is given, typed as its base class
    recorder = cast(SQLiteViewRecorder | PostgresViewRecorder, factory.tracking_recorder(recorder_class))
    recorder.create_table()
    return recorder


class ProjectionRunner:
    """Follows one application's notification log into its views."""

    def __init__(
        self, app: Application, recorders: list, batch: int = DEFAULT_BATCH, wait_timeout: float = DEFAULT_WAIT_TIMEOUT
    ):
        self.app = app
        self.recorders = {recorder.view.name: recorder for recorder in recorders}
        self.batch = batch
        self.wait_timeout = wait_timeout
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._advanced = threading.Condition()  # notified by this process's runner after each round
        self._rounds = 0
        self._thread: threading.Thread | None = None
        # Set while serving: some worker process of the server follows (trustone/followers.py), maybe
        # not this one, so a reader waits for it instead of applying (serving() of the composed services).
        self.followed_elsewhere = False
        self.stopped_by_integrity_failure = False

    # --- applying ------------------------------------------------------------------------------

    def _scan(self, name: str, position: int) -> tuple[Batch, int]:
        """The view's next batch after ``position`` (decoded), and the position it scans up to."""
        top = self.app.recorder.max_notification_id() or 0
        if top <= position:
            return [], position
        notifications: Sequence[Notification] = self.app.recorder.select_notifications(
            start=position + 1, limit=self.batch, stop=top, topics=self.recorders[name].view.topics
        )
        scanned = notifications[-1].id if len(notifications) == self.batch else top
        return [(n.id, self.app.mapper.to_domain_event(n)) for n in notifications], scanned

    def run_once(self, name: str, wait_for_lock: bool = True) -> int:
        """Apply one batch to the view; how many notifications its position advanced by."""
        recorder = self.recorders[name]
        position = recorder.position(self.app.name)
        batch, scanned = self._scan(name, position)
        if scanned <= position:
            return 0
        recorder.apply_batch(self.app.name, batch, scanned, wait_for_lock)
        return scanned - position

    def catch_up(self, names: Sequence[str] | None = None) -> int:
        """Apply everything recorded so far to the named views (default: all); returns by how many
        notifications their positions advanced in all."""
        total = 0
        with self._lock:
            for name in names or self.recorders:
                while count := self.run_once(name):
                    total += count
        return total

    def wait(self, names: Sequence[str] | None = None, timeout: float | None = None) -> None:
        """Return once the named views (default: all) have reached the notification id that was the
        application's highest when this was called: a reader sees at least what was written before
        its request. Raises ViewsBehind after ``timeout`` seconds (default ``wait_timeout``)."""
        target = self.app.recorder.max_notification_id() or 0
        behind = self._behind(list(names or self.recorders), target)
        if not behind:
            return
        if self.stopped_by_integrity_failure or not (self.following or self.followed_elsewhere):
            # no runner follows (tests, the CLI), or this process's stopped at a broken event: the
            # waiter applies, under the lock (and is refused with the integrity failure, if any)
            self.catch_up(behind)
            return
        self._wake.set()
        deadline = time.monotonic() + (self.wait_timeout if timeout is None else timeout)
        interval = FIRST_POLL
        while (remaining := deadline - time.monotonic()) > 0:
            rounds = self._rounds
            with self._advanced:
                self._advanced.wait_for(lambda: self._rounds != rounds, timeout=min(interval, remaining))  # noqa: B023 - called within this iteration
            behind = self._behind(behind, target)
            if not behind:
                return
            interval = min(interval * 2, LAST_POLL)
        if not self._catch_up_unless_busy(behind):  # the module's doc: "A wait that runs out"
            raise ViewsBehind(behind[0], self.app.name)

    def _behind(self, names: list[str], target: int) -> list[str]:
        return [name for name in names if self.recorders[name].position(self.app.name) < target]

    def _catch_up_unless_busy(self, names: list[str]) -> bool:
        """Apply the named views here and now, unless someone (a runner of this process, another
        process) is applying one of them: then False, at once."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            for name in names:
                while self.run_once(name, wait_for_lock=False):
                    pass
        except ViewBusy:
            return False
        finally:
            self._lock.release()
        return True

    def rebuild(self, names: Sequence[str] | None = None, progress: Progress | None = None) -> int:
        """Rebuild the named views (default: all) from the events, then catch up the others; returns
        how many events were applied. ``progress`` is told how many notifications each batch scanned.

        Every named view is rebuilt inside a transaction of its own, and all of them stay open (each
        holding its view's lock: a runner in another process waits, then skips what the rebuild
        applied) until every view is rebuilt: an event that cannot be applied (RebuildIntegrityError)
        rolls every one back, so the views are as they were before the rebuild, and no reader ever
        sees a view emptied or half rebuilt. (Each view is its own SQLite file, so the commits at
        the end are one per view: only a crash between two of them could leave some rebuilt and
        some not, and a rebuild gives the same rows as following along.)"""
        chosen = [name for name in self.recorders if name in set(names or self.recorders)]
        with self._lock, ExitStack() as transactions:
            applied = 0
            for name in chosen:
                recorder = self.recorders[name]
                raw = transactions.enter_context(recorder.datastore.transaction(commit=True))
                applied += recorder.replay(
                    raw, lambda position, name=name: self._scan(name, position), self.app.name, progress
                )
        self.catch_up()
        return applied

    def backlog(self, names: Sequence[str] | None = None) -> int:
        """How many notifications a rebuild of the named views scans (for a progress bar)."""
        return (self.app.recorder.max_notification_id() or 0) * len(list(names or self.recorders))

    # --- while serving ---------------------------------------------------------------------

    @property
    def following(self) -> bool:
        """Whether this process's background runner is applying (``start``)."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, interval: float = 0.2) -> None:
        """Follow in the background: every ``interval`` seconds, or at once when a reader waits. An
        integrity failure stops the following (no retry could mend a broken row, and each try would
        add an access-log entry): the views stay where they were, and every reader that waits then
        catches up itself and is refused with the same error."""

        def loop() -> None:
            while not self._stop.is_set():
                self._wake.wait(interval)
                self._wake.clear()
                if self._stop.is_set():
                    return
                try:
                    self.catch_up()
                    with self._advanced:
                        self._rounds += 1
                        self._advanced.notify_all()
                except IntegrityError:
                    self.stopped_by_integrity_failure = True
                    log.critical(
                        "projection runner for %s stopped: integrity failure in a stored event; run `trustone verify`",
                        self.app.name,
                    )
                    return
                except Exception as error:  # noqa: BLE001 - keep following; the next round retries from the tracked position
                    log.error("projection runner: %s; retrying", type(error).__name__)

        self._stop.clear()
        self._thread = threading.Thread(target=loop, name="projection-runner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
