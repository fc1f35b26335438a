"""The data-access request lifecycle as a hypothesis state machine, through the service's use cases.

Each example makes a new request on the demo data (an NGO party for a local partner) and then takes
random steps through the public commands, each by the role the design gives it (the requesting
party records the clause and downloads; the secretariat approves, refuses and revokes), while days
pass. The model is the design's (docs/lifecycles.md, art. 6 lid 4a), written out here as literals,
never the module's own table:

    requested -> clause_signed -> approved -> released -> revoked
              \\-> refused      \\-> refused   \\-> revoked  (expired: computed on read)

with the rules in its text: the secretariat may refuse before a clause is in; approving needs the
local partner's clause valid that day; a release is downloaded again while it is valid (each
download is logged, only the first is recorded as a step); it expires with the clause or 365 days
after the approval; a request never approved never expires. The clause may be recorded again
(corrected) until the secretariat decides.

Invariants after every step, on SQLite and PostgreSQL: the status read back is the model's; a
refused step is a conflict (409) that changes nothing (same version); every step is recorded once:
the request's version is the model's count of recorded steps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from hypothesis import HealthCheck, event
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from registry.domain.errors import ConflictError
from registry.usecases.data_access import DataAccess
from tests.principals import of_account

TODAY = dt.date(2026, 1, 12)
APPROVAL_DAYS = 365  # docs/lifecycles.md: a release expires 365 days after approval at the latest
NEXT: dict[str, dict[str, str]] = {
    "requested": {"record_clause": "clause_signed", "refuse": "refused"},
    "clause_signed": {"record_clause": "clause_signed", "approve": "approved", "refuse": "refused"},
    "approved": {"release": "released", "revoke": "revoked"},
    "released": {"release": "released", "revoke": "revoked"},
    "refused": {},
    "expired": {},
    "revoked": {},
}
STEPS = sorted({step for steps in NEXT.values() for step in steps})
PARTNER = {"name": "Kishanpura Khan Mazdoor Sangathan", "contact": "+91 94140 77123"}
PURPOSE = "Monitoring child labour at sandstone quarries in Rajasthan with our partner."


class Day:
    def __init__(self, day: dt.date):
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


def test_the_data_access_lifecycle_holds_under_random_steps(services, demo):
    day = Day(TODAY)
    access = DataAccess(
        services.registry, services.filter, services.aggregated_list, services.projections.wait, clock=day
    )
    secretariat, ngo = (of_account(services, demo.logins[role]) for role in ("secretariat", "ngo"))

    class DataAccessLifecycle(RuleBasedStateMachine):
        @initialize()
        def request(self) -> None:
            day.day = TODAY
            self.id = str(access.request(ngo, PARTNER, "IN", "Rajasthan", "sandstone", PURPOSE).id)
            self.recorded = "requested"  # the status as recorded; expiry is computed from the dates
            self.clause: tuple[dt.date, dt.date] | None = None  # signed on, valid until
            self.approved_on: dt.date | None = None
            self.version = 1

        def status(self) -> str:
            if self.recorded in ("approved", "released"):
                expires = min(self.clause[1], self.approved_on + dt.timedelta(days=APPROVAL_DAYS))
                if day.day >= expires:
                    return "expired"
            return self.recorded

        def clause_valid(self) -> bool:
            return self.clause is not None and self.clause[0] <= day.day < self.clause[1]

        # --- the rules ----------------------------------------------------------------------

        @rule(data=st.data())
        def act(self, data: st.DataObject) -> None:
            """Mostly a step the design allows now, else any step at all."""
            allowed = sorted(NEXT[self.status()])
            if allowed and data.draw(st.sampled_from(["onwards"] * 3 + ["any"]), label="choice") == "onwards":
                step = data.draw(st.sampled_from(allowed), label="step")
            else:
                step = data.draw(st.sampled_from(STEPS), label="step")
            self._try(step, data)

        @rule(days=st.integers(min_value=1, max_value=200))
        def days_pass(self, days: int) -> None:
            day.day += dt.timedelta(days=days)

        # --- one step, against the model -----------------------------------------------------

        def _try(self, step: str, data: st.DataObject) -> None:
            status = self.status()
            target = NEXT[status].get(step)
            if step == "approve" and not self.clause_valid():
                target = None  # approving needs the clause valid today
            if step == "release" and not self.clause_valid():
                target = None
            before = services.registry.repository.get(uuid.UUID(self.id)).version
            try:
                if step == "record_clause":
                    valid_days = data.draw(st.integers(min_value=20, max_value=500), label="clause valid for")
                    signed_on = day.day - dt.timedelta(days=1)
                    access.record_clause(
                        ngo,
                        self.id,
                        "Clause for the local partner",
                        "2025-2",
                        hashlib.sha256(b"clause").hexdigest(),
                        signed_on,
                        signed_on + dt.timedelta(days=valid_days),
                    )
                elif step in ("approve", "refuse"):
                    access.decide(secretariat, self.id, step == "approve", f"{step} (state machine)")
                elif step == "release":
                    access.release(ngo, self.id, "json")
                else:
                    access.revoke(secretariat, self.id, "revoked (state machine)")
            except ConflictError as refused:
                assert target is None, f"{step} from {status} was refused: {refused}"
                if hasattr(refused, "allowed"):
                    assert set(refused.allowed) == set(NEXT[status]), refused
                after = services.registry.repository.get(uuid.UUID(self.id)).version
                assert after == before, f"the refused {step} changed the request"
                return
            assert target is not None, f"{step} from {status} was taken; the design refuses it"
            event(f"{status} -{step}-> {target}")
            if step == "record_clause":
                self.clause = (signed_on, signed_on + dt.timedelta(days=valid_days))
            if step == "approve":
                self.approved_on = day.day
            if not (step == "release" and self.recorded == "released"):  # a download again records nothing
                self.version += 1
            self.recorded = target

        @invariant()
        def the_stored_request_is_the_model(self) -> None:
            seen = access.get(secretariat, self.id)
            assert seen.status == self.status()
            assert set(seen.allowed_next) == set(NEXT[self.status()])
            assert services.registry.repository.get(uuid.UUID(self.id)).version == self.version

    run_state_machine_as_test(
        DataAccessLifecycle,
        settings=hypothesis_settings(
            max_examples=30, stateful_step_count=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        ),
    )
