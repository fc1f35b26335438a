"""The grievance case lifecycle as a hypothesis state machine, through the application's use cases.

Each example files a new case on the demo data (a complaint, which starts "filed", or a dispute
between parties, which starts "referred") and takes random steps through the public commands, each
by the role the design gives it: steps the stage allows and steps it does not. The model is the
design's table as transcribed once, in literals, in tests/unit/test_lifecycle_table.py
(docs/lifecycles.md, with the choices of docs/design-notes.md), never the module's own.

Invariants after every step, on SQLite and PostgreSQL: the stored case is in the model's stage and
has the model's stage history (no step lost, none doubled, none applied twice); a refused step is a
conflict (409) that changes nothing (same version, same history), also a step chosen on a stage
the case has since left (``seen_stage``); a company's message is recorded once.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, event
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from grievance.domain.filing import Filing, Reporter
from keys.access.filter import AccessDeniedError
from registry.domain.errors import ConflictError
from tests.clock import FakeClock
from tests.principals import of_account
from tests.unit.test_lifecycle_table import LIFECYCLE

START = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)  # the demo NGO's declaration is valid 2025-03-01..2027-03-01
# stage -> step -> the stages it may lead to (first: the default outcome): the design's table, transcribed once
STEPS = sorted({step for steps in LIFECYCLE.values() for step in steps})
COMMITTEE = {"referred", "admitted", "hearing_scheduled", "ruled", "reminded", "membership_end_proposed"}
# a notified company may keep writing here; only its first response moves the case on
COMPANY_DIALOGUE = {"companies_notified", "in_dialogue", "remediation_agreed", "remediation_monitored"}
COMMITTEE_STEPS = {"admit", "schedule_hearing", "rule", "send_reminder", "propose_membership_end", "record_compliance"}
SECRETARIAT_STEPS = {
    "acknowledge",
    "declare_inadmissible",
    "match",
    "notify_companies",
    "agree_remediation",
    "monitor_remediation",
    "resolve",
}

DESCRIPTION = "Children seen carrying sandstone slabs at the quarry face in early November."
ALLEGATION = "Child labour was reported at this quarry in November 2025."
RULING = "The remediation plan must be carried out in full and reported on within the deadline."
SUMMARY = "A member was asked to remediate child labour found at a supplying quarry."
COMPLIANCE_DAYS = 30


def test_the_grievance_lifecycle_holds_under_random_steps(services, demo):
    app = services.grievance
    clock = FakeClock(START)
    app.clock = clock
    secretariat, committee, ngo, company = (
        of_account(services, demo.logins[role]) for role in ("secretariat", "committee", "ngo", "company")
    )
    quarry = demo.rajasthan_quarry
    assert company.organisation_ref in demo.rajasthan_buyers  # the demo's company is notified of a quarry case

    class GrievanceLifecycle(RuleBasedStateMachine):
        @initialize(dispute=st.booleans())
        def file_a_case(self, dispute: bool) -> None:
            clock.now = START
            filing = (
                Filing(
                    case_type="dispute_between_parties",
                    description=DESCRIPTION,
                    themes=["child_labour"],
                    parties=[company.organisation_ref],
                )
                if dispute
                else Filing(
                    case_type="complaint",
                    description=DESCRIPTION,
                    themes=["child_labour"],
                    site_ids=[quarry],
                    observed_on=dt.date(2025, 11, 2),
                    reporter=Reporter("Sangh"),
                )
            )
            self.reference, _code = app.file(ngo, filing)
            self.history = ["referred" if dispute else "filed"]
            self.messages = 0
            self.notified = False
            self.compliance_deadline: dt.date | None = None

        @property
        def stage(self) -> str:
            return self.history[-1]

        # --- the rules ----------------------------------------------------------------------

        @rule(data=st.data())
        def act(self, data: st.DataObject) -> None:
            """Mostly a step the design allows here (other than a referral, which is allowed almost
            everywhere: taken only sometimes, so that the run gets deep into both tracks); else any
            step at all; in a ruled case, sometimes the compliance deadline passes first."""
            allowed = set(LIFECYCLE[self.stage]) | ({"respond"} if self.stage in COMPANY_DIALOGUE else set())
            onwards = sorted(allowed - {"refer_to_committee"}) or sorted(allowed)
            choices = ["onwards"] * 6 + ["any"] + (["wait"] if self.compliance_deadline else [])
            choice = data.draw(st.sampled_from(choices), label="choice")
            if choice == "wait":
                clock.advance(days=COMPLIANCE_DAYS + 1)  # past the compliance deadline
            elif choice == "onwards" and onwards:
                self._try(data.draw(st.sampled_from(onwards), label="step"), data)
            else:
                self._try(data.draw(st.sampled_from(STEPS), label="step"), data)

        # --- one step, against the model -----------------------------------------------------

        def _expected(self, step: str, outcome: str | None) -> str | None:
            """The stage the step leads to, or None when the design refuses it here."""
            if step == "respond":
                if self.stage not in COMPANY_DIALOGUE:
                    return None
                return "in_dialogue" if self.stage == "companies_notified" else self.stage
            targets = LIFECYCLE[self.stage].get(step)
            if not targets:
                return None
            if step == "send_reminder" and clock.now.date() <= self.compliance_deadline:
                return None  # a reminder only after the compliance deadline
            return outcome if outcome in targets else targets[0]

        def _try(self, step: str, data: st.DataObject) -> None:
            outcome = None
            if step == "match":
                outcome = data.draw(st.sampled_from(["matched", "not_in_member_chains"]), label="outcome")
            if step == "admit":
                outcome = data.draw(st.sampled_from(["admitted", "inadmissible"]), label="outcome")
            expected = self._expected(step, outcome)
            # the stage the user saw when choosing (steps of the /steps route): now and then an old one
            seen = None
            if step not in ("match", "notify_companies", "respond", "rule"):
                seen = data.draw(st.sampled_from([self.stage] * 4 + sorted(LIFECYCLE)), label="seen stage")
                expected = expected if seen == self.stage else None
            before = app.case(self.reference)
            clock.advance(hours=1)
            try:
                self._call(step, outcome, seen)
            except AccessDeniedError as refused:  # the policy: only a notified company responds
                assert step == "respond" and not self.notified, f"{step} from {self.stage} was denied: {refused}"
                assert app.case(self.reference).version == before.version, f"the denied {step} changed the case"
                return
            except ConflictError as refused:
                assert expected is None, f"{step} from {self.stage} was refused: {refused}"
                if hasattr(refused, "allowed"):  # names what the design allows here (also a stale stage)
                    assert set(refused.allowed) == set(LIFECYCLE[self.stage]), refused
                after = app.case(self.reference)
                assert after.version == before.version, f"the refused {step} changed the case"
                return
            assert expected is not None, f"{step} from {self.stage} was taken; the design refuses it"
            if step == "respond":
                self.messages += 1
            if step == "notify_companies":
                self.notified = True
            if expected != self.stage or step != "respond":
                self.history.append(expected)
            if step == "rule":
                self.compliance_deadline = clock.now.date() + dt.timedelta(days=COMPLIANCE_DAYS)

        def _call(self, step: str, outcome: str | None, seen: str | None) -> None:
            ref, reason = self.reference, f"{step} (state machine)"
            before_committee = any(stage in COMMITTEE for stage in self.history)
            if step == "match":
                years = None if outcome == "matched" else [2001]  # no member reported in 2001: no buyer
                app.match(secretariat, ref, [quarry], years, reason, buyers=services.linked_search.grievance_buyers)
            elif step == "notify_companies":
                app.notify_companies(secretariat, ref, ALLEGATION)
            elif step == "respond":
                app.company_writes(company, ref, "response", "We are checking our orders from this quarry.")
            elif step == "admit":
                app.admit(committee, ref, outcome == "admitted", reason, seen_stage=seen)
            elif step == "rule":
                app.rule(committee, ref, RULING, clock.now.date() + dt.timedelta(days=COMPLIANCE_DAYS), SUMMARY, reason)
            elif step == "schedule_hearing":
                app.advance(
                    committee, ref, step, reason, hearing_on=clock.now.date() + dt.timedelta(days=14), seen_stage=seen
                )
            elif step == "refer_to_committee":
                app.advance(ngo, ref, step, reason, seen_stage=seen)  # the filer
            elif step in COMMITTEE_STEPS or (step == "close" and before_committee):
                app.advance(committee, ref, step, reason, seen_stage=seen)
            else:
                assert step in SECRETARIAT_STEPS | {"close"}
                app.advance(secretariat, ref, step, reason, seen_stage=seen)

        @invariant()
        def the_stored_case_is_the_model(self) -> None:
            case = app.case(self.reference)
            assert case.stage.value == self.stage
            assert [stage.value for stage, *_ in case.history] == self.history
            assert len(case.messages) == self.messages
            view = services.grievance_cases.read_case(secretariat, self.reference)
            assert view["stage"] == self.stage
            assert set(view["allowed_next"]) == set(LIFECYCLE[self.stage])  # what the case says may follow
            event(f"reached {self.stage}")  # shown by --hypothesis-show-statistics: which stages the run covers

    run_state_machine_as_test(
        GrievanceLifecycle,
        settings=hypothesis_settings(
            max_examples=40,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
