"""The reports awaiting assessment: every report whose latest version is submitted and not yet assessed.

No aggregate lists the reports (one written by every upload would make every two uploads race), and
loading every report on each look would grow with history. So the queue is kept in process memory
and brought up to date before each look from the registry's notifications since the last one, of
the three events that change a report's status (a version submitted, a draft saved, an assessment):
the reports they name are read again, and no other. The first look reads those notifications from
the start, once per process. Nothing here is confidential: a report's status, version numbers,
dates and insight percentages are in clear in its events (registry/domain/reports.py).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from eventsourcing.utils import get_topic

from registry.domain.reports import ReportStatus, SupplyChainReport

_FOLLOWED_TOPICS = tuple(
    get_topic(cls)
    for cls in (
        SupplyChainReport.VersionSubmitted,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
        SupplyChainReport.DraftSaved,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
        SupplyChainReport.Assessed,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
    )
)
_PAGE = 500


@dataclass(frozen=True)
class ReportAwaitingAssessment:
    """One report on the secretariat's desk. ``waiting_since``: when the first version not yet
    assessed was submitted (a corrected file does not send the report to the back of the queue);
    ``version``, ``submitted_on`` and the insight percentages are those of the latest version, the
    one an assessment is of."""

    company: str
    year: int
    version: int
    submitted_on: dt.date
    waiting_since: dt.date
    days_waiting: int
    quarry_insight: Decimal
    factory_insight: Decimal


def _waiting(report: SupplyChainReport, company: str) -> ReportAwaitingAssessment | None:
    """The report as the queue shows it, or None when it is not waiting (``days_waiting``: at the look)."""
    if report.status != ReportStatus.SUBMITTED:
        return None
    assessed = report.assessments[-1].version if report.assessments else 0
    first_unassessed = next(v for v in report.versions if v.number > assessed)
    latest = report.latest_version
    return ReportAwaitingAssessment(
        company=company,
        year=report.year,
        version=latest.number,
        submitted_on=latest.submitted_on,
        waiting_since=first_unassessed.submitted_on,
        days_waiting=0,
        quarry_insight=latest.quarry_insight,
        factory_insight=latest.factory_insight,
    )


class AssessmentQueue:
    def __init__(self, app: Any):
        self._app = app
        self._position: int | None = None  # the notification id read up to; None: not read yet
        self._waiting: dict[uuid.UUID, ReportAwaitingAssessment] = {}  # report id -> the report, while it waits
        self._refs: dict[uuid.UUID, str] = {}  # company id -> ref (a ref never changes)
        self._lock = threading.Lock()

    def awaiting(self, today: dt.date) -> list[ReportAwaitingAssessment]:
        """Oldest first (then by company and year, so that equal days keep one order)."""
        with self._lock:
            self._refresh()
            waiting = list(self._waiting.values())
        return sorted(
            (replace(entry, days_waiting=max((today - entry.waiting_since).days, 0)) for entry in waiting),
            key=lambda item: (item.waiting_since, item.company, item.year),
        )

    def _refresh(self) -> None:
        """Read again the reports named by the followed notifications since the last look. A report
        read now may already include a later event: it is read again when that event is followed,
        which changes nothing."""
        recorder = self._app.recorder
        top = recorder.max_notification_id() or 0
        changed: set[uuid.UUID] = set()
        start = self._position
        while start is None or start < top:
            page = recorder.select_notifications(
                start=start, limit=_PAGE, stop=top, topics=_FOLLOWED_TOPICS, inclusive_of_start=start is None
            )
            changed.update(uuid.UUID(str(notification.originator_id)) for notification in page)
            if len(page) < _PAGE:
                break
            start = page[-1].id
        for report_id in changed:
            report = self._app.repository.get(report_id)
            entry = _waiting(report, self._ref(report.company_id))
            if entry is None:
                self._waiting.pop(report_id, None)
            else:
                self._waiting[report_id] = entry
        self._position = top

    def _ref(self, company_id: uuid.UUID) -> str:
        if company_id not in self._refs:
            self._refs[company_id] = self._app.repository.get(company_id).ref
        return self._refs[company_id]
