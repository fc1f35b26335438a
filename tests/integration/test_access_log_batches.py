"""The access log under load (issue 12 item 3), on both stores: one transaction per request, readers
that never wait for an append, and 20 searches at once without an error.

A batched request still writes one entry per company whose data it released, each with its own
seq, tag and two-layer sealing (keys/access/accesslog.py); what changes is that they are written together,
in one transaction, or not at all.
"""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager

import pytest

from keys.access.accesslog import ACCESS_LOG_OWNER, company_key_owner
from keys.access.filter import Audit
from keys.access.policy import Action, Facts
from keys.access.principal import Principal
from keys.storage.sql import Cursor
from registry.domain.accounts import Role
from tests.integration.test_access_log import sample_entry
from tests.integration.test_filter_access_log import _sealed
from tests.integration.test_linked_list import SECRETARIAT, world  # noqa: F401  (fixture)

NGO = Principal(login="ngo-user-1", role=Role.NGO, organisation_id=uuid.uuid4(), organisation_ref="arisa")
AUDIT = Audit(subject_kind="linked_list", subject_ref="", purpose="linked list search", request_id="req-batch")
COMPANIES = ("company-a", "company-b", "company-c")


@contextmanager
def counting_transactions(services):
    """Counts the store's exclusive (write) transactions; each still runs on the real store. The
    access log's own data key is made first (a fresh store's first append makes it, in a write of its own)."""
    services.datakeys.current_key(ACCESS_LOG_OWNER)
    real = services.sql.transaction
    opened: list[bool] = []

    def transaction(exclusive: bool = False):
        if exclusive:
            opened.append(True)
        return real(exclusive=exclusive)

    services.sql.transaction = transaction
    try:
        yield opened
    finally:
        del services.sql.transaction


def count_entries(services) -> tuple[int, int]:
    with services.sql.transaction() as cursor:
        return tuple(
            cursor.execute(f"SELECT COUNT(*) FROM {{schema}}.{table}").fetchone()[0]
            for table in ("access_log", "access_log_digests")
        )


@contextmanager
def failing_on_insert(monkeypatch, nth: int):
    """The store refuses the nth INSERT of an access-log row (as a full disk would, midway)."""
    execute, seen = Cursor.execute, []

    def failing(self, sql, params=()):
        if sql.startswith("INSERT INTO {schema}.access_log ("):
            seen.append(sql)
            if len(seen) == nth:
                raise OSError("the store refused the write")
        return execute(self, sql, params)

    monkeypatch.setattr(Cursor, "execute", failing)
    try:
        yield
    finally:
        monkeypatch.undo()


@pytest.fixture
def three(services) -> list[tuple[str, object]]:
    """One sealed report per company, each under that company's own key."""
    return [
        (company, _sealed(services, company_key_owner(company), [f"SITE-{company[-1]}"], f"x/{company}"))
        for company in COMPANIES
    ]


def test_append_many_writes_each_entry_sealed_and_tagged_in_one_transaction(services):
    log = services.access_log
    for company in COMPANIES[:2]:  # two with a data key, one without: both inner-key paths
        services.datakeys.current_key(company_key_owner(company))
    entries = [sample_entry(n, company=company) for n, company in enumerate(COMPANIES, start=1)]
    with counting_transactions(services) as opened:
        assert log.append_many(entries) == [1, 2, 3]
    assert len(opened) == 1
    assert [(e.seq, e.company, e.request_id, e.subject_ref) for e in log.entries()] == [
        (1, "company-a", "req-1", "IN-RJ-SECRETSITE1"),
        (2, "company-b", "req-2", "IN-RJ-SECRETSITE2"),
        (3, "company-c", "req-3", "IN-RJ-SECRETSITE3"),
    ]
    assert [[e.seq for e in log.entries(company=c)] for c in COMPANIES] == [[1], [2], [3]]
    rows = log.rows()
    assert len({row.tag for row in rows}) == 3 and len({len(row.details) for row in rows}) == 1
    assert log.verify().ok


def test_append_many_of_nothing_writes_nothing(services):
    assert services.access_log.append_many([]) == [] and count_entries(services) == (0, 0)


def test_a_batch_that_fails_midway_writes_none_of_its_entries(services, monkeypatch):
    log = services.access_log
    log.append(sample_entry(1))
    before = count_entries(services)
    with failing_on_insert(monkeypatch, nth=2), pytest.raises(OSError, match="refused"):
        log.append_many([sample_entry(n, company=c) for n, c in enumerate(COMPANIES, start=2)])
    assert count_entries(services) == before
    assert log.append(sample_entry(9)) == 2 and log.verify().ok


def test_a_search_over_three_companies_logs_three_entries_in_one_transaction(services, three):
    with counting_transactions(services) as opened:
        found = services.filter.open_many(
            NGO,
            Action.READ_LINKED_LIST,
            Facts(valid_declaration=True),
            AUDIT,
            three,
            lambda company, sites: [(company, s) for s in sites],
        )
    assert found == [("company-a", "SITE-a"), ("company-b", "SITE-b"), ("company-c", "SITE-c")]
    assert len(opened) == 1
    assert [(e.company, e.outcome, e.request_id, e.action) for e in services.access_log.entries()] == [
        ("company-a", "granted", "req-batch", "read_linked_list"),
        ("company-b", "granted", "req-batch", "read_linked_list"),
        ("company-c", "granted", "req-batch", "read_linked_list"),
    ]


def test_a_search_whose_log_write_fails_midway_logs_nothing_and_releases_nothing(services, three, monkeypatch):
    released = []
    with failing_on_insert(monkeypatch, nth=2), pytest.raises(OSError, match="refused"):
        released = services.filter.open_many(
            NGO,
            Action.READ_LINKED_LIST,
            Facts(valid_declaration=True),
            AUDIT,
            three,
            lambda company, sites: [(company, s) for s in sites],
        )
    assert released == [] and count_entries(services) == (0, 0)


def test_items_may_carry_a_label_that_select_receives(services, three):
    """The grievance matching searches several years in one request: each item says its year."""
    labelled = [(company, sealed, 2020 + n) for n, (company, sealed) in enumerate(three)]
    found = services.filter.open_many(
        NGO,
        Action.READ_LINKED_LIST,
        Facts(valid_declaration=True),
        AUDIT,
        labelled,
        lambda company, sites, year: [(company, year)],
    )
    assert found == [("company-a", 2020), ("company-b", 2021), ("company-c", 2022)]


def test_readers_never_wait_for_an_append_in_progress(services):
    """An append is held open inside its transaction (it waits while signing, after its INSERT); the
    log is read and verified meanwhile from another thread, and the read does not wait for it."""
    log = services.access_log
    log.append(sample_entry(1))
    log.checkpoint()
    inside, release = threading.Event(), threading.Event()
    real_signing_key = log.keyring.signing_key

    def slow_signing_key():
        if threading.current_thread() is writer:  # the reader needs the public key: not held up
            inside.set()
            release.wait(30)
        return real_signing_key()

    log.keyring.signing_key = slow_signing_key
    log.checkpoint_entries = 1  # this append signs, so it waits inside its transaction
    writer = threading.Thread(target=log.append, args=(sample_entry(2),))
    writer.start()
    try:
        assert inside.wait(10)
        seen: list = []
        reader = threading.Thread(target=lambda: seen.append(([r.seq for r in log.rows()], log.verify().ok)))
        reader.start()
        reader.join(10)
        assert not reader.is_alive(), "the reader waited for the append"
        assert seen == [([1], True)]  # the append in progress is not seen, nor half of it
    finally:
        release.set()
        writer.join(30)
        del log.keyring.signing_key
    assert [r.seq for r in log.rows()] == [1, 2] and log.verify().ok


def test_twenty_searches_at_once_all_answer_and_every_entry_is_in_one_unbroken_chain(world):
    world.catch_up()
    expected = sorted((row.company, row.site_id) for row in world.linked_search.search(SECRETARIAT)[1])
    errors: list[BaseException] = []
    answers: list[list] = []
    start = threading.Barrier(20)

    def search(n: int) -> None:
        try:
            start.wait(30)
            rows = world.linked_search.search(SECRETARIAT, request_id=f"concurrent-{n}")[1]
            answers.append(sorted((row.company, row.site_id) for row in rows))
        except BaseException as error:  # noqa: BLE001 - surfaced below
            errors.append(error)

    threads = [threading.Thread(target=search, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == [] and len(answers) == 20 and all(answer == expected for answer in answers)
    entries = world.access_log.entries(actor=SECRETARIAT.login, limit=100_000)
    per_request = {}
    for entry in entries:
        per_request.setdefault(entry.request_id, []).append((entry.seq, entry.company))
    for n in range(20):  # each request's entries: every company, in consecutive seqs (one transaction)
        mine = per_request[f"concurrent-{n}"]
        assert [company for _, company in mine] == ["de-steenhouwer", "graniet-import"]
        assert mine[1][0] == mine[0][0] + 1
    assert world.access_log.verify().ok
