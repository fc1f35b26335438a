"""The access log on both stores: sealed details, hash chain, signed digests, tampering found.

Here every entry is followed by its signed digest (a checkpoint per entry, as logs were stored
before checkpoints came every N entries): each digest then names exactly its entry.

Tampering is done the way someone with database access would: directly in the tables, after
dropping the append-only triggers as the tables' owner can.
"""

from __future__ import annotations

import base64
import re
import threading
from contextlib import contextmanager
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys.access.accesslog import (
    TABLES,
    AccessEntry,
    AccessLogFormatError,
    Outcome,
    SignedDigest,
    entry_hash,
    open_details,
)
from keys.encryption.envelope import DecryptionError
from keys.storage.sql import Cursor

COLUMNS = "seq, actor, role, organisation, outcome, tag, details, prev_hash, hash"


def sample_entry(n: int, company: str | None = "stenen-bv", outcome: Outcome = Outcome.GRANTED) -> AccessEntry:
    return AccessEntry(
        actor=f"ngo-user-{n % 2}",
        role="ngo",
        organisation="arisa",
        action="read_linked_list",
        company=company,
        subject_kind="linked_list",
        subject_ref=f"IN-RJ-SECRETSITE{n}",
        purpose=f"grievance case 70{n}",
        request_id=f"req-{n}",
        outcome=outcome,
    )


def _triggers(services, cursor: Cursor, table: str) -> list[str]:
    if services.sql.dialect == "sqlite":
        return [
            row[0]
            for row in cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", (table,)
            ).fetchall()
        ]
    return [
        row[0]
        for row in cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal",
            (f"{services.sql.schema}.{table}",),
        ).fetchall()
    ]


@contextmanager
def tampering(services):
    """A cursor on the access-log tables with their append-only triggers dropped."""
    with services.sql.transaction() as cursor:
        for table in TABLES:
            for trigger in _triggers(services, cursor, table):
                on = "" if services.sql.dialect == "sqlite" else f" ON {{schema}}.{table}"
                cursor.execute(f"DROP TRIGGER {trigger}{on}")
        yield cursor


def raw_rows(cursor: Cursor, seq: int | None = None) -> list[tuple]:
    where = "" if seq is None else f" WHERE seq = {int(seq)}"
    return cursor.execute(f"SELECT {COLUMNS} FROM {{schema}}.access_log{where} ORDER BY seq").fetchall()


def _renumber(cursor: Cursor, from_seq: int, by: int) -> None:
    """Shift seq in two steps (a primary key cannot pass through itself in one UPDATE)."""
    cursor.execute("UPDATE {schema}.access_log SET seq = seq + 1000000 WHERE seq >= %s", (from_seq,))
    cursor.execute("UPDATE {schema}.access_log SET seq = seq - 1000000 + %s WHERE seq >= 1000000", (by,))


@pytest.fixture
def log(services):
    """A log that signs a checkpoint after every entry, as every version before issue 12 stored it:
    these tests are what such a stored log still shows (test_access_log_checkpoints.py: one per N)."""
    services.access_log.checkpoint_entries = 1
    return services.access_log


@pytest.fixture
def five(log) -> list[int]:
    return [log.append(sample_entry(n)) for n in range(1, 6)]


def test_entries_are_appended_in_sequence_and_read_back_with_sealed_details(services, log):
    seqs = [
        log.append(sample_entry(1)),
        log.append(sample_entry(2, company=None, outcome=Outcome.DENIED)),
        log.append(sample_entry(3, company="other-co")),
    ]
    assert seqs == [1, 2, 3]
    first, second, third = log.entries()
    assert (
        first.actor,
        first.role,
        first.organisation,
        first.action,
        first.company,
        first.outcome,
        first.request_id,
    ) == ("ngo-user-1", "ngo", "arisa", "read_linked_list", "stenen-bv", "granted", "req-1")
    assert second.company is None and second.outcome == Outcome.DENIED
    assert third.at.endswith("+00:00") and len(third.at) == len("2026-01-12T09:00:00.000000+00:00")
    assert (third.company, third.request_id, third.subject_kind, third.subject_ref, third.purpose) == (
        "other-co",
        "req-3",
        "linked_list",
        "IN-RJ-SECRETSITE3",
        "grievance case 703",
    )
    assert [e.seq for e in log.entries(company="stenen-bv")] == [1]
    assert [e.seq for e in log.entries(company="other-co")] == [3]
    assert [e.seq for e in log.entries(actor="ngo-user-1")] == [1, 3]
    assert [e.seq for e in log.entries(organisation="arisa", after_seq=1, limit=1)] == [2]
    assert log.entries(organisation="nobody") == []


def test_what_an_entry_is_about_is_not_in_the_tables_in_clear(services, log, five):
    with services.sql.transaction() as cursor:
        rows = raw_rows(cursor)
        stored = repr(rows) + repr(cursor.execute("SELECT * FROM {schema}.access_log_digests").fetchall())
    sealed = b"".join(base64.b64decode(row[6]) for row in rows)
    for n in range(1, 6):
        for secret in (f"IN-RJ-SECRETSITE{n}", f"grievance case 70{n}", f"req-{n}", "stenen-bv", "read_linked_list"):
            assert secret not in stored and secret.encode() not in sealed
    assert not re.search(r"\d\d:\d\d:\d\d", stored)  # no exact time: the digests carry the day only
    assert len({row[5] for row in rows}) == 5  # five entries about one company: five unrelated tags


def test_sealed_details_moved_to_another_row_do_not_open(services, log, five):
    with tampering(services) as cursor:
        cursor.execute("UPDATE {schema}.access_log SET details = %s WHERE seq = 2", (raw_rows(cursor, 4)[0][6],))
    moved = log.rows(after_seq=1, limit=1)[0]
    with pytest.raises(DecryptionError):
        open_details(services.datakeys, moved)
    in_place = log.rows(after_seq=3, limit=1)[0]
    assert open_details(services.datakeys, in_place)["subject_ref"] == "IN-RJ-SECRETSITE4"
    assert log.verify().first_bad_seq == 2


def test_an_intact_log_verifies_with_every_digest_checked(log, five):
    result = log.verify()
    assert result.ok and result.checked == 5 and result.digests_checked == 5
    assert result.first_bad_seq is None and result.problem is None


def test_an_empty_log_verifies(log):
    assert log.verify().ok and log.latest_digest() is None


def test_the_latest_digest_is_signed_by_the_published_key_and_survives_json(log, five):
    digest = log.latest_digest()
    assert digest.seq == 5 and digest.key_id == log.keyring.signing_key_id
    assert SignedDigest.from_json(digest.to_json()) == digest
    assert digest.signed_by(log.public_key())
    assert "BEGIN PUBLIC KEY" in log.public_key_pem()
    with pytest.raises(ValueError, match="not a signed access-log digest"):
        SignedDigest.from_json('{"seq": "5"}')


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor", "someone-else"),
        ("role", "secretariat"),
        ("organisation", "fnv"),
        ("outcome", "denied"),
        ("tag", "0" * 64),
        ("details", None),
        ("hash", "f" * 64),
    ],
)
def test_an_edit_of_any_column_is_found_at_that_entry(services, log, five, column, value):
    with tampering(services) as cursor:
        if column == "details":
            value = base64.b64encode(b"TSE1" + bytes(60)).decode()
        cursor.execute(f"UPDATE {{schema}}.access_log SET {column} = %s WHERE seq = 3", (value,))
    result = log.verify()
    assert not result.ok and result.first_bad_seq == 3 and result.problem.startswith("changed")
    assert result.checked == 2


def test_an_edited_link_is_found_at_that_entry(services, log, five):
    with tampering(services) as cursor:
        cursor.execute("UPDATE {schema}.access_log SET prev_hash = %s WHERE seq = 3", ("0" * 64,))
    result = log.verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)


def test_an_edit_with_the_row_rehashed_is_caught_by_the_signed_digest(services, log, five):
    with tampering(services) as cursor:
        row = raw_rows(cursor, 3)[0]
        forged = dict(zip(COLUMNS.split(", "), row, strict=True), actor="someone-else")
        hashed = {k: v for k, v in forged.items() if k not in ("prev_hash", "hash")}
        new_hash = entry_hash(forged["prev_hash"], hashed)
        cursor.execute("UPDATE {schema}.access_log SET actor = 'someone-else', hash = %s WHERE seq = 3", (new_hash,))
    result = log.verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "signed digest" in result.problem


def _rewrite_chain_from(cursor: Cursor, seq: int, actor: str) -> None:
    """Edit one entry and recompute every hash from there on: a consistent chain, but unsigned."""
    prev = raw_rows(cursor, seq - 1)[0][8] if seq > 1 else "0" * 64
    for row in raw_rows(cursor)[seq - 1 :]:
        columns = dict(zip(COLUMNS.split(", ")[:7], row[:7], strict=True))
        if row[0] == seq:
            columns["actor"] = actor
        new_hash = entry_hash(prev, columns)
        cursor.execute(
            "UPDATE {schema}.access_log SET actor = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            (columns["actor"], prev, new_hash, row[0]),
        )
        prev = new_hash


def test_a_rewritten_chain_with_its_digests_deleted_is_caught_by_an_exported_digest(services, log, five):
    exported = SignedDigest.from_json(log.latest_digest().to_json())  # the auditor keeps this line
    log.append(sample_entry(6))
    with tampering(services) as cursor:
        _rewrite_chain_from(cursor, 2, "someone-else")
        cursor.execute("DELETE FROM {schema}.access_log_digests")
    assert log.verify().first_bad_seq == 1  # no signed digest covers the rewritten log at all
    result = log.verify(extra_digests=[exported])
    # no good checkpoint before the kept one: every entry it covers may be the rewritten one
    assert (result.ok, result.first_bad_seq) == (False, 1)
    assert result.problem.startswith("changed: entries 1-5 differ from the signed checkpoint at entry 5")


def test_a_deleted_middle_entry_is_found(services, log, five):
    with tampering(services) as cursor:
        cursor.execute("DELETE FROM {schema}.access_log WHERE seq = 3")
    result = log.verify()
    assert (result.ok, result.first_bad_seq, result.checked) == (False, 3, 2)
    assert result.problem.startswith("missing")


def test_a_deleted_middle_entry_with_the_rest_renumbered_is_found(services, log, five):
    with tampering(services) as cursor:
        cursor.execute("DELETE FROM {schema}.access_log WHERE seq = 3")
        _renumber(cursor, 4, by=-1)
        cursor.execute("DELETE FROM {schema}.access_log_digests WHERE seq = 5")
    result = log.verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)


def test_a_deleted_last_entry_is_found_by_the_latest_stored_digest(services, log, five):
    with tampering(services) as cursor:
        cursor.execute("DELETE FROM {schema}.access_log WHERE seq = 5")
    result = log.verify()
    assert (result.ok, result.first_bad_seq) == (False, 5)
    assert result.problem.startswith("truncated")


def test_a_deleted_last_entry_and_deleted_digests_are_found_by_an_exported_digest(services, log, five):
    exported = SignedDigest.from_json(log.latest_digest().to_json())
    with tampering(services) as cursor:
        cursor.execute("DELETE FROM {schema}.access_log WHERE seq = 5")
        cursor.execute("DELETE FROM {schema}.access_log_digests")
    result = log.verify(extra_digests=[exported])
    assert (result.ok, result.first_bad_seq) == (False, 5)
    assert result.problem.startswith("truncated")


def test_a_forged_entry_appended_with_a_valid_hash_is_found(services, log, five):
    with tampering(services) as cursor:
        last = raw_rows(cursor, 5)[0]
        columns = dict(zip(COLUMNS.split(", ")[:7], last[:7], strict=True), seq=6, actor="ghost")
        cursor.execute(
            f"INSERT INTO {{schema}}.access_log ({COLUMNS}) VALUES ({', '.join(['%s'] * 9)})",
            (*columns.values(), last[8], entry_hash(last[8], columns)),
        )
    result = log.verify()
    assert (result.ok, result.first_bad_seq) == (False, 6)
    assert result.problem.startswith("inserted")


def test_a_forged_entry_inserted_in_the_middle_is_found(services, log, five):
    with tampering(services) as cursor:
        before = raw_rows(cursor, 2)[0]
        _renumber(cursor, 3, by=1)
        columns = dict(zip(COLUMNS.split(", ")[:7], before[:7], strict=True), seq=3, actor="ghost")
        cursor.execute(
            f"INSERT INTO {{schema}}.access_log ({COLUMNS}) VALUES ({', '.join(['%s'] * 9)})",
            (*columns.values(), before[8], entry_hash(before[8], columns)),
        )
    result = log.verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)


def test_two_swapped_entries_are_found_at_the_first(services, log, five):
    with tampering(services) as cursor:
        second, fourth = raw_rows(cursor, 2)[0], raw_rows(cursor, 4)[0]
        update = (
            "UPDATE {schema}.access_log SET "
            + ", ".join(f"{c} = %s" for c in COLUMNS.split(", ")[1:])
            + " WHERE seq = %s"
        )
        cursor.execute(update, (*fourth[1:], 2))
        cursor.execute(update, (*second[1:], 4))
    result = log.verify()
    assert (result.ok, result.first_bad_seq) == (False, 2)
    assert result.problem.startswith("reordered")


@pytest.mark.parametrize("digests_too", [False, True])
def test_a_truncated_log_is_found(services, log, five, digests_too):
    exported = SignedDigest.from_json(log.latest_digest().to_json())
    with tampering(services) as cursor:
        tables = TABLES if digests_too else TABLES[:1]
        for table in tables:
            statement = "DELETE FROM {schema}." if services.sql.dialect == "sqlite" else "TRUNCATE {schema}."
            cursor.execute(statement + table)
    result = log.verify(extra_digests=[exported])
    assert (result.ok, result.first_bad_seq, result.checked) == (False, 1, 0)
    assert result.problem.startswith("truncated")


def test_a_digest_with_a_bad_signature_is_found(services, log, five):
    with tampering(services) as cursor:
        other = cursor.execute("SELECT signature FROM {schema}.access_log_digests WHERE seq = 4").fetchone()[0]
        cursor.execute("UPDATE {schema}.access_log_digests SET signature = %s WHERE seq = 3", (other,))
    result = log.verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert result.problem.startswith("bad signature")


def test_a_digest_signed_with_another_key_is_refused(log, five):
    genuine = log.latest_digest()
    impostor = Ed25519PrivateKey.generate()
    forged = replace(genuine, signature=base64.b64encode(impostor.sign(genuine.message())).decode())
    result = log.verify(extra_digests=[forged])
    assert (result.ok, result.first_bad_seq) == (False, 5)
    assert result.problem.startswith("bad signature")


def _count(services) -> tuple[int, int]:
    with services.sql.transaction() as cursor:
        return tuple(cursor.execute(f"SELECT COUNT(*) FROM {{schema}}.{table}").fetchone()[0] for table in TABLES)


def test_a_failed_write_propagates_and_writes_nothing(services, log, five, monkeypatch):
    execute = Cursor.execute

    def failing(self, sql, params=()):
        if sql.startswith("INSERT INTO {schema}.access_log_digests"):  # after the row's INSERT
            raise RuntimeError("disk full")
        return execute(self, sql, params)

    monkeypatch.setattr(Cursor, "execute", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        log.append(sample_entry(6))
    monkeypatch.undo()
    assert _count(services) == (5, 5)
    assert log.append(sample_entry(7)) == 6
    assert log.verify().ok


def test_a_failed_signature_propagates_and_writes_nothing(services, log, five, monkeypatch):
    def broken():
        raise OSError("keyring unavailable")

    monkeypatch.setattr(log.keyring, "signing_key", broken)
    with pytest.raises(OSError, match="keyring unavailable"):
        log.append(sample_entry(6))
    assert _count(services) == (5, 5)


def test_concurrent_appends_form_one_unbroken_chain(log):
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            for n in range(8):
                log.append(sample_entry(offset * 10 + n))
        except BaseException as error:  # noqa: BLE001 - surfaced below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [e.seq for e in log.entries(limit=100)] == list(range(1, 25))
    assert log.verify().checked == 24 and log.verify().ok


# --- entries about one company's data, and shredding ---------------------------------------------


def test_a_company_finds_exactly_the_entries_about_its_own_data_across_pages(services, log, monkeypatch):
    monkeypatch.setattr("keys.access.accesslog._PAGE", 3)  # several pages of tags to scan
    companies = ["stenen-bv", None, "other-co", "stenen-bv", "other-co", None, "stenen-bv", "stenen-bv"]
    for n, company in enumerate(companies, start=1):
        log.append(sample_entry(n, company=company))
    assert [e.seq for e in log.entries(company="stenen-bv", limit=100)] == [1, 4, 7, 8]
    assert [e.seq for e in log.entries(company="stenen-bv", limit=2, after_seq=1)] == [4, 7]
    assert [e.seq for e in log.entries(company="other-co", limit=100)] == [3, 5]
    assert log.entries(company="nobody-bv", limit=100) == []


def test_an_entry_sealed_while_the_company_had_no_key_is_still_found_once_it_has_one(services, log):
    log.append(sample_entry(1, company="new-member"))  # no data key yet: none is created by the log
    from keys.access.accesslog import company_key_owner

    assert services.datakeys.live_key(company_key_owner("new-member")) is None
    services.datakeys.current_key(company_key_owner("new-member"))  # its first report, say
    log.append(sample_entry(2, company="new-member"))
    assert [e.seq for e in log.entries(company="new-member")] == [1, 2]


def test_a_shredded_companys_entries_verify_but_no_longer_open(services, log):
    from keys.access.accesslog import company_key_owner

    for company in ("stenen-bv", "other-co"):
        services.datakeys.current_key(company_key_owner(company))
    log.append(sample_entry(1, company="stenen-bv"))
    log.append(sample_entry(2, company="other-co"))
    services.datakeys.shred(company_key_owner("stenen-bv"))
    first, second = log.entries()
    assert first.unreadable and (first.company, first.subject_kind, first.subject_ref, first.purpose) == (None,) * 4
    assert (first.actor, first.action, first.request_id, first.outcome) == (
        "ngo-user-1",
        "read_linked_list",
        "req-1",
        "granted",
    )  # who did what, when: not whose data
    assert not second.unreadable and second.company == "other-co"
    assert log.entries(company="stenen-bv") == []  # its tags came from the destroyed key
    assert log.verify().ok and log.verify().checked == 2


def test_a_store_with_a_log_in_the_earlier_format_is_refused_with_a_clear_error(services, log):
    from keys.access.accesslog import AccessLog

    with tampering(services) as cursor:
        cursor.execute("DROP TABLE {schema}.access_log")
        cursor.execute(
            "CREATE TABLE {schema}.access_log (seq INTEGER PRIMARY KEY, at TEXT, actor TEXT,"
            " role TEXT, organisation TEXT, action TEXT, company TEXT, outcome TEXT,"
            " request_id TEXT, details TEXT, prev_hash TEXT, hash TEXT)"
        )
    with pytest.raises(AccessLogFormatError, match="company, request id and time in clear"):
        AccessLog(services.sql, services.datakeys, services.keyring).create_tables()
