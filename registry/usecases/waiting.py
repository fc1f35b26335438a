""" "Waiting for me": per queue on the principal's desk, how many items wait and the oldest one (or,
for cases and declarations, the one due soonest).

One read, one access-log entry (``read_waiting``): the queues are counted from what the registry
and the case view hold, without opening anything sealed, and the summary names only what the
principal's own lists already show it. Which queues make up a role's desk, and whose items each
holds, is the table ``keys.access.visibility.DESKS``; each queue's items come from a source the
composition root hands in (the cases' source is the grievance context's)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from eventsourcing.application import AggregateNotFoundError

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from keys.access.visibility import Desk, DeskShare, desk_of
from registry.application import RegistryApplication
from registry.domain.access_requests import DataAccessRegister, DataAccessRequest, Status
from registry.domain.accounts import Role
from registry.domain.contributions import ContributionStatement
from registry.domain.errors import NotFoundError
from registry.domain.organisations import OrganisationKind

EXPIRING_WITHIN = dt.timedelta(days=30)  # issue 13: declarations expiring within 30 days


@dataclass(frozen=True)
class WaitingItem:
    """One item of a queue: what it is (a report ``company/year``, a site id, a case reference, a
    request id, a login), the day it has waited since or is due on, and a word on it."""

    ref: str
    on: dt.date
    what: str = ""


@dataclass(frozen=True)
class WaitingQueue:
    queue: str  # a Desk value
    count: int
    first: WaitingItem | None  # the oldest, or the soonest due; None when nothing waits
    by_due_date: bool  # ``first`` is the one due soonest (its ``on`` a due date), not the oldest


# Queues ordered by when an item falls due rather than by how long it has waited.
BY_DUE_DATE = frozenset({Desk.CASES, Desk.DECLARATIONS})


@dataclass(frozen=True)
class WaitingSummary:
    role: str | None  # whose desk this is ("secretariat" for the secretariat's command line)
    queues: tuple[WaitingQueue, ...]


@dataclass(frozen=True)
class Asker:
    """Whose desk a source fills: the principal, the role whose desk it sees, its organisation and
    whose items the queue holds."""

    principal: Principal | SystemPrincipal
    role: Role
    organisation_ref: str | None
    share: DeskShare


# A queue's items for the asker, on the day given, oldest (or soonest due) first.
Source = Callable[[Asker, dt.date], list[WaitingItem]]


class WaitingForMe:
    def __init__(self, guard: ConfidentialFilter, sources: Mapping[Desk, Source], today: Callable[[], dt.date]) -> None:
        self._guard = guard
        self._sources = sources
        self._today = today

    def summary(self, principal: Principal | SystemPrincipal, request_id: str = "") -> WaitingSummary:
        self._guard.authorise(
            principal,
            Action.READ_WAITING,
            Facts(),
            Audit(subject_kind="desk", purpose="waiting for me", request_id=request_id),
        )
        role, desk = desk_of(principal)
        if role is None:
            return WaitingSummary(None, ())
        today = self._today()
        organisation = principal.organisation_ref if isinstance(principal, Principal) else None
        queues = []
        for queue in Desk:  # the table's order of showing
            if queue not in desk:
                continue
            items = self._sources[queue](Asker(principal, role, organisation, desk[queue]), today)
            queues.append(WaitingQueue(queue.value, len(items), items[0] if items else None, queue in BY_DUE_DATE))
        return WaitingSummary(role.value, tuple(queues))


# --- the registry's sources --------------------------------------------------------------------------


def reports_to_assess(registry: RegistryApplication) -> Source:
    def items(asker: Asker, today: dt.date) -> list[WaitingItem]:  # noqa: ARG001 - the secretariat's only
        return [
            WaitingItem(f"{report.company}/{report.year}", report.waiting_since, f"version {report.version}")
            for report in registry.reports_awaiting_assessment(today)
        ]

    return items


def held_duplicates(registry: RegistryApplication) -> Source:
    def items(asker: Asker, today: dt.date) -> list[WaitingItem]:  # noqa: ARG001 - the secretariat's only
        held = [
            WaitingItem(site_id, registry.site(site_id).created_on.date(), f"may be {candidate}")
            for site_id, candidate in registry.sites_awaiting_review()
        ]
        return sorted(held, key=lambda item: (item.on, item.ref))

    return items


# Whose move a data-access request waits for: the approver decides a request whose local partner's
# clause is signed; the requesting party records the clause, then downloads what was approved.
_APPROVER_STEP = frozenset({Status.CLAUSE_SIGNED})
_REQUESTER_STEP = frozenset({Status.REQUESTED, Status.APPROVED})


def access_requests(registry: RegistryApplication) -> Source:
    def items(asker: Asker, today: dt.date) -> list[WaitingItem]:
        try:
            register: DataAccessRegister = registry.repository.get(DataAccessRegister.ID)
        except AggregateNotFoundError:
            return []
        every = asker.share is DeskShare.EVERY
        waiting = []
        for access_id, requester in register.requests:
            if not every and requester != asker.organisation_ref:
                continue
            request: DataAccessRequest = registry.repository.get(access_id)
            status = request.status_on(today)
            if status in (_APPROVER_STEP if every else _REQUESTER_STEP):
                waiting.append(WaitingItem(str(access_id), request.requested_on, status.value))
        return sorted(waiting, key=lambda item: (item.on, item.ref))

    return items


def declarations_expiring(registry: RegistryApplication) -> Source:
    def items(asker: Asker, today: dt.date) -> list[WaitingItem]:
        organisation = None
        if asker.share is DeskShare.OWN:
            if asker.organisation_ref is None:
                return []
            organisation = registry.organisation(asker.organisation_ref).id
        entries = registry.declaration_index().select(organisation, today, today + EXPIRING_WITHIN)
        return [WaitingItem(entry.login, entry.ends_on, entry.organisation_ref) for entry in entries]

    return items


def registry_sources(registry: RegistryApplication) -> dict[Desk, Source]:
    """Every queue of the desk but the cases (the grievance context's)."""
    return {
        Desk.REPORTS: reports_to_assess(registry),
        Desk.DUPLICATES: held_duplicates(registry),
        Desk.ACCESS_REQUESTS: access_requests(registry),
        Desk.DECLARATIONS: declarations_expiring(registry),
        Desk.CONTRIBUTIONS: contributions_to_prepare(registry),
    }


def contributions_to_prepare(registry: RegistryApplication) -> Source:
    """This year's contribution statements to prepare: a member without one (waiting since the year
    began, or since it joined), or one whose report of last year has a newer version than the
    statement rests on (waiting since that version came). Read from what is in clear: the statement's
    report version and the report's versions; nothing sealed is opened (the category queue itself is
    on the contributions page, which opens the statements, each read logged)."""

    def items(asker: Asker, today: dt.date) -> list[WaitingItem]:  # noqa: ARG001 - the secretariat's only
        year = today.year
        first = dt.date(year, 1, 1)
        waiting = []
        for company in registry.organisations(OrganisationKind.MEMBER_COMPANY):
            periods = company.periods_in(year)
            if not periods or company.shredded_on is not None:
                continue
            statement = registry._get_or_none(ContributionStatement.create_id(company.id, year))  # noqa: SLF001
            try:
                latest = registry.report(company.ref, year - 1).latest
            except NotFoundError:
                latest = None
            ref = f"{company.ref}/{year}"
            if statement is None:
                waiting.append(WaitingItem(ref, max(first, periods[0].joined_on), "not prepared"))
            elif latest is not None and latest.number != statement.report_version:
                waiting.append(WaitingItem(ref, latest.submitted_on, f"report version {latest.number}"))
        return sorted(waiting, key=lambda item: (item.on, item.ref))

    return items
