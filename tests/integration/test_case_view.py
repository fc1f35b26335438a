"""The grievance case view: role queues with deadlines, published statistics, anonymised rulings.

Cases are built as aggregates and their events fed straight to the view (no application): sealed
attributes are plain values here, which also shows the view never copies them.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from eventsourcing.persistence import Tracking

from grievance.domain.case import (
    CaseType,
    GrievanceCase,
    MessageKind,
    Theme,
    first_stage,
)
from grievance.domain.stages import Stage, Step
from keys.encryption.sealing import SealedField
from projections.cases import CaseBoard, CaseView, PendingNotice
from projections.runner import view_recorder

DAY0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
NOTICE = SealedField(b"opaque-bytes", "ctx")
REPORTER = {"name": "Secret Reporter", "contact": "+91 0000 secret"}


def day(n: float) -> dt.datetime:
    return DAY0 + dt.timedelta(days=n)


class Feed:
    """Feeds every new event of the given cases to the view, positions increasing."""

    def __init__(self, recorder):
        self.recorder = recorder
        self.events: list = []

    def __call__(self, *cases: GrievanceCase) -> None:
        for case in cases:
            for event in case.collect_events():
                self.events.append(event)
                assert self.recorder.process(event, Tracking("grievance", len(self.events)))

    def rebuild(self) -> None:
        self.recorder.forget("grievance")
        for position, event in enumerate(self.events, start=1):
            assert self.recorder.process(event, Tracking("grievance", position))


@pytest.fixture
def recorder(settings):
    return view_recorder(settings, CaseView())


@pytest.fixture
def feed(recorder):
    return Feed(recorder)


@pytest.fixture
def board(recorder):
    return CaseBoard(recorder)


def file(
    number: int,
    filer_ref: str = "arisa",
    on: float = 0,
    case_type: CaseType = CaseType.COMPLAINT,
    country: str | None = "IN",
    themes=(Theme.CHILD_LABOUR,),
    party_tags=(),
) -> GrievanceCase:
    return GrievanceCase(
        reference=f"TS-2025-{number:04d}",
        case_type=case_type,
        filer_ref=filer_ref,
        filer_kind="company" if case_type.is_dispute else "ngo",
        site_ids=["site-q1"],
        country=country,
        region="Rajasthan",
        themes=list(themes),
        observed_on=None,
        language="en",
        reporter=REPORTER,
        description={"text": "dust, no masks"},
        parties={"names": ["Hidden Party BV"]},
        party_tags=list(party_tags),
        followup_tag=f"followup-{number}",
        stage=first_stage(case_type),
        at=day(on),
        actor="filer.user",
    )


def acknowledge(case: GrievanceCase, on: float) -> None:
    case.advance(Step.ACKNOWLEDGE, "secretariat.user", "received", at=day(on))


def matched(tag: str) -> tuple[str, uuid.UUID, dict]:
    """What matching found for one company: its tag, its grievance key's owner, the (sealed) match."""
    return tag, uuid.uuid5(uuid.NAMESPACE_OID, tag), {"company": "hidden"}


def notified(number: int, tags: list[str], on: float = 0) -> GrievanceCase:
    case = file(number, on=on)
    acknowledge(case, on + 1)
    case.match(["site-q1"], [2024], [matched(tag) for tag in tags], "secretariat.user", "linked list", at=day(on + 3))
    case.notify_companies([(tag, NOTICE) for tag in tags], "secretariat.user", "notify", at=day(on + 4))
    return case


def ruled_dispute(number: int = 3) -> GrievanceCase:
    case = file(
        number,
        filer_ref="graniet-import",
        on=1,
        case_type=CaseType.DISPUTE_BETWEEN_PARTIES,
        country="CN",
        themes=(Theme.LIVING_WAGE,),
        party_tags=["tag-party"],
    )
    case.advance(Step.ADMIT, "committee.user", "admissible", at=day(3), outcome=Stage.ADMITTED)
    case.advance(Step.SCHEDULE_HEARING, "committee.user", "hearing", at=day(10), hearing_on=dt.date(2025, 4, 1))
    case.rule(
        "the binding ruling text",
        dt.date(2025, 6, 1),
        "A supplier must pay the agreed living wage.",
        "committee.user",
        "ruling",
        at=day(40),
    )
    return case


@pytest.fixture
def world(feed):
    """An open complaint in dialogue, an unacknowledged one, a ruled dispute and a closed complaint."""
    dialogue = notified(1, ["tag-a", "tag-b"])
    dialogue.company_writes("tag-a", MessageKind.RESPONSE, {"text": "we will look"}, "company.user", at=day(6))
    waiting = file(2, filer_ref="fnv", on=0)
    dispute = ruled_dispute(3)
    closed = file(4, on=0)
    acknowledge(closed, 1)
    closed.match(["site-x"], [2024], [], "secretariat.user", "no buyer", at=day(2))
    feed(dialogue, waiting, dispute, closed)
    return {"dialogue": dialogue, "waiting": waiting, "dispute": dispute, "closed": closed}


def references(items) -> list[str]:
    return [item.reference for item in items]


def test_the_secretariat_sees_every_case_with_overdue_ones_first_and_closed_ones_last(world, board):
    items = board.queue(role="secretariat", now=day(41))
    # overdue first, then by due date, then open cases with no deadline running, then closed ones
    assert references(items) == ["TS-2025-0002", "TS-2025-0003", "TS-2025-0001", "TS-2025-0004"]
    waiting = items[0]
    assert (waiting.deadline, waiting.overdue, waiting.responsible, waiting.my_turn) == (
        "acknowledge",
        True,
        "secretariat",
        True,
    )
    assert items[1].deadline == "compliance" and items[1].due_at.date() == dt.date(2025, 6, 1)
    assert (items[2].stage, items[2].deadline, items[2].due_at, items[2].overdue) == (
        Stage.IN_DIALOGUE,
        None,
        None,
        False,
    )
    assert items[3].stage == Stage.NOT_IN_MEMBER_CHAINS and items[3].deadline is None


def test_the_committee_sees_only_cases_that_were_before_it(world, board):
    items = board.queue(role="committee", now=day(41))
    assert references(items) == ["TS-2025-0003"]
    assert items[0].stage == Stage.RULED and items[0].my_turn and items[0].stage_since == day(40)


def test_a_filing_party_sees_its_own_cases_and_another_party_sees_none(world, board):
    assert references(board.queue(role="ngo", organisation_ref="arisa", now=day(7))) == ["TS-2025-0001", "TS-2025-0004"]
    assert references(board.queue(role="union", organisation_ref="fnv", now=day(7))) == ["TS-2025-0002"]
    assert board.queue(role="ngo", organisation_ref="somo", now=day(7)) == []
    assert board.queue(role="ngo", now=day(7)) == []


def test_a_company_sees_the_cases_it_was_notified_of_is_a_party_to_or_filed(world, board):
    assert references(board.queue(role="company", recipient_tag="tag-b", now=day(7))) == ["TS-2025-0001"]
    assert references(board.queue(role="company", recipient_tag="tag-party", now=day(7))) == ["TS-2025-0003"]
    assert references(
        board.queue(role="company", organisation_ref="graniet-import", recipient_tag="tag-g", now=day(7))
    ) == ["TS-2025-0003"]
    assert board.queue(role="company", organisation_ref="other-company", recipient_tag="tag-z", now=day(7)) == []


def test_an_auditor_or_unknown_role_has_an_empty_queue(world, board):
    assert board.queue(role="auditor", now=day(7)) == []
    assert board.queue(role="buyer", organisation_ref="arisa", recipient_tag="tag-a", now=day(7)) == []


def test_a_notified_company_has_the_turn_until_it_first_responds(feed, board):
    case = notified(5, ["tag-a"])
    feed(case)
    [item] = board.queue(role="company", recipient_tag="tag-a", now=day(5))
    assert (item.stage, item.deadline, item.responsible, item.my_turn, item.overdue) == (
        Stage.COMPANIES_NOTIFIED,
        "first_response",
        "company",
        True,
        False,
    )
    assert item.due_at == day(24)
    assert board.queue(role="company", recipient_tag="tag-a", now=day(25))[0].overdue


def test_open_cases_are_ordered_by_due_date_and_overdue_ones_come_first(feed, board):
    late = file(1, on=0)  # acknowledge due day 5
    later = file(2, on=3)  # due day 8
    soon = file(3, on=2)  # due day 7
    feed(later, soon, late)
    items = board.queue(role="secretariat", now=day(6))
    assert references(items) == ["TS-2025-0001", "TS-2025-0003", "TS-2025-0002"]
    assert [item.overdue for item in items] == [True, False, False]


def test_an_unacknowledged_case_is_overdue_and_missed_while_one_acknowledged_on_day_two_is_met(feed, board):
    silent = file(1, on=0)
    prompt = file(2, on=0)
    acknowledge(prompt, 2)
    feed(silent, prompt)
    items = board.queue(role="secretariat", now=day(6))
    assert [(item.reference, item.overdue) for item in items] == [("TS-2025-0001", True), ("TS-2025-0002", False)]
    figures = board.statistics(day(6))
    assert figures["deadlines"]["acknowledge"] == {
        "met": 1,
        "missed": 1,
        "not_applicable": 0,
        "running": 0,
        "share_on_time": 0.5,
    }
    assert figures["deadlines"]["match_and_notify"] == {
        "met": 0,
        "missed": 0,
        "not_applicable": 0,
        "running": 1,
        "share_on_time": None,
    }
    assert figures["overdue_now"] == 1
    on_day_four = board.statistics(day(4))["deadlines"]["acknowledge"]
    assert (on_day_four["met"], on_day_four["missed"], on_day_four["running"]) == (1, 0, 1)


def test_median_days_per_stage_counts_only_stages_a_case_has_left(feed, board):
    cases = [file(n, on=0) for n in (1, 2, 3)]
    for case, acknowledged_on in zip(cases, (1, 2, 4), strict=True):
        acknowledge(case, acknowledged_on)
    cases[0].match(["site-q1"], [2024], [matched("tag-x")], "secretariat.user", "found", at=day(4))  # 3 days
    cases[1].match(["site-q1"], [2024], [], "secretariat.user", "none", at=day(6))  # 4 days, then closed
    feed(*cases)
    medians = board.statistics(day(30))["median_days_per_stage"]
    assert medians == {"filed": 2.0, "acknowledged": 3.5}


def test_a_rescheduled_hearing_counts_as_one_stay_in_the_hearing_stage(feed, board):
    case = file(1, filer_ref="graniet-import", case_type=CaseType.DISPUTE_WITH_SECRETARIAT, party_tags=[])
    case.advance(Step.ADMIT, "committee.user", "ok", at=day(2), outcome=Stage.ADMITTED)
    case.advance(Step.SCHEDULE_HEARING, "committee.user", "h", at=day(5), hearing_on=dt.date(2025, 3, 20))
    case.advance(Step.SCHEDULE_HEARING, "committee.user", "h2", at=day(9), hearing_on=dt.date(2025, 3, 30))
    case.rule(
        "ruling", dt.date(2025, 5, 1), "The secretariat must re-open the file.", "committee.user", "r", at=day(12)
    )
    feed(case)
    assert board.statistics(day(13))["median_days_per_stage"] == {
        "admitted": 3.0,
        "hearing_scheduled": 7.0,
        "referred": 2.0,
    }
    assert board.history(case.id) == case.stage_dates()


def test_rulings_are_published_with_the_summary_and_no_party(world, board):
    [ruling] = board.rulings()
    assert ruling == {
        "reference": "TS-2025-0003",
        "ruled_on": dt.date(2025, 4, 12),
        "country": "CN",
        "themes": ["living_wage"],
        "summary": "A supplier must pay the agreed living wage.",
    }
    dumped = json.dumps(board.rulings(), default=str)
    for secret in ("graniet-import", "tag-party", "Hidden Party", "binding ruling text"):
        assert secret not in dumped


def test_statistics_name_no_case_filer_or_company(world, board):
    figures = board.statistics(day(41))
    assert figures["total"] == 4
    assert figures["by_stage"] == {"in_dialogue": 1, "filed": 1, "ruled": 1, "not_in_member_chains": 1}
    assert figures["by_type"] == {"complaint": 3, "dispute_between_parties": 1}
    assert figures["by_country"] == {"CN": 1, "IN": 3}
    assert figures["by_theme"] == {"child_labour": 3, "living_wage": 1}
    dumped = json.dumps(figures)
    for identifying in ("TS-2025", "arisa", "fnv", "graniet-import", "tag-a", "tag-b", "tag-party", "followup"):
        assert identifying not in dumped


def test_rebuilding_the_view_gives_the_same_statistics_queues_and_notices(world, feed, board):
    before = (
        board.statistics(day(41)),
        board.queue(role="secretariat", now=day(41)),
        board.pending_notices(),
        board.rulings(),
    )
    feed.rebuild()
    after = (
        board.statistics(day(41)),
        board.queue(role="secretariat", now=day(41)),
        board.pending_notices(),
        board.rulings(),
    )
    assert after == before


def test_notices_are_kept_sealed_exactly_as_recorded_for_the_outbox_and_each_inbox(world, board):
    case_id = world["dialogue"].id
    notices = board.pending_notices()
    assert [notice.recipient_tag for notice in notices] == ["tag-a", "tag-b"]
    first = notices[0]
    assert isinstance(first, PendingNotice)
    # the recorded bytes, bound to what the row claims: its case and version, and tag-a's grievance key
    tag_a_key_owner = uuid.uuid5(uuid.UUID("6a1f0c3e-2b7d-4e95-8c40-d3f2a9b1e7c5"), "tag-a")
    assert first.sealed == SealedField(NOTICE.blob, f"grievance/{case_id}/6/notice", owner=str(tag_a_key_owner))
    assert first.case_id == case_id and first.reference == "TS-2025-0001"
    # filed 1, acknowledged 2, matched: one event per company (tag-a, tag-b) and the stage 3-5, notified 6
    assert first.notice_id == f"{case_id}:6" and first.notified_at == day(4)
    assert board.notices_for("tag-b") == [notices[1]]
    assert board.notices_for("tag-z") == []


def test_a_plaintext_notice_is_refused(feed):
    case = file(1)
    acknowledge(case, 1)
    case.match(["site-q1"], [2024], [matched("tag-a")], "secretariat.user", "found", at=day(2))
    case.notify_companies([("tag-a", {"text": "plain notice"})], "secretariat.user", "notify", at=day(3))
    with pytest.raises(TypeError):
        feed(case)


def test_no_sealed_attribute_reaches_any_table_of_the_view(world, recorder):
    with recorder.cursor(commit=False) as cursor:
        rows = [
            row for table in CaseView.tables for row in cursor.execute(f"SELECT * FROM {{schema}}.{table}").fetchall()
        ]
    dumped = json.dumps(rows, default=str)
    for secret in (
        "Secret Reporter",
        "0000 secret",
        "dust, no masks",
        "Hidden Party",
        "we will look",
        "binding ruling text",
        "received",
        "linked list",
    ):
        assert secret not in dumped


def test_an_event_applied_twice_changes_nothing(world, feed, recorder, board):
    before = board.history(world["dialogue"].id)
    assert not recorder.process(feed.events[0], Tracking("grievance", 1))
    assert board.history(world["dialogue"].id) == before
