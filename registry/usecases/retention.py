"""The retention schedule at work (issue 16; docs/retention.md): what expires when, extensions with a
reason, the daily erasure, the report. The schedule itself is registry/domain/retention.py.

Who may do what is the policy's: READ_RETENTION (the secretariat, the auditor) for the schedule, what
expires and the report; MANAGE_RETENTION (the secretariat) to extend a record's period and to run the
erasure. The daily job and ``trustone retention`` run on the server as the operator who holds the
keyring, ``keys-admin:<user>`` (as ``trustone keys shred``), whose system grants include both.

The run, for each kind the job erases:
1. a record within the warning window is warned of once per expiry date (the ledger records it; the
   secretariat's desk shows it under "records expiring");
2. a record past its period (and any extension) is erased once a whole warning window has passed since
   it was warned of that expiry (``erased_from``: a warning always gives the secretariat the full
   window to extend, also when the job did not run in the window): the access-log entry "retention:
   erase <kind> <ref>" is written first, through the filter (no entry, no erasure), then the ledger
   records the erasure as begun, then its key is destroyed, then the erasure is recorded. A run that
   finds an erasure begun and never recorded (the run before stopped in between) completes it first,
   with an access-log entry that says so; the erasers are idempotent;
3. sessions that ended more than the period ago are deleted (one logged entry and one erasure record
   for the rows of one run, by count).
Nothing here opens a sealed field: the job reads what records hold in clear (stages, dates, statuses).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from eventsourcing.application import AggregateNotFoundError

from grievance.domain.stages import TERMINAL
from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from registry.application import RegistryApplication
from registry.domain.access_requests import DataAccessRegister, DataAccessRequest, Status
from registry.domain.errors import ConflictError, NotFoundError, ValidationError
from registry.domain.organisations import OrganisationKind
from registry.domain.retention import (
    ErasedBy,
    Erasing,
    ErasureRecord,
    Record,
    RecordKind,
    RetentionLedger,
    Schedule,
    Standing,
    check_extension,
    erased_from,
    expires_on,
    standing,
)
from registry.sealed_application import VersionConflictError

Who = Principal | SystemPrincipal
SUBJECT = "retention"  # the access log's subject kind
_ATTEMPTS = 10
Notify = Callable[[tuple["DueItem", ...]], object]


class WarningNotSentError(ConflictError):
    """The warning e-mail to the secretariat could not be sent: the run recorded and erased nothing."""


# --- what the use case is handed ------------------------------------------------------------------

# The records of one kind that still exist, with the day each one's clock started (``today``: for a
# status computed on read, such as a release's expiry).
Source = Callable[[dt.date], list[Record]]
# Erases one record for the principal (request id for its own log entries); returns how many data keys
# were destroyed.
Eraser = Callable[[Record, Who, str], int]


class SessionRows(Protocol):
    def count(self, ended_before: dt.datetime | None = None) -> int: ...

    def delete_ended_before(self, moment: dt.datetime) -> int: ...


# --- results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleRow:
    kind: RecordKind
    days: int | None  # None: no period of its own (see erased_by)
    starts: str
    erasing: str
    why: str
    erased_by: ErasedBy
    configured: bool  # set by TRUSTONE_RETENTION rather than the default


@dataclass(frozen=True)
class ScheduleView:
    rows: tuple[ScheduleRow, ...]
    warning_days: int


@dataclass(frozen=True)
class DueItem:
    """A record within the warning window (``expiring``) or past its period (``due``)."""

    kind: RecordKind
    ref: str
    started_on: dt.date
    expires_on: dt.date  # the end of its period (or of its latest extension)
    standing: Standing
    extended: bool  # an extension moved its expiry
    warned: bool  # the secretariat was warned of this expiry
    warned_on: dt.date | None = None  # the day of that warning
    erased_from: dt.date | None = None  # the first day the job erases it: its expiry, a window after the warning


@dataclass(frozen=True)
class DueView:
    on: dt.date
    warning_days: int
    items: tuple[DueItem, ...]  # soonest expiry first
    sessions_due: int  # session rows past their period (erased by count, not one by one)


@dataclass(frozen=True)
class ExtensionMade:
    kind: RecordKind
    ref: str
    expires_on: dt.date


@dataclass(frozen=True)
class RunResult:
    on: dt.date
    warned: tuple[DueItem, ...]
    erased: tuple[ErasureRecord, ...]


@dataclass(frozen=True)
class ReportRow:
    kind: RecordKind
    days: int | None
    erased_by: ErasedBy
    kept: int | None  # records of this kind the registry still keeps (None: not counted by this job)
    expiring: int | None  # within the warning window
    due: int | None  # past their period, erased by the next run
    erased: int  # erasures recorded so far


@dataclass(frozen=True)
class RetentionReport:
    on: dt.date
    warning_days: int
    last_run: dt.date | None
    rows: tuple[ReportRow, ...]


# --- the use case -----------------------------------------------------------------------------------


class Retention:
    def __init__(
        self,
        registry: RegistryApplication,
        guard: ConfidentialFilter,
        schedule: Schedule,
        sources: Mapping[RecordKind, Source],
        erasers: Mapping[RecordKind, Eraser],
        sessions: SessionRows,
        clock: Callable[[], dt.datetime],
        notify: Notify | None = None,
    ) -> None:
        """``sources``/``erasers``: one per kind the job erases record by record (not sessions, which
        ``sessions`` deletes by count); ``clock``: the services' one clock; ``notify``: the warning
        e-mail to the secretariat, for every run (the command line's, the HTTP one, the page's), which
        raises ``WarningNotSentError`` when it cannot send."""
        self._registry = registry
        self._guard = guard
        self._schedule = schedule
        self._sources = sources
        self._erasers = erasers
        self._sessions = sessions
        self._clock = clock
        self._notify = notify

    # --- reading ------------------------------------------------------------------------------

    def may_manage(self, principal: Who, request_id: str = "") -> None:
        """The secretariat's page (extend, run): refused before any input is judged."""
        self._guard.check(principal, Action.MANAGE_RETENTION, Facts(), self._audit("retention schedule", request_id))

    def schedule(self, principal: Who, request_id: str = "") -> ScheduleView:
        """The table: every kind, its period, what starts it, what erasing means and why."""
        self._authorise(principal, Action.READ_RETENTION, "retention schedule", request_id)
        rows = tuple(
            ScheduleRow(
                kind=rule.kind,
                days=rule.days,
                starts=rule.starts,
                erasing=rule.erasing,
                why=rule.why,
                erased_by=rule.erased_by,
                configured=rule.kind in self._schedule.configured,
            )
            for rule in self._schedule.rules
        )
        return ScheduleView(rows=rows, warning_days=self._schedule.warning_days)

    def due(self, principal: Who, on: dt.date | None = None, request_id: str = "") -> DueView:
        """What expires within the warning window of ``on`` (default today) and what is past due."""
        self._authorise(principal, Action.READ_RETENTION, "records expiring", request_id)
        day = on or self._today()
        items = tuple(item for item in self._items(self._ledger(), day) if item.standing is not Standing.KEPT)
        return DueView(
            on=day,
            warning_days=self._schedule.warning_days,
            items=items,
            sessions_due=self._sessions.count(ended_before=self._session_cutoff(day)),
        )

    def erasures(self, principal: Who, request_id: str = "") -> tuple[ErasureRecord, ...]:
        """Every erasure recorded, oldest first: kind, reference, keys destroyed, day, by whom."""
        self._authorise(principal, Action.READ_RETENTION, "erasure records", request_id)
        return tuple(self._ledger().erasures)

    def report(self, principal: Who, request_id: str = "") -> RetentionReport:
        """Per kind: its period, records kept, expiring within the window, due, erased so far; the last run."""
        self._authorise(principal, Action.READ_RETENTION, "retention report", request_id)
        ledger, today = self._ledger(), self._today()
        items = self._items(ledger, today)
        rows = []
        for rule in self._schedule.rules:
            erased = sum(1 for erasure in ledger.erasures if erasure.kind is rule.kind)
            kept: int | None = None
            expiring: int | None = None
            due: int | None = None
            if rule.kind is RecordKind.SESSION:
                kept = self._sessions.count()
                due = self._sessions.count(ended_before=self._session_cutoff(today))
            elif rule.kind in self._sources:
                own = [item.standing for item in items if item.kind is rule.kind]
                kept, expiring, due = len(own), own.count(Standing.EXPIRING), own.count(Standing.DUE)
            rows.append(ReportRow(rule.kind, rule.days, rule.erased_by, kept, expiring, due, erased))
        return RetentionReport(today, self._schedule.warning_days, ledger.last_run, tuple(rows))

    # --- extending ----------------------------------------------------------------------------

    def extend(
        self,
        principal: Who,
        kind: RecordKind | str,
        record: str,
        reason: str,
        *,
        until: dt.date | None = None,
        days: int | None = None,
        request_id: str = "",
    ) -> ExtensionMade:
        """Keep one record longer, with a reason: until a day, or ``days`` beyond its present expiry."""
        audit = self._audit("extend a retention period", request_id, record)
        self._guard.check(principal, Action.MANAGE_RETENTION, Facts(), audit)
        chosen = self._extendable(kind)
        if (until is None) == (days is None):
            raise ValidationError("until", "give either a day (until) or a number of days, not both")
        today = self._today()
        ledger = self._ledger()
        found = next((r for r in self._sources[chosen](today) if r.ref == (record or "").strip()), None)
        if found is None:
            raise NotFoundError(f"no {chosen.value} with that reference is kept")
        if ledger.erased(chosen, found.ref):
            raise ConflictError(f"{chosen.value} {found.ref} was erased already")
        current = expires_on(found, self._schedule, ledger.extensions_of(chosen, found.ref))
        if days is not None and not 1 <= days <= 36_500:
            raise ValidationError("days", "a whole number of days from 1 to 36500")
        target = until if until is not None else current + dt.timedelta(days=days or 0)
        reason = check_extension(current, target, today, reason)
        self._guard.authorise(principal, Action.MANAGE_RETENTION, Facts(), audit)
        self._update(lambda led: led.extend(chosen, found.ref, target, reason, principal.login, today))
        return ExtensionMade(chosen, found.ref, target)

    # --- the daily run ------------------------------------------------------------------------

    def run(self, principal: Who, request_id: str = "", notify: Notify | None = None) -> RunResult:
        """Warn of what enters the warning window, erase what is past its period and was warned of a
        whole window before (see the module docstring), delete old sessions; record the run. ``notify``
        (default: the one the use case was built with, the e-mail to the secretariat) gets the new
        warnings before they are recorded: when it fails, the run stops there, nothing is recorded or
        erased, and the next run warns again."""
        action = Action.MANAGE_RETENTION
        self._authorise(principal, Action.MANAGE_RETENTION, "retention: daily run", request_id)
        now = self._clock()
        today = now.date()
        ledger = self._ledger()
        items = [item for item in self._items(ledger, today) if item.standing is not Standing.KEPT]
        to_warn = tuple(item for item in items if not item.warned)
        notify = notify if notify is not None else self._notify
        if to_warn and notify is not None:
            notify(to_warn)
        if to_warn:

            def warn_all(led: RetentionLedger) -> None:
                for item in to_warn:
                    led.warn(item.kind, item.ref, item.expires_on, today)

            self._update(warn_all)
        erased = [self._complete(intent, principal, today, request_id) for intent in self._ledger().unfinished()]
        ripe = [item for item in items if item.erased_from is not None and today >= item.erased_from]
        for item in ripe:
            record = Record(item.kind, item.ref, item.started_on)
            if not self._still_due(record, today):
                continue  # extended or erased meanwhile (another run, the secretariat's extension)
            audit = self._audit(f"retention: erase {item.kind.value} {item.ref}", request_id, item.ref)
            self._guard.authorise(principal, action, Facts(), audit)  # logged before anything is destroyed
            self._update(_beginning(record, today, principal.login))
            destroyed = self._erasers[item.kind](record, principal, request_id)
            erasure = ErasureRecord(item.kind, item.ref, destroyed, today, principal.login)
            self._update(_recording(erasure))
            erased.append(erasure)
        cutoff = self._session_cutoff(today)
        if self._sessions.count(ended_before=cutoff):
            ref = f"sessions ended before {cutoff.date().isoformat()}"
            self._guard.authorise(principal, action, Facts(), self._audit(f"retention: erase {ref}", request_id, ref))
            deleted = self._sessions.delete_ended_before(cutoff)
            sessions = ErasureRecord(RecordKind.SESSION, f"{deleted} {ref}", deleted, today, principal.login)
            self._update(_recording(sessions))
            erased.append(sessions)
        self._update(lambda led: led.ran(today, principal.login))
        return RunResult(on=today, warned=to_warn, erased=tuple(erased))

    def _complete(self, intent: Erasing, principal: Who, today: dt.date, request_id: str) -> ErasureRecord:
        """An erasure a run began and never recorded (it stopped after, or while, destroying the key):
        destroy again (the erasers are idempotent: a key destroyed before counts 0) and record it. Its
        access-log entry says it completes the erasure begun that day."""
        kind = intent.kind
        purpose = f"retention: complete the erasure of {kind.value} {intent.ref} begun on {intent.on.isoformat()}"
        self._guard.authorise(principal, Action.MANAGE_RETENTION, Facts(), self._audit(purpose, request_id, intent.ref))
        destroyed = self._erasers[kind](Record(kind, intent.ref, intent.started_on), principal, request_id)
        erasure = ErasureRecord(kind, intent.ref, destroyed, today, principal.login)
        self._update(_recording(erasure))
        return erasure

    # --- helpers ------------------------------------------------------------------------------

    def _today(self) -> dt.date:
        return self._clock().date()

    def _session_cutoff(self, day: dt.date) -> dt.datetime:
        start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
        return start - dt.timedelta(days=self._schedule.days(RecordKind.SESSION))

    def _items(self, ledger: RetentionLedger, today: dt.date) -> list[DueItem]:
        """Every record of the kinds the job erases, not yet erased, with its standing on ``today``."""
        items = []
        for kind, source in self._sources.items():
            for record in source(today):
                if ledger.erased(kind, record.ref):
                    continue
                extensions = ledger.extensions_of(kind, record.ref)
                expiry = expires_on(record, self._schedule, extensions)
                warned_on = ledger.warned_on(kind, record.ref, expiry)
                items.append(
                    DueItem(
                        kind=kind,
                        ref=record.ref,
                        started_on=record.started_on,
                        expires_on=expiry,
                        standing=standing(expiry, today, self._schedule.warning_days),
                        extended=any(ext.until == expiry for ext in extensions),
                        warned=warned_on is not None,
                        warned_on=warned_on,
                        erased_from=erased_from(expiry, warned_on, self._schedule.warning_days),
                    )
                )
        return sorted(items, key=lambda item: (item.expires_on, item.kind.value, item.ref))

    def _still_due(self, record: Record, today: dt.date) -> bool:
        """Asked again right before an erasure, on the ledger as it is now."""
        ledger = self._ledger()
        if ledger.erased(record.kind, record.ref):
            return False
        expiry = expires_on(record, self._schedule, ledger.extensions_of(record.kind, record.ref))
        first = erased_from(expiry, ledger.warned_on(record.kind, record.ref, expiry), self._schedule.warning_days)
        return first is not None and today >= first

    def _extendable(self, kind: RecordKind | str) -> RecordKind:
        try:
            chosen = RecordKind(kind)
        except ValueError:
            raise ValidationError("kind", "not a record kind") from None
        if chosen not in self._sources or not self._schedule.rule(chosen).by_job:
            raise ValidationError("kind", f"{chosen.value} is not kept record by record: it cannot be extended")
        return chosen

    @staticmethod
    def _audit(purpose: str, request_id: str, ref: str = "") -> Audit:
        return Audit(SUBJECT, ref, purpose=purpose, request_id=request_id)

    def _authorise(self, principal: Who, action: Action, purpose: str, request_id: str) -> None:
        self._guard.authorise(principal, action, Facts(), self._audit(purpose, request_id))

    def _ledger(self) -> RetentionLedger:
        try:
            ledger: RetentionLedger = self._registry.repository.get(RetentionLedger.ID)
        except AggregateNotFoundError:
            return RetentionLedger()
        return ledger

    def _update(self, change: Callable[[RetentionLedger], None]) -> None:
        """Load the ledger, change it, save; again on top of a change saved meanwhile by someone else."""
        for _attempt in range(_ATTEMPTS):
            ledger = self._ledger()
            change(ledger)
            try:
                self._registry.save(ledger)
            except VersionConflictError:
                continue
            return
        raise ConflictError("the retention ledger was changed too often at once: please try again")


def _beginning(record: Record, on: dt.date, by: str) -> Callable[[RetentionLedger], None]:
    def change(ledger: RetentionLedger) -> None:
        ledger.begin_erasing(record.kind, record.ref, record.started_on, on, by)

    return change


def _recording(erasure: ErasureRecord) -> Callable[[RetentionLedger], None]:
    def change(ledger: RetentionLedger) -> None:
        if erasure.kind is RecordKind.SESSION or not ledger.erased(erasure.kind, erasure.ref):
            ledger.erase(erasure.kind, erasure.ref, erasure.destroyed, erasure.on, erasure.by)

    return change


# --- the registry's records ----------------------------------------------------------------------


def closed_cases(cases: Callable[[], Iterable[Any]]) -> Source:
    """Closed grievance cases (in a closing stage), from the day they closed. ``cases``: every case."""

    def source(_today: dt.date) -> list[Record]:
        return [
            Record(RecordKind.CLOSED_CASE, case.reference, case.history[-1][1].date())
            for case in cases()
            if case.stage in TERMINAL
        ]

    return source


def ended_releases(registry: RegistryApplication) -> Source:
    """Data-access requests whose release ended: refused, revoked, or expired by ``today``."""

    def source(today: dt.date) -> list[Record]:
        try:
            register: DataAccessRegister = registry.repository.get(DataAccessRegister.ID)
        except AggregateNotFoundError:
            return []
        records = []
        for request_id, _requester in register.requests:
            access: DataAccessRequest = registry.repository.get(request_id)
            ended = _release_ended_on(access, today)
            if ended is not None:
                records.append(Record(RecordKind.DATA_ACCESS_RELEASE, str(access.id), ended))
        return records

    return source


def _release_ended_on(access: DataAccessRequest, today: dt.date) -> dt.date | None:
    status = access.status_on(today)
    if status is Status.REFUSED and access.decision is not None:
        ended: dt.date = access.decision["on"]
        return ended
    if status is Status.REVOKED and access.revocation is not None:
        revoked: dt.date = access.revocation["on"]
        return revoked
    if status is Status.EXPIRED:
        return access.expires_on()
    return None


def withdrawn_companies(registry: RegistryApplication) -> Source:
    """Companies whose last membership ended (withdrawn or excluded) and that are not shredded yet."""

    def source(_today: dt.date) -> list[Record]:
        records = []
        for company in registry.organisations(OrganisationKind.MEMBER_COMPANY):
            last = company.periods[-1] if company.periods else None
            if last is None or last.ended_on is None or company.shredded_on is not None:
                continue
            records.append(Record(RecordKind.WITHDRAWN_COMPANY, company.ref, last.ended_on))
        return records

    return source


def key_eraser(shred: Callable[[uuid.UUID], int], owner_of: Callable[[str], uuid.UUID]) -> Eraser:
    """Erase a record by destroying the data key of the owner its reference names."""

    def erase(record: Record, _principal: Who, _request_id: str) -> int:
        return shred(owner_of(record.ref))

    return erase


def company_eraser(shred_company: Callable[..., int], registry: RegistryApplication) -> Eraser:
    """A withdrawn company: the company shredding (registry/usecases/shredding.py), logged as its own;
    a company shredded already (by a run that stopped before recording it) is not shredded again."""

    def erase(record: Record, principal: Who, request_id: str) -> int:
        if registry.company(record.ref).shredded_on is not None:
            return 0
        return shred_company(record.ref, principal, request_id=request_id)

    return erase


def build_retention(
    registry: RegistryApplication,
    guard: ConfidentialFilter,
    schedule: Schedule,
    shred: Callable[[uuid.UUID], int],
    sessions: SessionRows,
    clock: Callable[[], dt.datetime],
    *,
    cases: Callable[[], Iterable[Any]],
    case_key_owner: Callable[[str], uuid.UUID],
    shred_company: Callable[..., int],
    notify: Notify | None = None,
) -> Retention:
    """The use case over the registry's records: closed cases (``cases``: every grievance case; a case's
    own key is owned by ``case_key_owner(reference)``), ended releases (each request's own key),
    withdrawn companies (``shred_company``: the company shredding) and sessions. ``shred``: the data
    keys' ``shred``."""
    return Retention(
        registry,
        guard,
        schedule,
        {
            RecordKind.CLOSED_CASE: closed_cases(cases),
            RecordKind.DATA_ACCESS_RELEASE: ended_releases(registry),
            RecordKind.WITHDRAWN_COMPANY: withdrawn_companies(registry),
        },
        {
            RecordKind.CLOSED_CASE: key_eraser(shred, case_key_owner),
            RecordKind.DATA_ACCESS_RELEASE: key_eraser(shred, uuid.UUID),
            RecordKind.WITHDRAWN_COMPANY: company_eraser(shred_company, registry),
        },
        sessions,
        clock,
        notify,
    )
