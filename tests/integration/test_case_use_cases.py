"""The grievance use cases (grievance/usecases) on the demo data: each role reads of a case the parts
that docs/access.md gives it, each read is one access-log entry carrying its request id, and each
role's desk holds the cases its scope names (secretariat: every case; committee: once before it;
filer: its own; company: notified or party)."""

from __future__ import annotations

import datetime as dt

import pytest

from grievance.domain.filing import Filing, Reporter
from keys.access.filter import AccessDeniedError
from keys.access.principal import Principal
from registry.domain.accounts import Role
from tests.clock import FakeClock
from tests.principals import of_account

NOW = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)
DESCRIPTION = "Children seen carrying sandstone slabs at the quarry face in early November."
SUMMARY_KEYS = {
    "reference",
    "case_type",
    "stage",
    "filer",
    "site_ids",
    "country",
    "region",
    "themes",
    "observed_on",
    "language",
    "filed_at",
    "stages",
    "allowed_next",
    "evidence",
    "systemic",
    "hearing_on",
    "compliance_deadline",
    "published_summary",
}


@pytest.fixture
def world(services, demo):
    clock = FakeClock(NOW)
    services.clock.set(clock)
    who = {role: of_account(services, demo.logins[role]) for role in ("secretariat", "ngo", "union", "company")}
    who["committee"] = of_account(services, demo.logins["committee"])
    other = demo.rajasthan_buyers[1]
    services.registry.create_account(f"user.{other}", Role.COMPANY, other, "Other buyer", "x", None)
    who["other buyer"] = Principal(f"user.{other}", Role.COMPANY, services.registry.organisation_id(other), other)
    filing = Filing(
        case_type="complaint",
        description=DESCRIPTION,
        themes=["child_labour"],
        site_ids=[demo.rajasthan_quarry],
        observed_on=dt.date(2025, 11, 2),
        reporter=Reporter("Sangh Kishanpura"),
    )
    cases = services.grievance_cases
    reference = cases.file(who["ngo"], filing, "req-file").reference
    cases.take_step(who["secretariat"], reference, "acknowledge", "received", "req-ack")
    cases.match(who["secretariat"], reference, [demo.rajasthan_quarry], None, "site confirmed", "req-match")
    cases.notify(who["secretariat"], reference, "Child labour was reported at this quarry.", "notified", "req-n")
    cases.write(who["company"], reference, "response", "We asked our supplier for its records.", "req-write")
    return services, who, reference


def sealed_parts(view: dict) -> set[str]:
    return set(view) - SUMMARY_KEYS


def test_each_role_reads_the_parts_of_the_case_docs_access_md_gives_it(world):
    services, who, reference = world
    cases = services.grievance_cases
    expected = {
        "secretariat": {"description", "messages"},  # the file: allegation, reasons, every message
        "ngo": {"description", "messages"},  # the filer: its own filing and the stages
        "company": {"notice", "messages"},  # a notified company: its own notice and messages
        "other buyer": {"notice", "messages"},
    }
    for name, parts in expected.items():
        start = services.access_log.entries(limit=100000)[-1].seq
        view = cases.read_case(who[name], reference, f"req-read-{name}")
        assert sealed_parts(view) == parts, name
        entries = services.access_log.entries(limit=100000, after_seq=start)
        assert [(e.action, str(e.outcome), e.request_id) for e in entries] == [
            ("read_case", "granted", f"req-read-{name}")
        ]
    messages = {name: cases.read_case(who[name], reference)["messages"] for name in expected}
    assert [m["text"] for m in messages["secretariat"]] == ["We asked our supplier for its records."]
    assert [m["text"] for m in messages["company"]] == ["We asked our supplier for its records."]
    assert messages["other buyer"] == [] and messages["ngo"] == []
    reasons = [entry.get("reason") for entry in cases.read_case(who["secretariat"], reference)["stages"]]
    assert reasons[1:3] == ["received", "site confirmed"]
    assert all("reason" not in entry for entry in cases.read_case(who["ngo"], reference)["stages"])

    for name in ("union", "committee"):  # not its case; not before the committee
        with pytest.raises(AccessDeniedError):
            cases.read_case(who[name], reference, f"req-denied-{name}")


def test_each_desk_holds_the_cases_of_its_scope(world):
    services, who, reference = world
    desk, cases = services.case_desk, services.grievance_cases

    def on_desk(name: str) -> list[str]:
        return [item.reference for item in desk.queue(who[name], f"req-desk-{name}")]

    assert {name: on_desk(name) for name in who} == {
        "secretariat": [reference],
        "ngo": [reference],
        "union": [],
        "company": [reference],
        "other buyer": [reference],
        "committee": [],
    }
    cases.take_step(who["ngo"], reference, "refer_to_committee", "no remediation", "req-refer")
    assert on_desk("committee") == [reference]
    assert sealed_parts(cases.read_case(who["committee"], reference)) == {"description", "messages"}
    assert [notice["company"] for notice in desk.notices(who["company"], "req-inbox")] == [
        who["company"].organisation_ref
    ]
