"""Reading the access log (docs/access.md): a page of entries in the reader's scope, and the signed
digest an auditor keeps. Use cases like those of registry/usecases, kept in keys/ because all they
touch is the access log and the filter.

Every read is itself an access-log entry, granted or denied. What each role reads of the log is the
table in keys/access/visibility.py, not a decision made here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from keys.access.accesslog import AccessLog, OpenedAccessEntry, Outcome, SignedDigest, StoredAccessEntry
from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from keys.access.visibility import LogScope, access_log_scope, facts_for
from registry.domain.accounts import Role
from registry.domain.errors import ValidationError

MAX_SEQ = 2**31 - 1  # the largest number the stores' seq columns hold

STATUS_CHECK = "member_status"  # subject kind of a status check's entry (registry/usecases/member_status.py)
STATEMENT = "evidence_statement"  # subject kind of a statement's entries (registry/usecases/statements.py)
# the buyers' entries a company sees: (action, subject kind) -> the kind of question
_QUESTIONS = {
    (Action.VERIFY_MEMBER_STATUS.value, STATUS_CHECK): "status",
    (Action.ISSUE_STATEMENT.value, STATEMENT): "statement",
}
STATUS_CHECKS_READ = 10_000  # at most this many buyers' entries are read for one page


@dataclass(frozen=True)
class StatusCheck:
    """A public buyer's question about a company: its membership status (registry/usecases/member_status.py)
    or an evidence statement (registry/usecases/statements.py, ``kind`` "statement", with the
    statement's verification code as ``reference``): who asked (login and organisation), about which
    company, and when (UTC, ISO 8601)."""

    at: str
    login: str
    organisation: str
    company: str
    kind: str = "status"  # "status" or "statement"
    reference: str = ""  # a statement's verification code


@dataclass(frozen=True)
class DigestExport:
    """What an auditor saves as is and hands to ``trustone audit verify --digests FILE``: the latest
    signed digest (None while the log is empty) and the key it verifies with."""

    digest: SignedDigest | None
    public_key_pem: str


PAGE_SIZE = 50  # entries on a page of the log, newest first
SEARCH_LIMIT = 5000  # at most this many entries opened for one page when a sealed field is searched
SEARCH_CHUNK = 500  # entries read from the store at a time while searching
CLOCK_SKEW = dt.timedelta(minutes=1)  # how far out of time order two appends of different processes can be


class Cursors(Protocol):
    """A page's cursor as the client holds it (trustone/web/pages.py): opaque, checked when read."""

    def encode(self, key: tuple[Any, ...]) -> str: ...

    def decode(self, cursor: str | None, shape: tuple[type, ...]) -> tuple[Any, ...]: ...


@dataclass(frozen=True)
class LogFilter:
    """What a reader of the access log may narrow a page to. ``actor`` (a login), ``organisation``
    (the actor's), ``outcome`` and ``company`` (whose data: by tag) are searched in the store;
    ``action`` and the period (UTC days, both inclusive) are sealed, so they are tested on each
    entry once it is opened."""

    actor: str | None = None
    organisation: str | None = None
    company: str | None = None
    action: str | None = None
    outcome: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def validated(self) -> LogFilter:
        if self.action is not None and self.action not in set(Action):
            raise ValidationError("action", "not an action the access log records")
        if self.outcome is not None and self.outcome not in set(Outcome):
            raise ValidationError("outcome", "not an outcome the access log records")
        if self.since is not None and self.until is not None and self.since > self.until:
            raise ValidationError("until", "the end of the period is before its start")
        return self

    @property
    def opens_details(self) -> bool:
        return self.action is not None or self.since is not None or self.until is not None

    def keeps(self, entry: dict[str, Any]) -> bool:
        """Whether an opened entry passes the sealed filters (one whose details did not open does
        not pass them: its action and time are unknown)."""
        if self.action is not None and entry.get("action") != self.action:
            return False
        if self.since is None and self.until is None:
            return True
        day = _day_of(entry.get("at"))
        return (
            day is not None and (self.since is None or day >= self.since) and (self.until is None or day <= self.until)
        )


@dataclass(frozen=True)
class AccessLogPage:
    """A page of the log, newest first. ``next_cursor`` asks for the entries before this page (none
    after the oldest). ``searched_to``: the search opened ``SEARCH_LIMIT`` entries without filling
    the page and stopped at this entry; the next page searches on before it."""

    entries: tuple[OpenedAccessEntry, ...]
    next_cursor: str | None = None
    searched_to: int | None = None


@dataclass(frozen=True)
class ChainStatus:
    """The verification of the whole log (``trustone audit verify`` without kept digests): ``checked``
    entries linked and hashed correctly and ``checkpoints`` signed digests good, as of ``checked_at``;
    else the first entry that is not as written and what is wrong with it."""

    ok: bool
    checked: int
    checkpoints: int
    checked_at: dt.datetime
    first_bad_entry: int | None = None
    problem: str | None = None


def _day_of(at: object) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(at).astimezone(dt.UTC).date() if isinstance(at, str) else None
    except ValueError:
        return None


class AccessLogReading:
    def __init__(self, access_log: AccessLog, guard: ConfidentialFilter, cursors: Cursors) -> None:
        self._log = access_log
        self._guard = guard
        self._cursors = cursors

    def entries(
        self, principal: Principal | SystemPrincipal | None, request_id: str = "", limit: int = 100, after: int = 0
    ) -> list[OpenedAccessEntry]:
        """Up to ``limit`` entries after seq ``after``, in order, of the part the principal's role
        reads. A refusal is logged before anything is read; the entries are read before the grant is
        logged, so a page never holds the entry of its own read (the next page does)."""
        scope = access_log_scope(principal)
        facts = facts_for(scope)
        audit = Audit(subject_kind="access_log", purpose="review", request_id=request_id)
        self._guard.check(principal, Action.READ_ACCESS_LOG, facts, audit)
        stored = self._rows(principal, scope, limit, after)
        opened = self._guard.read_access_log(principal, facts, audit, stored)
        return [OpenedAccessEntry(**entry) for entry in opened]

    def status_checks(
        self, principal: Principal | SystemPrincipal | None, request_id: str = "", limit: int = STATUS_CHECKS_READ
    ) -> list[StatusCheck]:
        """The public buyers' membership-status questions in the principal's part of the log, newest
        first: for a company, the questions about itself ("which buyers asked about us"). Decided and
        logged as a read of the log (one entry); only public buyers' entries are read from the store
        (a clear column), the questions among them are picked once opened."""
        scope = access_log_scope(principal)
        facts = facts_for(scope)
        audit = Audit(subject_kind="access_log", purpose="status checks", request_id=request_id)
        self._guard.check(principal, Action.READ_ACCESS_LOG, facts, audit)
        newest = self._log.count() + 1  # read back from the head: past ``limit``, the oldest drop out
        stored = self._rows(principal, scope, limit, 0, role=Role.BUYER.value, before=newest)
        opened = self._guard.read_access_log(principal, facts, audit, stored)
        checks = [
            StatusCheck(
                entry["at"],
                entry["actor"],
                entry["organisation"],
                entry["company"],
                _QUESTIONS[(entry["action"], entry["subject_kind"])],
                entry["subject_ref"] if entry["action"] == Action.ISSUE_STATEMENT.value else "",
            )
            for entry in opened
            if not entry.get("unreadable")
            and (entry["action"], entry["subject_kind"]) in _QUESTIONS
            and entry["outcome"] == "granted"
        ]
        return checks

    def _rows(
        self,
        principal: Principal | SystemPrincipal | None,
        scope: LogScope,
        limit: int,
        after: int,
        role: str | None = None,
        before: int | None = None,
    ) -> list[StoredAccessEntry]:
        """A company's entries are found by their tags (keys.access.accesslog): the store has no
        clear company column. ``before``: the entries before that seq, newest first."""
        if scope is LogScope.ALL:
            return self._log.rows(limit=limit, after_seq=after, role=role, before_seq=before)
        if scope is LogScope.ABOUT_OWN_DATA and isinstance(principal, Principal):
            return self._log.rows(
                company=principal.organisation_ref, limit=limit, after_seq=after, role=role, before_seq=before
            )
        if scope is LogScope.OWN_ENTRIES and principal is not None:
            return self._log.rows(actor=principal.login, limit=limit, after_seq=after, role=role, before_seq=before)
        return []  # no scope: the policy has refused already

    def digest(self, principal: Principal | SystemPrincipal | None, request_id: str = "") -> DigestExport:
        """The latest signed digest, signing the head first: it covers this read's own entry too."""
        self._guard.authorise(
            principal,
            Action.READ_KEY_REPORT,
            Facts(),
            Audit(subject_kind="access_log", purpose="export digest", request_id=request_id),
        )
        return DigestExport(self._log.checkpoint(), self._log.public_key_pem())

    def may_read(self, principal: Principal | SystemPrincipal | None, request_id: str = "") -> None:
        """Asked before a page reads its filters: a refusal is logged and raised; a grant logs
        nothing (nothing is read). ``page`` decides again."""
        audit = Audit(subject_kind="access_log", purpose="review", request_id=request_id)
        self._guard.check(principal, Action.READ_ACCESS_LOG, facts_for(access_log_scope(principal)), audit)

    def page(
        self,
        principal: Principal | SystemPrincipal | None,
        request_id: str = "",
        filters: LogFilter = LogFilter(),
        cursor: str | None = None,
        limit: int = PAGE_SIZE,
    ) -> AccessLogPage:
        """Up to ``limit`` entries of the principal's part of the log that pass ``filters``, newest
        first, before ``cursor``. A refusal is logged before anything is read; the head is read
        before the grant is logged, so a page never holds the entry of its own read.

        A filter on a sealed field (action, period) opens the entries one by one through the filter,
        at most ``SEARCH_LIMIT`` per page; the walk back stops at the first entry more than
        ``CLOCK_SKEW`` older than the period (entries are appended in time order, up to the skew
        between the server's processes)."""
        scope = access_log_scope(principal)
        facts = facts_for(scope)
        audit = Audit(subject_kind="access_log", purpose="review", request_id=request_id)
        self._guard.check(principal, Action.READ_ACCESS_LOG, facts, audit)
        filters = filters.validated()
        before = self._cursors.decode(cursor, (int,))
        if before and not 1 <= before[0] <= MAX_SEQ:  # a crafted cursor's number overflows the store
            raise ValidationError("cursor", "not a cursor a page of this log gave: start again without one")
        start = before[0] if before else self._log.count() + 1
        scoped = self._scoped(principal, scope, filters)
        rows = self._walk(scoped, start, chunk=SEARCH_CHUNK if filters.opens_details else limit + 1)
        opened = self._guard.open_access_log(principal, facts, audit, rows)
        floor = None  # the period's start less the skew; none for the first day a date can name
        if filters.since is not None and filters.since > dt.date.min:
            floor = dt.datetime.combine(filters.since, dt.time(), dt.UTC) - CLOCK_SKEW
        found: list[OpenedAccessEntry] = []
        for examined, entry in enumerate(opened, start=1):
            if filters.keeps(entry):
                found.append(OpenedAccessEntry(**entry))
                if len(found) > limit:
                    return AccessLogPage(tuple(found[:limit]), self._cursors.encode((found[limit - 1].seq,)))
            at = entry.get("at")
            if floor is not None and isinstance(at, str) and dt.datetime.fromisoformat(at) < floor:
                break  # every entry before it is older than the period
            if examined >= SEARCH_LIMIT:
                return AccessLogPage(tuple(found), self._cursors.encode((entry["seq"],)), searched_to=entry["seq"])
        return AccessLogPage(tuple(found))

    def _scoped(
        self, principal: Principal | SystemPrincipal | None, scope: LogScope, filters: LogFilter
    ) -> dict[str, str | None] | None:
        """The store's filters: the reader's scope and its own filters together; None when they
        cannot both hold (a party asking for another login's entries)."""
        wanted: dict[str, str | None] = {
            "actor": filters.actor,
            "organisation": filters.organisation,
            "company": filters.company,
            "outcome": filters.outcome,
        }
        if scope is LogScope.ALL:
            return wanted
        if scope is LogScope.ABOUT_OWN_DATA and isinstance(principal, Principal):
            key, value = "company", principal.organisation_ref
        elif scope is LogScope.OWN_ENTRIES and principal is not None:
            key, value = "actor", principal.login
        else:
            return None  # no scope: the policy has refused already
        if wanted[key] not in (None, value):
            return None
        return {**wanted, key: value}

    def _walk(self, scoped: dict[str, str | None] | None, start: int, chunk: int) -> Iterator[StoredAccessEntry]:
        """The stored entries before ``start`` that pass the store's filters, newest first, read a
        chunk at a time as the caller takes them."""
        if scoped is None:
            return
        before = start
        while True:
            rows = self._log.rows(
                actor=scoped["actor"],
                organisation=scoped["organisation"],
                company=scoped["company"],
                outcome=scoped["outcome"],
                limit=chunk,
                before_seq=before,
            )
            yield from rows
            if len(rows) < chunk:
                return
            before = rows[-1].seq

    def verification(self, principal: Principal | SystemPrincipal | None, request_id: str = "") -> ChainStatus:
        """The chain and its stored signed checkpoints checked, as ``trustone audit verify`` does
        (without digests kept elsewhere: those are the auditor's, checked on the command line). The
        secretariat's and the auditor's (as the digest is); the check reads no sealed value."""
        self._guard.authorise(
            principal,
            Action.READ_KEY_REPORT,
            Facts(),
            Audit(subject_kind="access_log", purpose="verify the chain", request_id=request_id),
        )
        result = self._log.verify()
        return ChainStatus(
            ok=result.ok,
            checked=result.checked,
            checkpoints=result.digests_checked,
            checked_at=self._log.clock().astimezone(dt.UTC),
            first_bad_entry=result.first_bad_seq,
            problem=result.problem,
        )
