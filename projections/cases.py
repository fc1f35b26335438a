"""The grievance case view (docs/lists.md and docs/lifecycles.md): role queues with deadlines, published
statistics, anonymised rulings, and the company notices waiting for the outbox.

What the view stores is only what the case events carry in clear: reference, type, filing party,
country, themes, sites, stages and their times, keyed company tags, the ruling's compliance date
and its published (anonymised) summary. Sealed attributes (reporter, description, parties,
reasons, matches, messages, the ruling itself) are never copied, not even as ciphertext. The one
exception is a company's notice: the outbox and the company's inbox need it, so it is kept exactly
as sealed in the event store (the event's own ciphertext, like the linked list), and only the filter
can open it.

A notice row is bound to what it claims on every read (``bound_notice``): its ciphertext is opened
with the associated data of the event its own columns name (the case id, and the event version
that its notice id ``<case id>:<version>`` states) and must have been sealed under the grievance key
of the company its ``recipient_tag`` names; its reference must be its case's. The stored
``notice_context`` is never used to open it (``trustone verify`` compares it with the source event).
So a notice copied over another row's, a row moved to another case, or given another company's tag
does not open, and the filter refuses the inbox or the outbox as an integrity failure instead of
showing or mailing another case's or another company's notice as this one.

Nothing else sealed is kept here: ``case_rulings`` holds the ruling's published, anonymised summary
(in clear in the event), not the sealed ruling or its per-company parts.

Every deadline figure comes from ``grievance.domain.deadlines`` applied to the stored stage
history, so the queue, the reminders and the published statistics count the same way.
"""

from __future__ import annotations

import base64
import datetime as dt
import statistics as stats
import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic

from grievance.application import key_owner_of_tag
from grievance.domain import deadlines
from grievance.domain.case import GrievanceCase
from grievance.domain.deadlines import DEFAULT_LIMIT_DAYS, Deadline, Outcome
from grievance.domain.stages import COMMITTEE_STAGES, TERMINAL, Stage
from keys.access.visibility import QueueScope, queue_scope
from keys.encryption.sealing import SealedField, field_context
from keys.storage.sql import Cursor
from projections.runner import View

C = GrievanceCase
NOTICE_FIELD = "notice"  # the CompanyNotified event's sealed attribute
_SUMMARY_COLUMNS = (
    "case_id, reference, case_type, filer_ref, country, themes, stage, filed_at, compliance_deadline, party_tags"
)


def _words(text: str | None) -> list[str]:
    return [word for word in (text or "").split(",") if word]


def _iso(value: Any) -> str | None:
    """Times as UTC ISO text (so they also sort as text), dates as ISO dates."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).isoformat()
    return value.isoformat()


class CaseView(View):
    name = "cases"
    topics = tuple(
        get_topic(cls)
        for cls in (
            C.Filed,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            C.EvidenceAdded,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            C.Advanced,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            C.Matched,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            C.CompanyNotified,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            C.CompanyWrote,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            C.Ruled,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            C.FlaggedSystemic,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
        )
    )
    tables = ("case_summaries", "case_stages", "case_notices", "case_rulings")

    def create_tables(self, cursor: Cursor) -> None:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.case_summaries (case_id TEXT PRIMARY KEY, reference TEXT NOT NULL,"
            " case_type TEXT NOT NULL, filer_ref TEXT NOT NULL, country TEXT, themes TEXT NOT NULL,"
            " site_ids TEXT NOT NULL, stage TEXT NOT NULL, filed_at TEXT NOT NULL, systemic TEXT,"
            " compliance_deadline TEXT, hearing_on TEXT, party_tags TEXT NOT NULL, followup_tag TEXT NOT NULL)"
        )
        cursor.execute("CREATE INDEX IF NOT EXISTS case_summaries_filer ON {schema}.case_summaries (filer_ref)")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.case_stages (case_id TEXT NOT NULL, seq INTEGER NOT NULL,"
            " stage TEXT NOT NULL, entered_at TEXT NOT NULL, PRIMARY KEY (case_id, seq))"
        )
        cursor.execute("CREATE INDEX IF NOT EXISTS case_stages_stage ON {schema}.case_stages (stage)")
        # seq: the order notices were recorded in (several share one time); stable across rebuilds.
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.case_notices (notice_id TEXT PRIMARY KEY, seq INTEGER NOT NULL,"
            " case_id TEXT NOT NULL, reference TEXT NOT NULL, recipient_tag TEXT NOT NULL, notice TEXT NOT NULL,"
            " notice_context TEXT NOT NULL, notified_at TEXT NOT NULL)"
        )
        cursor.execute("CREATE INDEX IF NOT EXISTS case_notices_recipient ON {schema}.case_notices (recipient_tag)")
        cursor.execute("CREATE INDEX IF NOT EXISTS case_notices_case ON {schema}.case_notices (case_id)")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {schema}.case_rulings (case_id TEXT PRIMARY KEY, reference TEXT NOT NULL,"
            " ruled_at TEXT NOT NULL, country TEXT, themes TEXT NOT NULL, summary TEXT NOT NULL)"
        )

    def apply(self, cursor: Cursor, event: Any) -> None:
        case_id = str(event.originator_id)
        if isinstance(event, C.Filed):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            cursor.execute(
                "INSERT INTO {schema}.case_summaries (case_id, reference, case_type, filer_ref, country, themes,"
                " site_ids, stage, filed_at, party_tags, followup_tag)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    case_id,
                    event.reference,
                    str(event.case_type),
                    event.filer_ref,
                    event.country,
                    ",".join(str(t) for t in event.themes),
                    ",".join(event.site_ids),
                    str(event.stage),
                    _iso(event.at),
                    ",".join(event.party_tags),
                    event.followup_tag,
                ),
            )
            self._enter(cursor, case_id, event.stage, event.at)
        elif isinstance(event, C.Advanced):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            self._enter(cursor, case_id, event.stage, event.at)
            if event.hearing_on is not None:
                cursor.execute(
                    "UPDATE {schema}.case_summaries SET hearing_on = %s WHERE case_id = %s",
                    (_iso(event.hearing_on), case_id),
                )
        elif isinstance(event, C.Matched):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            cursor.execute(
                "UPDATE {schema}.case_summaries SET site_ids = %s WHERE case_id = %s",
                (",".join(event.site_ids), case_id),
            )
            self._enter(cursor, case_id, event.stage, event.at)
        elif isinstance(event, C.CompanyNotified):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            self._notice(cursor, case_id, event)
        elif isinstance(event, C.CompanyWrote):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            row = cursor.execute("SELECT stage FROM {schema}.case_summaries WHERE case_id = %s", (case_id,)).fetchone()
            if row is not None and row[0] != str(event.stage):  # as the aggregate: a new stage only when it differs
                self._enter(cursor, case_id, event.stage, event.at)
        elif isinstance(event, C.Ruled):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            self._enter(cursor, case_id, event.stage, event.at)
            cursor.execute(
                "UPDATE {schema}.case_summaries SET compliance_deadline = %s WHERE case_id = %s",
                (_iso(event.compliance_deadline), case_id),
            )
            cursor.execute(
                "INSERT INTO {schema}.case_rulings (case_id, reference, ruled_at, country, themes, summary)"
                " SELECT case_id, reference, %s, country, themes, %s FROM {schema}.case_summaries WHERE case_id = %s"
                " ON CONFLICT (case_id) DO UPDATE SET ruled_at = excluded.ruled_at, summary = excluded.summary",
                (_iso(event.at), event.published_summary, case_id),
            )
        elif isinstance(event, C.FlaggedSystemic):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
            cursor.execute(
                "UPDATE {schema}.case_summaries SET systemic = %s WHERE case_id = %s", (event.joint_project, case_id)
            )
        # EvidenceAdded: nothing in clear that a list shows (the attachment is sealed).

    @staticmethod
    def _enter(cursor: Cursor, case_id: str, stage: Any, at: dt.datetime) -> None:
        cursor.execute(
            "INSERT INTO {schema}.case_stages (case_id, seq, stage, entered_at) SELECT %s, COALESCE(MAX(seq), -1) + 1,"
            " %s, %s FROM {schema}.case_stages WHERE case_id = %s",
            (case_id, str(stage), _iso(at), case_id),
        )
        cursor.execute("UPDATE {schema}.case_summaries SET stage = %s WHERE case_id = %s", (str(stage), case_id))

    @staticmethod
    def _notice(cursor: Cursor, case_id: str, event: Any) -> None:
        row = notice_row(event)
        cursor.execute(
            "INSERT INTO {schema}.case_notices (notice_id, seq, case_id, reference, recipient_tag, notice,"
            " notice_context, notified_at) SELECT %s, (SELECT COALESCE(MAX(seq), 0) + 1 FROM {schema}.case_notices),"
            " %s, reference, %s, %s, %s, %s FROM {schema}.case_summaries WHERE case_id = %s",
            (
                row["notice_id"],
                row["case_id"],
                row["recipient_tag"],
                row["notice"],
                row["notice_context"],
                row["notified_at"],
                case_id,
            ),
        )


def notice_row(event: Any) -> dict[str, str]:
    """The ``case_notices`` columns a CompanyNotified event gives (all but its case's reference and the
    order): what the view writes, and what ``trustone verify`` expects to find.

    The notice id is the event's case id and version (also the outbox's key)."""
    notice = event.notice
    if not isinstance(notice, SealedField):
        raise TypeError("the case view keeps sealed notices only")  # never plaintext into a view
    return {
        "notice_id": f"{event.originator_id}:{event.originator_version}",
        "case_id": str(event.originator_id),
        "recipient_tag": event.recipient_tag,
        "notice": base64.b64encode(notice.blob).decode(),
        "notice_context": notice.context,
        "notified_at": _iso(event.at),
    }


def bound_notice(
    app_name: str,
    notice_id: str,
    case_id: str,
    recipient_tag: str,
    notice: str,
    case_reference: str | None = None,
    reference: str | None = None,
) -> SealedField:
    """A row's sealed notice, to be opened only as what the row claims to be (see the module's doc).

    The context comes from the row's case id and the version its notice id states; the owner from its
    recipient tag. A notice id that does not name the row's case, or a reference that is not its
    case's (``case_reference``, from the case summary), gives a context no notice was sealed with.
    """
    originator, _, version = notice_id.rpartition(":")
    consistent = originator == case_id and version.isdigit() and reference == case_reference
    try:
        blob = base64.b64decode(notice, validate=True)
    except ValueError:  # not base64 at all: an empty blob, which the filter reports as not opening
        blob = b""
    return SealedField(
        blob,
        field_context(app_name, case_id, int(version) if consistent else -1, NOTICE_FIELD),
        owner=str(key_owner_of_tag(recipient_tag)),
    )


@dataclass(frozen=True)
class QueueItem:
    reference: str
    case_type: str
    stage: Stage
    filed_at: dt.datetime
    stage_since: dt.datetime
    deadline: str | None  # the Deadline running now, if any
    due_at: dt.datetime | None
    overdue: bool
    responsible: str | None  # whose turn it is while that deadline runs
    my_turn: bool


@dataclass(frozen=True)
class PendingNotice:
    notice_id: str
    case_id: uuid.UUID
    reference: str
    recipient_tag: str
    sealed: SealedField
    notified_at: dt.datetime


@dataclass(frozen=True)
class _Case:
    case_id: str
    reference: str
    case_type: str
    filer_ref: str
    country: str | None
    themes: list[str]
    stage: Stage
    filed_at: dt.datetime
    compliance_deadline: dt.date | None
    party_tags: list[str]
    history: list[tuple[Stage, dt.datetime]]

    @property
    def is_open(self) -> bool:
        return self.stage not in TERMINAL


class CaseBoard:
    """Reading the case view. Who may call what is the policy's job; this only selects rows."""

    def __init__(self, recorder: Any, limits: Mapping[Deadline, int] = DEFAULT_LIMIT_DAYS, app_name: str = "grievance"):
        self.recorder = recorder
        self.limits = limits
        self.app_name = app_name  # the application whose events the notice rows were copied from

    # --- loading --------------------------------------------------------------------------------

    def _cases(self, where: str = "", params: tuple = ()) -> list[_Case]:
        with self.recorder.cursor(commit=False) as cursor:
            rows = cursor.execute(
                f"SELECT {_SUMMARY_COLUMNS} FROM {{schema}}.case_summaries s {where}", params
            ).fetchall()
            stages = cursor.execute(
                "SELECT case_id, stage, entered_at FROM {schema}.case_stages WHERE case_id IN"
                f" (SELECT s.case_id FROM {{schema}}.case_summaries s {where}) ORDER BY case_id, seq",
                params,
            ).fetchall()
        history: dict[str, list[tuple[Stage, dt.datetime]]] = defaultdict(list)
        for case_id, stage, entered_at in stages:
            history[case_id].append((Stage(stage), dt.datetime.fromisoformat(entered_at)))
        return [
            _Case(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                _words(row[5]),
                Stage(row[6]),
                dt.datetime.fromisoformat(row[7]),
                dt.date.fromisoformat(row[8]) if row[8] else None,
                _words(row[9]),
                history[row[0]],
            )
            for row in rows
        ]

    def history(self, case_id: uuid.UUID | str) -> list[tuple[Stage, dt.datetime]]:
        with self.recorder.cursor(commit=False) as cursor:
            rows = cursor.execute(
                "SELECT stage, entered_at FROM {schema}.case_stages WHERE case_id = %s ORDER BY seq", (str(case_id),)
            ).fetchall()
        return [(Stage(stage), dt.datetime.fromisoformat(at)) for stage, at in rows]

    # --- queues ---------------------------------------------------------------------------------

    def queue(
        self, *, role: str, organisation_ref: str | None = None, recipient_tag: str | None = None, now: dt.datetime
    ) -> list[QueueItem]:
        """A role's cases: open ones by due date (overdue first), then closed ones, newest first.

        Which cases are on a role's desk is the table's (``keys.access.visibility.CASE_QUEUE_SCOPE``);
        this selects the rows of that scope, for the organisation and keyed company tag given.
        """
        role = str(role)
        cases = self._scoped(queue_scope(role), organisation_ref, recipient_tag)
        items = [self._item(case, role, now) for case in cases]
        open_items = sorted(
            (item for item in items if item.stage not in TERMINAL),
            key=lambda item: (not item.overdue, item.due_at is None, item.due_at or now, item.filed_at, item.reference),
        )
        closed = sorted(
            (item for item in items if item.stage in TERMINAL),
            key=lambda item: (item.filed_at, item.reference),
            reverse=True,
        )
        return open_items + closed

    def _scoped(self, scope: QueueScope, organisation_ref: str | None, recipient_tag: str | None) -> list[_Case]:
        if scope is QueueScope.EVERY_CASE:
            return self._cases()
        if scope is QueueScope.BEFORE_COMMITTEE:
            committee = ", ".join(["%s"] * len(COMMITTEE_STAGES))
            return self._cases(
                f"WHERE EXISTS (SELECT 1 FROM {{schema}}.case_stages t WHERE t.case_id = s.case_id"
                f" AND t.stage IN ({committee}))",
                tuple(str(s) for s in sorted(COMMITTEE_STAGES)),
            )
        if scope is QueueScope.FILED:
            return self._cases("WHERE s.filer_ref = %s", (organisation_ref,)) if organisation_ref else []
        if scope is QueueScope.FILED_NOTIFIED_OR_PARTY and (organisation_ref or recipient_tag):
            cases = self._cases(
                "WHERE s.filer_ref = %s OR s.case_id IN (SELECT n.case_id FROM {schema}.case_notices n"
                " WHERE n.recipient_tag = %s)",
                (organisation_ref or "", recipient_tag or ""),
            )
            if recipient_tag:  # party tags are comma text: a dispute against this company
                known = {case.case_id for case in cases}
                cases += [
                    case
                    for case in self._cases("WHERE s.party_tags <> ''")
                    if case.case_id not in known and recipient_tag in case.party_tags
                ]
            return cases
        return []

    def _item(self, case: _Case, role: str, now: dt.datetime) -> QueueItem:
        segment = deadlines.running(case.history, self.limits, case.compliance_deadline)
        responsible = segment.responsible if segment else None
        return QueueItem(
            reference=case.reference,
            case_type=case.case_type,
            stage=case.stage,
            filed_at=case.filed_at,
            stage_since=case.history[-1][1] if case.history else case.filed_at,
            deadline=segment.deadline.value if segment else None,
            due_at=segment.due_at if segment else None,
            overdue=bool(segment and segment.overdue(now)),
            responsible=responsible,
            my_turn=responsible == role,
        )

    # --- published ------------------------------------------------------------------------------

    def statistics(self, now: dt.datetime) -> dict[str, Any]:
        """Published figures: counts, median days per stage and deadline performance. They name no
        case, party or company. Each figure is defined in docs/statistics.md; a deadline counts
        under exactly one of its outcomes (``deadlines.Outcome``) at ``now``."""
        cases = self._cases()
        by_theme: Counter[str] = Counter(theme for case in cases for theme in set(case.themes))
        days_in: dict[str, list[float]] = defaultdict(list)
        counted: dict[str, dict[str, int]] = {d.value: {outcome.value: 0 for outcome in Outcome} for d in Deadline}
        overdue_now = 0
        for case in cases:
            for stage, days in _days_per_left_stage(case.history).items():
                days_in[stage].append(days)
            for segment in deadlines.segments(case.history, self.limits, case.compliance_deadline):
                counted[segment.deadline.value][segment.outcome(now).value] += 1
            running = deadlines.running(case.history, self.limits, case.compliance_deadline)
            overdue_now += bool(case.is_open and running and running.overdue(now))
        performance: dict[str, dict[str, float | None]] = {}
        for deadline, counts in counted.items():
            decided = counts["met"] + counts["missed"]
            share = round(counts["met"] / decided, 3) if decided else None
            performance[deadline] = {**counts, "share_on_time": share}
        return {
            "total": len(cases),
            "by_stage": dict(sorted(Counter(case.stage.value for case in cases).items())),
            "by_theme": dict(sorted(by_theme.items())),
            "by_country": dict(sorted(Counter(case.country or "unknown" for case in cases).items())),
            "by_type": dict(sorted(Counter(case.case_type for case in cases).items())),
            "median_days_per_stage": {stage: round(stats.median(days), 1) for stage, days in sorted(days_in.items())},
            "deadlines": performance,
            "overdue_now": overdue_now,
        }

    def rulings(self) -> list[dict[str, Any]]:
        """The committee's rulings as published: the case number and the anonymised summary."""
        with self.recorder.cursor(commit=False) as cursor:
            rows = cursor.execute(
                "SELECT reference, ruled_at, country, themes, summary FROM {schema}.case_rulings"
                " ORDER BY ruled_at, reference"
            ).fetchall()
        return [
            {
                "reference": row[0],
                "ruled_on": dt.datetime.fromisoformat(row[1]).date(),
                "country": row[2],
                "themes": _words(row[3]),
                "summary": row[4],
            }
            for row in rows
        ]

    # --- notices (outbox and in-app inbox) --------------------------------------------------------

    def pending_notices(self) -> list[PendingNotice]:
        return self._notices("", ())

    def notices_for(self, recipient_tag: str) -> list[PendingNotice]:
        return self._notices("WHERE n.recipient_tag = %s", (recipient_tag,))

    def _notices(self, where: str, params: tuple) -> list[PendingNotice]:
        """Notice rows, each with its notice bound to the row (``bound_notice``); a row whose case is
        not in the view gets no case reference, so it does not open either."""
        with self.recorder.cursor(commit=False) as cursor:
            rows = cursor.execute(
                "SELECT n.notice_id, n.case_id, n.reference, n.recipient_tag, n.notice, n.notified_at, s.reference"
                " FROM {schema}.case_notices n LEFT JOIN {schema}.case_summaries s ON s.case_id = n.case_id"
                f" {where} ORDER BY n.seq",
                params,
            ).fetchall()
        return [
            PendingNotice(
                row[0],
                uuid.UUID(row[1]),
                row[2],
                row[3],
                bound_notice(self.app_name, row[0], row[1], row[3], row[4], row[6], row[2]),
                dt.datetime.fromisoformat(row[5]),
            )
            for row in rows
        ]

    def notice_rows(self) -> list[tuple[str, str, str, str, str, str, str]]:
        """Every notice row as stored, in recorded order (notice id, case id, reference, recipient tag,
        notice, notice context, notified at), for the verifier."""
        with self.recorder.cursor(commit=False) as cursor:
            return cursor.execute(
                "SELECT notice_id, case_id, reference, recipient_tag, notice, notice_context,"
                " notified_at FROM {schema}.case_notices ORDER BY seq"
            ).fetchall()


def _days_per_left_stage(history: list[tuple[Stage, dt.datetime]]) -> dict[str, float]:
    """Days a case spent in each stage it has left (a re-entry such as a rescheduled hearing is
    not a leave; a later return to the same stage adds to its total). The current stage is left out."""
    spent: dict[str, float] = defaultdict(float)
    entered = 0
    for index in range(1, len(history)):
        if history[index][0] != history[entered][0]:
            spent[history[entered][0].value] += (history[index][1] - history[entered][1]).total_seconds() / 86400
            entered = index
    return dict(spent)
