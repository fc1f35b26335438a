"""A role's desk: the cases on it (with their deadlines), a company's in-app notices, and the
published figures and rulings, all read from the case view (projections/cases.py).

Which cases are on a role's desk is the table's (keys/access/visibility.py); the policy decides the
read and the filter logs it: reading a queue is one access-log entry, opening a company's notices one
more, about that company's own data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from grievance.usecases.facts import CaseFacts
from grievance.usecases.results import CaseOnDesk
from keys.access.filter import UNREADABLE, Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from projections.cases import CaseBoard, QueueItem

# The duties that have a desk of cases of their own (the pages of issue 14).
CASE_DUTIES = frozenset({Action.MANAGE_CASE, Action.RECORD_COMMITTEE_DECISION})


class CaseDesk:
    def __init__(
        self,
        board: CaseBoard,
        wait: Callable[[], object],
        guard: ConfidentialFilter,
        facts: CaseFacts,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self._board = board
        self._wait = wait  # until the case view has the writes made before this request
        self._guard = guard
        self._facts = facts
        self._clock = clock

    def queue(self, principal: Any, request_id: str, now: dt.datetime | None = None) -> list[CaseOnDesk]:
        """The cases on this principal's desk, with the running deadline, due date and overdue flag."""
        return self._desk(principal, Action.READ_CASE_QUEUE, request_id, now)

    def desk_for(
        self, principal: Any, duty: Action, request_id: str, now: dt.datetime | None = None
    ) -> list[CaseOnDesk]:
        """The cases on the desk of one duty's pages, as ``queue`` gives them, decided under that duty's
        row of the policy: the secretariat's case work (``manage_case``) or the committee's case files
        (``record_committee_decision``). Another role opening those pages is refused, and logged."""
        if duty not in CASE_DUTIES:
            raise ValueError(f"not a case duty: {duty.value}")
        return self._desk(principal, duty, request_id, now)

    def _desk(self, principal: Any, action: Action, request_id: str, now: dt.datetime | None) -> list[CaseOnDesk]:
        self._guard.authorise(
            principal,
            action,
            Facts(),
            Audit(subject_kind="case_queue", purpose="grievance queue", request_id=request_id),
        )
        self._wait()
        items = self._board.queue(
            role=str(principal.role),
            organisation_ref=principal.organisation_ref,
            recipient_tag=self._facts.company_tag(principal),
            now=now or self._clock(),
        )
        return [_on_desk(item) for item in items]

    def notices(self, principal: Any, request_id: str) -> list[dict[str, Any]]:
        """A company's in-app notifications: each names the site and the allegation, never another company."""
        tag = self._facts.company_tag(principal)
        self._wait()
        pending = self._board.notices_for(tag) if tag else []
        opened = self._guard.open(
            principal,
            Action.READ_CASE,
            Facts(own_data=tag is not None),
            {str(i): p.sealed for i, p in enumerate(pending)},
            Audit(
                subject_kind="grievance_notices",
                company=principal.organisation_ref,
                purpose="grievance notices",
                request_id=request_id,
            ),
        )
        return [
            {**opened[str(i)], "notified_at": p.notified_at.isoformat()}
            for i, p in enumerate(pending)
            if opened[str(i)] is not UNREADABLE
        ]

    def statistics(self) -> dict[str, Any]:
        """Published: cases by stage, theme, country and type; median days per stage; share on time."""
        self._wait()
        return self._board.statistics(self._clock())

    def rulings(self) -> list[dict[str, Any]]:
        """The committee's rulings, anonymised, as published when final."""
        self._wait()
        return self._board.rulings()


def _on_desk(item: QueueItem) -> CaseOnDesk:
    return CaseOnDesk(
        reference=item.reference,
        case_type=item.case_type,
        stage=item.stage.value,
        filed_at=item.filed_at.isoformat(),
        stage_since=item.stage_since.isoformat(),
        deadline=item.deadline,
        due_at=item.due_at.isoformat() if item.due_at else None,
        overdue=item.overdue,
        responsible=item.responsible,
        my_turn=item.my_turn,
    )
