"""The grievance lifecycle as one table: which step may follow which stage (docs/lifecycles.md).

``NEXT[stage]`` maps each step allowed in that stage to the stages it leads to, read through the
shared lifecycle helper (registry/domain/transitions.py). A step not in the table is illegal; the
error names the steps that are allowed, so a user (or a client) sees what to do next instead of a
bare refusal. Who may take a step is not decided here: that is the policy's job
(keys/access/policy.py). Some steps lead to more than one stage depending on their outcome (matching
finds buyers or finds none; an admissibility decision goes either way); the table lists each.
"""

from __future__ import annotations

from enum import StrEnum

from registry.domain.errors import ConflictError
from registry.domain.transitions import Lifecycle, StepNotAllowedError


class Stage(StrEnum):
    FILED = "filed"
    ACKNOWLEDGED = "acknowledged"
    INADMISSIBLE = "inadmissible"
    MATCHED = "matched"
    NOT_IN_MEMBER_CHAINS = "not_in_member_chains"  # a closure: no member buys from the site(s)
    COMPANIES_NOTIFIED = "companies_notified"
    IN_DIALOGUE = "in_dialogue"
    REMEDIATION_AGREED = "remediation_agreed"
    REMEDIATION_MONITORED = "remediation_monitored"
    RESOLVED = "resolved"
    # before the complaints committee (art. 11, art. 15 lid 4)
    REFERRED = "referred"
    ADMITTED = "admitted"
    HEARING_SCHEDULED = "hearing_scheduled"
    RULED = "ruled"
    REMINDED = "reminded"
    MEMBERSHIP_END_PROPOSED = "membership_end_proposed"
    CLOSED = "closed"


class Step(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    DECLARE_INADMISSIBLE = "declare_inadmissible"
    MATCH = "match"
    NOTIFY_COMPANIES = "notify_companies"
    RESPOND = "respond"  # a notified company's first response opens the dialogue
    AGREE_REMEDIATION = "agree_remediation"
    MONITOR_REMEDIATION = "monitor_remediation"
    RESOLVE = "resolve"
    CLOSE = "close"
    REFER_TO_COMMITTEE = "refer_to_committee"
    ADMIT = "admit"
    SCHEDULE_HEARING = "schedule_hearing"
    RULE = "rule"
    SEND_REMINDER = "send_reminder"
    PROPOSE_MEMBERSHIP_END = "propose_membership_end"
    RECORD_COMPLIANCE = "record_compliance"


S = Stage
# Stages from which the filer or the secretariat can still take a case to the committee. An
# inadmissibility decision of the secretariat can be appealed there too.
_REFERABLE = (
    S.FILED,
    S.ACKNOWLEDGED,
    S.INADMISSIBLE,
    S.MATCHED,
    S.COMPANIES_NOTIFIED,
    S.IN_DIALOGUE,
    S.REMEDIATION_AGREED,
    S.REMEDIATION_MONITORED,
)

NEXT: dict[Stage, dict[Step, tuple[Stage, ...]]] = {
    S.FILED: {Step.ACKNOWLEDGE: (S.ACKNOWLEDGED,)},
    S.ACKNOWLEDGED: {Step.DECLARE_INADMISSIBLE: (S.INADMISSIBLE,), Step.MATCH: (S.MATCHED, S.NOT_IN_MEMBER_CHAINS)},
    S.INADMISSIBLE: {Step.CLOSE: (S.CLOSED,)},
    S.MATCHED: {Step.NOTIFY_COMPANIES: (S.COMPANIES_NOTIFIED,)},
    S.NOT_IN_MEMBER_CHAINS: {},
    S.COMPANIES_NOTIFIED: {Step.RESPOND: (S.IN_DIALOGUE,)},
    S.IN_DIALOGUE: {Step.RESOLVE: (S.RESOLVED,), Step.AGREE_REMEDIATION: (S.REMEDIATION_AGREED,)},
    S.REMEDIATION_AGREED: {Step.MONITOR_REMEDIATION: (S.REMEDIATION_MONITORED,)},
    S.REMEDIATION_MONITORED: {Step.RESOLVE: (S.RESOLVED,)},
    S.RESOLVED: {Step.CLOSE: (S.CLOSED,)},
    S.REFERRED: {Step.ADMIT: (S.ADMITTED, S.INADMISSIBLE)},
    S.ADMITTED: {Step.SCHEDULE_HEARING: (S.HEARING_SCHEDULED,)},
    S.HEARING_SCHEDULED: {Step.SCHEDULE_HEARING: (S.HEARING_SCHEDULED,), Step.RULE: (S.RULED,)},
    S.RULED: {Step.RECORD_COMPLIANCE: (S.CLOSED,), Step.SEND_REMINDER: (S.REMINDED,)},
    S.REMINDED: {Step.RECORD_COMPLIANCE: (S.CLOSED,), Step.PROPOSE_MEMBERSHIP_END: (S.MEMBERSHIP_END_PROPOSED,)},
    S.MEMBERSHIP_END_PROPOSED: {Step.CLOSE: (S.CLOSED,)},
    S.CLOSED: {},
}
for _stage in _REFERABLE:
    NEXT[_stage][Step.REFER_TO_COMMITTEE] = (S.REFERRED,)
LIFECYCLE = Lifecycle[Stage, Step](NEXT)

TERMINAL = LIFECYCLE.terminal
COMMITTEE_STAGES = frozenset(
    {S.REFERRED, S.ADMITTED, S.HEARING_SCHEDULED, S.RULED, S.REMINDED, S.MEMBERSHIP_END_PROPOSED}
)

# Steps a company may still take (add a response or progress) in these stages, without moving on.
COMPANY_DIALOGUE_STAGES = frozenset(
    {S.COMPANIES_NOTIFIED, S.IN_DIALOGUE, S.REMEDIATION_AGREED, S.REMEDIATION_MONITORED}
)


class IllegalTransitionError(StepNotAllowedError):
    """A step that the case's stage does not allow (409); names the steps that are allowed."""

    def __init__(self, reference: str, stage: Stage, step: str, allowed: list[str]):
        super().__init__(f"case {reference}", stage, step, allowed, "the case is closed")
        self.stage = stage


class StaleStageError(ConflictError):
    """The case has left the stage its user saw when choosing a step (409). Nothing is recorded: the
    step was chosen for a state that no longer holds (someone else took a step meanwhile). Names the
    stage it is in now and the steps allowed there."""

    def __init__(self, reference: str, stage: Stage, seen: Stage):
        super().__init__(
            f"case {reference} is {stage.value} now, no longer {seen.value} as when this step was "
            "chosen: nothing was recorded; reload the case"
        )
        self.stage = stage
        self.seen = seen
        self.allowed = allowed_steps(stage)


def allowed_steps(stage: Stage) -> list[str]:
    return LIFECYCLE.allowed(stage)


def target_of(reference: str, stage: Stage, step: Step, outcome: Stage | None = None) -> Stage:
    """The stage a step leads to from ``stage``; raises IllegalTransitionError when not allowed."""
    target = LIFECYCLE.target(stage, step, outcome)
    if target is None:
        raise IllegalTransitionError(reference, stage, step.value, allowed_steps(stage))
    return target
