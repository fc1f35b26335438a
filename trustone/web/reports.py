"""Yearly reports over HTTP: a company uploads its own report file; readers go through the filter."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, UploadFile

from registry.application import ImportResult
from registry.domain.errors import ValidationError
from registry.domain.reports import MAX_PARTS
from registry.reportfile import MAX_FILE_BYTES
from registry.usecases.reports import ReportRead
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
