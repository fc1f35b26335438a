"""The access log a page at a time (keys/access/log_reading.py ``AccessLogReading.page``), on both
stores: newest first, filtered by who, organisation, company, action, outcome and period, paged by
cursor; and the chain's verification status (``verification``) that the auditor's page shows."""

from __future__ import annotations

import base64
import datetime as dt
import uuid

import pytest

from keys.access import log_reading
from keys.access.accesslog import AccessEntry, Outcome
from keys.access.filter import AccessDeniedError
from keys.access.log_reading import LogFilter
from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.errors import ValidationError
from tests.integration.test_access_log import tampering


def person(login: str, role: Role, organisation: str) -> Principal:
    return Principal(login, role, uuid.uuid4(), organisation)


SECRETARIAT = person("sec.user", Role.SECRETARIAT, "secretariat")
NGO = person("ngo.user", Role.NGO, "an-ngo")
ACME = person("acme.user", Role.COMPANY, "acme")
AUDITOR = person("auditor.user", Role.AUDITOR, "auditor-org")
COMMITTEE = person("committee.user", Role.COMMITTEE, "committee")


def entry(who: Principal, action: str, outcome: str, company: str | None = None) -> AccessEntry:
    return AccessEntry(
        who.login, who.role.value, who.organisation_ref, action, company, "report", "", "", "req", Outcome(outcome)
    )


@pytest.fixture
def logged(services):
    """Five entries, seq 1-5: the secretariat reads acme's report and other-co's; the NGO reads the
    aggregated list; the committee is refused the linked list; the NGO reads acme's report."""
    for one in (
        entry(SECRETARIAT, "read_report", "granted", "acme"),
        entry(SECRETARIAT, "read_report", "granted", "other-co"),
        entry(NGO, "read_aggregated_list", "granted"),
        entry(COMMITTEE, "read_linked_list", "denied"),
        entry(NGO, "read_report", "granted", "acme"),
    ):
        services.access_log.append(one)
    return services


def seqs(page) -> list[int]:
    return [entry.seq for entry in page.entries]


def test_the_auditor_reads_newest_first_without_its_own_read(logged):
    page = logged.access_log_reading.page(AUDITOR, "audit-1")
    assert [(e.seq, e.actor, e.action, e.outcome) for e in page.entries] == [
        (5, "ngo.user", "read_report", "granted"),
        (4, "committee.user", "read_linked_list", "denied"),
        (3, "ngo.user", "read_aggregated_list", "granted"),
        (2, "sec.user", "read_report", "granted"),
        (1, "sec.user", "read_report", "granted"),
    ]
    assert page.next_cursor is None
    own = logged.access_log.entries(after_seq=5)
    assert [(e.actor, e.action, e.outcome, e.request_id) for e in own] == [
        ("auditor.user", "read_access_log", "granted", "audit-1")
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (LogFilter(actor="sec.user"), [2, 1]),
        (LogFilter(organisation="an-ngo"), [5, 3]),
        (LogFilter(company="acme"), [5, 1]),
        (LogFilter(action="read_report"), [5, 2, 1]),
        (LogFilter(outcome="denied"), [4]),
        (LogFilter(action="read_report", organisation="secretariat", company="other-co"), [2]),
        (LogFilter(actor="nobody"), []),
    ],
)
def test_each_filter_narrows_the_page(logged, filters, expected):
    assert seqs(logged.access_log_reading.page(AUDITOR, "audit-f", filters)) == expected


def test_the_period_is_a_range_of_utc_days_both_ends_included(logged):
    today = dt.datetime.now(dt.UTC).date()
    day = dt.timedelta(days=1)
    reading = logged.access_log_reading
    assert seqs(reading.page(AUDITOR, "p1", LogFilter(since=today, until=today))) == [5, 4, 3, 2, 1]
    assert seqs(reading.page(AUDITOR, "p2", LogFilter(since=today + day))) == []
    assert seqs(reading.page(AUDITOR, "p3", LogFilter(until=today - day))) == []
    assert seqs(reading.page(AUDITOR, "p4", LogFilter(since=today - day, action="read_linked_list"))) == [4]


def test_pages_follow_each_other_by_cursor_without_gap_or_repeat(logged):
    reading = logged.access_log_reading
    first = reading.page(AUDITOR, "page-1", limit=2)
    assert seqs(first) == [5, 4]
    second = reading.page(AUDITOR, "page-2", cursor=first.next_cursor, limit=2)
    assert seqs(second) == [3, 2]
    third = reading.page(AUDITOR, "page-3", cursor=second.next_cursor, limit=2)
    assert seqs(third) == [1]
    assert third.next_cursor is None


def test_a_filtered_search_stops_after_its_limit_and_says_where(logged, monkeypatch):
    monkeypatch.setattr(log_reading, "SEARCH_LIMIT", 2)
    reading = logged.access_log_reading
    first = reading.page(AUDITOR, "s-1", LogFilter(action="read_report"))
    assert (seqs(first), first.searched_to) == ([5], 4)
    rest = reading.page(AUDITOR, "s-2", LogFilter(action="read_report"), cursor=first.next_cursor)
    assert (seqs(rest), rest.searched_to) == ([2], 2)
    last = reading.page(AUDITOR, "s-3", LogFilter(action="read_report"), cursor=rest.next_cursor)
    assert (seqs(last), last.searched_to, last.next_cursor) == ([1], None, None)


def test_filters_stay_inside_the_readers_part_of_the_log(logged):
    reading = logged.access_log_reading
    assert seqs(reading.page(ACME, "acme-1")) == [5, 1]
    assert seqs(reading.page(ACME, "acme-2", LogFilter(actor="ngo.user"))) == [5]
    assert seqs(reading.page(ACME, "acme-3", LogFilter(company="other-co"))) == []
    assert seqs(reading.page(NGO, "ngo-1")) == [5, 3]
    assert seqs(reading.page(NGO, "ngo-2", LogFilter(actor="sec.user"))) == []


@pytest.mark.parametrize(
    ("filters", "cursor", "field"),
    [
        (LogFilter(action="read_everything"), None, "action"),
        (LogFilter(outcome="maybe"), None, "outcome"),
        (LogFilter(since=dt.date(2025, 3, 2), until=dt.date(2025, 3, 1)), None, "until"),
        (LogFilter(), "not-a-cursor", "cursor"),
        # A cursor of the right shape with a number no page gave: it overflowed SQLite (a 500).
        (LogFilter(), base64.urlsafe_b64encode(b"[100000000000000000000]").decode().rstrip("="), "cursor"),
        (LogFilter(), base64.urlsafe_b64encode(b"[0]").decode().rstrip("="), "cursor"),
        (LogFilter(action="read_report"), base64.urlsafe_b64encode(b"[-7]").decode().rstrip("="), "cursor"),
    ],
)
def test_a_filter_or_cursor_that_cannot_be_is_refused_naming_it(logged, filters, cursor, field):
    with pytest.raises(ValidationError) as refused:
        logged.access_log_reading.page(AUDITOR, "bad", filters, cursor=cursor)
    assert refused.value.field == field


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.BUYER])
def test_a_role_without_a_scope_is_refused_and_logged(logged, role):
    who = person(f"{role.value}.user", role, f"{role.value}-org")
    with pytest.raises(AccessDeniedError):
        logged.access_log_reading.page(who, "refused-1")
    own = [(e.actor, e.action, e.outcome) for e in logged.access_log.entries() if e.request_id == "refused-1"]
    assert own == [(who.login, "read_access_log", "denied")]


def test_the_verification_covers_every_entry_and_names_the_first_bad_one(logged):
    status = logged.access_log_reading.verification(AUDITOR, "verify-1")
    assert (status.ok, status.checked, status.first_bad_entry) == (True, 6, None)  # its own entry is the sixth
    assert status.checked_at.tzinfo is not None
    with tampering(logged) as cursor:
        cursor.execute("UPDATE {schema}.access_log SET actor = %s WHERE seq = 3", ("someone.else",))
    broken = logged.access_log_reading.verification(AUDITOR, "verify-2")
    assert (broken.ok, broken.first_bad_entry) == (False, 3)
    assert "changed" in (broken.problem or "")


@pytest.mark.parametrize("who", [COMMITTEE, ACME, NGO])
def test_only_the_auditor_and_the_secretariat_verify_the_chain(logged, who):
    with pytest.raises(AccessDeniedError):
        logged.access_log_reading.verification(who, "verify-x")
    assert logged.access_log_reading.verification(SECRETARIAT, "verify-s").ok
