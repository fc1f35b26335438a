"""A company's yearly report: submitted (the company's upload, or an operator's import on its word)
and read (the company itself, the secretariat, the committee for a case file).

The committee's right to read depends on a fact of the grievance context, whether the company is
part of a case before it; this use case gathers it (``committee_cases``) for every reader, and
the policy decides what it means for the reader's role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from keys.access.principal import Principal, SystemPrincipal
from registry.application import ImportResult, RegistryApplication
from registry.domain.reports import ActionPlanItem, CommercialTerms, QuestionnaireAnswer, SupplyLink


@dataclass(frozen=True)
class ReportRead:
    """A version of a report, opened for the reader: its links, their commercial terms, the
    questionnaire and the action plan (the sites it described are in the site register by now)."""

    company: str
    year: int
    version: int
    links: tuple[SupplyLink, ...]
    terms: tuple[CommercialTerms, ...]
    questionnaire: tuple[QuestionnaireAnswer, ...]
    action_plan: tuple[ActionPlanItem, ...]


class CompanyReports:
    def __init__(
        self, registry: RegistryApplication, committee_cases: Callable[[str], bool], today: Callable[[], dt.date]
    ) -> None:
        self._registry = registry
        self._committee_cases = committee_cases
        self._today = today  # the services' clock: a report is submitted on its day

    def submit(
        self,
        principal: Principal | SystemPrincipal,
        company_ref: str,
        year: int,
        data: bytes,
        filename: str,
        submitted_on: dt.date | None = None,
        decimal_separator: str | None = None,
        part: tuple[int, int] | None = None,
        max_rows: int | None = None,
        stage: Callable[[str], None] = lambda _name: None,
        request_id: str = "",
    ) -> ImportResult:
        """The policy first (a refusal is logged), the file checked without a log entry, the grant
        logged right before the version is recorded. The CLI's operator is the system principal
        ``import-cli:<user>``: its import is an access-log entry like a company's upload."""
        return self._registry.upload_report(
            principal,
            company_ref,
            year,
            data,
            filename,
            submitted_on=submitted_on or self._today(),
            decimal_separator=decimal_separator,
            request_id=request_id,
            part=part,
            max_rows=max_rows,
            stage=stage,
        )

    def read(
        self,
        principal: Principal | SystemPrincipal,
        company_ref: str,
        year: int,
        version: int | None = None,
        purpose: str = "read report",
        request_id: str = "",
    ) -> ReportRead:
        content = self._registry.read_report(
            principal,
            company_ref,
            year,
            version,
            purpose=purpose,
            request_id=request_id,
            in_case_file=self._committee_cases(company_ref),
        )
        chosen = version or self._registry.report(company_ref, year).latest_version.number
        return ReportRead(
            company_ref, year, chosen, content.links, content.terms, content.questionnaire, content.action_plan
        )
