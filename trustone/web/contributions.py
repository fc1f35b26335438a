"""Regimes and yearly contributions over HTTP (issue 17; docs/contributions.md). Thin: request -> use
case (registry/usecases/contributions.py) -> its result or a named error (403, 404, 422 naming the
field). Who may do what is the policy's: managing (the risk-country list, a company's basis,
preparing a year) and the year's overview are the secretariat's; a company reads its own statements;
the risk-country list is public."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from registry.domain.contributions import CovenantChain
from registry.domain.risk_countries import RiskListVersion
from registry.usecases.contributions import Prepared, StatementView, YearOverview
from trustone.web.auth import PrincipalDep
from trustone.web.deps import ContributionsDep, RequestIdDep

router = APIRouter(prefix="/api/v1/contributions", tags=["contributions"])
public = APIRouter(prefix="/api/v1/public", tags=["public"])

ContributionYear = Annotated[int, Path(ge=2000, le=2100, description="the calendar year the contribution is for")]
CompanyRef = Annotated[str, Path(min_length=1, max_length=100, description="the company's reference")]


CountryCodes = list[Annotated[str, Field(max_length=10)]]


# --- bodies ----------------------------------------------------------------------------------------


class RiskListChangeIn(BaseModel):
    in_force_from: dt.date = Field(description="the first day the new version is in force (today or later)")
    become_risk: CountryCodes = Field(
        default_factory=list, max_length=300, description="ISO 3166 codes added to the risk countries"
    )
    stop_being_risk: CountryCodes = Field(
        default_factory=list, max_length=300, description="ISO 3166 codes taken off the risk countries"
    )
    reason: str = Field(max_length=4000, description="why the parties changed the list (10-2000 characters)")


class BasisIn(BaseModel):
    member_type: Literal["importer", "associated"] = Field(description="bijlage 4's company type")
    establishments: int = Field(
        strict=True, ge=0, le=10_000, description="the number of establishments (associated members pay per one)"
    )


# --- answers ---------------------------------------------------------------------------------------


class RiskListVersionOut(BaseModel):
    """A version as the public sees it: no ``by`` (a staff login is not public)."""

    number: int
    in_force_from: dt.date
    not_risk: list[str] = Field(description="every country is a risk country except these (sorted)")
    reason: str
    recorded_on: dt.date | None = Field(description="None for the covenant's own first version")

    @classmethod
    def of(cls, version: RiskListVersion) -> RiskListVersionOut:
        return cls(
            number=version.number,
            in_force_from=version.in_force_from,
            not_risk=sorted(version.not_risk),
            reason=version.reason,
            recorded_on=version.recorded_on,
        )


class RiskListOut(BaseModel):
    in_force: RiskListVersionOut = Field(description="the version in force today")
    versions: list[RiskListVersionOut]


class ChainOut(BaseModel):
    key: str
    names: list[str]
    verdict: str
    countries: list[str]


class StatementOut(BaseModel):
    company_ref: str
    name: str
    year: int
    report_year: int
    report_version: int | None
    basis: str = Field(description="report, or recorded_category when there is no report to rest on")
    member_type: str
    basis_recorded: bool
    category: str
    regime: str
    recorded_regime: str
    mismatch: bool
    chains: int | None
    chain_list: list[ChainOut]
    deciding: list[ChainOut] = Field(description="the chains that decide the regime")
    establishments: int
    membership_year: int
    amount: int
    base: int
    chains_part: int
    establishments_part: int
    cap: int | None
    risk_list_version: int
    judged_on: dt.date
    prepared_on: dt.date
    revisions: int

    @classmethod
    def of(cls, view: StatementView) -> StatementOut:
        def chain(c: CovenantChain) -> ChainOut:
            return ChainOut(key=c.key, names=list(c.names), verdict=c.verdict.value, countries=list(c.countries))

        figure = view.contribution
        return cls(
            company_ref=view.company_ref,
            name=view.company_name,
            year=view.year,
            report_year=view.report_year,
            report_version=view.report_version,
            basis=view.basis.value,
            member_type=view.member_type.value,
            basis_recorded=view.basis_recorded,
            category=view.category.value,
            regime=view.regime.value,
            recorded_regime=view.recorded_regime.value,
            mismatch=view.mismatch,
            chains=view.chains,
            chain_list=[chain(c) for c in view.chain_list],
            deciding=[chain(c) for c in view.deciding],
            establishments=view.establishments,
            membership_year=view.membership_year,
            amount=figure.amount,
            base=figure.base,
            chains_part=figure.chains_part,
            establishments_part=figure.establishments_part,
            cap=figure.cap,
            risk_list_version=view.risk_list_version,
            judged_on=view.judged_on,
            prepared_on=view.prepared_on,
            revisions=view.revisions,
        )


class YearOut(BaseModel):
    year: int
    statements: list[StatementOut]
    total: int
    budget: int | None = Field(description="bijlage 5's company contributions for the year")
    mismatches: list[str] = Field(description="refs whose recorded category says another regime than the report")
    members_without_statement: list[str]
    unreadable: list[str] = Field(description="refs whose statement no longer opens (keys destroyed)")

    @classmethod
    def of(cls, overview: YearOverview) -> YearOut:
        return cls(
            year=overview.year,
            statements=[StatementOut.of(view) for view in overview.statements],
            total=overview.total,
            budget=overview.budget,
            mismatches=[view.company_ref for view in overview.mismatches],
            members_without_statement=list(overview.members_without_statement),
            unreadable=list(overview.unreadable),
        )


class PreparedOut(BaseModel):
    year: int
    prepared: int
    revised: int
    unchanged: int

    @classmethod
    def of(cls, prepared: Prepared) -> PreparedOut:
        return cls(
            year=prepared.year, prepared=prepared.prepared, revised=prepared.revised, unchanged=prepared.unchanged
        )


# --- routes ----------------------------------------------------------------------------------------


@public.get("/risk-countries", response_model=RiskListOut)
def risk_countries(contributions: ContributionsDep) -> RiskListOut:
    """The covenant's list of risk countries: the version in force today and every version (no login)."""
    versions = contributions.risk_list()
    in_force = contributions.risk_list_on()
    return RiskListOut(in_force=RiskListVersionOut.of(in_force), versions=[RiskListVersionOut.of(v) for v in versions])


@router.post("/risk-countries", response_model=RiskListVersionOut, status_code=201)
def change_risk_countries(
    body: RiskListChangeIn, principal: PrincipalDep, contributions: ContributionsDep, request_id: RequestIdDep
) -> RiskListVersionOut:
    """A new version of the risk-country list, in force from a day (the secretariat)."""
    version = contributions.change_risk_list(
        principal,
        in_force_from=body.in_force_from,
        become_risk=body.become_risk,
        stop_being_risk=body.stop_being_risk,
        reason=body.reason,
        request_id=request_id,
    )
    return RiskListVersionOut.of(version)


@router.put("/basis/{ref}", status_code=204, response_class=Response)
def set_basis(
    ref: CompanyRef, body: BasisIn, principal: PrincipalDep, contributions: ContributionsDep, request_id: RequestIdDep
) -> Response:
    """Record a company's type (importer or associated member) and its establishments (the secretariat)."""
    contributions.set_basis(
        principal, ref, member_type=body.member_type, establishments=body.establishments, request_id=request_id
    )
    return Response(status_code=204)


@router.get("/companies/{ref}", response_model=list[StatementOut])
def company_statements(
    ref: CompanyRef, principal: PrincipalDep, contributions: ContributionsDep, request_id: RequestIdDep
) -> list[StatementOut]:
    """One company's statements, newest year first (the company itself, the secretariat)."""
    return [StatementOut.of(view) for view in contributions.own_statements(principal, ref, request_id=request_id)]


@router.post("/{year}/prepare", response_model=PreparedOut)
def prepare(
    year: ContributionYear, principal: PrincipalDep, contributions: ContributionsDep, request_id: RequestIdDep
) -> PreparedOut:
    """Prepare (or revise) every member's statement of a year from its report of the year before."""
    return PreparedOut.of(contributions.prepare(principal, year, request_id=request_id))


@router.get("/{year}", response_model=YearOut)
def year_overview(
    year: ContributionYear, principal: PrincipalDep, contributions: ContributionsDep, request_id: RequestIdDep
) -> YearOut:
    """Every statement of a year, the total against bijlage 5's budget, the mismatches (the secretariat)."""
    return YearOut.of(contributions.statements(principal, year, request_id=request_id))


@router.get("/{year}/invoices.csv", response_class=Response)
def invoices(
    year: ContributionYear, principal: PrincipalDep, contributions: ContributionsDep, request_id: RequestIdDep
) -> Response:
    """One row per statement for the bookkeeping, amounts in whole euros (the secretariat)."""
    text = contributions.invoices_csv(principal, year, request_id=request_id)
    return Response(
        content=text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="contributions-{year}.csv"'},
    )
