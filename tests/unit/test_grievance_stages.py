"""The grievance lifecycle table, driven through the aggregate (docs/lifecycles.md).

Every stage is reached by a legal path through ``GrievanceCase`` itself (no stage is set by hand).
From each stage every step the table does not allow is tried through the call that takes that step;
each is refused with an IllegalTransitionError naming the allowed steps, and leaves the case as it
was: same stage, no new event. Every allowed step leads where the table says.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import deque

import pytest

from grievance.domain.case import (
    CaseType,
    GrievanceCase,
    MessageKind,
    Theme,
    first_stage,
)
from grievance.domain.stages import (
    TERMINAL,
    IllegalTransitionError,
    Stage,
    Step,
)
from registry.domain.errors import ConflictError, ValidationError
from tests.unit.test_lifecycle_table import COMPANY_DIALOGUE, LIFECYCLE

# The expected lifecycle is the literal table transcribed from the design brief (test_lifecycle_table),
# never the module's own NEXT: a changed table fails both there and here, through the aggregate.
NEXT = {
    Stage(stage): {Step(step): tuple(Stage(t) for t in targets) for step, targets in steps.items()}
    for stage, steps in LIFECYCLE.items()
}

DAY0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
TAG = "tag-of-company-a"
NOTICE = {"company": "company-a", "allegation": "dust, no masks"}
MATCHES = [
    (TAG, uuid.uuid5(uuid.NAMESPACE_OID, TAG), {"company": "company-a", "sites": ["IN-RJ-SITE1"], "years": [2024]})
]
COMPLIANCE_DEADLINE = dt.date(2025, 6, 1)
AFTER_DEADLINE = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.UTC)


def new_case(case_type: CaseType = CaseType.COMPLAINT) -> GrievanceCase:
    return GrievanceCase(
        reference="TS-2025-0001",
        case_type=case_type,
        filer_ref="arisa",
        filer_kind="company" if case_type.is_dispute else "ngo",
        site_ids=["IN-RJ-SITE1"],
        country="IN",
        region="Rajasthan",
        themes=[Theme.CHILD_LABOUR],
        observed_on=None,
        language="en",
        reporter={"name": "Reporter"},
        description={"text": "children at the quarry face"},
        parties=None,
        party_tags=[],
        followup_tag="followup",
        stage=first_stage(case_type),
        at=DAY0,
        actor="filer",
    )


class Walker:
    """Drives one case forward by legal steps, each a day after the last (a reminder: after the
    compliance deadline)."""

    def __init__(self, case: GrievanceCase):
        self.case = case
        self.now = DAY0

    def tick(self) -> dt.datetime:
        self.now += dt.timedelta(days=1)
        return self.now

    def step(self, step: Step, outcome: Stage | None = None) -> Stage:
        """Take a legal step with the call that takes it."""
        case = self.case
        if step == Step.MATCH:
            matches = [] if outcome == Stage.NOT_IN_MEMBER_CHAINS else MATCHES
            return case.match(["IN-RJ-SITE1"], [2024], matches, "secretariat", "matched", self.tick())
        if step == Step.NOTIFY_COMPANIES:
            return case.notify_companies([(TAG, NOTICE)], "secretariat", "notified", self.tick())
        if step == Step.RESPOND:
            return case.company_writes(TAG, MessageKind.RESPONSE, {"text": "we look into it"}, "company", self.tick())
        if step == Step.RULE:
            return case.rule(
                {"text": "remediate"},
                COMPLIANCE_DEADLINE,
                "A member must remediate.",
                "committee",
                "ruling",
                self.tick(),
            )
        if step == Step.SEND_REMINDER:
            self.now = max(self.now, AFTER_DEADLINE)
        hearing_on = dt.date(2025, 5, 1) if step == Step.SCHEDULE_HEARING else None
        return case.advance(step, "actor", "because", self.tick(), outcome, hearing_on)


# stage -> (the case type it starts as, the legal path of (step, outcome) that reaches it)
A, N = Step, Stage
_TO_DIALOGUE = [(A.ACKNOWLEDGE, None), (A.MATCH, N.MATCHED), (A.NOTIFY_COMPANIES, None), (A.RESPOND, None)]
_TO_RULED = [
    *_TO_DIALOGUE,
    (A.REFER_TO_COMMITTEE, None),
    (A.ADMIT, N.ADMITTED),
    (A.SCHEDULE_HEARING, None),
    (A.RULE, None),
]
PATHS: dict[Stage, tuple[CaseType, list[tuple[Step, Stage | None]]]] = {
    N.FILED: (CaseType.COMPLAINT, []),
    N.ACKNOWLEDGED: (CaseType.COMPLAINT, [(A.ACKNOWLEDGE, None)]),
    N.INADMISSIBLE: (CaseType.COMPLAINT, [(A.ACKNOWLEDGE, None), (A.DECLARE_INADMISSIBLE, None)]),
    N.MATCHED: (CaseType.COMPLAINT, [(A.ACKNOWLEDGE, None), (A.MATCH, N.MATCHED)]),
    N.NOT_IN_MEMBER_CHAINS: (CaseType.COMPLAINT, [(A.ACKNOWLEDGE, None), (A.MATCH, N.NOT_IN_MEMBER_CHAINS)]),
    N.COMPANIES_NOTIFIED: (CaseType.COMPLAINT, _TO_DIALOGUE[:3]),
    N.IN_DIALOGUE: (CaseType.COMPLAINT, _TO_DIALOGUE),
    N.REMEDIATION_AGREED: (CaseType.COMPLAINT, [*_TO_DIALOGUE, (A.AGREE_REMEDIATION, None)]),
    N.REMEDIATION_MONITORED: (
        CaseType.COMPLAINT,
        [*_TO_DIALOGUE, (A.AGREE_REMEDIATION, None), (A.MONITOR_REMEDIATION, None)],
    ),
    N.RESOLVED: (CaseType.COMPLAINT, [*_TO_DIALOGUE, (A.RESOLVE, None)]),
    N.CLOSED: (CaseType.COMPLAINT, [*_TO_DIALOGUE, (A.RESOLVE, None), (A.CLOSE, None)]),
    # the committee stages: a notified complaint referred by its filer (so a company has a notice)
    N.REFERRED: (CaseType.COMPLAINT, [*_TO_DIALOGUE, (A.REFER_TO_COMMITTEE, None)]),
    N.ADMITTED: (CaseType.COMPLAINT, [*_TO_DIALOGUE, (A.REFER_TO_COMMITTEE, None), (A.ADMIT, N.ADMITTED)]),
    N.HEARING_SCHEDULED: (CaseType.COMPLAINT, _TO_RULED[:-1]),
    N.RULED: (CaseType.COMPLAINT, _TO_RULED),
    N.REMINDED: (CaseType.COMPLAINT, [*_TO_RULED, (A.SEND_REMINDER, None)]),
    N.MEMBERSHIP_END_PROPOSED: (
        CaseType.COMPLAINT,
        [*_TO_RULED, (A.SEND_REMINDER, None), (A.PROPOSE_MEMBERSHIP_END, None)],
    ),
}


def reach(stage: Stage, case_type: CaseType | None = None, path: list | None = None) -> Walker:
    default_type, default_path = PATHS[stage]
    walker = Walker(new_case(case_type or default_type))
    for step, outcome in default_path if path is None else path:
        walker.step(step, outcome)
    assert walker.case.stage == stage
    return walker


def test_every_stage_has_a_path():
    assert set(PATHS) == set(Stage)


def test_the_table_names_every_stage_and_leads_only_to_stages():
    assert set(NEXT) == set(Stage)
    for steps in NEXT.values():
        for targets in steps.values():
            assert targets and all(isinstance(t, Stage) for t in targets)


def test_no_stage_is_unreachable_from_filed_or_referred():
    seen = {Stage.FILED, Stage.REFERRED}
    todo = deque(seen)
    while todo:
        for targets in NEXT[todo.popleft()].values():
            for target in targets:
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
    assert seen == set(Stage)


def test_complaints_start_filed_disputes_start_referred():
    assert first_stage(CaseType.COMPLAINT) == Stage.FILED
    assert new_case(CaseType.COMPLAINT).stage == Stage.FILED
    for case_type in (CaseType.DISPUTE_BETWEEN_PARTIES, CaseType.DISPUTE_WITH_SECRETARIAT):
        assert first_stage(case_type) == Stage.REFERRED
        case = new_case(case_type)
        assert case.stage == Stage.REFERRED and case.before_committee


def test_terminal_stages_are_those_without_steps():
    assert TERMINAL == {Stage.NOT_IN_MEMBER_CHAINS, Stage.CLOSED}
    for stage in (Stage.NOT_IN_MEMBER_CHAINS, Stage.CLOSED):
        assert not reach(stage).case.is_open


def _illegal_cases() -> list[tuple[Stage, Step]]:
    return [(stage, step) for stage in Stage for step in Step if step not in NEXT[stage]]


def _try(walker: Walker, step: Step) -> None:
    """The call that takes ``step``, with valid data, so that only the stage can refuse it."""
    case, at = walker.case, walker.now + dt.timedelta(days=400)  # past any deadline
    if step == Step.MATCH:
        case.match(["IN-RJ-SITE1"], [2024], MATCHES, "secretariat", "matched", at)
    elif step == Step.NOTIFY_COMPANIES:
        case.notify_companies([(TAG, NOTICE)], "secretariat", "notified", at)
    elif step == Step.RESPOND:
        case.company_writes(TAG, MessageKind.RESPONSE, {"text": "hello"}, "company", at)
    elif step == Step.RULE:
        case.rule({"text": "r"}, at.date(), "A member must remediate.", "committee", "ruling", at)
    else:
        case.advance(step, "actor", "because", at, hearing_on=dt.date(2026, 1, 1))


def _has_notice(stage: Stage) -> bool:
    return any(step == Step.NOTIFY_COMPANIES for step, _ in PATHS[stage][1])


@pytest.mark.parametrize(("stage", "step"), _illegal_cases(), ids=lambda v: v.value)
def test_every_illegal_step_is_refused_naming_the_allowed_ones(stage: Stage, step: Step):
    walker = reach(stage)
    case = walker.case
    history, pending = list(case.history), len(case.pending_events)
    allowed = [s.value for s in NEXT[stage]]

    if step == Step.RESPOND and stage.value in COMPANY_DIALOGUE:
        # a notified company keeps writing in the dialogue without moving the case on
        assert stage != Stage.COMPANIES_NOTIFIED
        _try(walker, step)
        assert case.stage == stage and len(case.messages) == 2
        assert len(case.pending_events) == pending + 1
        return
    if step == Step.RESPOND and not _has_notice(stage):
        # no company was notified yet: refused as such (a 409 too), before the stage is looked at
        with pytest.raises(ConflictError, match="not notified"):
            _try(walker, step)
    else:
        with pytest.raises(IllegalTransitionError) as raised:
            _try(walker, step)
        error = raised.value
        assert isinstance(error, ConflictError)
        assert sorted(error.allowed) == sorted(allowed)
        assert error.stage == stage and error.step == step.value
        message = str(error)
        assert stage.value in message and f"'{step.value}'" in message
        for name in allowed:
            assert name in message
        if not allowed:
            assert "none (the case is closed)" in message
    assert case.stage == stage
    assert case.history == history
    assert len(case.pending_events) == pending


def _legal_cases() -> list[tuple[Stage, Step, Stage]]:
    return [(stage, step, target) for stage in Stage for step, targets in NEXT[stage].items() for target in targets]


@pytest.mark.parametrize(("stage", "step", "target"), _legal_cases(), ids=lambda v: v.value)
def test_every_legal_step_leads_where_the_table_says(stage: Stage, step: Step, target: Stage):
    walker = reach(stage)
    case = walker.case
    before, pending = len(case.history), len(case.pending_events)
    result = walker.step(step, target)
    assert result == target == case.stage
    assert len(case.history) == before + 1
    assert case.history[-1][0] == target and case.history[-1][1] == walker.now
    assert len(case.pending_events) > pending


@pytest.mark.parametrize("case_type", [CaseType.DISPUTE_BETWEEN_PARTIES, CaseType.DISPUTE_WITH_SECRETARIAT])
def test_a_dispute_runs_through_the_committee(case_type: CaseType):
    walker = Walker(new_case(case_type))
    for step, outcome, stage in [
        (A.ADMIT, N.ADMITTED, N.ADMITTED),
        (A.SCHEDULE_HEARING, None, N.HEARING_SCHEDULED),
        (A.SCHEDULE_HEARING, None, N.HEARING_SCHEDULED),
        (A.RULE, None, N.RULED),
        (A.RECORD_COMPLIANCE, None, N.CLOSED),
    ]:
        assert walker.step(step, outcome) == stage
    assert not walker.case.is_open and walker.case.before_committee


def test_a_dispute_cannot_take_the_secretariat_steps():
    case = new_case(CaseType.DISPUTE_WITH_SECRETARIAT)
    for step in (Step.ACKNOWLEDGE, Step.CLOSE, Step.REFER_TO_COMMITTEE, Step.RESOLVE):
        with pytest.raises(IllegalTransitionError) as raised:
            case.advance(step, "secretariat", "no", DAY0)
        assert raised.value.allowed == ["admit"]
    assert case.stage == Stage.REFERRED and len(case.pending_events) == 1


def test_an_inadmissible_referral_can_be_appealed_again():
    walker = reach(Stage.REFERRED)
    assert walker.step(Step.ADMIT, Stage.INADMISSIBLE) == Stage.INADMISSIBLE
    assert walker.step(Step.REFER_TO_COMMITTEE) == Stage.REFERRED


def test_the_reminder_is_refused_before_the_compliance_deadline():
    walker = reach(Stage.RULED)
    case = walker.case
    pending = len(case.pending_events)
    for at in (walker.now, dt.datetime.combine(COMPLIANCE_DEADLINE, dt.time(23, 59), tzinfo=dt.UTC)):
        with pytest.raises(ConflictError, match="has not passed") as raised:
            case.advance(Step.SEND_REMINDER, "committee", "too soon", at)
        assert not isinstance(raised.value, IllegalTransitionError)
    assert case.stage == Stage.RULED and len(case.pending_events) == pending
    assert case.advance(Step.SEND_REMINDER, "committee", "late", AFTER_DEADLINE) == Stage.REMINDED


def test_a_hearing_needs_a_date():
    walker = reach(Stage.ADMITTED)
    with pytest.raises(ValidationError) as raised:
        walker.case.advance(Step.SCHEDULE_HEARING, "committee", "hearing", walker.now)
    assert raised.value.field == "hearing_on"
    assert walker.case.stage == Stage.ADMITTED
    assert walker.step(Step.SCHEDULE_HEARING) == Stage.HEARING_SCHEDULED
    assert walker.case.hearing_on == dt.date(2025, 5, 1)


def test_a_ruling_deadline_cannot_precede_the_ruling():
    walker = reach(Stage.HEARING_SCHEDULED)
    with pytest.raises(ValidationError) as raised:
        walker.case.rule(
            {"text": "r"},
            (walker.now - dt.timedelta(days=1)).date(),
            "A member must remediate.",
            "committee",
            "ruling",
            walker.now,
        )
    assert raised.value.field == "compliance_deadline"
    assert walker.case.stage == Stage.HEARING_SCHEDULED


def test_notifying_nobody_is_refused():
    walker = reach(Stage.MATCHED)
    with pytest.raises(ConflictError, match="no company to notify"):
        walker.case.notify_companies([], "secretariat", "nobody", walker.now)
    assert walker.case.stage == Stage.MATCHED


def test_only_a_notified_company_writes():
    walker = reach(Stage.COMPANIES_NOTIFIED)
    with pytest.raises(ConflictError, match="not notified"):
        walker.case.company_writes("someone-else", MessageKind.RESPONSE, {"text": "hi"}, "x", walker.now)
    assert walker.case.stage == Stage.COMPANIES_NOTIFIED and not walker.case.messages


def test_closed_cases_take_no_evidence_and_no_flag():
    case = reach(Stage.CLOSED).case
    with pytest.raises(ConflictError):
        case.add_evidence("image/png", 3, {"filename": "a.png", "content": "AAA"}, DAY0, "x")
    with pytest.raises(ConflictError):
        case.flag_systemic("joint project", "secretariat", "systemic", DAY0)
    assert case.evidence == [] and case.systemic is None


def test_every_transition_is_an_event_with_actor_time_and_reason():
    walker = reach(Stage.RESOLVED)
    events = walker.case.collect_events()
    stages = [entry[0] for entry in walker.case.history]
    assert stages == [
        Stage.FILED,
        Stage.ACKNOWLEDGED,
        Stage.MATCHED,
        Stage.COMPANIES_NOTIFIED,
        Stage.IN_DIALOGUE,
        Stage.RESOLVED,
    ]
    assert all(entry[2] for entry in walker.case.history)  # an actor on each
    times = [entry[1] for entry in walker.case.history]
    assert times == sorted(times)
    assert len(events) >= len(stages)
