"""Yearly reports over HTTP: a company uploads its own report file; readers go through the filter."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, File, Path, Query, UploadFile
from pydantic import BaseModel, Field

from registry.domain.errors import ValidationError
from registry.domain.reports import MAX_PARTS
from registry.reportfile import MAX_FILE_BYTES
from trustone.web.auth import PrincipalDep
from trustone.web.deps import RequestIdDep, ServicesDep

router = APIRouter(prefix="/api/v1/companies/{ref}/reports", tags=["reports"])
YearPath = Annotated[int, Path(ge=2000, le=2100, description="report year")]


class ImportOut(BaseModel):
    changed: bool
    version: int
    new_sites: int = Field(
        description="sites the report describes that the registry does not know yet; they enter"
        " the site register together with the new sites of other members"
    )
    held_for_review: int = Field(description="of those, how many may be a site the registry knows already")
    decimal_separator: Literal["comma", "dot"] | None
    decimal_separator_decided: str
    parts_missing: list[int] = Field(default_factory=list, description="a report in parts: the parts still to come")


class LinkOut(BaseModel):
    chain: str
    tier: int
    site_kind: str
    site_id: str | None
    stone_type: str
    product: str
    channel: str
    origin_confidence: str | None
    circular: bool


class TermsOut(BaseModel):
    volume: str | None
    volume_unit: str | None
    price_eur_per_unit: str | None
    contract_notes: str


class ReportOut(BaseModel):
    company: str
    year: int
    version: int
    links: list[LinkOut]
    terms: list[TermsOut]
    questionnaire: list[dict[str, str]]
    action_plan: list[dict[str, str | int]]


@router.post("/{year}", response_model=ImportOut)
def upload_report(
    ref: str,
    year: YearPath,
    file: Annotated[UploadFile, File(description="CSV or XLSX")],
    principal: PrincipalDep,
    svc: ServicesDep,
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
) -> ImportOut:
    """Submit the company's own report for a year (docs/report-format.md). A bad file is rejected
    whole (422 with every error by row and column); the same file again changes nothing. The result
    says which decimal separator the numbers were read with, and how it was decided."""
    if (part is None) != (of is None):
        raise ValidationError("part" if part is None else "of", "part and of go together: ?part=N&of=M")
    data = file.file.read(MAX_FILE_BYTES + 1)  # the parser refuses anything larger, naming the limit
    result = svc.registry.upload_report(
        principal,
        ref,
        year,
        data,
        file.filename or "upload",
        submitted_on=dt.date.today(),
        decimal_separator=decimal_separator,
        request_id=request_id,
        part=(part, of) if part and of else None,
    )
    return ImportOut(**vars(result))


@router.get("/{year}", response_model=ReportOut)
def read_report(
    ref: str,
    year: YearPath,
    principal: PrincipalDep,
    svc: ServicesDep,
    request_id: RequestIdDep,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> ReportOut:  # a stored INTEGER
    """A report version's content (latest by default): the company itself and the secretariat."""
    content = svc.registry.read_report(principal, ref, year, version, purpose="read report", request_id=request_id)
    chosen = version or svc.registry.report(ref, year).latest_version.number
    return ReportOut(
        company=ref,
        year=year,
        version=chosen,
        links=[
            LinkOut(
                chain=link.chain,
                tier=link.tier,
                site_kind=link.site_kind.value,
                site_id=link.site_id,
                stone_type=link.stone_type,
                product=link.product,
                channel=link.channel.value,
                origin_confidence=link.origin_confidence.value if link.origin_confidence else None,
                circular=link.circular,
            )
            for link in content.links
        ],
        terms=[
            TermsOut(
                volume=_text(t.volume),
                volume_unit=t.volume_unit,
                price_eur_per_unit=_text(t.price_eur_per_unit),
                contract_notes=t.contract_notes,
            )
            for t in content.terms
        ],
        questionnaire=[vars(answer) for answer in content.questionnaire],
        action_plan=[vars(item) for item in content.action_plan],
    )


def _text(number: object) -> str | None:
    return None if number is None else str(number)
