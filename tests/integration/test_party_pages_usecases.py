"""What the party pages ask the grievance use cases beyond their JSON twins: whether a principal may file a
report for a local partner at all, asked when the empty form is drawn (docs/access.md: file_grievance, NGO and
union parties; a company only a dispute). A refusal is one denied access-log entry; a grant logs nothing, as
nothing is read (the filing logs its own grant)."""

from __future__ import annotations

import pytest

from keys.access.filter import AccessDeniedError
from tests.principals import of_account

ALLOWED = ("ngo", "union")
REFUSED = ("company", "committee", "auditor", "buyer", "secretariat")


def _entries_after(services, seq: int) -> list:
    return services.access_log.entries(limit=1000, after_seq=seq)


def _last_seq(services) -> int:
    entries = services.access_log.entries(limit=100000)
    return entries[-1].seq if entries else 0


def test_the_parties_may_file_a_report_and_asking_logs_nothing(services, demo):
    for role in ALLOWED:
        principal = of_account(services, demo.logins[role])
        before = _last_seq(services)
        services.grievance_cases.may_file(principal, "req-form")
        assert _entries_after(services, before) == []


@pytest.mark.parametrize("role", REFUSED)
def test_every_other_role_is_refused_the_form_and_the_refusal_is_logged(services, demo, role):
    principal = of_account(services, demo.logins[role])
    before = _last_seq(services)
    with pytest.raises(AccessDeniedError):
        services.grievance_cases.may_file(principal, "req-form")
    entries = _entries_after(services, before)
    assert [(e.action, str(e.outcome), e.request_id) for e in entries] == [("file_grievance", "denied", "req-form")]
