"""The grievance lifecycle, transcribed from the design brief (docs/lifecycles.md), not from the code.

The brief's main line:

    filed -> acknowledged -> (inadmissible | matched) -> companies_notified -> in_dialogue ->
    (resolved | remediation_agreed -> remediation_monitored -> resolved) -> closed

- matching that finds no member buying from the site closes the case as "not in member chains";
- escalation: the filer or the secretariat can refer a case to the complaints committee, which
  records admissibility, hearing, ruling (with a compliance deadline), a reminder and, on culpable
  non-compliance after the reminder, a proposal to end membership (art. 15 lid 4);
- disputes go straight to the committee (they start "referred").

Where the brief leaves a detail open, the choices of docs/design-notes.md are written out here: an
inadmissible case is closed, or appealed to the committee; any open stage before the committee can
be referred, except a resolved case; a hearing can be rescheduled; compliance can be recorded after
the ruling or after the reminder.

The table below is every allowed (stage, step) with the stages the step may lead to, the default
(first) one first. The module must allow exactly these pairs: every other pair of stage x step is
refused. Names are the public string values (they appear in the API and in stored events).
"""

from __future__ import annotations

import pytest

from grievance.domain.stages import (
    COMMITTEE_STAGES,
    COMPANY_DIALOGUE_STAGES,
    TERMINAL,
    IllegalTransitionError,
    Stage,
    Step,
    allowed_steps,
    target_of,
)

REFER = ("refer_to_committee", ("referred",))

LIFECYCLE: dict[str, dict[str, tuple[str, ...]]] = {
    "filed": {"acknowledge": ("acknowledged",), **dict([REFER])},
    "acknowledged": {
        "declare_inadmissible": ("inadmissible",),
        "match": ("matched", "not_in_member_chains"),
        **dict([REFER]),
    },
    "inadmissible": {"close": ("closed",), **dict([REFER])},  # an appeal to the committee
    "matched": {"notify_companies": ("companies_notified",), **dict([REFER])},
    "not_in_member_chains": {},
    "companies_notified": {"respond": ("in_dialogue",), **dict([REFER])},
    "in_dialogue": {"resolve": ("resolved",), "agree_remediation": ("remediation_agreed",), **dict([REFER])},
    "remediation_agreed": {"monitor_remediation": ("remediation_monitored",), **dict([REFER])},
    "remediation_monitored": {"resolve": ("resolved",), **dict([REFER])},
    "resolved": {"close": ("closed",)},
    # before the complaints committee
    "referred": {"admit": ("admitted", "inadmissible")},
    "admitted": {"schedule_hearing": ("hearing_scheduled",)},
    "hearing_scheduled": {"schedule_hearing": ("hearing_scheduled",), "rule": ("ruled",)},
    "ruled": {"record_compliance": ("closed",), "send_reminder": ("reminded",)},
    "reminded": {"record_compliance": ("closed",), "propose_membership_end": ("membership_end_proposed",)},
    "membership_end_proposed": {"close": ("closed",)},
    "closed": {},
}
STEPS = {
    "acknowledge",
    "declare_inadmissible",
    "match",
    "notify_companies",
    "respond",
    "agree_remediation",
    "monitor_remediation",
    "resolve",
    "close",
    "refer_to_committee",
    "admit",
    "schedule_hearing",
    "rule",
    "send_reminder",
    "propose_membership_end",
    "record_compliance",
}

TERMINAL_STAGES = {"not_in_member_chains", "closed"}
COMMITTEE = {"referred", "admitted", "hearing_scheduled", "ruled", "reminded", "membership_end_proposed"}
# where a notified company keeps writing (responses, progress) without moving the case on
COMPANY_DIALOGUE = {"companies_notified", "in_dialogue", "remediation_agreed", "remediation_monitored"}


def test_the_stages_and_steps_are_the_briefs():
    assert {stage.value for stage in Stage} == set(LIFECYCLE)
    assert {step.value for step in Step} == STEPS


@pytest.mark.parametrize("stage", sorted(LIFECYCLE))
def test_every_step_is_allowed_in_a_stage_iff_the_table_says_so(stage):
    allowed = LIFECYCLE[stage]
    assert set(allowed_steps(Stage(stage))) == set(allowed)
    for step in sorted(STEPS):
        if step in allowed:
            targets = allowed[step]
            assert target_of("TS-2025-0001", Stage(stage), Step(step)) == targets[0]
            for target in LIFECYCLE:
                if target in targets:
                    assert target_of("TS-2025-0001", Stage(stage), Step(step), Stage(target)) == target
                else:
                    with pytest.raises(ValueError) as wrong:
                        target_of("TS-2025-0001", Stage(stage), Step(step), Stage(target))
                    assert str(wrong.value) == f"{step} cannot lead to {target}"
        else:
            with pytest.raises(IllegalTransitionError) as refused:
                target_of("TS-2025-0001", Stage(stage), Step(step))
            assert set(refused.value.allowed) == set(allowed)
            assert f"case TS-2025-0001 is {stage}: '{step}' is not allowed; allowed next: " in str(refused.value)


def test_the_refusal_lists_the_allowed_steps_in_the_tables_order():
    with pytest.raises(IllegalTransitionError) as refused:
        target_of("TS-2025-0001", Stage("acknowledged"), Step("close"))
    assert str(refused.value) == (
        "case TS-2025-0001 is acknowledged: 'close' is not allowed; "
        "allowed next: declare_inadmissible, match, refer_to_committee"
    )
    assert refused.value.allowed == ["declare_inadmissible", "match", "refer_to_committee"]


def test_a_closed_stage_says_so_in_the_refusal():
    with pytest.raises(IllegalTransitionError) as refused:
        target_of("TS-2025-0001", Stage("closed"), Step("resolve"))
    assert str(refused.value).endswith("allowed next: none (the case is closed)")


def test_the_stage_sets():
    assert {stage.value for stage in TERMINAL} == TERMINAL_STAGES
    assert {stage.value for stage in COMMITTEE_STAGES} == COMMITTEE
    assert {stage.value for stage in COMPANY_DIALOGUE_STAGES} == COMPANY_DIALOGUE


def test_terminal_stages_are_exactly_those_with_no_step_in_the_brief():
    assert {stage for stage, steps in LIFECYCLE.items() if not steps} == TERMINAL_STAGES
