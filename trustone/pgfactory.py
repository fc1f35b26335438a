"""The eventsourcing library's PostgreSQL factory, with a pool that waits a bounded time in total.

The library's PostgreSQL recorders retry each operation on an OperationalError: 10 attempts, 0.2 s
apart (``@retry`` in ``eventsourcing/postgres.py``). That is right for a connection that went stale
(the next attempt gets another), but while PostgreSQL is down every attempt waits the pool's whole
timeout, so a request hung for ten times ``POSTGRES_CONNECT_TIMEOUT`` (measured: up to 17 s for a
10 s outage). Here each attempt waits a tenth of it, so the retries together wait about
``TRUSTONE_DB_CONNECT_TIMEOUT`` (plus the library's 9 x 0.2 s pauses) before the request is
answered 503 (trustone/storage_errors.py). The library reads that variable as whole seconds only,
hence the pool's timeout is set here after the datastore is made.

The pool also opens with its kept connection in place, so that a pool at
rest holds one connection, not two (TRUSTONE_DB_POOL_SIZE, README).

Selected by ``PERSISTENCE_MODULE`` (trustone/settings.py ``application_env``).
"""

from __future__ import annotations

from eventsourcing import postgres

from keys.storage.sql import BUSY_WAIT, MAX_IDLE, busy_tolerant

LIBRARY_ATTEMPTS = 10  # eventsourcing.postgres: @retry((InterfaceError, OperationalError), max_attempts=10, ...)


class BoundedWaitPostgresFactory(postgres.PostgresFactory):
    def __init__(self, env):
        super().__init__(env)
        total = float(self.env.get(self.POSTGRES_CONNECT_TIMEOUT) or 30)
        self.datastore.pool.timeout = max(total / LIBRARY_ATTEMPTS, 0.1)
        # The pool is opened here, waiting for its kept connection, so that a first request does not
        # find it still filling (it would grow by one and keep that too). Not through the library's
        # ``pool_open_timeout``: with it set, every connection taken calls psycopg_pool's ``wait``,
        # which raises AssertionError when two threads find no idle connection at once.
        # a busy pool makes a request wait (BUSY_WAIT in all, over the library's attempts); only an outage is fast
        busy_tolerant(self.datastore.pool, busy_wait=BUSY_WAIT / LIBRARY_ATTEMPTS)
        self.datastore.pool.max_idle = MAX_IDLE  # connections opened under load close again after a minute
        self.datastore.pool.open(wait=True, timeout=total)
