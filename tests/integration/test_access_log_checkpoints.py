"""Signed checkpoints (issue 12 item 3): one signature per N entries or per T seconds, each over the
head of the hash chain; verify checks hashes between checkpoints and signatures at checkpoints.

The log here is built with N = 4 entries and T = 1 second and a clock the test moves, so where each
checkpoint falls is written out: the first append of a process signs (it cannot know when the last
checkpoint was), then one every 4th entry since the last, or the first append 1 s or more after it.
Tampering is done as someone with database access would (``tampering``: triggers dropped).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys.access.accesslog import AccessLog, SignedDigest, entry_hash
from tests.integration.test_access_log import COLUMNS, _rewrite_chain_from, raw_rows, sample_entry, tampering

START = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def log(services, clock):
    return AccessLog(
        services.sql, services.datakeys, services.keyring, clock=clock, checkpoint_entries=4, checkpoint_seconds=1.0
    )


def checkpoint_seqs(services) -> list[int]:
    with services.sql.transaction() as cursor:
        return [row[0] for row in cursor.execute("SELECT seq FROM {schema}.access_log_digests ORDER BY seq").fetchall()]


@pytest.fixture
def ten(log) -> list[int]:
    return [log.append(sample_entry(n)) for n in range(1, 11)]


def test_one_signature_per_four_entries_and_the_first_of_a_process(services, log, ten):
    assert ten == list(range(1, 11))
    assert checkpoint_seqs(services) == [1, 5, 9]
    result = log.verify()
    assert (result.ok, result.checked, result.digests_checked) == (True, 10, 3)


def test_a_second_passed_since_the_last_checkpoint_signs_the_next_append(services, log, clock):
    log.append(sample_entry(1))
    log.append(sample_entry(2))
    clock.advance(0.999)
    log.append(sample_entry(3))
    clock.advance(0.001)  # 1 s since the checkpoint at 1
    log.append(sample_entry(4))
    log.append(sample_entry(5))
    assert checkpoint_seqs(services) == [1, 4]


def test_a_batch_longer_than_n_is_signed_inside_it_every_n_entries(services, log):
    log.append(sample_entry(1))
    assert log.append_many([sample_entry(n) for n in range(2, 12)]) == list(range(2, 12))
    assert checkpoint_seqs(services) == [1, 5, 9]  # never more than 3 entries past a checkpoint
    assert log.verify().ok


def test_an_edit_between_checkpoints_is_named_at_that_entry(services, log, ten):
    with tampering(services) as cursor:
        cursor.execute("UPDATE {schema}.access_log SET actor = 'someone-else' WHERE seq = 7")
    result = log.verify()
    assert (result.ok, result.first_bad_seq, result.checked) == (False, 7, 6)
    assert result.problem.startswith("changed: its content does not match its hash")


def test_an_edit_with_the_chain_rehashed_up_to_the_next_checkpoint_is_caught_there(services, log, ten):
    with tampering(services) as cursor:
        _rewrite_chain_from(cursor, 7, "someone-else")  # entries 7-10, rehashed: a consistent chain, but unsigned
    result = log.verify()
    # the checkpoint at 9 covers 6-9 and no longer matches: the first of them is the first that may be bad
    assert (result.ok, result.first_bad_seq) == (False, 6)
    assert result.problem == (
        "changed: entries 6-9 differ from the signed checkpoint at entry 9 "
        "(one of them was edited, inserted or removed and the chain rehashed)"
    )


def test_a_forged_checkpoint_signature_is_named(services, log, ten):
    impostor = Ed25519PrivateKey.generate()
    with tampering(services) as cursor:
        seq, head, signed_at, key_id, _ = cursor.execute(
            "SELECT seq, head_hash, signed_at, key_id, signature FROM {schema}.access_log_digests WHERE seq = 5"
        ).fetchone()
        forged = SignedDigest(seq, head, signed_at, key_id, "")
        cursor.execute(
            "UPDATE {schema}.access_log_digests SET signature = %s WHERE seq = 5",
            (base64.b64encode(impostor.sign(forged.message())).decode(),),
        )
    result = log.verify()
    assert (result.ok, result.first_bad_seq) == (False, 5)
    assert result.problem.startswith("bad signature")


def test_a_tail_truncated_after_the_last_kept_digest_is_found(services, log, clock, ten):
    kept = SignedDigest.from_json(log.checkpoint().to_json())  # `trustone audit digest`: signs the head
    assert kept.seq == 10
    for n in range(11, 14):
        log.append(sample_entry(n))
    with tampering(services) as cursor:  # the attacker cuts the log back to entry 8, digests too
        cursor.execute("DELETE FROM {schema}.access_log WHERE seq > 8")
        cursor.execute("DELETE FROM {schema}.access_log_digests WHERE seq > 8")
    assert log.verify().ok  # the residual: the stored log alone cannot tell (docs/confidentiality.md)
    result = log.verify(extra_digests=[kept])
    assert (result.ok, result.first_bad_seq) == (False, 9)
    assert result.problem == "truncated: the log ends at entry 8, but a signed digest covers entry 10"


def test_an_unsigned_tail_longer_than_a_checkpoint_allows_is_found(services, log, ten):
    with tampering(services) as cursor:
        cursor.execute("DELETE FROM {schema}.access_log_digests WHERE seq >= 5")  # 9 entries after 1: more than 3
    result = log.verify()
    assert (result.ok, result.first_bad_seq) == (False, 2)
    assert result.problem.startswith("inserted: entries 2-10 are not covered by any signed checkpoint")


def test_checkpoint_signs_the_head_once(services, log, ten):
    first = log.checkpoint()
    assert (first.seq, first.signed_by(log.public_key())) == (10, True)
    assert log.checkpoint() == first and checkpoint_seqs(services) == [1, 5, 9, 10]
    assert log.latest_digest() == first


def test_an_empty_log_has_no_checkpoint_to_sign(log):
    assert log.checkpoint() is None and log.verify().ok


def test_a_log_stored_with_one_digest_per_entry_still_verifies(services, clock):
    """As every earlier version wrote it: a signed digest after each entry."""
    old = AccessLog(services.sql, services.datakeys, services.keyring, clock=clock, checkpoint_entries=1)
    for n in range(1, 8):
        old.append(sample_entry(n))
    assert checkpoint_seqs(services) == list(range(1, 8))
    result = AccessLog(services.sql, services.datakeys, services.keyring).verify()
    assert (result.ok, result.checked, result.digests_checked) == (True, 7, 7)
    with tampering(services) as cursor:  # and still names an entry whose own digest no longer matches
        row = raw_rows(cursor, 3)[0]
        columns = dict(zip(COLUMNS.split(", ")[:7], row[:7], strict=True), actor="someone-else")
        cursor.execute(
            "UPDATE {schema}.access_log SET actor = 'someone-else', hash = %s WHERE seq = 3",
            (entry_hash(row[7], columns),),
        )
    result = AccessLog(services.sql, services.datakeys, services.keyring).verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)


def test_verify_reports_progress_as_it_goes(log, ten):
    seen: list[int] = []
    assert log.verify(progress=seen.append).ok
    assert seen and seen[-1] == 10 and seen == sorted(seen)


def test_a_kept_digest_from_an_impostor_is_refused(log, ten):
    genuine = log.checkpoint()
    impostor = Ed25519PrivateKey.generate()
    forged = replace(genuine, signature=base64.b64encode(impostor.sign(genuine.message())).decode())
    result = log.verify(extra_digests=[forged])
    assert (result.ok, result.first_bad_seq) == (False, 10)
    assert result.problem.startswith("bad signature")
