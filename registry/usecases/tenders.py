"""The tender register of member governments (art. 7 lid 7 and 14): each government records its
natural-stone tenders, yearly; the secretariat sees the register and publishes the aggregated public
report (docs/tenders.md). The rules of one year's register are in registry/domain/tenders.py.

Who may do what is the policy's (keys/access/policy.py), asked through the filter, each call one
access-log entry: ``record_tender`` (record, correct, remove, submit) for a buyer on its own
organisation's register only; ``read_tender_register`` for the secretariat on every register and a
buyer on its own (``own_data``: the register's government is the principal's organisation; the
overview of every government's year is never own); ``publish_tender_report`` for the secretariat.
A command first asks ``check`` (a denial is logged), then runs on the aggregate in memory (409,
422), and only then logs the grant and saves. A read opens every sealed entry it shows in one call
of the filter: one access-log entry per read, whatever the number of entries.

The published reports are public: ``published_reports`` and ``published_report`` ask nothing (they
hold counts only, and no government).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from registry.domain.accounts import Role
from registry.domain.errors import ConflictError, GoneError, NotFoundError, ValidationError
from registry.domain.organisations import OrganisationKind
from registry.domain.tenders import (
    Criterion,
    PurchaseType,
    TenderIndex,
    TenderReport,
    TenderYear,
    ValueBand,
    YearStatus,
    check_entry,
    count_report,
)
from registry.sealed_application import VersionConflictError

Who = Principal | SystemPrincipal | None
SUBJECT = "tender_register"  # the access log's subject kind
REPORT_SUBJECT = "tender_report"
EARLIEST_YEAR = 2000


# --- results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TenderEntry:
    """One tender as its government and the secretariat read it (title, reference and band opened)."""

    id: str
    date: dt.date
    title: str
    reference: str | None
    value_band: ValueBand
    criteria: tuple[Criterion, ...]
    purchase_type: PurchaseType
    recorded_on: dt.date
    recorded_by: str
    corrected_on: dt.date | None


@dataclass(frozen=True)
class RegisterYear:
    """One government's register of one year. ``can_submit``: open, and the year is over."""

    government: str
    government_name: str
    year: int
    status: YearStatus
    submitted_on: dt.date | None
    submitted_by: str | None
    can_submit: bool
    entries: tuple[TenderEntry, ...]


@dataclass(frozen=True)
class GovernmentRegister:
    """A government's registers, the latest year first."""

    government: str
    government_name: str
    years: tuple[RegisterYear, ...]


@dataclass(frozen=True)
class TenderReportView:
    """A year's aggregated report: counts only, no government. ``by_value_band`` is ``None`` when
    fewer than ``threshold`` governments reported. ``published_on`` is ``None`` for a preview."""

    year: int
    governments: int
    tenders: int
    by_criterion: dict[str, int]
    by_purchase_type: dict[str, int]
    by_value_band: dict[str, int] | None
    value_bands_suppressed: bool
    threshold: int
    published_on: dt.date | None


@dataclass(frozen=True)
class YearOverview:
    """The secretariat's view of a year: every government's register, the governments that have not
    submitted it, and the report (as it would be published, or as it was)."""

    year: int
    registers: tuple[RegisterYear, ...]
    not_submitted: tuple[str, ...]  # the names of public buyers without a submitted register
    report: TenderReportView
    can_publish: bool


@dataclass(frozen=True)
class EntryTaken:
    id: str
    government: str
    year: int


@dataclass(frozen=True)
class YearTaken:
    government: str
    year: int
    status: YearStatus


# --- the use case -----------------------------------------------------------------------------------


class Tenders:
    def __init__(self, registry: Any, guard: ConfidentialFilter, today: Callable[[], dt.date]) -> None:
        self._registry = registry
        self._guard = guard
        self._today = today

    # --- a government's own register ----------------------------------------------------------

    def may_record(self, principal: Who, request_id: str = "") -> None:
        """Asked before a government's own register pages are drawn: a refusal is logged and raised;
        a grant logs nothing (the read that follows logs its own). Each command decides again."""
        audit = Audit(SUBJECT, _organisation_of(principal) or "", purpose="tender register", request_id=request_id)
        self._guard.check(principal, Action.RECORD_TENDER, Facts(own_data=True), audit)

    def record(
        self,
        principal: Who,
        government: str,
        title: Any,
        date: Any,
        reference: Any,
        value_band: Any,
        criteria: Iterable[Any],
        purchase_type: Any,
        *,
        request_id: str = "",
    ) -> EntryTaken:
        self._check(principal, Action.RECORD_TENDER, government, request_id)
        entry = check_entry(title, date, reference, value_band, list(criteria), purchase_type, self._today())
        year = entry["date"].year
        granted = False
        for _attempt in range(5):  # two first entries of a year at once conflict on the index: one retries
            tender_year, new = self._year_or_new(government, year)
            entry_id = tender_year.record(entry=entry, on=self._today(), by=_login(principal))  # 409 once submitted
            if not granted:  # logged once, right before the first write
                self._authorise(principal, Action.RECORD_TENDER, government, request_id, "tender register")
                granted = True
            try:
                self._save_year(tender_year, new)
            except VersionConflictError:
                continue
            return EntryTaken(entry_id, government, year)
        raise ConflictError("too many changes at once: please try again")

    def correct(
        self,
        principal: Who,
        government: str,
        year: int,
        entry_id: str,
        title: Any,
        date: Any,
        reference: Any,
        value_band: Any,
        criteria: Iterable[Any],
        purchase_type: Any,
        *,
        request_id: str = "",
    ) -> EntryTaken:
        self._check(principal, Action.RECORD_TENDER, government, request_id)
        tender_year = self._year(government, year)
        entry = check_entry(title, date, reference, value_band, list(criteria), purchase_type, self._today())
        tender_year.correct(entry_id=entry_id, entry=entry, on=self._today(), by=_login(principal))
        self._authorise(principal, Action.RECORD_TENDER, government, request_id, "tender register")
        self._save(tender_year)
        return EntryTaken(str(entry_id), government, year)

    def remove(self, principal: Who, government: str, year: int, entry_id: str, *, request_id: str = "") -> None:
        self._check(principal, Action.RECORD_TENDER, government, request_id)
        tender_year = self._year(government, year)
        tender_year.remove(entry_id=entry_id, on=self._today(), by=_login(principal))
        self._authorise(principal, Action.RECORD_TENDER, government, request_id, "tender register")
        self._save(tender_year)

    def submit(self, principal: Who, government: str, year: int, *, request_id: str = "") -> YearTaken:
        """The yearly report (art. 7 lid 7); a year without tenders may be submitted too."""
        self._check(principal, Action.RECORD_TENDER, government, request_id)
        _check_year(year)
        granted = False
        for _attempt in range(5):
            tender_year, new = self._year_or_new(government, year)
            tender_year.submit(
                on=self._today(), by=_login(principal)
            )  # 409: submitted already, or the year is not over
            if not granted:
                self._authorise(principal, Action.RECORD_TENDER, government, request_id, f"tender register {year}")
                granted = True
            try:
                self._save_year(tender_year, new)
            except VersionConflictError:
                continue
            return YearTaken(government, year, tender_year.status)
        raise ConflictError("too many changes at once: please try again")

    def register(self, principal: Who, government: str, *, request_id: str = "") -> GovernmentRegister:
        """Every year of one government's register, its entries opened: the government and the secretariat."""
        self._check(principal, Action.READ_TENDER_REGISTER, government, request_id)
        name = self._government_name(government)
        years = sorted((y for g, y in self._index().registers if g == government), reverse=True)
        loaded = [self._registry.repository.get(TenderYear.create_id(government, y)) for y in years]
        opened = self._open(principal, government, request_id, f"tender register of {government}", loaded)
        return GovernmentRegister(government, name, tuple(self._register_year(year, name, opened) for year in loaded))

    # --- the secretariat ------------------------------------------------------------------------

    def year_overview(self, principal: Who, year: int, *, request_id: str = "") -> YearOverview:
        """Every government's register of a year (never "own"), and the year's report as it stands."""
        _check_year(year)
        audit = Audit(SUBJECT, str(year), purpose=f"tender registers {year}", request_id=request_id)
        self._guard.check(principal, Action.READ_TENDER_REGISTER, Facts(), audit)
        loaded = [
            self._registry.repository.get(TenderYear.create_id(government, y))
            for government, y in sorted(self._index().registers)
            if y == year
        ]
        opened = self._open(principal, None, request_id, f"tender registers {year}", loaded, audit)
        names = {o.ref: o.name for o in self._registry.organisations(OrganisationKind.PUBLIC_BUYER)}
        registers = tuple(self._register_year(t, names.get(t.government, t.government), opened) for t in loaded)
        submitted = {r.government for r in registers if r.status is YearStatus.SUBMITTED}
        report = self._published(year) or self._preview(year, registers)
        return YearOverview(
            year=year,
            registers=registers,
            not_submitted=tuple(sorted(name for ref, name in names.items() if ref not in submitted)),
            report=report,
            can_publish=report.published_on is None and year < self._today().year and report.governments > 0,
        )

    def preview(self, principal: Who, year: int, *, request_id: str = "") -> TenderReportView:
        """The report as publishing would freeze it now (or as it was published)."""
        _check_year(year)
        audit = Audit(REPORT_SUBJECT, str(year), purpose=f"tender report {year} preview", request_id=request_id)
        self._guard.check(principal, Action.PUBLISH_TENDER_REPORT, Facts(), audit)
        published = self._published(year)
        if published is not None:
            self._guard.authorise(principal, Action.PUBLISH_TENDER_REPORT, Facts(), audit)
            return published
        return self._preview(year, self._submitted_registers(principal, year, audit))

    def publish(self, principal: Who, year: int, *, request_id: str = "") -> TenderReportView:
        """Freeze and publish a year's report (art. 7 lid 14): once, after the year is over, and
        when at least one government has submitted that year."""
        _check_year(year)
        audit = Audit(REPORT_SUBJECT, str(year), purpose=f"tender report {year}", request_id=request_id)
        self._guard.check(principal, Action.PUBLISH_TENDER_REPORT, Facts(), audit)
        if self._published(year) is not None:
            raise ConflictError(f"the tender report of {year} is published already: it no longer changes")
        if year >= self._today().year:
            raise ConflictError(
                f"the year {year} is not over: its tender report can be published from 1 January {year + 1} on"
            )
        submitted = [
            self._registry.repository.get(TenderYear.create_id(government, y))
            for government, y in sorted(self._index().registers)
            if y == year
        ]
        submitted = [t for t in submitted if t.status is YearStatus.SUBMITTED]
        if not submitted:
            raise ConflictError(f"no government has submitted its tender register of {year} yet")
        opened = self._open(principal, None, request_id, audit.purpose, submitted, audit, Action.PUBLISH_TENDER_REPORT)
        counts = count_report(year, _countable(submitted, opened))
        report = TenderReport(year=year, counts=counts, on=self._today(), by=_login(principal))
        index = self._index()
        index.add_report(year)
        try:
            self._registry.save(index, report)
        except VersionConflictError:
            raise ConflictError(f"the tender report of {year} changed meanwhile: please try again") from None
        return _report_view(report)

    # --- the public ------------------------------------------------------------------------------

    def published_reports(self) -> list[TenderReportView]:
        """Every published year's report, the latest first. Public: counts only."""
        return [self._published_or_raise(year) for year in sorted(self._index().published, reverse=True)]

    def published_report(self, year: int) -> TenderReportView:
        return self._published_or_raise(year)

    # --- helpers --------------------------------------------------------------------------------

    def _facts_and_audit(self, principal: Who, government: str, request_id: str, purpose: str) -> tuple[Facts, Audit]:
        facts = Facts(own_data=_organisation_of(principal) == government)
        return facts, Audit(SUBJECT, government, purpose=purpose, request_id=request_id)

    def _check(self, principal: Who, action: Action, government: str, request_id: str) -> None:
        self._guard.check(
            principal, action, *self._facts_and_audit(principal, government, request_id, "tender register")
        )

    def _authorise(self, principal: Who, action: Action, government: str, request_id: str, purpose: str) -> None:
        self._guard.authorise(principal, action, *self._facts_and_audit(principal, government, request_id, purpose))

    def _open(
        self,
        principal: Who,
        government: str | None,
        request_id: str,
        purpose: str,
        years: list[TenderYear],
        audit: Audit | None = None,
        action: Action = Action.READ_TENDER_REGISTER,
    ) -> dict[str, Any]:
        """Decide, log (once) and open every entry's sealed details of ``years``, by entry id."""
        fields = {entry_id: entry["details"] for year in years for entry_id, entry in year.entries.items()}
        if government is not None:
            facts, audit = self._facts_and_audit(principal, government, request_id, purpose)
        else:
            facts = Facts()
            assert audit is not None
        opened = self._guard.open(principal, action, facts, fields, audit)
        for value in opened.values():
            if not isinstance(value, Mapping):  # the government's key was shredded: UNREADABLE
                raise GoneError("this tender register can no longer be read")
        return opened

    def _register_year(self, year: TenderYear, name: str, opened: dict[str, Any]) -> RegisterYear:
        entries = sorted(
            (_entry_view(entry_id, entry, opened[entry_id]) for entry_id, entry in year.entries.items()),
            key=lambda e: (e.date, e.title),
        )
        return RegisterYear(
            government=year.government,
            government_name=name,
            year=year.year,
            status=year.status,
            submitted_on=year.submitted_on,
            submitted_by=year.submitted_by,
            can_submit=year.status is YearStatus.OPEN and year.year < self._today().year,
            entries=tuple(entries),
        )

    def _submitted_registers(self, principal: Who, year: int, audit: Audit) -> list[RegisterYear]:
        loaded = [
            self._registry.repository.get(TenderYear.create_id(government, y))
            for government, y in sorted(self._index().registers)
            if y == year
        ]
        submitted = [t for t in loaded if t.status is YearStatus.SUBMITTED]
        opened = self._open(
            principal, None, audit.request_id, audit.purpose, submitted, audit, Action.PUBLISH_TENDER_REPORT
        )
        return [self._register_year(t, t.government, opened) for t in submitted]

    def _preview(self, year: int, registers: Iterable[RegisterYear]) -> TenderReportView:
        rows = [
            (
                r.government,
                [
                    {"criteria": e.criteria, "purchase_type": e.purchase_type, "value_band": e.value_band}
                    for e in r.entries
                ],
            )
            for r in registers
            if r.status is YearStatus.SUBMITTED
        ]
        return TenderReportView(**count_report(year, rows), published_on=None)

    def _government_name(self, government: str) -> str:
        try:
            organisation = self._registry.organisation(government)
        except NotFoundError:
            raise NotFoundError("no public buyer with that reference") from None
        if organisation.kind is not OrganisationKind.PUBLIC_BUYER:
            raise NotFoundError("no public buyer with that reference")
        name: str = organisation.name
        return name

    def _index(self) -> TenderIndex:
        try:
            index: TenderIndex = self._registry.repository.get(TenderIndex.ID)
        except AggregateNotFoundError:
            return TenderIndex()
        return index

    def _year_or_new(self, government: str, year: int) -> tuple[TenderYear, bool]:
        try:
            return self._registry.repository.get(TenderYear.create_id(government, year)), False
        except AggregateNotFoundError:
            self._government_name(government)  # a year is opened for a public buyer only
            return TenderYear(government=government, year=year), True

    def _year(self, government: str, year: int) -> TenderYear:
        try:
            tender_year: TenderYear = self._registry.repository.get(TenderYear.create_id(government, int(year)))
        except (AggregateNotFoundError, ValueError):
            raise NotFoundError("no tender register for that government and year") from None
        return tender_year

    def _save_year(self, tender_year: TenderYear, new: bool) -> None:
        if not new:
            self._save(tender_year)
            return
        index = self._index()
        index.add_year(tender_year.government, tender_year.year)
        self._registry.save(index, tender_year)  # a lost race raises VersionConflictError: the caller retries

    def _save(self, tender_year: TenderYear) -> None:
        try:
            self._registry.save(tender_year)
        except VersionConflictError:
            raise ConflictError(
                f"the tender register of {tender_year.year} changed meanwhile: please try again"
            ) from None

    def _published(self, year: int) -> TenderReportView | None:
        if year not in self._index().published:
            return None
        return self._published_or_raise(year)

    def _published_or_raise(self, year: int) -> TenderReportView:
        try:
            report: TenderReport = self._registry.repository.get(TenderReport.create_id(year))
        except AggregateNotFoundError:
            raise NotFoundError("no published tender report for that year") from None
        return _report_view(report)


def _entry_view(entry_id: str, entry: dict[str, Any], details: Mapping[str, Any]) -> TenderEntry:
    return TenderEntry(
        id=entry_id,
        date=entry["date"],
        title=details["title"],
        reference=details["reference"],
        value_band=ValueBand(details["value_band"]),
        criteria=tuple(entry["criteria"]),
        purchase_type=entry["purchase_type"],
        recorded_on=entry["recorded_on"],
        recorded_by=entry["recorded_by"],
        corrected_on=entry["corrected_on"],
    )


def _countable(years: list[TenderYear], opened: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    return [
        (
            year.government,
            [
                {
                    "criteria": entry["criteria"],
                    "purchase_type": entry["purchase_type"],
                    "value_band": opened[entry_id]["value_band"],
                }
                for entry_id, entry in year.entries.items()
            ],
        )
        for year in years
    ]


def _report_view(report: TenderReport) -> TenderReportView:
    counts = dict(report.counts)
    return TenderReportView(
        year=int(counts["year"]),
        governments=int(counts["governments"]),
        tenders=int(counts["tenders"]),
        by_criterion=dict(counts["by_criterion"]),
        by_purchase_type=dict(counts["by_purchase_type"]),
        by_value_band=dict(counts["by_value_band"]) if counts["by_value_band"] is not None else None,
        value_bands_suppressed=bool(counts["value_bands_suppressed"]),
        threshold=int(counts["threshold"]),
        published_on=report.published_on,
    )


def _check_year(year: Any) -> int:
    if not isinstance(year, int) or not EARLIEST_YEAR <= year <= 2100:
        raise ValidationError("year", f"a year from {EARLIEST_YEAR} to 2100")
    return year


def _organisation_of(principal: Who) -> str | None:
    return principal.organisation_ref if isinstance(principal, Principal) else None


def _login(principal: Who) -> str:
    return principal.login if principal is not None else ""


# --- demo data ----------------------------------------------------------------------------------------

# (government, title, month, value band, criteria, purchase type): invented, in the style of real notices
_DEMO_TENDERS = (
    (
        "gemeente-utrecht",
        "Herinrichting Stationsplein Oost: natuursteen bestrating",
        3,
        "1m_5_5m",
        ("award_significant", "contract_basis"),
        "type_2",
    ),
    (
        "gemeente-utrecht",
        "Raamovereenkomst levering natuursteen banden en tegels",
        6,
        "250k_1m",
        ("award_ambitious", "contract_significant"),
        "type_1",
    ),
    (
        "gemeente-rotterdam",
        "Kademuren Maashaven: vervanging hardstenen dekstenen",
        4,
        "over_5_5m",
        ("comparable",),
        "type_2",
    ),
    ("gemeente-rotterdam", "Onderhoud natuursteen trappen Markthal", 9, "under_50k", ("none",), "type_2"),
    ("stad-gent", "Heraanleg Korenmarkt: levering en plaatsing natuursteen", 5, "1m_5_5m", ("isv",), "type_2"),
    (
        "stad-gent",
        "Kaderovereenkomst blauwe hardsteen voor wegenwerken",
        11,
        "50k_250k",
        ("isv", "contract_basis"),
        "type_1",
    ),
)


def demo_tenders(services: Any, today: dt.date | None = None) -> None:
    """Demo tender registers: the three demo governments' tenders of the year before last, submitted,
    and that year's report published (three governments: the value bands are shown); Rotterdam and
    Gent have an open register for this year. Last year is left for a person to record and submit.
    Done as the demo's own people would (a buyer login of each government, the secretariat's), so
    the access log shows them. Call it after the demo's organisations and logins exist."""
    registry = services.registry
    tenders: Tenders = services.tenders
    year = (today or dt.date.today()).year - 2

    def person(ref: str) -> Principal:
        """The organisation's first login; a demo government without one is stood in for by a
        buyer named after it (the access log shows "demo-tenders:<ref>")."""
        accounts = registry.accounts_of(ref)
        if accounts:
            return Principal(accounts[0].login, accounts[0].role, registry.organisation_id(ref), ref)
        return Principal(f"demo-tenders:{ref}", Role.BUYER, registry.organisation_id(ref), ref)

    for government, title, month, band, criteria, kind in _DEMO_TENDERS:
        tenders.record(person(government), government, title, dt.date(year, month, 14), None, band, criteria, kind)
    for government in sorted({row[0] for row in _DEMO_TENDERS}):
        tenders.submit(person(government), government, year)
    secretariat = next(o.ref for o in registry.organisations(OrganisationKind.SECRETARIAT))
    tenders.publish(person(secretariat), year)
    this_year = dt.date(year + 2, 1, 20)
    if this_year <= (today or dt.date.today()):
        for government in ("gemeente-rotterdam", "stad-gent"):
            tenders.record(
                person(government),
                government,
                "Herstel natuursteen gevel stadhuis",
                this_year,
                None,
                "250k_1m",
                ("award_basis",),
                "type_2",
            )
