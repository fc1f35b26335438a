"""The cases queue of the "waiting for me" summary (registry/usecases/waiting.py): the open cases on
the asker's desk with a deadline running, the one due soonest (overdue first) first.

Read from the case view like the case queue itself (``CaseBoard.queue``, scoped by the table
``keys.access.visibility.CASE_QUEUE_SCOPE``), after the view has caught up with the writes made
before the request; the summary's one access-log entry covers it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from grievance.domain.stages import TERMINAL
from grievance.usecases.facts import CaseFacts
from projections.cases import CaseBoard
from registry.usecases.waiting import Asker, Source, WaitingItem


def cases_by_deadline(
    board: CaseBoard, wait: Callable[[], object], facts: CaseFacts, clock: Callable[[], dt.datetime]
) -> Source:
    def items(asker: Asker, today: dt.date) -> list[WaitingItem]:  # noqa: ARG001 - the deadlines run on the clock
        wait()
        queue = board.queue(
            role=asker.role,
            organisation_ref=asker.organisation_ref,
            recipient_tag=facts.company_tag(asker.principal),
            now=clock(),
        )
        return [
            WaitingItem(item.reference, item.due_at.date(), item.deadline or "")
            for item in queue  # open cases by due date, overdue first; closed ones after
            if item.stage not in TERMINAL and item.due_at is not None
        ]

    return items
