"""A company's pages: its yearly report (upload), its links, insight and level, its notices, buyers'
questions.

Each page calls the use case its JSON twin calls (trustone/web/reports.py, grievances.py), or the
use-case method made for it (``CompanyReports.own_links``, ``AccessLogReading.status_checks``), for
the logged-in person's own company: whether the person may, the use case and the policy decide.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePath
from typing import Annotated
from urllib.parse import quote

import openpyxl  # type: ignore[import-untyped]  # ships no type hints (as in registry/reportfile.py)
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from grievance.domain.case import MessageKind
from registry.domain.errors import ConflictError, ValidationError
from registry.domain.reports import CommercialTerms, ReportContent
from registry.reportfile import MAX_FILE_BYTES, CellError, ReportFileError
from registry.usecases.reports import DRAFT_COLUMNS, MAX_DRAFT_ROWS, ReportRead
from trustone.web.deps import (
    AccessLogReadingDep,
    CaseDeskDep,
    CompanyReportsDep,
    GrievanceCasesDep,
    RequestIdDep,
)
from trustone.web.grievances import Reference
from trustone.web.params import YearPath
from trustone.web.ui.forms import FormState, parse_int
from trustone.web.ui.i18n import N_
from trustone.web.ui.responses import see_other
from trustone.web.ui.session import PagePrincipalDep
from trustone.web.ui.templating import render as render_page

router = APIRouter(include_in_schema=False)

FIRST_YEAR, LAST_YEAR = 2000, 2100  # as YearPath bounds a report year in an address
SEPARATORS = ("", "comma", "dot")


def _when(value: str | None) -> dt.datetime | None:
    """A time the use case gives as ISO 8601 text, as the ``date``/``datetime`` filters take it."""
    return dt.datetime.fromisoformat(value) if value else None


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def render(request: Request, template: str, context: dict, status_code: int = 200) -> Response:
    return render_page(request, template, {**context, "as_datetime": _when, "as_date": _day}, status_code=status_code)


# --- the yearly report: upload ---------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblems:
    """The errors of one row of a refused file, next to what that row holds (the file's own cells)."""

    sheet: str
    row: int
    errors: tuple[CellError, ...]
    cells: tuple[tuple[str, str], ...]  # (column header, value as written); empty when not re-read

    @property
    def columns(self) -> frozenset[str]:
        return frozenset(error.column.strip().lower() for error in self.errors)


@router.get("/company/report")
def report_page(request: Request, _principal: PagePrincipalDep) -> Response:
    return render(request, "company/report.html", {"form": FormState(), "file_errors": None, "problems": []})


@router.post("/company/report")
def upload_report(
    request: Request,
    principal: PagePrincipalDep,
    reports: CompanyReportsDep,
    request_id: RequestIdDep,
    file: Annotated[UploadFile | None, File()] = None,
    year: Annotated[str, Form(max_length=10)] = "",
    decimal_separator: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """The same call as ``POST /api/v1/companies/{ref}/reports/{year}``, for the person's own company.
    A refused file is drawn with every error by row and column, next to the row's own cells read
    again from the uploaded bytes for this answer only (the file is not stored)."""
    form = FormState(values={"year": year, "decimal_separator": decimal_separator})
    chosen_year = parse_int(form, "year", FIRST_YEAR, LAST_YEAR)
    if decimal_separator not in SEPARATORS:
        form.error("decimal_separator", N_("choose one of the options"))
    data = file.file.read(MAX_FILE_BYTES + 1) if file is not None else b""
    filename = (file.filename or "") if file is not None else ""
    if not data and not filename:
        form.error("file", N_("choose the report file (.csv or .xlsx)"))
    if form.failed or chosen_year is None:
        return _report_form(request, form, status_code=422)
    try:
        result = reports.submit(
            principal,
            principal.organisation_ref,
            chosen_year,
            data,
            filename or "upload",
            decimal_separator=decimal_separator or None,
            request_id=request_id,
        )
    except ReportFileError as refused:
        return _report_form(request, form, refused.errors, _problems(refused.errors, data, filename), 422)
    except ValidationError as invalid:
        form.error("year" if invalid.field == "year" else "file", invalid.message)
        return _report_form(request, form, status_code=422)
    except ConflictError as conflict:  # not a member in that year: the year is what to change
        form.error("year", str(conflict))
        return _report_form(request, form, status_code=409)
    query = f"changed={int(result.changed)}&new_sites={result.new_sites}&held={result.held_for_review}"
    return see_other(f"/company/report/{chosen_year}?{query}")


def _report_form(
    request: Request,
    form: FormState,
    file_errors: list[CellError] | None = None,
    problems: list[RowProblems] | None = None,
    status_code: int = 200,
) -> Response:
    whole_file = [error for error in file_errors or [] if error.row == 0]
    return render(
        request,
        "company/report.html",
        {"form": form, "file_errors": file_errors, "whole_file": whole_file, "problems": problems or []},
        status_code=status_code,
    )


def _problems(errors: list[CellError], data: bytes, filename: str) -> list[RowProblems]:
    by_row: dict[tuple[str, int], list[CellError]] = defaultdict(list)
    for error in errors:
        if error.row:
            by_row[(error.sheet, error.row)].append(error)
    cells = _rows_as_written(data, filename, {key for key in by_row})
    return [
        RowProblems(sheet, row, tuple(found), cells.get((sheet, row), ()))
        for (sheet, row), found in sorted(by_row.items())
    ]


def _rows_as_written(
    data: bytes, filename: str, wanted: set[tuple[str, int]]
) -> dict[tuple[str, int], tuple[tuple[str, str], ...]]:
    """The cells of the ``wanted`` (sheet, row) of a file the parser has read already (so it is a
    readable CSV or a workbook within the size limits), numbered as the parser numbers them: the
    header is row 1, every row counts, empty or not. Display only: anything unreadable gives nothing."""
    sheets = {sheet for sheet, _ in wanted}
    try:
        if PurePath(filename.strip()).suffix.lower() == ".csv":
            text = data.decode("utf-8-sig")
            header_line = text.split("\n", 1)[0]
            delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
            tables = {"links": csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)}
            return _pick(tables, wanted)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            tables = {
                " ".join(title.split()).lower(): workbook[title].iter_rows(values_only=True)
                for title in workbook.sheetnames
                if " ".join(title.split()).lower() in sheets
            }
            return _pick(tables, wanted)
        finally:
            workbook.close()
    except Exception:  # noqa: BLE001 - the errors are shown whatever happens here; the cells are a help
        return {}


def _pick(tables: dict, wanted: set[tuple[str, int]]) -> dict[tuple[str, int], tuple[tuple[str, str], ...]]:
    found: dict[tuple[str, int], tuple[tuple[str, str], ...]] = {}
    for sheet, rows in tables.items():
        last = max((row for name, row in wanted if name == sheet), default=0)
        header: list[str] = []
        for number, values in enumerate(rows, start=1):
            texts = ["" if value is None else str(value).strip() for value in values]
            if number == 1:
                header = texts
            elif (sheet, number) in wanted:
                names = header + [""] * (len(texts) - len(header))
                found[(sheet, number)] = tuple(
                    (name, value) for name, value in zip(names, texts, strict=False) if name or value
                )
            if number >= last:
                break
    return found


# --- the yearly report: entered in a form, kept as a draft, then submitted --------------------------


@dataclass(frozen=True)
class DraftForm:
    """What the draft form sent: the year, the button pressed, and its rows (one value per column
    per row, in order; a row left wholly empty is dropped)."""

    year: str
    action: str
    rows: list[dict[str, str]]


async def draft_form(request: Request) -> DraftForm:
    """The form's repeated fields, read once (the route itself runs in a worker thread)."""
    # Starlette reads at most 1000 fields unless told: a form of MAX_DRAFT_ROWS rows sends 13 a row.
    sent = await request.form(max_fields=len(DRAFT_COLUMNS) * (MAX_DRAFT_ROWS + 1) + 16)
    columns = {column: [str(value) for value in sent.getlist(column)] for column in DRAFT_COLUMNS}
    count = min(max((len(values) for values in columns.values()), default=0), MAX_DRAFT_ROWS + 1)
    rows = [
        {column: (values[index].strip() if index < len(values) else "") for column, values in columns.items()}
        for index in range(count)
    ]
    return DraftForm(
        year=str(sent.get("year", ""))[:10],
        action=str(sent.get("action", ""))[:10],
        rows=[row for row in rows if any(value for column, value in row.items() if column not in _DEFAULTS)],
    )


# Columns a new row starts with a value in: a row with only these is empty.
_DEFAULTS = ("tier", "site_kind", "channel", "circular")
_BLANK_ROW = {column: "" for column in DRAFT_COLUMNS} | {"circular": "no"}


def _rows_of(content: ReportContent | ReportRead) -> list[dict[str, str]]:
    terms = list(content.terms) or [CommercialTerms() for _ in content.links]
    return [
        {
            "chain": link.chain,
            "tier": str(link.tier),
            "site_kind": link.site_kind.value,
            "site_id": link.site_id or "",
            "stone_type": link.stone_type,
            "product": link.product,
            "channel": link.channel.value,
            "origin_confidence": link.origin_confidence.value if link.origin_confidence else "",
            "circular": "yes" if link.circular else "no",
            "volume": "" if term.volume is None else str(term.volume),
            "volume_unit": term.volume_unit or "",
            "price_eur_per_unit": "" if term.price_eur_per_unit is None else str(term.price_eur_per_unit),
            "contract_notes": term.contract_notes,
        }
        for link, term in zip(content.links, terms, strict=True)
    ]


def _draft_page(
    request: Request,
    form: FormState,
    rows: list[dict[str, str]],
    year: int | None,
    errors: list[CellError] | None = None,
    source: str = "",
    status_code: int = 200,
) -> Response:
    by_row: dict[int, list[CellError]] = defaultdict(list)
    for error in errors or []:
        by_row[error.row - 2].append(error)  # row 1 is the header: the form's first row is row 2
    return render(
        request,
        "company/draft.html",
        {
            "form": form,
            "rows": rows or [dict(_BLANK_ROW)],
            "year": year,
            "row_errors": by_row,
            "errors": errors or [],
            "source": source,
            "saved": request.query_params.get("saved") == "1",
        },
        status_code=status_code,
    )


@router.get("/company/report/draft")
def draft_page(
    request: Request,
    principal: PagePrincipalDep,
    reports: CompanyReportsDep,
    request_id: RequestIdDep,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
) -> Response:
    """The year's draft in the form; without one, the latest version's links to start from."""
    form = FormState(values={"year": "" if year is None else str(year)})
    if year is None:
        return _draft_page(request, form, [], None)
    draft = reports.read_draft(principal, principal.organisation_ref, year, request_id=request_id)
    if draft is not None:
        return _draft_page(request, form, _rows_of(draft), year, source="draft")
    latest = reports.own_links(principal, principal.organisation_ref, year, request_id=request_id).report
    if latest is not None:
        return _draft_page(request, form, _rows_of(latest), year, source=f"version {latest.version}")
    return _draft_page(request, form, [], year)


@router.post("/company/report/draft")
def save_draft(
    request: Request,
    principal: PagePrincipalDep,
    reports: CompanyReportsDep,
    request_id: RequestIdDep,
    sent: Annotated[DraftForm, Depends(draft_form)],
) -> Response:
    """Save (``save``), add an empty row (``add``: nothing is saved), or save and submit (``submit``)."""
    form = FormState(values={"year": sent.year})
    year = parse_int(form, "year", FIRST_YEAR, LAST_YEAR)
    if sent.action == "add" or year is None:
        rows = [*sent.rows, dict(_BLANK_ROW)] if sent.action == "add" else sent.rows
        return _draft_page(request, form, rows, year, status_code=422 if form.failed else 200)
    try:
        reports.save_draft(principal, principal.organisation_ref, year, sent.rows, request_id=request_id)
        if sent.action == "submit":
            result = reports.submit_draft(principal, principal.organisation_ref, year, request_id=request_id)
            return see_other(f"/company/report/{year}?changed={int(result.changed)}&new_sites=0&held=0")
    except ReportFileError as refused:
        return _draft_page(request, form, sent.rows, year, refused.errors, status_code=422)
    except ValidationError as invalid:
        form.error("year", invalid.message)
        return _draft_page(request, form, sent.rows, year, status_code=422)
    except ConflictError as conflict:
        form.error("year", str(conflict))
        return _draft_page(request, form, sent.rows, year, status_code=409)
    return see_other(f"/company/report/draft?year={year}&saved=1")


@router.get("/company/report/{year}")
def report_submitted(
    request: Request,
    year: YearPath,
    principal: PagePrincipalDep,
    reports: CompanyReportsDep,
    request_id: RequestIdDep,
    changed: Annotated[int, Query(ge=0, le=1)] = 1,
    new_sites: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    held: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """The confirmation after an upload: the report's latest version, as ``GET .../reports/{year}`` reads it."""
    report = reports.read(principal, principal.organisation_ref, year, purpose="read report", request_id=request_id)
    return render(
        request,
        "company/report_done.html",
        {"report": report, "changed": bool(changed), "new_sites": new_sites, "held": held},
    )


# --- its links, insight and level ------------------------------------------------------------------


@router.get("/company/links")
def links_page(
    request: Request,
    principal: PagePrincipalDep,
    reports: CompanyReportsDep,
    request_id: RequestIdDep,
    year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
) -> Response:
    overview = reports.own_links(principal, principal.organisation_ref, year, request_id=request_id)
    return render(request, "company/links.html", {"overview": overview})


# --- its notices and responses ---------------------------------------------------------------------


@router.get("/company/cases")
def cases_page(request: Request, principal: PagePrincipalDep, desk: CaseDeskDep, request_id: RequestIdDep) -> Response:
    """The cases on the company's desk (``GET /api/v1/grievances``) and its notices (``.../notices``)."""
    queue = desk.queue(principal, request_id)
    notices = desk.notices(principal, request_id)
    return render(request, "company/cases.html", {"queue": queue, "notices": notices})


def _case_page(request: Request, case: dict, form: FormState, sent: bool = False, status_code: int = 200) -> Response:
    return render(
        request,
        "company/case.html",
        {"case": case, "form": form, "sent": sent},
        status_code=status_code,
    )


@router.get("/company/cases/{reference}")
def case_page(
    request: Request,
    reference: Reference,
    principal: PagePrincipalDep,
    cases: GrievanceCasesDep,
    request_id: RequestIdDep,
    sent: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """The case as the company may see it (``GET /api/v1/grievances/{reference}``), and its answer form."""
    case = cases.read_case(principal, reference, request_id)
    return _case_page(request, case, FormState(values={"kind": MessageKind.RESPONSE.value}), sent=bool(sent))


@router.post("/company/cases/{reference}")
def respond(
    request: Request,
    reference: Reference,
    principal: PagePrincipalDep,
    cases: GrievanceCasesDep,
    request_id: RequestIdDep,
    kind: Annotated[str, Form(max_length=40)] = "",
    text: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """A response, remediation proposal or progress report (``POST .../{reference}/messages``)."""
    form = FormState(values={"kind": kind, "text": text})
    if kind not in {k.value for k in MessageKind}:
        form.error("kind", N_("choose one of the options"))
    if not text.strip():
        form.error("text", N_("required"))
    elif len(text) > 10_000:
        form.error("text", N_("at most %(n)s characters"), n=10_000)
    if not form.failed:
        try:
            cases.write(principal, reference, MessageKind(kind), text, request_id)
        except ValidationError as invalid:
            form.error("text", invalid.message)
        else:
            return see_other(f"/company/cases/{quote(reference)}?sent=1")
    case = cases.read_case(principal, reference, request_id)
    return _case_page(request, case, form, status_code=422)


# --- buyers' questions -----------------------------------------------------------------------------


@router.get("/company/buyers")
def buyers_page(
    request: Request, principal: PagePrincipalDep, log: AccessLogReadingDep, request_id: RequestIdDep
) -> Response:
    """Which public buyers checked the company's membership status, and when (the access log's
    entries about the company's own data)."""
    checks = log.status_checks(principal, request_id)
    return render(request, "company/buyers.html", {"checks": checks})
