"""Reading the access log through its use case (keys/access/log_reading.py), on both stores: each role
reads the part docs/access.md gives it, every read is one entry of its own, and a refused read is
refused before the log is read at all."""

from __future__ import annotations

import uuid

import pytest

from keys.access.filter import AccessDeniedError, Audit
from keys.access.policy import Action, Facts
from keys.access.principal import Principal
from registry.domain.accounts import Role


def person(login: str, role: Role, organisation: str) -> Principal:
    return Principal(login, role, uuid.uuid4(), organisation)


SECRETARIAT = person("sec.user", Role.SECRETARIAT, "secretariat")
NGO = person("ngo.user", Role.NGO, "an-ngo")
ACME = person("acme.user", Role.COMPANY, "acme")
AUDITOR = person("auditor.user", Role.AUDITOR, "auditor-org")


@pytest.fixture
def logged(services):
    """Three entries: the secretariat reads acme's report and another company's; the NGO reads the
    aggregated list."""
    guard = services.filter
    guard.authorise(SECRETARIAT, Action.READ_REPORT, Facts(), Audit(subject_kind="report", company="acme"))
    guard.authorise(SECRETARIAT, Action.READ_REPORT, Facts(), Audit(subject_kind="report", company="other-co"))
    guard.authorise(NGO, Action.READ_AGGREGATED_LIST, Facts(), Audit(subject_kind="aggregated_list"))
    return services


def entries_of(services, request_id: str) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.outcome) for e in services.access_log.entries() if e.request_id == request_id]


def test_the_auditor_reads_every_entry_before_its_own_read(logged):
    read = logged.access_log_reading.entries(AUDITOR, "audit-1")
    assert [(e.actor, e.company) for e in read] == [
        ("sec.user", "acme"),
        ("sec.user", "other-co"),
        ("ngo.user", None),
    ]
    assert entries_of(logged, "audit-1") == [("auditor.user", "read_access_log", "granted")]


def test_a_company_reads_the_entries_about_its_own_data_only(logged):
    read = logged.access_log_reading.entries(ACME, "acme-1")
    assert [(e.actor, e.company) for e in read] == [("sec.user", "acme")]
    assert entries_of(logged, "acme-1") == [("acme.user", "read_access_log", "granted")]


def test_a_party_reads_its_own_entries_only(logged):
    read = logged.access_log_reading.entries(NGO, "ngo-1")
    assert [(e.actor, e.action) for e in read] == [("ngo.user", "read_aggregated_list")]
    assert entries_of(logged, "ngo-1") == [("ngo.user", "read_access_log", "granted")]


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.BUYER])
def test_a_role_without_a_scope_is_refused_before_the_log_is_read(logged, monkeypatch, role):
    reads: list[object] = []
    real = logged.access_log.rows
    monkeypatch.setattr(logged.access_log, "rows", lambda *a, **k: reads.append(k) or real(*a, **k))
    who = person(f"{role.value}.user", role, f"{role.value}-org")
    with pytest.raises(AccessDeniedError):
        logged.access_log_reading.entries(who, "refused-1")
    assert reads == []
    assert entries_of(logged, "refused-1") == [(who.login, "read_access_log", "denied")]
