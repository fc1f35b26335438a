"""One person's attempt decided in two halves, as every use case that validates its input asks it.

``checked`` asks the policy now: a refusal is logged and raised before the input is looked at. The
grant is logged by the returned attempt's ``grant``, called once every other check has passed (or
handed to the registry as ``before_write``, which calls it right before the save), so a 404, 409 or
422 leaves no granted entry and every attempt is still exactly one access-log entry
(keys/access/filter.py, ``ConfidentialFilter.check``)."""

from __future__ import annotations

from dataclasses import dataclass

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal


@dataclass(frozen=True)
class Attempt:
    guard: ConfidentialFilter
    principal: Principal | SystemPrincipal | None
    action: Action
    facts: Facts
    audit: Audit

    def grant(self) -> None:
        """Log the grant the policy decided in ``checked`` (decided again: the same facts)."""
        self.guard.authorise(self.principal, self.action, self.facts, self.audit)


def checked(
    guard: ConfidentialFilter,
    principal: Principal | SystemPrincipal | None,
    action: Action,
    audit: Audit,
    facts: Facts | None = None,
) -> Attempt:
    """The policy's decision now (a refusal logged and raised); the grant is the attempt's ``grant``."""
    attempt = Attempt(guard, principal, action, facts or Facts(), audit)
    guard.check(principal, action, attempt.facts, audit)
    return attempt
