"""HTTP adapter for registry/usecases/statements.py: evidence statements, their verification and key.

``POST /api/v1/statements`` issues one (a public buyer about any member, a company about itself,
the secretariat). The rest is public, without a login: whoever holds a statement's code reads it
again (JSON, its signed text, its PDF); anyone checks a statement file; the signing key is published
at ``/api/v1/public/statement-keys`` (docs/statements.md)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path
from fastapi.responses import Response
from pydantic import BaseModel, Field

from registry.domain.errors import NotFoundError
from registry.usecases.statements import IssuedStatement, StatementKey, Verification
from trustone.statement_files import NotAStatementFileError, statement_pdf, statement_text_of
from trustone.web.auth import PrincipalDep
from trustone.web.deps import EvidenceStatementsDep, RequestIdDep

router = APIRouter(prefix="/api/v1/statements", tags=["statements"])
public = APIRouter(prefix="/api/v1/public", tags=["public"])

CodePath = Annotated[str, Path(min_length=8, max_length=40, description="verification code, e.g. TSV-7K4Q-...")]
KeyIdPath = Annotated[str, Path(pattern=r"^stk-[0-9a-f]{8}$", description="statement key id")]


class StatementRequest(BaseModel):
    company: str = Field(min_length=1, max_length=200, description="the company's reference")
    on: dt.date | None = Field(default=None, description="the date to answer for, up to today (default: today)")
    language: Literal["nl", "en"] = "en"


class VerificationOut(BaseModel):
    outcome: str = Field(description="valid, changed, unknown_key, not_a_statement or not_issued")
    valid: bool
    code: str | None
    issued_on: dt.date | None
    key_id: str | None

    @classmethod
    def of(cls, verification: Verification) -> VerificationOut:
        return cls(
            outcome=verification.outcome,
            valid=verification.valid,
            code=verification.code,
            issued_on=verification.issued_on,
            key_id=verification.key_id,
        )


@router.post("", response_model=IssuedStatement, status_code=201)
def issue(
    body: StatementRequest,
    principal: PrincipalDep,
    statements: EvidenceStatementsDep,
    request_id: RequestIdDep,
) -> IssuedStatement:
    """A signed statement about the company on the date. A company that was not a member then gets
    a statement that says so (not an error); 404 for a reference that is no member company."""
    return statements.issue(principal, body.company, body.on, body.language, request_id)


@public.get("/statements/{code}", response_model=IssuedStatement)
def read(code: CodePath, statements: EvidenceStatementsDep, request_id: RequestIdDep) -> IssuedStatement:
    """The statement with this code, as it was issued (404 for a code never issued)."""
    return statements.read(None, code, request_id)


@public.get("/statements/{code}/text", response_class=Response)
def read_text(code: CodePath, statements: EvidenceStatementsDep, request_id: RequestIdDep) -> Response:
    """The signed statement as text: what `trustone verify-statement` and the openssl recipe check."""
    statement = statements.read(None, code, request_id)
    return Response(
        statement.document,
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{statement.code}.txt"'},
    )


@public.get("/statements/{code}/pdf", response_class=Response)
def read_pdf(code: CodePath, statements: EvidenceStatementsDep, request_id: RequestIdDep) -> Response:
    """The statement as a PDF, carrying its signed text (checked the same way)."""
    statement = statements.read(None, code, request_id)
    return Response(
        statement_pdf(statement),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{statement.code}.pdf"'},
    )


@public.post("/statements/verify", response_model=VerificationOut)
def verify(
    statements: EvidenceStatementsDep,
    document: Annotated[bytes, Body(media_type="application/octet-stream", description="the statement's .txt or .pdf")],
) -> VerificationOut:
    """Whether the file is a statement this registry issued, unchanged. Always 200: the verdict is
    the answer (`valid` false and an `outcome` saying why)."""
    try:
        text = statement_text_of(document)
    except NotAStatementFileError:
        return VerificationOut.of(Verification("not_a_statement"))
    return VerificationOut.of(statements.verify(text))


@public.get("/statement-keys", response_model=list[StatementKey])
def keys(statements: EvidenceStatementsDep) -> list[StatementKey]:
    """The keys statements are signed with (Ed25519, PEM): keep a copy to check statements offline."""
    return statements.published_keys()


@public.get("/statement-keys/{key_id}.pem", response_class=Response)
def key_pem(key_id: KeyIdPath, statements: EvidenceStatementsDep) -> Response:
    for key in statements.published_keys():
        if key.key_id == key_id:
            return Response(key.public_key_pem, media_type="application/x-pem-file")
    raise NotFoundError("no statement key has this id")
