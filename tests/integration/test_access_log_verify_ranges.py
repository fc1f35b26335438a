"""A long access log is verified in ranges by worker processes (issue 12 item 3, keys/access/accesslog_ranges.py),
on both stores: the result is exactly the sequential walk's, intact or tampered.

The workers pass judgement only on an intact log; at any problem the log is walked sequentially,
so the first bad entry and its wording never depend on where the ranges were cut. Here a log of 30
entries (a checkpoint every 4) is cut into ranges of 7, so range borders (7, 13, 19, 25) fall inside
checkpoint spans (1, 5, 9, ..., 29), and
every kind of tampering the sequential tests know is compared: a changed, deleted, inserted,
reordered row, a chain rehashed to the next checkpoint, a forged checkpoint, an unsigned tail, a
forged row numbered 0, a truncated tail against a kept digest.
"""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import keys.access.accesslog as accesslog_module
import keys.access.accesslog_ranges as ranges
from keys.access.accesslog import AccessLog, SignedDigest, entry_hash
from tests.integration.test_access_log import COLUMNS, _renumber, raw_rows, sample_entry, tampering

START = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)
ENTRIES = 30


@pytest.fixture
def log(services, monkeypatch):
    monkeypatch.setattr(ranges, "RANGE_ROWS", 7)
    log = AccessLog(
        services.sql,
        services.datakeys,
        services.keyring,
        clock=lambda: START,
        checkpoint_entries=4,
        checkpoint_seconds=3600.0,
    )
    for n in range(1, ENTRIES + 1):
        log.append(sample_entry(n))
    return log


def both_ways(log, **kwargs):
    return log.verify(workers=0, **kwargs), log.verify(workers=2, **kwargs)


def test_an_intact_log_is_hashed_by_the_workers_not_here(log, monkeypatch):
    hashed_here: list[int] = []
    real = accesslog_module._row_hash  # noqa: SLF001
    monkeypatch.setattr(accesslog_module, "_row_hash", lambda row: hashed_here.append(row[0]) or real(row))
    parallel = log.verify(workers=2)
    assert (parallel.ok, parallel.checked, parallel.digests_checked) == (True, 30, 8)  # 1, 5, 9, ..., 29
    assert hashed_here == []
    progress: list[int] = []
    log.verify(workers=2, progress=progress.append)
    assert progress[-1] == 30 and progress == sorted(progress)


def rehash_from(cursor, seq: int, change: dict) -> None:
    prev = raw_rows(cursor, seq - 1)[0][8]
    for row in raw_rows(cursor)[seq - 1 :]:
        columns = dict(zip(COLUMNS.split(", ")[:7], row[:7], strict=True))
        if row[0] == seq:
            columns.update(change)
        new_hash = entry_hash(prev, columns)
        cursor.execute(
            "UPDATE {schema}.access_log SET actor = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            (columns["actor"], prev, new_hash, row[0]),
        )
        prev = new_hash


def forge_signature(cursor, seq: int) -> None:
    impostor = Ed25519PrivateKey.generate()
    row = cursor.execute(
        "SELECT seq, head_hash, signed_at, key_id, signature FROM {schema}.access_log_digests WHERE seq = %s", (seq,)
    ).fetchone()
    forged = SignedDigest(*row[:4], "")
    cursor.execute(
        "UPDATE {schema}.access_log_digests SET signature = %s WHERE seq = %s",
        (base64.b64encode(impostor.sign(forged.message())).decode(), seq),
    )


def forge_row_zero(cursor) -> None:
    first = raw_rows(cursor, 1)[0]
    cursor.execute(
        f"INSERT INTO {{schema}}.access_log ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", (0, *first[1:])
    )


def swap(cursor, a: int, b: int) -> None:
    cursor.execute("UPDATE {schema}.access_log SET seq = -1 WHERE seq = %s", (a,))
    cursor.execute("UPDATE {schema}.access_log SET seq = %s WHERE seq = %s", (a, b))
    cursor.execute("UPDATE {schema}.access_log SET seq = %s WHERE seq = -1", (b,))


TAMPERING = {
    # name: (what the attacker does, the sequential walk's first bad entry, its problem's first words)
    "changed at a range border": (
        lambda c: c.execute("UPDATE {schema}.access_log SET actor = 'x' WHERE seq = 7"),
        7,
        "changed: its content",
    ),
    "changed inside a range": (
        lambda c: c.execute("UPDATE {schema}.access_log SET tag = 'x' WHERE seq = 12"),
        12,
        "changed: its content",
    ),
    "link edited on a border": (
        lambda c: c.execute("UPDATE {schema}.access_log SET prev_hash = %s WHERE seq = 13", ("0" * 64,)),
        13,
        "reordered",
    ),
    "deleted on a border": (
        lambda c: c.execute("DELETE FROM {schema}.access_log WHERE seq = 19"),
        19,
        "missing: entry 19 removed",
    ),
    "deleted and renumbered": (
        lambda c: (c.execute("DELETE FROM {schema}.access_log WHERE seq = 10"), _renumber(c, 11, -1)),
        10,
        "reordered",
    ),
    "inserted and renumbered": (
        lambda c: (
            _renumber(c, 10, 1),
            c.execute(
                f"INSERT INTO {{schema}}.access_log ({COLUMNS}) SELECT 10, actor, role, organisation, outcome, tag,"
                " details, prev_hash, hash FROM {schema}.access_log WHERE seq = 9"
            ),
        ),
        10,
        "reordered",
    ),
    "reordered": (lambda c: swap(c, 17, 18), 17, "reordered"),
    "rehashed to the next checkpoint": (lambda c: rehash_from(c, 14, {"actor": "x"}), 14, "changed: entries 14-17"),
    "forged checkpoint": (lambda c: forge_signature(c, 21), 21, "bad signature"),
    "unsigned tail": (
        lambda c: c.execute("DELETE FROM {schema}.access_log_digests WHERE seq >= 20"),
        18,
        "inserted: entries 18-30",
    ),
    "a row numbered 0": (forge_row_zero, 0, "inserted: an extra entry numbered 0"),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_tampering_is_named_exactly_as_the_sequential_walk_names_it(services, log, name):
    tamper, first_bad, problem = TAMPERING[name]
    with tampering(services) as cursor:
        tamper(cursor)
    sequential, parallel = both_ways(log)
    assert parallel == sequential
    assert (parallel.ok, parallel.first_bad_seq) == (False, first_bad)
    assert parallel.problem.startswith(problem), parallel.problem


def test_a_tail_cut_after_a_kept_digest_is_found_by_the_workers_too(services, log):
    kept = SignedDigest.from_json(log.checkpoint().to_json())
    with tampering(services) as cursor:
        cursor.execute("DELETE FROM {schema}.access_log WHERE seq > 26")
        cursor.execute("DELETE FROM {schema}.access_log_digests WHERE seq > 26")
    assert both_ways(log)[1].ok  # the residual, as in the sequential walk
    sequential, parallel = both_ways(log, extra_digests=[kept])
    assert parallel == sequential
    assert (parallel.ok, parallel.first_bad_seq) == (False, 27)
    assert parallel.problem == "truncated: the log ends at entry 26, but a signed digest covers entry 30"


def test_a_short_log_is_walked_here_without_workers(services):
    assert ranges.workers_for(ranges.PARALLEL_MIN_ROWS - 1) == 0
