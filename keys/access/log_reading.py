"""Reading the access log (docs/access.md): a page of entries in the reader's scope, and the signed
digest an auditor keeps. Use cases like those of registry/usecases, kept in keys/ because all they
touch is the access log and the filter.

Every read is itself an access-log entry, granted or denied. What each role reads of the log is the
table in keys/access/visibility.py, not a decision made here.
"""

from __future__ import annotations

from dataclasses import dataclass

from keys.access.accesslog import AccessLog, OpenedAccessEntry, SignedDigest, StoredAccessEntry
from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from keys.access.visibility import LogScope, access_log_scope, facts_for
from registry.domain.accounts import Role

STATUS_CHECK = "member_status"  # subject kind of a status check's entry (registry/usecases/member_status.py)
STATUS_CHECKS_READ = 10_000  # at most this many buyers' entries are read for one page


@dataclass(frozen=True)
class StatusCheck:
    """A public buyer's question about a company's membership status (registry/usecases/member_status.py):
    who asked (login and organisation), about which company, and when (UTC, ISO 8601)."""

    at: str
    login: str
    organisation: str
    company: str


@dataclass(frozen=True)
class DigestExport:
    """What an auditor saves as is and hands to ``trustone audit verify --digests FILE``: the latest
    signed digest (None while the log is empty) and the key it verifies with."""

    digest: SignedDigest | None
    public_key_pem: str


class AccessLogReading:
    def __init__(self, access_log: AccessLog, guard: ConfidentialFilter) -> None:
        self._log = access_log
        self._guard = guard

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
        stored = self._rows(principal, scope, limit, 0, role=Role.BUYER.value)
        opened = self._guard.read_access_log(principal, facts, audit, stored)
        checks = [
            StatusCheck(entry["at"], entry["actor"], entry["organisation"], entry["company"])
            for entry in opened
            if not entry.get("unreadable")
            and entry["action"] == Action.VERIFY_MEMBER_STATUS.value
            and entry["subject_kind"] == STATUS_CHECK
            and entry["outcome"] == "granted"
        ]
        return checks[::-1]

    def _rows(
        self,
        principal: Principal | SystemPrincipal | None,
        scope: LogScope,
        limit: int,
        after: int,
        role: str | None = None,
    ) -> list[StoredAccessEntry]:
        """A company's entries are found by their tags (keys.access.accesslog): the store has no
        clear company column."""
        if scope is LogScope.ALL:
            return self._log.rows(limit=limit, after_seq=after, role=role)
        if scope is LogScope.ABOUT_OWN_DATA and isinstance(principal, Principal):
            return self._log.rows(company=principal.organisation_ref, limit=limit, after_seq=after, role=role)
        if scope is LogScope.OWN_ENTRIES and principal is not None:
            return self._log.rows(actor=principal.login, limit=limit, after_seq=after, role=role)
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
