"""Per-stage time limits (docs/lifecycles.md; UNGP 31: predictable and transparent).

A deadline's clock starts when a case enters the stage that starts it and stops when the case
leaves the stages the deadline covers. "Match and notify" runs from acknowledgement until the
companies are notified (or the case is closed as not in member chains); "ruling" from admission
until the ruling. The committee's compliance deadline is a date the ruling sets, not a limit.

Everything here is a pure function of a case's stage history, so the queue, the reminders and the
published statistics all count the same way.

Leaving a deadline's stages is not the same as meeting it: a case referred to the committee before
any notified company responded has left the first-response clock without a response. So each
deadline also names the stages whose entry *is* its event (``ENDED_BY``); any other way out is
"not applicable" when it came before the due time and "missed" when the case had already waited
past it. docs/statistics.md defines the four outcomes for readers of the published figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from grievance.domain.stages import Stage
from registry.domain.errors import ValidationError


class Deadline(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    MATCH_AND_NOTIFY = "match_and_notify"
    FIRST_RESPONSE = "first_response"
    ADMISSIBILITY = "admissibility"
    RULING = "ruling"
    COMPLIANCE = "compliance"  # set per case by the ruling


DEFAULT_LIMIT_DAYS: dict[Deadline, int] = {
    Deadline.ACKNOWLEDGE: 5,
    Deadline.MATCH_AND_NOTIFY: 10,
    Deadline.FIRST_RESPONSE: 20,
    Deadline.ADMISSIBILITY: 20,
    Deadline.RULING: 90,
}

# deadline -> (the stage that starts its clock, the stages it keeps running in)
CLOCKS: dict[Deadline, tuple[Stage, frozenset[Stage]]] = {
    Deadline.ACKNOWLEDGE: (Stage.FILED, frozenset({Stage.FILED})),
    Deadline.MATCH_AND_NOTIFY: (Stage.ACKNOWLEDGED, frozenset({Stage.ACKNOWLEDGED, Stage.MATCHED})),
    Deadline.FIRST_RESPONSE: (Stage.COMPANIES_NOTIFIED, frozenset({Stage.COMPANIES_NOTIFIED})),
    Deadline.ADMISSIBILITY: (Stage.REFERRED, frozenset({Stage.REFERRED})),
    Deadline.RULING: (Stage.ADMITTED, frozenset({Stage.ADMITTED, Stage.HEARING_SCHEDULED})),
}

# deadline -> the stages whose entry is the event that ends it (met, or missed when late). The
# match-and-notify deadline is the secretariat's: matching that finds no member buyer ends it too
# (the filer is told the case is not in member chains), as notifying the buyers found does. The
# committee's admissibility decision ends its deadline whichever way it goes.
ENDED_BY: dict[Deadline, frozenset[Stage]] = {
    Deadline.ACKNOWLEDGE: frozenset({Stage.ACKNOWLEDGED}),
    Deadline.MATCH_AND_NOTIFY: frozenset({Stage.COMPANIES_NOTIFIED, Stage.NOT_IN_MEMBER_CHAINS}),
    Deadline.FIRST_RESPONSE: frozenset({Stage.IN_DIALOGUE}),
    Deadline.ADMISSIBILITY: frozenset({Stage.ADMITTED, Stage.INADMISSIBLE}),
    Deadline.RULING: frozenset({Stage.RULED}),
    # compliance recorded: the only way from ruled or reminded to closed
    Deadline.COMPLIANCE: frozenset({Stage.CLOSED}),
}


class Outcome(StrEnum):
    """What a deadline came to (docs/statistics.md)."""

    MET = "met"  # its event happened on or before the due time
    MISSED = "missed"  # its event happened after it, or the due time passed while the case waited
    NOT_APPLICABLE = "not_applicable"  # the case left the deadline's path without the event, in time
    RUNNING = "running"  # neither yet: the due time is ahead and the case still waits for the event


# Whose turn it is while a deadline runs: the queue of that role shows it.
RESPONSIBLE: dict[Deadline, str] = {
    Deadline.ACKNOWLEDGE: "secretariat",
    Deadline.MATCH_AND_NOTIFY: "secretariat",
    Deadline.FIRST_RESPONSE: "company",
    Deadline.ADMISSIBILITY: "committee",
    Deadline.RULING: "committee",
    Deadline.COMPLIANCE: "committee",  # the committee follows up with a reminder
}


def parse_limits(text: str | None) -> dict[Deadline, int]:
    """``"acknowledge=5,ruling=60"`` (TRUSTONE_GRIEVANCE_LIMITS) over the defaults."""
    limits = dict(DEFAULT_LIMIT_DAYS)
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, _, days = part.partition("=")
        try:
            deadline = Deadline(name.strip())
        except ValueError:
            raise ValidationError(
                "TRUSTONE_GRIEVANCE_LIMITS",
                f"unknown deadline {name.strip()!r}; known: " + ", ".join(d.value for d in DEFAULT_LIMIT_DAYS),
            ) from None
        if deadline not in DEFAULT_LIMIT_DAYS or not days.strip().isdigit() or not 1 <= int(days) <= 365:
            raise ValidationError("TRUSTONE_GRIEVANCE_LIMITS", f"{deadline.value}: a whole number of days, 1-365")
        limits[deadline] = int(days)
    return limits


@dataclass(frozen=True)
class Segment:
    """One deadline in one case: when its clock started, when it is due, when it stopped (if it did)
    and the stage the case went to when it stopped."""

    deadline: Deadline
    started_at: dt.datetime
    due_at: dt.datetime
    stopped_at: dt.datetime | None
    stopped_by: Stage | None = None

    @property
    def responsible(self) -> str:
        return RESPONSIBLE[self.deadline]

    def overdue(self, now: dt.datetime) -> bool:
        return self.stopped_at is None and now > self.due_at

    def outcome(self, now: dt.datetime) -> Outcome:
        """Met, missed, not applicable or still running at ``now`` (docs/statistics.md)."""
        if self.stopped_at is None:
            return Outcome.MISSED if now > self.due_at else Outcome.RUNNING
        late = self.stopped_at > self.due_at
        if self.stopped_by in ENDED_BY[self.deadline]:
            return Outcome.MISSED if late else Outcome.MET
        return Outcome.MISSED if late else Outcome.NOT_APPLICABLE


def segments(
    history: list[tuple[Stage, dt.datetime]], limits: Mapping[Deadline, int], compliance_deadline: dt.date | None = None
) -> list[Segment]:
    """Every deadline that ran in this case, in order, from its (stage, entered at) history."""
    found: list[Segment] = []
    for deadline, (starter, running) in CLOCKS.items():
        for index, (stage, at) in enumerate(history):
            if stage != starter or (index and history[index - 1][0] in running):
                continue  # only a fresh entry starts the clock
            stopped_at, stopped_by = next(
                (
                    (later_at, later_stage)
                    for later_stage, later_at in history[index + 1 :]
                    if later_stage not in running
                ),
                (None, None),
            )
            found.append(Segment(deadline, at, at + dt.timedelta(days=limits[deadline]), stopped_at, stopped_by))
    if compliance_deadline is not None:
        ruled_at = next(at for stage, at in history if stage == Stage.RULED)
        due = dt.datetime.combine(compliance_deadline, dt.time.max, tzinfo=ruled_at.tzinfo)
        stopped_at, stopped_by = next(
            ((at, stage) for stage, at in history if stage in (Stage.CLOSED, Stage.MEMBERSHIP_END_PROPOSED)),
            (None, None),
        )
        found.append(Segment(Deadline.COMPLIANCE, ruled_at, due, stopped_at, stopped_by))
    return sorted(found, key=lambda segment: segment.started_at)


def running(
    history: list[tuple[Stage, dt.datetime]], limits: Mapping[Deadline, int], compliance_deadline: dt.date | None = None
) -> Segment | None:
    """The deadline running now, if any."""
    open_segments = [s for s in segments(history, limits, compliance_deadline) if s.stopped_at is None]
    return open_segments[-1] if open_segments else None
