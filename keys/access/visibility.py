"""What a role sees: tables next to the policy (docs/access.md), read by the use cases.

The policy (keys/access/policy.py) decides *whether* a principal may read; these tables say *which
part* a read covers for each role, so that no route or use case scopes a read with a chain of role
checks. A use case looks its principal's scope up here, reads only that part, and hands the scope's
facts to the policy, which decides on them (and refuses a role whose scope is none).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from registry.domain.accounts import Role

# --- the access log ---------------------------------------------------------------------------------


class LogScope(StrEnum):
    """The part of the access log a read covers (the values are the matrix's words)."""

    ALL = "all"
    OWN_ENTRIES = "own entries"  # the entries of the principal's own requests (by its login)
    ABOUT_OWN_DATA = "entries about own data"  # the entries about its organisation's data (by tag)
    NONE = "-"


# role -> scope: the matrix's row "access log: who read which company's supplier data". A role left
# out (committee, public buyer) has no scope: its read is refused by the policy, and logged.
ACCESS_LOG_SCOPE: Mapping[Role, LogScope] = MappingProxyType(
    {
        Role.SECRETARIAT: LogScope.OWN_ENTRIES,
        Role.NGO: LogScope.OWN_ENTRIES,
        Role.UNION: LogScope.OWN_ENTRIES,
        Role.COMPANY: LogScope.ABOUT_OWN_DATA,
        Role.AUDITOR: LogScope.ALL,
    }
)

# Whose member-status questions are entries about the company asked about (so the company reads them:
# "which buyers asked about us", issue 14). A public buyer's, for a tender, is the company's to know.
# An NGO's or union's look at a company (perhaps before it files a complaint) must not tell that
# company: it is logged for the auditor, not tagged with the company (a retaliation risk).
STATUS_CHECKS_SHOWN_TO_THE_COMPANY: frozenset[Role] = frozenset({Role.BUYER})


_SCOPE_FACTS: Mapping[LogScope, Facts] = MappingProxyType(
    {
        LogScope.ALL: Facts(),
        LogScope.OWN_ENTRIES: Facts(own_entries_only=True),
        LogScope.ABOUT_OWN_DATA: Facts(about_own_data_only=True),
        LogScope.NONE: Facts(),
    }
)


def access_log_scope(principal: Principal | SystemPrincipal | None) -> LogScope:
    """The part of the access log ``principal`` reads; NONE for a system principal or a visitor."""
    if not isinstance(principal, Principal):
        return LogScope.NONE
    return ACCESS_LOG_SCOPE.get(principal.role, LogScope.NONE)


def facts_for(scope: LogScope) -> Facts:
    """What a read of ``scope`` establishes for the policy (it grants a role only the scope it may read)."""
    return _SCOPE_FACTS[scope]


# --- grievance cases ------------------------------------------------------------------------------
# The policy decides whether a principal reads a case at all (``read_case``: its facts say whether the
# principal filed it, was notified of it or is a party, whether it is before the committee). This
# says which parts of the case file that read shows, and which cases are on a role's desk. The
# reporter's identity, the evidence items and the notified companies are no part of it: each is a
# read of its own, decided by its own action (``read_reporter_identity``, ``read_evidence``,
# ``see_notified_companies``).


class CasePart(StrEnum):
    """A sealed part of a case file that a case read may open (the case's summary is always shown:
    stage, dates, sites, themes, the evidence list without its content)."""

    DESCRIPTION = "description"  # the allegation as filed
    STAGE_REASONS = "stage reasons"  # each step's reason
    MESSAGES = "messages"  # every company's messages
    OWN_NOTICE = "own notice"  # the notice addressed to the reader's company
    OWN_MESSAGES = "own messages"  # the messages of the reader's company
    RULING = "ruling"  # the general text, which names no company and not the reporter
    RULING_PARTS = "ruling parts"  # every company's part of the ruling
    OWN_RULING_PART = "own ruling part"  # the part addressed to the reader's company


class CaseStanding(StrEnum):
    """How a reader stands to a case."""

    ROLE = "by role"  # the role alone (the policy has already decided the read)
    FILER = "filer"  # its organisation filed the case
    ADDRESSED = "addressed"  # its company was notified of the case or is a party to the dispute


_CASE_FILE = frozenset(
    {CasePart.DESCRIPTION, CasePart.STAGE_REASONS, CasePart.MESSAGES, CasePart.RULING, CasePart.RULING_PARTS}
)

# role -> (standing, parts), in order: the first standing that holds for the reader gives the parts.
# A role or a standing left out sees nothing of the file beyond the case's summary.
CASE_SIGHT: Mapping[Role, tuple[tuple[CaseStanding, frozenset[CasePart]], ...]] = MappingProxyType(
    {
        Role.SECRETARIAT: ((CaseStanding.ROLE, _CASE_FILE),),
        Role.COMMITTEE: ((CaseStanding.ROLE, _CASE_FILE),),
        Role.NGO: ((CaseStanding.FILER, frozenset({CasePart.DESCRIPTION, CasePart.RULING})),),
        Role.UNION: ((CaseStanding.FILER, frozenset({CasePart.DESCRIPTION, CasePart.RULING})),),
        Role.COMPANY: (
            (CaseStanding.FILER, frozenset({CasePart.DESCRIPTION, CasePart.RULING, CasePart.OWN_RULING_PART})),
            (
                CaseStanding.ADDRESSED,
                frozenset({CasePart.OWN_NOTICE, CasePart.OWN_MESSAGES, CasePart.RULING, CasePart.OWN_RULING_PART}),
            ),
        ),
    }
)


def case_parts(role: Role, standings: frozenset[CaseStanding]) -> frozenset[CasePart]:
    """The parts of a case file a reader of ``role`` sees, standing to the case as ``standings`` say
    (``CaseStanding.ROLE`` always holds)."""
    for standing, parts in CASE_SIGHT.get(role, ()):
        if standing is CaseStanding.ROLE or standing in standings:
            return parts
    return frozenset()


def may_be_addressed(role: Role) -> bool:
    """Whether a principal of ``role`` can be notified of a case or be a party to it: only then is
    its organisation's keyed tag worked out (it is a fingerprint under the organisation's key)."""
    return any(standing is CaseStanding.ADDRESSED for standing, _ in CASE_SIGHT.get(role, ()))


class QueueScope(StrEnum):
    """Which cases are on a role's desk (``GET /api/v1/grievances``)."""

    EVERY_CASE = "every case"  # a dispute with the secretariat too: the policy refuses its steps
    BEFORE_COMMITTEE = "cases ever before the committee"
    FILED = "cases it filed"
    FILED_NOTIFIED_OR_PARTY = "cases it filed, was notified of or is a party to"
    NONE = "none"


CASE_QUEUE_SCOPE: Mapping[Role, QueueScope] = MappingProxyType(
    {
        Role.SECRETARIAT: QueueScope.EVERY_CASE,
        Role.COMMITTEE: QueueScope.BEFORE_COMMITTEE,
        Role.NGO: QueueScope.FILED,
        Role.UNION: QueueScope.FILED,
        Role.COMPANY: QueueScope.FILED_NOTIFIED_OR_PARTY,
        Role.AUDITOR: QueueScope.NONE,
        Role.BUYER: QueueScope.NONE,
    }
)


def queue_scope(role: Role | str) -> QueueScope:
    """A role's desk; NONE for anything that is not a role."""
    try:
        return CASE_QUEUE_SCOPE.get(Role(role), QueueScope.NONE)
    except ValueError:
        return QueueScope.NONE


# --- "waiting for me" ------------------------------------------------------------------------------
# The summary a person sees first: per queue on its desk, how many items wait and the oldest (or the
# soonest due). The policy lets every role read its own summary (``read_waiting``); this says which
# queues make up a role's desk and whose items each holds. The secretariat's operator on the command
# line (``secretariat-cli``) has the secretariat's desk.


class Desk(StrEnum):
    """A queue of the "waiting for me" summary, in the order it is shown."""

    REPORTS = "reports awaiting assessment"
    DUPLICATES = "sites held as possible duplicates"
    CASES = "cases by deadline"  # the cases on the desk (CASE_QUEUE_SCOPE) with a deadline running
    ACCESS_REQUESTS = "data-access requests"  # the approver's: awaiting a decision; a requester's: its next step
    DECLARATIONS = "declarations expiring within 30 days"
    # this year's contribution statements not prepared, or resting on an older report version than the
    # company's latest (docs/contributions.md): preparing them shows the category queue
    CONTRIBUTIONS = "contribution statements to prepare"


class DeskShare(StrEnum):
    """Whose items a queue of the desk holds."""

    EVERY = "every organisation's"
    OWN = "its own organisation's"


DESKS: Mapping[Role, Mapping[Desk, DeskShare]] = MappingProxyType(
    {
        Role.SECRETARIAT: MappingProxyType(
            {
                Desk.REPORTS: DeskShare.EVERY,
                Desk.DUPLICATES: DeskShare.EVERY,
                Desk.CASES: DeskShare.EVERY,
                Desk.ACCESS_REQUESTS: DeskShare.EVERY,
                Desk.DECLARATIONS: DeskShare.EVERY,
                Desk.CONTRIBUTIONS: DeskShare.EVERY,
            }
        ),
        Role.NGO: MappingProxyType(
            {Desk.CASES: DeskShare.OWN, Desk.ACCESS_REQUESTS: DeskShare.OWN, Desk.DECLARATIONS: DeskShare.OWN}
        ),
        Role.UNION: MappingProxyType({Desk.CASES: DeskShare.OWN, Desk.ACCESS_REQUESTS: DeskShare.OWN}),
        Role.COMPANY: MappingProxyType({Desk.CASES: DeskShare.OWN}),
        Role.COMMITTEE: MappingProxyType({Desk.CASES: DeskShare.EVERY}),  # the cases before it
        Role.AUDITOR: MappingProxyType({}),
        Role.BUYER: MappingProxyType({}),
    }
)
# A background job's desk: the secretariat's command line has the secretariat's queues but the cases,
# which stay with a person's login (its grants hold no case read: keys/access/policy.py SYSTEM_GRANTS).
SYSTEM_DESKS: Mapping[str, tuple[Role, Mapping[Desk, DeskShare]]] = MappingProxyType(
    {
        "secretariat-cli": (
            Role.SECRETARIAT,
            MappingProxyType(
                {queue: share for queue, share in DESKS[Role.SECRETARIAT].items() if queue is not Desk.CASES}
            ),
        )
    }
)


def desk_of(principal: Principal | SystemPrincipal | None) -> tuple[Role | None, Mapping[Desk, DeskShare]]:
    """The role whose desk ``principal`` sees and that desk's queues; nothing for a visitor or a
    background job without a desk."""
    if isinstance(principal, Principal):
        return principal.role, DESKS.get(principal.role, MappingProxyType({}))
    if isinstance(principal, SystemPrincipal):
        found = SYSTEM_DESKS.get(principal.name.partition(":")[0])
        if found is not None:
            return found
    return None, MappingProxyType({})


# --- logins ---------------------------------------------------------------------------------------------
# Whose logins a person administers (``administer_users``): the secretariat those of the parties it
# serves. A secretariat, auditor or committee login would let its maker read the whole access log or
# rule on cases, so those are made by the installation's operator on the server (``accounts-cli``,
# granted every login by the policy's SYSTEM_GRANTS, which do not look at facts).

ACCOUNT_REMIT: Mapping[Role, frozenset[Role]] = MappingProxyType(
    {Role.SECRETARIAT: frozenset({Role.COMPANY, Role.NGO, Role.UNION, Role.BUYER})}
)


def account_facts(principal: Principal | SystemPrincipal | None, role: Role) -> Facts:
    """The facts of administering a login of ``role`` (creating, disabling, resetting, listing)."""
    remit = ACCOUNT_REMIT.get(principal.role, frozenset()) if isinstance(principal, Principal) else frozenset()
    return Facts(in_remit=role in remit)


# --- data-access requests ---------------------------------------------------------------------------
# The matrix's row "release part of the aggregated list to a local partner": the secretariat
# approves, NGO and union parties request, nobody else. A read of the requests (one, or the list) is
# decided under the reader's own row: the approver reads as the approver, a requesting party as a
# requester (the policy then grants it its own organisation's requests only).


class RequestScope(StrEnum):
    """Which data-access requests a role's list shows."""

    EVERY_REQUEST = "every request"
    OWN_ORGANISATION = "own organisation's requests"
    NONE = "-"


@dataclass(frozen=True)
class DataAccessSight:
    """The policy row a read of data-access requests is decided under, and the requests it covers."""

    action: Action
    scope: RequestScope

    def facts(self) -> Facts:
        """What a list read of this scope establishes: a requesting party's list holds its own only."""
        return Facts(own_data=self.scope is RequestScope.OWN_ORGANISATION)


# role -> sight. A role left out reads under the requesting row with no scope: the policy refuses it,
# and the refusal is logged like any other.
DATA_ACCESS_SIGHT: Mapping[Role, DataAccessSight] = MappingProxyType(
    {
        Role.SECRETARIAT: DataAccessSight(Action.APPROVE_RELEASE, RequestScope.EVERY_REQUEST),
        Role.NGO: DataAccessSight(Action.REQUEST_RELEASE, RequestScope.OWN_ORGANISATION),
        Role.UNION: DataAccessSight(Action.REQUEST_RELEASE, RequestScope.OWN_ORGANISATION),
    }
)
_NO_SIGHT = DataAccessSight(Action.REQUEST_RELEASE, RequestScope.NONE)


def data_access_sight(principal: Principal | SystemPrincipal | None) -> DataAccessSight:
    """How ``principal`` reads data-access requests; no scope for a visitor or a background job."""
    if not isinstance(principal, Principal):
        return _NO_SIGHT
    return DATA_ACCESS_SIGHT.get(principal.role, _NO_SIGHT)
