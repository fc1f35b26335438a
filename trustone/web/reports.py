"""Yearly reports over HTTP: a company uploads its own report file; readers go through the filter."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from registry.application import ImportResult
from registry.domain.errors import ValidationError
from registry.domain.reports import MAX_PARTS, ReportContent
from registry.reportfile import MAX_FILE_BYTES
from registry.usecases.reports import MAX_DRAFT_ROWS, OwnLinks, ReportRead
from trustone.web.auth import PrincipalDep
from trustone.web.deps import CompanyReportsDep, RequestIdDep
from trustone.web.params import YearPath

router = APIRouter(prefix="/api/v1/companies/{ref}/reports", tags=["reports"])


@router.post("/{year}", response_model=ImportResult)
def upload_report(
    ref: str,
    year: YearPath,
    file: Annotated[UploadFile, File(description="CSV or XLSX")],
    principal: PrincipalDep,
    reports: CompanyReportsDep,
    request_id: RequestIdDep,
    decimal_separator: Annotated[
        Literal["comma", "dot"] | None,
        Query(
            description="the file's decimal separator; left out, it is detected from the file's "
            "numbers (docs/report-format.md, Numbers)"
        ),
    ] = None,
    part: Annotated[
        int | None,
        Query(ge=1, le=MAX_PARTS, description=("this file is part N of a report uploaded in parts (with `of`)")),
    ] = None,
    of: Annotated[
        int | None,
        Query(
            ge=2, le=MAX_PARTS, description=("how many parts the report has; it is submitted whole when the last is in")
        ),
    ] = None,
) -> ImportResult:
    """Submit the company's own report for a year (docs/report-format.md). A bad file is rejected
    whole (422 with every error by row and column); the same file again changes nothing. The result
    says whether a version was recorded, the sites the report describes that the registry does not
    know yet (`new_sites`: they enter the site register together with other members' new sites) and
    how many of those may be a site it knows already (`held_for_review`), which decimal separator the
    numbers were read with and how it was decided, and for a report in parts the parts still to come."""
    if (part is None) != (of is None):
        raise ValidationError("part" if part is None else "of", "part and of go together: ?part=N&of=M")
    data = file.file.read(MAX_FILE_BYTES + 1)  # the parser refuses anything larger, naming the limit
    return reports.submit(
        principal,
        ref,
        year,
        data,
        file.filename or "upload",
        decimal_separator=decimal_separator,
        request_id=request_id,
        part=(part, of) if part and of else None,
    )


@router.get("/{year}", response_model=ReportRead)
def read_report(
    ref: str,
    year: YearPath,
    principal: PrincipalDep,
    reports: CompanyReportsDep,
    request_id: RequestIdDep,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,  # a stored INTEGER
) -> ReportRead:
    """A report version's content (latest by default): the company itself, the secretariat, and the
    committee while the company is part of a case before it."""
    return reports.read(principal, ref, year, version, purpose="read report", request_id=request_id)


@router.get("/{year}/links", response_model=OwnLinks)
def own_links(
    ref: str, year: YearPath, principal: PrincipalDep, reports: CompanyReportsDep, request_id: RequestIdDep
) -> OwnLinks:
    """A company's view of a report year, as its links page shows it: the latest version's links
    (``report`` null before any version), its insight percentages, the year's latest assessment and
    what the next level asks (null at the highest), and the years with a submitted version. Decided
    as a report read: the company itself, the secretariat, the committee for a case file; one
    access-log entry."""
    return reports.own_links(principal, ref, year, request_id=request_id)


# The longest text a draft cell may carry here; the report's own rules (docs/report-format.md) are
# tighter and refuse a longer value by row and column, as an uploaded file's.
_CELL = 400
_NOTES = 4000


class DraftRowIn(BaseModel):
    """One link of a report entered in a form, as the text of a report file's cells: a registered
    site by its id, or an unknown site (no ``site_id``). A site the registry does not know yet is
    described in an uploaded file instead."""

    model_config = ConfigDict(extra="forbid")

    chain: str = Field(default="", max_length=_CELL)
    tier: str = Field(default="", max_length=_CELL, description="1 (factory) or 2 (quarry) and so on")
    site_kind: str = Field(default="", max_length=_CELL, description="quarry or factory")
    site_id: str = Field(default="", max_length=_CELL, description="a registered site's public id")
    stone_type: str = Field(default="", max_length=_CELL)
    product: str = Field(default="", max_length=_CELL)
    channel: str = Field(default="", max_length=_CELL)
    origin_confidence: str = Field(default="", max_length=_CELL)
    circular: str = Field(default="", max_length=_CELL, description="yes or no")
    volume: str = Field(default="", max_length=_CELL)
    volume_unit: str = Field(default="", max_length=_CELL)
    price_eur_per_unit: str = Field(default="", max_length=_CELL)
    contract_notes: str = Field(default="", max_length=_NOTES)


class DraftIn(BaseModel):
    links: list[DraftRowIn] = Field(
        max_length=MAX_DRAFT_ROWS, description=f"at most {MAX_DRAFT_ROWS}: a larger report is a file"
    )


@router.get("/{year}/draft", response_model=ReportContent | None)
def read_draft(
    ref: str, year: YearPath, principal: PrincipalDep, reports: CompanyReportsDep, request_id: RequestIdDep
) -> ReportContent | None:
    """The year's draft as saved (null when there is none): the company itself, the secretariat."""
    return reports.read_draft(principal, ref, year, request_id=request_id)


@router.put("/{year}/draft", response_model=ReportContent)
def save_draft(
    ref: str,
    year: YearPath,
    body: DraftIn,
    principal: PrincipalDep,
    reports: CompanyReportsDep,
    request_id: RequestIdDep,
) -> ReportContent:
    """Keep these links as the year's draft, replacing the previous one; the versions stay as they
    are. The rows are checked as a report file's link rows are (422 with every error by row and
    column: row 1 is the header, the first link row 2), and each site id must name a registered site
    of that kind. The company itself; the grant is logged right before the draft is written."""
    rows = [row.model_dump() for row in body.links]
    return reports.save_draft(principal, ref, year, rows, request_id=request_id)


@router.post("/{year}/draft/submit", response_model=ImportResult)
def submit_draft(
    ref: str, year: YearPath, principal: PrincipalDep, reports: CompanyReportsDep, request_id: RequestIdDep
) -> ImportResult:
    """Submit the saved draft as the year's next version (409 when there is no draft)."""
    return reports.submit_draft(principal, ref, year, request_id=request_id)
