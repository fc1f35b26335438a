"""The retention schedule (issue 16; docs/retention.md): how long each kind of record is kept, when its
clock starts, and what erasing it means.

AVG/GDPR art. 5(1)(e): personal data no longer than the purpose needs. Each kind's period is one row of
``DEFAULT_SCHEDULE``, with the one-line reason for it next to it; ``TRUSTONE_RETENTION`` overrides the
periods of the kinds the daily job erases (``parse_overrides``) and the warning window.

Erasing is crypto-shredding wherever a record has a data key of its own: the key is destroyed, so every
copy of what it sealed (events, views, backups) is unreadable for good, while what the record holds in
clear (a case's stages, dates, themes and country: the statistics) stays. Three kinds share a key with
something kept longer, or are not keyed at all, and the schedule says so instead of pretending:
- a reporter's identity is sealed under its case's key with the rest of the case file: it goes with the
  closed case, on the same day;
- a declaration's signed document is sealed under the signing organisation's key with its other
  documents: it goes when that organisation's keys are destroyed;
- the access log's details are sealed under one key of the log, and its rows are hash-chained and
  signed: neither can be erased per entry without breaking ``trustone audit verify``.

Pure: no storage, no clock (``today`` is always handed in). The ledger (``RetentionLedger``) records
each extension (with its reason), each warning and each erasure: what kind, which record by a reference
that names no reporter and no company-site pair, how many keys were destroyed, on which day, by whom.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from enum import StrEnum

from eventsourcing.domain import Aggregate, event

from registry.domain.errors import ConflictError, ValidationError
from registry.domain.text import one_line


class RecordKind(StrEnum):
    CLOSED_CASE = "closed_case"
    REPORTER_IDENTITY = "reporter_identity"
    DATA_ACCESS_RELEASE = "data_access_release"
    DECLARATION = "declaration"
    WITHDRAWN_COMPANY = "withdrawn_company"
    SESSION = "session"
    ACCESS_LOG_DETAILS = "access_log_details"


class ErasedBy(StrEnum):
    """Who erases a kind: the daily job, record by record; or it goes with another record's key; or never here."""

    JOB = "job"
    WITH_ITS_CASE = "with_its_case"
    WITH_ITS_ORGANISATION = "with_its_organisation"
    NOT_ERASED = "not_erased"


@dataclass(frozen=True)
class Rule:
    """One row of the schedule. ``days``: how long after ``starts`` the record is kept (None: it has no
    period of its own; see ``erased_by``)."""

    kind: RecordKind
    days: int | None
    starts: str  # what starts the clock
    erasing: str  # what erasing means
    why: str  # the reason for the period, in one line
    erased_by: ErasedBy = ErasedBy.JOB

    @property
    def by_job(self) -> bool:
        return self.erased_by is ErasedBy.JOB


K = RecordKind
YEAR = 365

# THE schedule: one row per kind. The reasons are the justification the AVG asks for (docs/retention.md).
DEFAULT_SCHEDULE: tuple[Rule, ...] = (
    Rule(
        K.CLOSED_CASE,
        2 * YEAR,
        "the day the case closed (closed, or not in member chains)",
        "the case's own data key is destroyed: the reporter's identity and contact, the description, the "
        "evidence, every stage's reason and the committee's ruling text; stages, dates, type, themes, "
        "country, sites and the published summary stay",
        "two years: a new report about the same site, or a systemic issue (art. 6 lid 4d), can still be "
        "read alongside it; after that the statistics and the published summary say what is published",
    ),
    Rule(
        K.REPORTER_IDENTITY,
        None,
        "the day its case closed",
        "sealed under the case's own key with the rest of the case file: erased with the closed case",
        "one key per case: the identity cannot outlive the file it is part of, nor go before it",
        ErasedBy.WITH_ITS_CASE,
    ),
    Rule(
        K.DATA_ACCESS_RELEASE,
        YEAR,
        "the day the release ended (expired, revoked or refused)",
        "the request's own data key is destroyed: the local partner's name and contact; scope, purpose, "
        "dates, decisions and the clause's metadata stay",
        "one year: an export found leaked in that year (it carries the request id) can still be traced to "
        "the partner who received it",
    ),
    Rule(
        K.DECLARATION,
        5 * YEAR,
        "the day the declaration ended (expired or revoked)",
        "its signed document is sealed under the signing organisation's key, with the organisation's "
        "other documents: erased when that organisation's keys are destroyed, not by itself",
        "five years: the limitation period of a claim for a breach of the confidentiality it promises (art. 3:307 BW)",
        ErasedBy.WITH_ITS_ORGANISATION,
    ),
    Rule(
        K.WITHDRAWN_COMPANY,
        2 * YEAR,
        "the day its membership ended (withdrawn or excluded), if it has not joined again",
        "the company's data keys and its grievance key are destroyed (as trustone keys shred): its "
        "reports, its part of every case, the company part of access-log entries about its data; its "
        "public listing stays",
        "two years: it stays bound to its declaration for half a year (Verklaring D) and a grievance about "
        "its last report years can still be matched against them",
    ),
    Rule(
        K.SESSION,
        30,
        "the session's expiry time",
        "the session row (login, times, token hash) is deleted: it has no key",
        "a month: a stolen token reported within the month can still be traced; who read what is in the "
        "access log anyway",
    ),
    Rule(
        K.ACCESS_LOG_DETAILS,
        None,
        "the covenant's term ends (at the latest five years from 1 March 2025, art. 13 lid 3)",
        "not erased by this job: the details are sealed under the log's one key and the rows are "
        "hash-chained and signed; the company part of an entry goes with that company's key",
        "the covenant's term plus five years: the log is the evidence of who read whose data, and "
        "erasing entries one by one would break trustone audit verify",
        ErasedBy.NOT_ERASED,
    ),
)

DEFAULT_WARNING_DAYS = 30  # a month's notice: time to decide on an extension before the job erases
WARNING_SETTING = "warn"  # the warning window's name in TRUSTONE_RETENTION
LONGEST_DAYS = 100 * YEAR  # a longer period is a typing error
REASON_SHORTEST, REASON_LONGEST = 10, 500


@dataclass(frozen=True)
class Schedule:
    rules: tuple[Rule, ...]
    warning_days: int = DEFAULT_WARNING_DAYS
    configured: frozenset[RecordKind] = frozenset()  # the kinds whose period TRUSTONE_RETENTION set

    def rule(self, kind: RecordKind) -> Rule:
        return next(rule for rule in self.rules if rule.kind is RecordKind(kind))

    def days(self, kind: RecordKind) -> int:
        days = self.rule(kind).days
        if days is None:
            raise ValueError(f"{kind}: no period of its own")
        return days


def parse_overrides(text: str | None) -> Schedule:
    """``kind=days,...`` (and ``warn=days``) over the defaults; an empty text is the default schedule.
    Only the kinds the daily job erases have a period to set; an error names the kind."""
    rules = {rule.kind: rule for rule in DEFAULT_SCHEDULE}
    warning_days, configured = DEFAULT_WARNING_DAYS, set()
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, value = (piece.strip() for piece in part.partition("="))
        if not sep:
            raise ValidationError(name, "expected kind=days")
        days = _days(name, value)
        if name == WARNING_SETTING:
            warning_days = days
            continue
        try:
            kind = RecordKind(name)
        except ValueError:
            known = ", ".join([*(rule.kind.value for rule in DEFAULT_SCHEDULE if rule.by_job), WARNING_SETTING])
            raise ValidationError(name, f"not a record kind with a period ({known})") from None
        if not rules[kind].by_job:
            raise ValidationError(name, f"has no period of its own: {rules[kind].erasing}")
        rules[kind] = replace(rules[kind], days=days)
        configured.add(kind)
    return Schedule(tuple(rules[rule.kind] for rule in DEFAULT_SCHEDULE), warning_days, frozenset(configured))


def _days(name: str, value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= LONGEST_DAYS:
        raise ValidationError(name, f"a whole number of days from 1 to {LONGEST_DAYS}")
    return int(value)


# --- expiry -------------------------------------------------------------------------------------


class Standing(StrEnum):
    KEPT = "kept"  # within its period, not yet in the warning window
    EXPIRING = "expiring"  # within the warning window: the secretariat is warned
    DUE = "due"  # its period (and any extension) is over: erased once a whole window has passed since its warning


@dataclass(frozen=True)
class Record:
    """A record the job looks after: its kind, its reference (a case reference, a request id, a
    company ref: never a reporter and never a company-site pair), and the day its clock started."""

    kind: RecordKind
    ref: str
    started_on: dt.date


@dataclass(frozen=True)
class Extension:
    kind: RecordKind
    ref: str
    until: dt.date  # the first day it may be erased
    reason: str
    by: str
    on: dt.date


def expires_on(record: Record, schedule: Schedule, extensions: tuple[Extension, ...] = ()) -> dt.date:
    """The first day the record may be erased: the end of its period, or of its latest extension."""
    end = record.started_on + dt.timedelta(days=schedule.days(record.kind))
    own = [ext.until for ext in extensions if ext.kind is record.kind and ext.ref == record.ref]
    return max([end, *own])


def standing(expires: dt.date, today: dt.date, warning_days: int) -> Standing:
    if today >= expires:
        return Standing.DUE
    if today >= expires - dt.timedelta(days=warning_days):
        return Standing.EXPIRING
    return Standing.KEPT


def check_extension(current_expiry: dt.date, until: dt.date, today: dt.date, reason: str) -> str:
    """An extension ends later than the record's present expiry and after today; its reason is said."""
    if until <= today:
        raise ValidationError("until", "must be after today")
    if until <= current_expiry:
        raise ValidationError("until", f"must be after the present expiry, {current_expiry.isoformat()}")
    if until > today + dt.timedelta(days=LONGEST_DAYS):
        raise ValidationError("until", "at most a hundred years from today")
    return one_line(reason, "reason", REASON_LONGEST, shortest=REASON_SHORTEST)


# --- the ledger ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureRecord:
    """One erasure: what kind, which record (its reference; for sessions, how many rows), how many data
    keys (sessions: rows) were destroyed, on which day, by whom."""

    kind: RecordKind
    ref: str
    destroyed: int
    on: dt.date
    by: str


@dataclass(frozen=True)
class WarningGiven:
    """The secretariat was warned, on ``on``, that the record may be erased from ``expires``: the job
    erases it no earlier than the warning window after ``on`` (``erased_from``)."""

    expires: dt.date
    on: dt.date


@dataclass(frozen=True)
class Erasing:
    """An erasure begun: the intent, recorded before the key is destroyed."""

    kind: RecordKind
    ref: str
    started_on: dt.date
    on: dt.date
    by: str


def erased_from(expires: dt.date, warned_on: dt.date | None, warning_days: int) -> dt.date | None:
    """The first day the job may erase a record: its expiry, and never before a whole warning window
    after the warning (None: never warned of this expiry, so not yet)."""
    if warned_on is None:
        return None
    return max(expires, warned_on + dt.timedelta(days=warning_days))


class RetentionLedger(Aggregate):
    """Extensions, warnings and erasures of the whole registry, and the day of the last run. Holds no
    confidential value: references, dates, logins, reasons the secretariat typed for an extension."""

    ID = uuid.UUID("2b9e4c71-5a0d-4e3f-8c16-d7a4f0b9e235")

    @staticmethod
    def create_id() -> uuid.UUID:
        return RetentionLedger.ID

    @event("Opened")
    def __init__(self) -> None:
        self.extensions: list[Extension] = []
        self.warned: dict[tuple[str, str], WarningGiven] = {}  # (kind, ref) -> its latest warning
        self.erasing: dict[tuple[str, str], Erasing] = {}  # (kind, ref) -> an erasure begun, not yet recorded
        self.erasures: list[ErasureRecord] = []
        self.last_run: dt.date | None = None

    def erased(self, kind: RecordKind, ref: str) -> bool:
        return any(item.kind is RecordKind(kind) and item.ref == ref for item in self.erasures)

    def extensions_of(self, kind: RecordKind, ref: str) -> tuple[Extension, ...]:
        return tuple(ext for ext in self.extensions if ext.kind is RecordKind(kind) and ext.ref == ref)

    def warned_on(self, kind: RecordKind, ref: str, expires: dt.date) -> dt.date | None:
        """The day the secretariat was warned of this expiry (None: not warned of it)."""
        warning = self.warned.get((RecordKind(kind).value, ref))
        return warning.on if warning is not None and warning.expires == expires else None

    def extend(self, kind: RecordKind, ref: str, until: dt.date, reason: str, by: str, on: dt.date) -> None:
        if self.erased(kind, ref):
            raise ConflictError(f"{RecordKind(kind).value} {ref} was erased already")
        self._extended(kind=RecordKind(kind), ref=ref, until=until, reason=reason, by=by, on=on)

    @event("Extended")
    def _extended(self, kind: RecordKind, ref: str, until: dt.date, reason: str, by: str, on: dt.date) -> None:
        self.extensions.append(Extension(RecordKind(kind), ref, until, reason, by, on))

    @event("Warned")
    def warn(self, kind: RecordKind, ref: str, expires: dt.date, on: dt.date) -> None:
        self.warned[(RecordKind(kind).value, ref)] = WarningGiven(expires, on)

    def unfinished(self) -> tuple[Erasing, ...]:
        """Erasures begun (the intent recorded) whose record was never written: a run that stopped
        between destroying the key and recording it."""
        return tuple(self.erasing.values())

    @event("Erasing")
    def begin_erasing(self, kind: RecordKind, ref: str, started_on: dt.date, on: dt.date, by: str) -> None:
        """Recorded before anything is destroyed: a run that finds it unfinished completes it."""
        self.erasing[(RecordKind(kind).value, ref)] = Erasing(RecordKind(kind), ref, started_on, on, by)

    @event("Erased")
    def erase(self, kind: RecordKind, ref: str, destroyed: int, on: dt.date, by: str) -> None:
        self.erasing.pop((RecordKind(kind).value, ref), None)
        self.erasures.append(ErasureRecord(RecordKind(kind), ref, destroyed, on, by))

    @event("Ran")
    def ran(self, on: dt.date, by: str) -> None:
        self.last_run = on
