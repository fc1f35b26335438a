"""``AccessLog.verify`` of a long log: its ranges hashed in parallel processes.

Verify is bounded by hashing each row in Python (keys/access/accesslog.py ``_row_hash``), which one process
does at about a third of the speed at which it can read the rows. A long log is therefore cut into
ranges of consecutive seqs, each read and hashed by a worker process over its own connection, while
this process checks the signatures of the checkpoints. A range is checked on its own (every seq
present, each row linked to the one before it, each hash right), taking its first row's stored
link as given; the links across range borders and the checkpoints' heads are then checked here,
from what the ranges hand back (their first link, last hash, and the hashes at checkpoint seqs).

This pass answers only "intact": when every range, border and checkpoint holds, the sequential walk
would have found nothing either (the same checks, in another order). When anything does not hold,
it answers nothing, and the caller walks the log sequentially, which names the first bad entry
exactly as it always did: tampering is rare, and its report must not depend on how the work was cut.

The workers read the same state as the caller: on PostgreSQL they import its snapshot
(``pg_export_snapshot``); on SQLite, whose connections cannot share one, they read the seqs up to
the head the caller saw, which appends (the only writes the log admits) do not change.
Workers are processes of their own (``python -m keys.access.accesslog_ranges``), which import this module
and what it needs, not the caller's main module (multiprocessing would: the whole application for
the command line, a second or more per worker), and are not forked from the caller, whose connection
pools have threads. A worker that cannot start or read makes this pass answer nothing: the walk
then decides.
"""

from __future__ import annotations

import os
import pickle
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from keys.access.accesslog import (
    _COLUMNS,
    _VERIFY_PAGE,
    GENESIS_HASH,
    SignedDigest,
    VerifyResult,
    _row_hash,
)
from keys.storage.sql import Cursor, PostgresSqlStore, SQLiteSqlStore, SqlStore

PARALLEL_MIN_ROWS = 100_000  # below this, starting the workers costs more than it saves
RANGE_ROWS = 50_000  # rows per task: progress moves, and a slow worker does not hold up the rest
_SNAPSHOT_ID = re.compile(r"^[0-9A-Fa-f-]{1,64}$")  # what pg_export_snapshot() returns


@dataclass(frozen=True)
class Source:
    """How a worker reopens the caller's store, read-only, at the caller's state."""

    dialect: str
    location: str  # SQLite: the file; PostgreSQL: the connection string
    schema: str = ""
    snapshot: str | None = None  # PostgreSQL: the caller's exported snapshot


@dataclass(frozen=True)
class RangeResult:
    """What a worker hands back for the seqs ``first``..``last``: whether the range holds on its own,
    its first row's stored link, its last row's hash, and its hash at each checkpoint seq asked."""

    ok: bool
    rows: int = 0
    first_link: str = ""
    last_hash: str = ""
    heads: dict[int, str] | None = None


def workers_for(rows: int) -> int:
    """How many worker processes to use for a log of ``rows`` entries: none (0) for a short log or a
    machine with one core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 0 if rows < PARALLEL_MIN_ROWS or cores < 2 else min(cores, 8)


def source_of(sql: SqlStore, cursor: Cursor) -> Source | None:
    """The caller's store as a worker reopens it; None for a store it cannot reopen."""
    if isinstance(sql, SQLiteSqlStore):
        return Source("sqlite", str(sql.path))
    pool = getattr(sql, "_pool", None)
    if sql.dialect != "postgres" or not isinstance(sql, PostgresSqlStore) or pool is None:
        return None
    snapshot = cursor.execute("SELECT pg_export_snapshot()").fetchfirst()[0]
    return Source("postgres", pool.conninfo, sql.schema, snapshot)


def verify_in_ranges(
    source: Source,
    head: int,
    digests: Sequence[SignedDigest],
    public_key: Ed25519PublicKey,
    max_unsigned: int | None,
    workers: int,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult | None:
    """The log 1..``head`` verified in ranges by ``workers`` processes: the result when it is intact,
    None when anything does not hold (then walk it sequentially to name the first bad entry)."""
    count = max(workers, -(-head // RANGE_ROWS))
    bounds = [(1 + head * n // count, head * (n + 1) // count) for n in range(count)]
    wanted = {digest.seq for digest in digests}
    tasks = [
        (n, first, last, n == 0, sorted(seq for seq in wanted if first <= seq <= last))
        for n, (first, last) in enumerate(bounds)
    ]
    results: dict[int, RangeResult] = {}
    try:
        running = _Workers(source, [tasks[k::workers] for k in range(workers)])
    except OSError:  # a worker that could not start: the walk decides
        return None
    with running:
        signed = all(digest.signed_by(public_key) for digest in set(digests))  # meanwhile, here
        done = 0
        for _ in tasks:
            index, result = running.next_result()
            if not signed or result is None or not result.ok:
                return None
            results[index] = result
            done += result.rows
            if progress is not None:
                progress(done)
    link, heads = GENESIS_HASH, {}
    for n, (first, last) in enumerate(bounds):
        if results[n].rows != last - first + 1 or results[n].first_link != link:
            return None
        link = results[n].last_hash
        heads.update(results[n].heads or {})
    if any(heads.get(digest.seq) != digest.head_hash for digest in digests):
        return None  # a checkpoint beyond the head, or over a chain that differs
    signed_up_to = max(wanted, default=0)
    if max_unsigned is not None and head - signed_up_to >= max_unsigned:
        return None
    return VerifyResult(True, head, digests_checked=len(digests))


class _Workers:
    """``python -m keys.access.accesslog_ranges`` once per worker, each given its ranges on stdin and handing
    back one result per range on stdout as it finishes. A process of its own (not multiprocessing)
    imports this module only, not the caller's main module (the whole application, for the command
    line), and shares nothing with the caller's threads. Left early (a range that does not hold),
    the workers are stopped."""

    def __init__(self, source: Source, shares: list[list[tuple[Any, ...]]]):
        root = str(Path(__file__).resolve().parents[1])  # the tree this module is in, whatever is installed
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH"))))}
        self._results: queue.Queue[tuple[int, RangeResult | None]] = queue.Queue()
        self._processes: list[subprocess.Popen[bytes]] = []
        try:
            for share in shares:
                process = subprocess.Popen(
                    [sys.executable, "-m", "keys.access.accesslog_ranges"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env=env,
                )
                self._processes.append(process)
                threading.Thread(target=self._read, args=(process, len(share)), daemon=True).start()
                assert process.stdin is not None  # stdin=PIPE
                process.stdin.write(pickle.dumps((tuple(vars(source).values()), share)))
                process.stdin.close()
        except BaseException:
            self.__exit__()
            raise

    def _read(self, process: subprocess.Popen[bytes], expected: int) -> None:
        assert process.stdout is not None  # stdout=PIPE
        try:
            for _ in range(expected):
                index, *fields = pickle.load(process.stdout)
                self._results.put((index, RangeResult(*fields)))
        except Exception:  # noqa: BLE001 - a worker that died or could not read: no answer
            self._results.put((-1, None))

    def next_result(self) -> tuple[int, RangeResult | None]:
        return self._results.get()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        for process in self._processes:
            if process.poll() is None:
                process.kill()
            process.wait()
            if process.stdout is not None:
                process.stdout.close()


def _serve() -> None:
    """A worker (``python -m keys.access.accesslog_ranges``): its ranges from stdin, a result each on stdout."""
    fields, share = pickle.load(sys.stdin.buffer)
    source = Source(*fields)
    for index, first, last, unbounded_below, checkpoints in share:
        result = _verify_range(source, first, last, unbounded_below, checkpoints)
        pickle.dump((index, *vars(result).values()), sys.stdout.buffer)
        sys.stdout.buffer.flush()
        if not result.ok:
            return


def _verify_range(source: Source, first: int, last: int, unbounded_below: bool, checkpoints: list[int]) -> RangeResult:
    """In a worker: the rows ``first``..``last`` (and, for the first range, any row numbered below it,
    which the sequential walk would see first and report) read and checked on their own."""
    with _reading(source) as query:
        expected, link, first_link, heads, rows = first, None, "", {}, 0
        after = None if unbounded_below else first - 1
        wanted = set(checkpoints)
        while True:
            condition, params = ("seq <= %s", (last,)) if after is None else ("seq > %s AND seq <= %s", (after, last))
            page = query(
                f"SELECT {_COLUMNS} FROM {{schema}}.access_log WHERE {condition} ORDER BY seq LIMIT %s",
                (*params, _VERIFY_PAGE),
            )
            for row in page:
                if row[0] != expected or (link is not None and row[7] != link) or _row_hash(row) != row[8]:
                    return RangeResult(False)
                if link is None:
                    first_link = row[7]
                if expected in wanted:
                    heads[expected] = row[8]
                link, expected, rows = row[8], expected + 1, rows + 1
            if len(page) < _VERIFY_PAGE:
                break
            after = page[-1][0]
        return RangeResult(link is not None, rows, first_link, link or "", heads)


@contextmanager
def _reading(source: Source) -> Iterator[Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """One read-only transaction at the caller's state; yields a function running one query."""
    if source.dialect == "sqlite":
        store = SQLiteSqlStore(Path(source.location), read_only=True)
        try:
            with store.transaction() as cursor:
                yield lambda sql, params: cursor.execute(sql, params).fetchall()
        finally:
            store.close()
        return
    import psycopg

    if not _SNAPSHOT_ID.match(source.snapshot or ""):
        raise ValueError("not a PostgreSQL snapshot id")
    with psycopg.connect(source.location, autocommit=True) as connection:
        connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        connection.execute(f"SET TRANSACTION SNAPSHOT '{source.snapshot}'")
        yield lambda sql, params: connection.execute(sql.replace("{schema}.", f"{source.schema}."), params).fetchall()
        connection.execute("COMMIT")


if __name__ == "__main__":
    _serve()
