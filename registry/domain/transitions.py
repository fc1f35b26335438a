"""A lifecycle as one table: which step may follow which state (docs/lifecycles.md).

``Lifecycle(table)``: ``table[state]`` maps each step allowed in that state to the states it may lead
to, the usual one first. Most steps lead to one state; some to more, depending on their outcome (an
admissibility decision goes either way), and the table lists each. A step not in the table is refused
with a ``StepNotAllowedError`` (409) that names the steps that are allowed, so a user (or a client)
sees what to do next instead of a bare refusal. Who may take a step is not decided here: that is the
policy's job (keys/access/policy.py). Used by the grievance stages and the data-access requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Generic, TypeVar

from registry.domain.errors import ConflictError

State = TypeVar("State", bound=StrEnum)
Step = TypeVar("Step", bound=StrEnum)


class StepNotAllowedError(ConflictError):
    """A step that the record's state does not allow (409). ``allowed``: the steps that are, in the
    table's order (the web app answers them as ``allowed_next``)."""

    def __init__(self, subject: str, state: StrEnum, step: str, allowed: list[str], when_none: str):
        allowed_text = ", ".join(allowed) if allowed else f"none ({when_none})"
        super().__init__(f"{subject} is {state.value}: '{step}' is not allowed; allowed next: {allowed_text}")
        self.step = step
        self.allowed = allowed


class Lifecycle(Generic[State, Step]):
    """The table of one lifecycle, and what is asked of it."""

    def __init__(self, table: Mapping[State, Mapping[Step, tuple[State, ...]]]):
        self.table = table
        self.terminal = frozenset(state for state, steps in table.items() if not steps)

    def allowed(self, state: State) -> list[str]:
        """The steps allowed in ``state``, as their public values, in the table's order."""
        return [step.value for step in self.table[state]]

    def target(self, state: State, step: Step, outcome: State | None = None) -> State | None:
        """The state ``step`` leads to from ``state`` (``outcome``: which of its states; default the
        usual one), or None when the table does not allow the step there. An ``outcome`` the step
        cannot lead to is a programming error (ValueError), not a user's."""
        targets = self.table[state].get(step, ())
        if not targets:
            return None
        chosen = outcome or targets[0]
        if chosen not in targets:
            raise ValueError(f"{step.value} cannot lead to {chosen.value}")
        return chosen
