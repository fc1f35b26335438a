"""A company's yearly report: submitted (the company's upload, or an operator's import on its word)
and read (the company itself, the secretariat, the committee for a case file).

The committee's right to read depends on a fact of the grievance context, whether the company is
part of a case before it; this use case gathers it (``committee_cases``) for every reader, and
the policy decides what it means for the reader's role."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from keys.access.principal import Principal, SystemPrincipal
from registry.application import ImportResult, RegistryApplication
from registry.domain.assessment import LEVEL_THRESHOLDS
from registry.domain.errors import NotFoundError
from registry.domain.reports import (
    ActionPlanItem,
    AssessmentRecord,
    CommercialTerms,
    DescribedSite,
    OriginConfidence,
    QuestionnaireAnswer,
    ReportContent,
    SupplyChainReport,
    SupplyLink,
)
from registry.reportfile import CellError, ParsedLinkRow, ReportFileError, parse_report_file


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


@dataclass(frozen=True)
class LevelThresholds:
    """What a level asks, each "at least" (art. 5 lid 6: ``LEVEL_THRESHOLDS``)."""

    level: int
    quarry_insight: int
    factory_insight: int
    due_diligence_score: int


@dataclass(frozen=True)
class OwnLinks:
    """A company's own view of a report year: the latest version's links (None before any version),
    its insight percentages (in clear on the version), the year's latest assessment and what the next
    level above it asks (None at the highest level). ``years``: the years with a submitted version."""

    company: str
    year: int
    years: tuple[int, ...]
    report: ReportRead | None
    submitted_on: dt.date | None
    quarry_insight: Decimal | None
    factory_insight: Decimal | None
    assessment: AssessmentRecord | None
    next_level: LevelThresholds | None


# The columns of a report entered in a form (docs/report-format.md): a registered site by its id, or
# an unknown site; a site the registry does not know yet is described in an uploaded file instead.
DRAFT_COLUMNS = (
    "chain",
    "tier",
    "site_kind",
    "site_id",
    "stone_type",
    "product",
    "channel",
    "origin_confidence",
    "circular",
    "volume",
    "volume_unit",
    "price_eur_per_unit",
    "contract_notes",
)
MAX_DRAFT_ROWS = 500  # a form; a larger report is a file
_WRONG_KIND = "does not match the kind of the site with this id"


def next_level_after(level: int) -> LevelThresholds | None:
    above = sorted(number for number in LEVEL_THRESHOLDS if number > level)
    if not above:
        return None
    quarries, factories, score = LEVEL_THRESHOLDS[above[0]]
    return LevelThresholds(above[0], quarries, factories, score)


class CompanyReports:
    def __init__(
        self,
        registry: RegistryApplication,
        committee_cases: Callable[[str], bool],
        today: Callable[[], dt.date],
        verified: Callable[[uuid.UUID, int, str | None], bool] = lambda _company, _year, _site: False,
    ) -> None:
        """``verified(company id, year, site id)``: whether a field check confirmed that link
        (registry/usecases/verification.py): the company's own links show it as verified."""
        self._registry = registry
        self._committee_cases = committee_cases
        self._today = today  # the services' clock: a report is submitted on its day
        self._verified = verified

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

    def own_links(
        self, principal: Principal | SystemPrincipal, company_ref: str, year: int | None = None, request_id: str = ""
    ) -> OwnLinks:
        """The company's links of ``year`` with their insight percentages and level, for the
        company's own page. Decided as a report read (``read_report``: the company itself, the
        secretariat, the committee for a case file); a refusal is logged before anything is read.
        The version's links are opened through ``read`` (its grant is the one entry); a year
        without a version logs its grant as it reads nothing sealed. ``year`` None: the latest year
        with a version (last year when there is none)."""
        company = self._registry.company(company_ref)
        about = {
            "subject_kind": "report",
            "subject_ref": f"{company_ref}/{'latest' if year is None else year}",
            "company": company_ref,
            "purpose": "own links",
            "request_id": request_id,
            "facts": {
                "own_data": getattr(principal, "organisation_id", None) == company.id,
                "in_case_file": self._committee_cases(company_ref),
            },
        }
        self._registry.vault.check(principal, "read_report", **about)  # type: ignore[arg-type]  # About's keys
        years = tuple(y for y in self._membership_years(company_ref) if self._latest(company_ref, y) is not None)
        if year is None:
            year = years[-1] if years else self._today().year - 1
        report = self._report_or_none(company_ref, year)
        latest = report.latest if report is not None else None
        if latest is None:
            self._registry.vault.authorise(principal, "read_report", **about)  # type: ignore[arg-type]  # About's keys
            read = None
        else:
            read = self.read(principal, company_ref, year, latest.number, purpose="own links", request_id=request_id)
            read = replace(read, links=self._marked(company.id, year, read.links))
        assessment = report.assessments[-1] if report is not None and report.assessments else None
        return OwnLinks(
            company=company_ref,
            year=year,
            years=years,
            report=read,
            submitted_on=latest.submitted_on if latest else None,
            quarry_insight=latest.quarry_insight if latest else None,
            factory_insight=latest.factory_insight if latest else None,
            assessment=assessment,
            next_level=next_level_after(assessment.level if assessment else 0),
        )

    def _marked(self, company_id: uuid.UUID, year: int, links: Sequence[SupplyLink]) -> tuple[SupplyLink, ...]:
        """The links, those a field check confirmed with origin confidence "verified" (issue 16)."""
        return tuple(
            replace(link, origin_confidence=OriginConfidence.VERIFIED)
            if self._verified(company_id, year, link.site_id)
            else link
            for link in links
        )

    def _membership_years(self, company_ref: str) -> range:
        periods = self._registry.company(company_ref).periods
        if not periods:
            return range(0)
        last = max(self._today().year + 1 if p.ended_on is None else p.ended_on.year for p in periods)
        return range(min(p.joined_on.year for p in periods), last + 1)

    def _report_or_none(self, company_ref: str, year: int) -> SupplyChainReport | None:
        try:
            return self._registry.report(company_ref, year)
        except NotFoundError:
            return None

    def _latest(self, company_ref: str, year: int) -> object | None:
        report = self._report_or_none(company_ref, year)
        return report.latest if report is not None else None

    # --- a report entered in a form: the draft (docs/lifecycles.md, "Draft and submit") -----------

    def save_draft(
        self,
        principal: Principal | SystemPrincipal,
        company_ref: str,
        year: int,
        rows: Sequence[Mapping[str, str]],
        request_id: str = "",
    ) -> ReportContent:
        """Keep the rows of the report form as the year's draft (replacing the previous one), sealed
        like a version. The rows are checked as the rows of a report file are (the same rules, the
        same errors by row and column: the header is row 1, the first link row 2), and each site id
        must name a registered site of that kind. Decided as a submission (``submit_report``: the
        company itself); the grant is logged right before the draft is written."""
        about = self._about(principal, company_ref, year, "save draft", request_id)
        self._registry.vault.check(principal, "submit_report", **about)  # type: ignore[arg-type]  # About's keys
        content = self._draft_content(principal, company_ref, year, rows, request_id)
        self._registry.save_report_draft(
            company_ref,
            year,
            content,
            before_write=lambda: self._registry.vault.authorise(principal, "submit_report", **about),  # type: ignore[arg-type]  # About's keys
        )
        return content

    def read_draft(
        self, principal: Principal | SystemPrincipal, company_ref: str, year: int, request_id: str = ""
    ) -> ReportContent | None:
        """The year's draft, opened for the form (a report read: the company itself, the
        secretariat); None when there is none (the refusal of another reader is logged first)."""
        about = self._about(principal, company_ref, year, "edit draft", request_id)
        self._registry.vault.check(principal, "read_report", **about)  # type: ignore[arg-type]  # About's keys
        report = self._report_or_none(company_ref, year)
        if report is None or report.draft is None:
            return None
        opened = self._registry.vault.open(principal, "read_report", report.draft, **about)  # type: ignore[arg-type]  # About's keys
        if not all(isinstance(value, list) for value in opened.values()):
            return None  # shredded: nothing left to edit
        return ReportContent.from_event_fields(**opened)

    def submit_draft(
        self, principal: Principal | SystemPrincipal, company_ref: str, year: int, request_id: str = ""
    ) -> ImportResult:
        """Submit the saved draft as the next version, on the services' clock's day."""
        about = self._about(principal, company_ref, year, "submit draft", request_id)
        self._registry.vault.check(principal, "submit_report", **about)  # type: ignore[arg-type]  # About's keys
        return self._registry.submit_report_draft(
            principal, company_ref, year, submitted_on=self._today(), request_id=request_id
        )

    def _about(
        self, principal: Principal | SystemPrincipal, company_ref: str, year: int, purpose: str, request_id: str
    ) -> dict[str, object]:
        company = self._registry.company(company_ref)
        return {
            "subject_kind": "report",
            "subject_ref": f"{company_ref}/{year}",
            "company": company_ref,
            "purpose": purpose,
            "request_id": request_id,
            "facts": {"own_data": getattr(principal, "organisation_id", None) == company.id},
        }

    def _described_by_latest(
        self, principal: Principal | SystemPrincipal, company_ref: str, year: int, request_id: str
    ) -> dict[str, DescribedSite]:
        """The sites the year's latest version described that are not in the register yet (they
        enter it with other members' new sites): a draft started from that version keeps them."""
        report = self._report_or_none(company_ref, year)
        if report is None or report.latest is None:
            return {}
        content = self._registry.read_report(
            principal,
            company_ref,
            year,
            purpose="draft: the sites the latest version described",
            request_id=request_id,
            in_case_file=self._committee_cases(company_ref),
        )
        return {site.public_id: site for site in content.new_sites}

    def _draft_content(
        self,
        principal: Principal | SystemPrincipal,
        company_ref: str,
        year: int,
        rows: Sequence[Mapping[str, str]],
        request_id: str,
    ) -> ReportContent:
        if len(rows) > MAX_DRAFT_ROWS:
            raise ReportFileError(
                [CellError("links", 0, "", f"at most {MAX_DRAFT_ROWS} links in the form: upload a file instead")]
            )
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(DRAFT_COLUMNS)
        for fields in rows:
            writer.writerow([str(fields.get(column, "")) for column in DRAFT_COLUMNS])
        parsed = parse_report_file(out.getvalue().encode(), "form.csv")
        errors: list[CellError] = []
        waiting: list[ParsedLinkRow] = []
        for row in parsed.rows:
            if row.site_id is None:
                continue
            try:
                kind = self._registry.site(row.site_id).kind
            except NotFoundError:
                waiting.append(row)
                continue
            if kind != row.site_kind:
                errors.append(CellError("links", row.row, "site_kind", _WRONG_KIND))
        described = self._described_by_latest(principal, company_ref, year, request_id) if waiting else {}
        kept: dict[str, DescribedSite] = {}
        for row in waiting:
            site = described.get(row.site_id or "")
            if site is None:
                errors.append(CellError("links", row.row, "site_id", "no production site with this id in the registry"))
            elif site.kind != row.site_kind.value:
                errors.append(CellError("links", row.row, "site_kind", _WRONG_KIND))
            else:
                kept[site.public_id] = site
        if errors:
            raise ReportFileError(errors)
        return ReportContent(
            new_sites=tuple(kept.values()),
            links=tuple(
                SupplyLink(
                    row.chain,
                    row.tier,
                    row.site_kind,
                    row.site_id,
                    row.stone_type,
                    row.product,
                    row.channel,
                    row.origin_confidence,
                    row.circular,
                )
                for row in parsed.rows
            ),
            terms=tuple(
                CommercialTerms(row.volume, row.volume_unit, row.price_eur_per_unit, row.contract_notes)
                for row in parsed.rows
            ),
        )
