"""Regimes and yearly contributions from the reported chains (issue 17; docs/contributions.md).

Who may do what is the policy's (keys/access/policy.py), asked through the filter; every attempt is
an access-log entry:
- ``change_risk_list`` / ``set_basis`` / ``prepare``: MANAGE_CONTRIBUTIONS (the secretariat).
  Preparing a year's statements reads each member's report of the year before through the filter
  (one READ_REPORT entry per company, purpose "contribution statement <year>");
- ``statements`` / ``invoices_csv``: READ_CONTRIBUTIONS, the secretariat: every statement of a year,
  each opened as one entry naming its company;
- ``own_statements``: READ_CONTRIBUTIONS, "own": a company its own statements;
- ``risk_list``: public (the covenant's list of risk countries is no secret).

A statement for calendar year Y rests on the company's report of year Y - 1 (the report that comes
in during Y), judged against the risk-country list in force on that report's deadline; a company
with no such report (a new member) is judged by the category recorded when it joined.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from registry.application import RegistryApplication
from registry.csvsafe import cell
from registry.domain.contributions import (
    Basis,
    ChainLink,
    Contribution,
    ContributionStatement,
    CovenantChain,
    MemberType,
    Regime,
    budget_for,
    contribution,
    covenant_chains,
    default_member_type,
    membership_year,
    recorded_regime,
    regime_of,
)
from registry.domain.errors import NotFoundError, ValidationError
from registry.domain.organisations import CompanyCategory, Organisation, OrganisationKind
from registry.domain.reports import ReportContent
from registry.domain.risk_countries import (
    DEFAULT_DEADLINE,
    RiskCountryList,
    RiskListVersion,
    check_change,
    in_force_on,
    judged_on,
)

Who = Principal | SystemPrincipal | None
SUBJECT = "contribution_statement"  # the access log's subject kind


@dataclass(frozen=True)
class StatementView:
    company_ref: str
    company_name: str
    year: int
    report_year: int
    report_version: int | None
    basis: Basis
    member_type: MemberType
    basis_recorded: bool  # False: type from the category and 0 establishments, until the secretariat records them
    category: CompanyCategory
    regime: Regime
    recorded_regime: Regime
    chains: int | None  # None: no report to count them in
    chain_list: tuple[CovenantChain, ...]
    establishments: int
    membership_year: int
    contribution: Contribution
    risk_list_version: int
    judged_on: dt.date
    prepared_on: dt.date
    revisions: int

    @property
    def mismatch(self) -> bool:
        """The recorded category says another regime than the reported chains."""
        return self.basis is Basis.REPORT and self.regime is not self.recorded_regime

    @property
    def deciding(self) -> tuple[CovenantChain, ...]:
        """The chains that decide the regime: the risk ones under full due diligence, all under limited."""
        if self.regime is Regime.FULL:
            return tuple(chain for chain in self.chain_list if chain.verdict.is_risk)
        return self.chain_list


@dataclass(frozen=True)
class YearOverview:
    year: int
    statements: tuple[StatementView, ...]
    members_without_statement: tuple[str, ...]  # refs of members of the year not yet prepared
    unreadable: tuple[str, ...]  # refs whose statement no longer opens (keys shredded)
    total: int
    budget: int | None  # bijlage 5's company contributions for the year

    @property
    def mismatches(self) -> tuple[StatementView, ...]:
        return tuple(s for s in self.statements if s.mismatch)


@dataclass(frozen=True)
class Prepared:
    year: int
    prepared: int
    revised: int
    unchanged: int


class Contributions:
    def __init__(
        self,
        registry: RegistryApplication,
        guard: ConfidentialFilter,
        today: Callable[[], dt.date],
        deadline: tuple[int, int] = DEFAULT_DEADLINE,
    ) -> None:
        """``deadline``: the reporting deadline's (month, day) in the year after the report year."""
        self._registry = registry
        self._guard = guard
        self._today = today
        self._deadline = deadline

    # --- asked before a role's pages are drawn ---------------------------------------------------------

    def may_manage(self, principal: Who, request_id: str = "") -> None:
        self._guard.check(principal, Action.MANAGE_CONTRIBUTIONS, Facts(), Audit(SUBJECT, "", request_id=request_id))

    # --- the risk-country list (public) ----------------------------------------------------------

    def today(self) -> dt.date:
        """The use case's day (the services' clock), for the pages' year chooser and list."""
        return self._today()

    def risk_list(self) -> list[RiskListVersion]:
        return self._list().versions

    def risk_list_on(self, day: dt.date | None = None) -> RiskListVersion:
        """The version in force on ``day`` (today by default, the use case's clock)."""
        return in_force_on(self.risk_list(), self._today() if day is None else day)

    def judged_on(self, report_year: int) -> dt.date:
        return judged_on(report_year, self._deadline)

    def change_risk_list(
        self,
        principal: Who,
        *,
        in_force_from: dt.date,
        become_risk: Sequence[str],
        stop_being_risk: Sequence[str],
        reason: str,
        request_id: str = "",
    ) -> RiskListVersion:
        audit = Audit("risk_country_list", "", purpose="change the risk-country list", request_id=request_id)
        self._guard.check(principal, Action.MANAGE_CONTRIBUTIONS, Facts(), audit)
        risk_list = self._list()
        check_change(risk_list.versions, in_force_from, list(become_risk), list(stop_being_risk), reason, self._today())
        version = risk_list.change(
            in_force_from=in_force_from,
            become_risk=list(become_risk),
            stop_being_risk=list(stop_being_risk),
            reason=reason,
            by=_login(principal),
            today=self._today(),
        )
        self._guard.authorise(principal, Action.MANAGE_CONTRIBUTIONS, Facts(), audit)
        self._registry.save(risk_list)
        return version

    # --- a company's basis ----------------------------------------------------------------------

    def set_basis(
        self, principal: Who, company_ref: str, *, member_type: str, establishments: int, request_id: str = ""
    ) -> None:
        audit = Audit("organisation", company_ref, purpose="contribution basis", request_id=request_id)
        self._guard.check(principal, Action.MANAGE_CONTRIBUTIONS, Facts(), audit)
        company = self._registry.company(company_ref)
        company.set_contribution_basis(member_type, establishments, by=_login(principal))
        self._guard.authorise(principal, Action.MANAGE_CONTRIBUTIONS, Facts(), audit)
        self._registry.save(company)

    # --- preparing a year's statements --------------------------------------------------------------

    def prepare(self, principal: Who, year: int, *, request_id: str = "") -> Prepared:
        """Every member of ``year`` gets its statement, or a revision where its facts changed (a
        corrected report, a recorded basis, a changed list for a deadline still to come); an
        unchanged one is left alone (compared by a keyed fingerprint, so nothing is opened to compare)."""
        audit = Audit(SUBJECT, str(year), purpose=f"prepare contribution statements {year}", request_id=request_id)
        self._guard.check(principal, Action.MANAGE_CONTRIBUTIONS, Facts(), audit)
        self._check_year(year)
        self._guard.authorise(principal, Action.MANAGE_CONTRIBUTIONS, Facts(), audit)
        counts = {"prepared": 0, "revised": 0, "unchanged": 0}
        for company in self._members_of(year):
            if company.shredded_on is not None:
                continue
            version, facts = self._facts(principal, company, year, request_id)
            # the version is in the fingerprint: a statement names the report version it rests on, so
            # a corrected report is a revision even where its facts come out the same (the version in
            # clear then follows the report's, and tells nothing of whether the facts changed)
            fingerprint = self._registry.vault.fingerprint(company.id, _canonical({**facts, "report_version": version}))
            existing = self._statement(company, year)
            if existing is None:
                statement = ContributionStatement.prepare(
                    company_id=company.id,
                    year=year,
                    report_version=version,
                    facts=_padded(facts),
                    fingerprint=fingerprint,
                    on=self._today(),
                    by=_login(principal),
                )
                counts["prepared"] += 1
            elif existing.fingerprint == fingerprint:
                counts["unchanged"] += 1
                continue
            else:
                statement = existing
                statement.revise(
                    report_version=version,
                    facts=_padded(facts),
                    fingerprint=fingerprint,
                    on=self._today(),
                    by=_login(principal),
                )
                counts["revised"] += 1
            self._registry.save(statement)
        return Prepared(year, **counts)

    # --- reading ---------------------------------------------------------------------------------

    def statements(self, principal: Who, year: int, *, request_id: str = "") -> YearOverview:
        """The secretariat's overview of ``year``: every statement, opened one by one (one entry each,
        naming its company), the total against bijlage 5's budget line, and the mismatches."""
        audit = Audit(SUBJECT, str(year), purpose=f"contribution statements {year}", request_id=request_id)
        self._guard.check(principal, Action.READ_CONTRIBUTIONS, Facts(), audit)
        self._check_year(year)
        views: list[StatementView] = []
        missing: list[str] = []
        unreadable: list[str] = []
        for company in self._members_of(year):
            statement = self._statement(company, year)
            if statement is None:
                missing.append(company.ref)
                continue
            view = self._open(principal, company, statement, Facts(), request_id)
            if view is None:
                unreadable.append(company.ref)
            else:
                views.append(view)
        if not views and not unreadable:
            self._guard.authorise(principal, Action.READ_CONTRIBUTIONS, Facts(), audit)  # nothing opened: log the read
        return YearOverview(
            year=year,
            statements=tuple(views),
            members_without_statement=tuple(missing),
            unreadable=tuple(unreadable),
            total=sum(view.contribution.amount for view in views),
            budget=budget_for(year),
        )

    def own_statements(self, principal: Who, company_ref: str, *, request_id: str = "") -> list[StatementView]:
        """One company's statements, newest year first: the company itself (or the secretariat)."""
        audit = Audit(
            SUBJECT, company_ref, company=company_ref, purpose="own contribution statements", request_id=request_id
        )
        try:
            company = self._registry.company(company_ref)
        except NotFoundError:
            self._guard.check(principal, Action.READ_CONTRIBUTIONS, Facts(), audit)  # a refused role: 403, logged
            raise
        own = Facts(own_data=getattr(principal, "organisation_id", None) == company.id)
        self._guard.check(principal, Action.READ_CONTRIBUTIONS, own, audit)
        views = []
        for year in sorted(
            {y for p in company.periods for y in _years(p.joined_on, p.ended_on, self._today())}, reverse=True
        ):
            statement = self._statement(company, year)
            if statement is not None:
                view = self._open(principal, company, statement, own, request_id)
                if view is not None:
                    views.append(view)
        if not views:
            self._guard.authorise(principal, Action.READ_CONTRIBUTIONS, own, audit)
        return views

    def invoices_csv(self, principal: Who, year: int, *, request_id: str = "") -> str:
        """One row per statement, for the bookkeeping: amounts in whole euros."""
        overview = self.statements(principal, year, request_id=request_id)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(INVOICE_COLUMNS)
        for view in overview.statements:
            writer.writerow(
                [
                    view.company_ref,
                    cell(view.company_name),
                    view.year,
                    view.member_type.value,
                    view.regime.value,
                    view.basis.value,
                    view.report_year,
                    "" if view.report_version is None else view.report_version,
                    "" if view.chains is None else view.chains,
                    view.establishments,
                    view.membership_year,
                    view.contribution.base,
                    view.contribution.chains_part,
                    view.contribution.establishments_part,
                    view.contribution.amount,
                ]
            )
        return out.getvalue()

    # --- helpers ---------------------------------------------------------------------------------

    def _facts(
        self, principal: Who, company: Organisation, year: int, request_id: str
    ) -> tuple[int | None, dict[str, Any]]:
        report_year = year - 1
        period = company.periods[-1]
        category = period.category
        member_type_value, establishments = company.contribution_basis
        member_type = MemberType(member_type_value) if member_type_value else default_member_type(category)
        day = self.judged_on(report_year)
        risk_version = self.risk_list_on(day)
        content, version = self._report(principal, company, report_year, year, request_id)
        if content is None:
            chains: list[CovenantChain] | None = None
            regime = recorded_regime(category)
            basis = Basis.RECORDED_CATEGORY
        else:
            chains = covenant_chains(self._chain_links(content), risk_version.is_risk)
            regime = regime_of(chains)
            basis = Basis.REPORT
        figure = contribution(
            member_type,
            regime,
            chains=len(chains) if chains is not None else 0,
            establishments=establishments or 0,
            membership_year=membership_year(company.periods[0].joined_on, year),
            year=year,
        )
        facts = {
            "basis": basis.value,
            "member_type": member_type.value,
            "basis_recorded": member_type_value is not None,
            "category": category.value,
            "regime": regime.value,
            "chains": None if chains is None else len(chains),
            "chain_list": [] if chains is None else [chain.as_list() for chain in chains],
            "establishments": establishments or 0,
            "membership_year": membership_year(company.periods[0].joined_on, year),
            "contribution": figure.as_dict(),
            "risk_list_version": risk_version.number,
            "judged_on": day.isoformat(),
        }
        return version, facts

    def _report(
        self, principal: Who, company: Organisation, report_year: int, year: int, request_id: str
    ) -> tuple[ReportContent | None, int | None]:
        try:
            report = self._registry.report(company.ref, report_year)
        except NotFoundError:
            return None, None
        if report.latest is None:
            return None, None
        content = self._registry.read_report(
            principal,
            company.ref,
            report_year,
            report.latest.number,
            purpose=f"contribution statement {year}",
            request_id=request_id,
        )
        return content, report.latest.number

    def _chain_links(self, content: ReportContent) -> list[ChainLink]:
        described = {site.public_id: site.country for site in content.new_sites}
        return [
            ChainLink(
                chain=link.chain,
                tier=link.tier,
                site_kind=link.site_kind.value,
                site_id=link.site_id,
                country=self._country(link.site_id, described),
                circular=link.circular,
            )
            for link in content.links
        ]

    def _country(self, site_id: str | None, described: dict[str, str]) -> str | None:
        if site_id is None:
            return None
        if site_id in described:
            return described[site_id]
        try:
            return self._registry.site(self._registry.current_site_id(site_id)).region.country
        except NotFoundError:
            return None

    def _open(
        self, principal: Who, company: Organisation, statement: ContributionStatement, facts: Facts, request_id: str
    ) -> StatementView | None:
        audit = Audit(
            SUBJECT,
            f"{company.ref}/{statement.year}",
            company=company.ref,
            purpose=f"contribution statement {statement.year}",
            request_id=request_id,
        )
        opened = self._guard.open(principal, Action.READ_CONTRIBUTIONS, facts, {"facts": statement.facts}, audit)[
            "facts"
        ]
        if not isinstance(opened, dict):
            return None  # the company's keys were destroyed
        return StatementView(
            company_ref=company.ref,
            company_name=company.name,
            year=statement.year,
            report_year=statement.year - 1,
            report_version=statement.report_version,
            basis=Basis(opened["basis"]),
            member_type=MemberType(opened["member_type"]),
            basis_recorded=bool(opened["basis_recorded"]),
            category=CompanyCategory(opened["category"]),
            regime=Regime(opened["regime"]),
            recorded_regime=recorded_regime(CompanyCategory(opened["category"])),
            chains=opened["chains"],
            chain_list=tuple(CovenantChain.from_list(row) for row in opened["chain_list"]),
            establishments=opened["establishments"],
            membership_year=opened["membership_year"],
            contribution=Contribution(**opened["contribution"]),
            risk_list_version=opened["risk_list_version"],
            judged_on=dt.date.fromisoformat(opened["judged_on"]),
            prepared_on=statement.prepared_on,
            revisions=statement.revisions,
        )

    def _members_of(self, year: int) -> list[Organisation]:
        return [
            company
            for company in self._registry.organisations(OrganisationKind.MEMBER_COMPANY)
            if company.periods_in(year)
        ]

    def _statement(self, company: Organisation, year: int) -> ContributionStatement | None:
        return self._registry._get_or_none(ContributionStatement.create_id(company.id, year))  # noqa: SLF001

    def _list(self) -> RiskCountryList:
        found = self._registry._get_or_none(RiskCountryList.create_id())  # noqa: SLF001
        return found if found is not None else RiskCountryList()

    def _check_year(self, year: int) -> None:
        if isinstance(year, bool) or not isinstance(year, int) or not 2019 <= year <= self._today().year + 1:
            raise ValidationError("year", f"a contribution year from 2019 to {self._today().year + 1}")


INVOICE_COLUMNS = (
    "company_ref",
    "company_name",
    "year",
    "member_type",
    "regime",
    "basis",
    "report_year",
    "report_version",
    "chains",
    "establishments",
    "membership_year",
    "base_eur",
    "chains_eur",
    "establishments_eur",
    "amount_eur",
)


def _years(joined: dt.date, ended: dt.date | None, today: dt.date) -> range:
    return range(joined.year, (ended or today).year + 2)


def _canonical(facts: dict[str, Any]) -> bytes:
    return json.dumps(facts, sort_keys=True, separators=(",", ":")).encode()


FACTS_SIZE = 8192
"""Bytes of JSON every statement's sealed facts are padded to. A ciphertext is as long as its
plaintext, and the sealing's own padding (keys/encryption/sealing.py) goes in steps above 1 KiB: a
chain list of ten chains would seal longer than one of two, and the size at rest would tell a band
of the chain count. Up to about seventy chains, every statement seals to the same size."""


def _padded(facts: dict[str, Any]) -> dict[str, Any]:
    """The facts with a ``pad`` of spaces, up to ``FACTS_SIZE`` bytes of JSON (never less than they are)."""
    size = len(_canonical({**facts, "pad": ""}))
    return {**facts, "pad": " " * max(FACTS_SIZE - size, 0)}


def _login(principal: Who) -> str:
    return principal.login if principal is not None else ""
