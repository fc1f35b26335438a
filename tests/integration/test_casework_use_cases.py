"""The two use cases the case pages (issue 14) needed beyond the JSON routes' ones:

- ``GrievanceCases.companies_to_notify``: which companies matching found, before they are notified
  (the secretariat's notify page shows them; decided under ``notify_companies``, the secretariat's
  own row: nobody else learns a buyer of the site from it);
- ``CaseDesk.desk_for``: the cases on the desk of one duty's page, decided under that duty's row of
  the policy (``manage_case`` for the secretariat's case pages, ``record_committee_decision`` for the
  committee's case files), so that a role opening another role's case pages is refused and logged.
"""

from __future__ import annotations

import datetime as dt

import pytest

from grievance.domain.filing import Filing, Reporter
from keys.access.filter import AccessDeniedError
from keys.access.policy import Action
from tests.clock import FakeClock
from tests.principals import of_account

NOW = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(services, demo):
    services.clock.set(FakeClock(NOW))
    who = {role: of_account(services, demo.logins[role]) for role in ("secretariat", "ngo", "committee", "company")}
    filing = Filing(
        case_type="complaint",
        description="Children seen carrying sandstone slabs at the quarry face in early November.",
        themes=["child_labour"],
        site_ids=[demo.rajasthan_quarry],
        observed_on=dt.date(2025, 11, 2),
        reporter=Reporter("Sangh Kishanpura"),
    )
    reference = services.grievance_cases.file(who["ngo"], filing, "req-file").reference
    return services, demo, who, reference


def _entries_since(services, start: int) -> list[tuple[str, str, str]]:
    return [
        (e.action, str(e.outcome), e.request_id) for e in services.access_log.entries(limit=100000, after_seq=start)
    ]


def _last_seq(services) -> int:
    return services.access_log.entries(limit=100000)[-1].seq


def test_the_secretariat_sees_the_companies_matching_found_before_it_notifies_them(world):
    services, demo, who, reference = world
    cases = services.grievance_cases
    assert cases.companies_to_notify(who["secretariat"], reference, "req-none").companies == []
    cases.take_step(who["secretariat"], reference, "acknowledge", "received", "req-ack")
    cases.match(who["secretariat"], reference, [demo.rajasthan_quarry], None, "site confirmed", "req-match")

    start = _last_seq(services)
    found = cases.companies_to_notify(who["secretariat"], reference, "req-to-notify")
    assert found.reference == reference
    assert found.companies == sorted(demo.rajasthan_buyers)  # the demo's two buyers of the quarry
    assert _entries_since(services, start) == [("notify_companies", "granted", "req-to-notify")]

    for name in ("committee", "ngo", "company"):
        start = _last_seq(services)
        with pytest.raises(AccessDeniedError):
            cases.companies_to_notify(who[name], reference, f"req-{name}")
        assert _entries_since(services, start) == [("notify_companies", "denied", f"req-{name}")]


def test_a_duty_s_desk_holds_its_cases_and_refuses_the_other_roles(world):
    services, _, who, reference = world
    desk, cases = services.case_desk, services.grievance_cases

    def on_desk(name: str, duty: Action) -> list[str]:
        return [item.reference for item in desk.desk_for(who[name], duty, f"req-{name}")]

    assert on_desk("secretariat", Action.MANAGE_CASE) == [reference]
    assert on_desk("committee", Action.RECORD_COMMITTEE_DECISION) == []  # not before the committee yet
    cases.take_step(who["ngo"], reference, "refer_to_committee", "no remediation", "req-refer")
    assert on_desk("committee", Action.RECORD_COMMITTEE_DECISION) == [reference]

    for name, duty in (
        ("committee", Action.MANAGE_CASE),
        ("ngo", Action.MANAGE_CASE),
        ("secretariat", Action.RECORD_COMMITTEE_DECISION),
        ("company", Action.RECORD_COMMITTEE_DECISION),
    ):
        start = _last_seq(services)
        with pytest.raises(AccessDeniedError):
            on_desk(name, duty)
        assert _entries_since(services, start) == [(duty.value, "denied", f"req-{name}")], (name, duty)


def test_a_desk_is_asked_for_a_case_duty_only(world):
    services, _, who, _ = world
    with pytest.raises(ValueError, match="read_linked_list"):
        services.case_desk.desk_for(who["secretariat"], Action.READ_LINKED_LIST, "req-x")


def test_a_page_offers_the_steps_the_stage_allows_and_the_policy_gives_the_reader(world):
    services, demo, who, reference = world
    cases = services.grievance_cases
    start = _last_seq(services)
    offered = {name: cases.steps_for(who[name], reference) for name in who}
    assert offered == {
        "secretariat": ["acknowledge", "refer_to_committee"],
        "ngo": ["refer_to_committee"],  # the filer
        "committee": [],
        "company": [],  # not notified of the case
    }
    assert _entries_since(services, start) == []  # a decision on the facts only: nothing read, nothing logged
    cases.take_step(who["secretariat"], reference, "acknowledge", "received", "req-ack")
    cases.match(who["secretariat"], reference, [demo.rajasthan_quarry], None, "site confirmed", "req-match")
    assert cases.steps_for(who["secretariat"], reference) == ["notify_companies", "refer_to_committee"]
    cases.notify(who["secretariat"], reference, "Child labour was reported at this quarry.", "notified", "req-n")
    assert cases.steps_for(who["company"], reference) == ["respond"]  # the demo company buys there
    cases.take_step(who["ngo"], reference, "refer_to_committee", "no remediation", "req-refer")
    assert {name: cases.steps_for(who[name], reference) for name in who} == {
        "secretariat": [],
        "ngo": [],
        "committee": ["admit"],
        "company": [],
    }
