"""Pages of evidence statements (docs/statements.md): a buyer's or a company's request, the
printable statement, the public verification page.

Each page calls the use case its JSON twin calls (trustone/web/statements.py): ``EvidenceStatements``
``issue`` with the principal, ``read`` with the principal or none (whoever holds the code holds the
statement), ``verify`` on the text ``statement_text_of`` finds in an uploaded file. Who may ask about
which company is the use case's to decide (``may_issue`` before a form is drawn, ``issue`` again on
the post); a refusal is its AccessDeniedError, drawn as the 403 page. The downloads (PDF, signed
text) are the JSON API's public routes, linked.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from registry.domain.errors import NotFoundError, ValidationError
from registry.usecases.statements import IssuedStatement, Verification
from trustone.statement_files import MAX_STATEMENT_FILE, NotAStatementFileError, statement_text_of
from trustone.web.deps import EvidenceStatementsDep, PublishedListsDep, RequestIdDep
from trustone.web.ui.forms import FormState, parse_date
from trustone.web.ui.i18n import N_
from trustone.web.ui.responses import see_other
from trustone.web.ui.session import OptionalPrincipalDep, PagePrincipalDep
from trustone.web.ui.templating import page_language, render

router = APIRouter(include_in_schema=False)

BUYER = "/buyer/statements"
COMPANY = "/company/statement"
LANGUAGES = ("nl", "en")  # a statement's wording (registry/domain/statements.py ``LANGUAGES``)
KEYS = "/api/v1/public/statement-keys"
PUBLIC = "/api/v1/public/statements"
OFFLINE_COMMAND = "trustone verify-statement statement.pdf --key key.pem"  # trustone/cli (docs/statements.md)

# Each criterion of bijlage 3 (``CriterionCheck.key``) as the reader's language names it.
CRITERIA: dict[str, str] = {
    "factories_known": N_("Factories known: at least %(required)s"),
    "quarries_known": N_("Quarries known: at least %(required)s"),
    "positive_assessments": N_("Positive yearly assessments in a row: at least %(required)s"),
    "level_significant": N_("Level %(required)s or higher (annex 3, 'significant')"),
    "level_ambitious": N_("Level %(required)s or higher (annex 3, 'ambitious')"),
}

# The verdict of a check (``Verification.outcome``), in plain words.
VERDICTS: dict[str, str] = {
    "valid": N_("Valid: this statement was issued by TruStone on %(date)s and has not been changed since."),
    "changed": N_("This statement was changed after it was signed: do not rely on it."),
    "not_issued": N_(
        "This text is signed like a TruStone statement, but TruStone has no record of issuing it: do not rely on it."
    ),
    "unknown_key": N_(
        "This statement is signed with a key TruStone does not publish: it cannot be checked here. Do not rely on it."
    ),
    "not_a_statement": N_(
        "This is not a TruStone statement: it carries no signed statement text. Upload the .txt or .pdf file"
        " you received, or paste its full text."
    ),
}


# --- asking for a statement (a buyer about a member, a company about itself) --------------------


def _members(lists: Any) -> list[tuple[str, str]]:
    """The current members on the public member listing (published data), as the select offers them."""
    return [(member["ref"], member["name"]) for member in lists.members() if member["current_member"]]


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def _ask_page(
    request: Request, template: str, form: FormState, members: list[tuple[str, str]] | None = None, status: int = 200
) -> Response:
    return render(
        request,
        template,
        {"form": form, "members": members or []},
        status_code=status,
    )


def _issue(
    statements: Any,
    principal: Any,
    request_id: str,
    form: FormState,
    ref: str,
    on_text: str,
    language: str,
    unknown: tuple[str, str] = ("company", N_("No member company has this reference.")),
) -> Response | None:
    """Issue the statement and redirect to it; none when the form failed (its errors are on ``form``).
    ``unknown``: the field and message for a reference that is no member company."""
    statements.may_issue(principal, ref or None, request_id)  # refused before any input is judged
    on = parse_date(form, "on", required=False) if on_text else None
    if language not in LANGUAGES:
        form.error("language", N_("choose Dutch or English"))
    if form.failed:
        return None
    try:
        issued = statements.issue(principal, ref, on, language, request_id)
    except ValidationError as error:
        form.add(error)
        return None
    except NotFoundError:
        form.error(*unknown)
        return None
    return see_other(f"/statements/{quote(issued.code)}")


@router.get(BUYER)
def buyer_page(
    request: Request,
    principal: PagePrincipalDep,
    statements: EvidenceStatementsDep,
    lists: PublishedListsDep,
    request_id: RequestIdDep,
) -> Response:
    statements.may_issue(principal, None, request_id)  # a role that may not ask gets 403, not a form
    form = FormState(values={"company": "", "on": _today(), "language": page_language(request)})
    return _ask_page(request, "statements/buyer.html", form, _members(lists))


@router.post(BUYER)
def buyer_issue(
    request: Request,
    principal: PagePrincipalDep,
    statements: EvidenceStatementsDep,
    lists: PublishedListsDep,
    request_id: RequestIdDep,
    company: Annotated[str, Form(max_length=200)] = "",
    on: Annotated[str, Form(max_length=10)] = "",
    language: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    ref = company.strip()
    form = FormState(values={"company": ref, "on": on.strip(), "language": language})
    if not ref:
        form.error("company", N_("choose a company"))
    done = _issue(statements, principal, request_id, form, ref, on.strip(), language)
    if done is not None:
        return done
    return _ask_page(request, "statements/buyer.html", form, _members(lists), status=422)


@router.get(COMPANY)
def company_page(
    request: Request, principal: PagePrincipalDep, statements: EvidenceStatementsDep, request_id: RequestIdDep
) -> Response:
    statements.may_issue(principal, principal.organisation_ref, request_id)
    form = FormState(values={"on": _today(), "language": page_language(request)})
    return _ask_page(request, "statements/company.html", form)


@router.post(COMPANY)
def company_issue(
    request: Request,
    principal: PagePrincipalDep,
    statements: EvidenceStatementsDep,
    request_id: RequestIdDep,
    on: Annotated[str, Form(max_length=10)] = "",
    language: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    form = FormState(values={"on": on.strip(), "language": language})
    not_a_company = ("on", N_("Your organisation is not a member company: a statement is about a member company."))
    done = _issue(
        statements,
        principal,
        request_id,
        form,
        principal.organisation_ref,
        on.strip(),
        language,
        not_a_company,
    )
    if done is not None:
        return done
    return _ask_page(request, "statements/company.html", form, status=422)


# --- the statement as issued ----------------------------------------------------------------------


def _statement_context(statement: IssuedStatement) -> dict[str, Any]:
    return {
        "statement": statement,
        "facts": statement.facts,
        "verify_url": statement.verify_url,
        "pdf_url": f"{PUBLIC}/{quote(statement.code)}/pdf",
        "text_url": f"{PUBLIC}/{quote(statement.code)}/text",
        "criteria_words": CRITERIA,
        "keys_url": KEYS,
    }


@router.get("/statements/{code}")
def statement_page(
    request: Request,
    code: str,
    principal: OptionalPrincipalDep,
    statements: EvidenceStatementsDep,
    request_id: RequestIdDep,
) -> Response:
    """The statement as it was issued, printable: for anyone who holds its code."""
    statement = statements.read(principal, code, request_id)
    return render(request, "statements/statement.html", _statement_context(statement))


# --- verification -----------------------------------------------------------------------------------


def _read_upload(file: UploadFile | None, text: str) -> bytes | None:
    """The statement to check: the uploaded file's bytes, else the pasted text; none when neither."""
    data = file.file.read(MAX_STATEMENT_FILE + 1) if file is not None else b""
    if data:
        return data
    return text.replace("\r\n", "\n").encode("utf-8") if text.strip() else None


def _verdict(statements: Any, data: bytes) -> Verification:
    try:
        return statements.verify(statement_text_of(data))
    except NotAStatementFileError:
        return Verification("not_a_statement")


def _verify_context(statements: Any, verification: Verification | None, form: FormState) -> dict[str, Any]:
    return {
        "verification": verification,
        "verdicts": VERDICTS,
        "check_form": form,
        "code_form": FormState(),
        "keys_url": KEYS,
        "keys": statements.published_keys(),
        "offline_command": OFFLINE_COMMAND,
    }


@router.get("/verify")
def verify_page(request: Request, _: OptionalPrincipalDep, statements: EvidenceStatementsDep) -> Response:
    return render(request, "statements/verify.html", _verify_context(statements, None, FormState()))


@router.post("/verify")
def verify(
    request: Request,
    _: OptionalPrincipalDep,
    statements: EvidenceStatementsDep,
    file: Annotated[UploadFile | None, File()] = None,
    text: Annotated[str, Form(max_length=MAX_STATEMENT_FILE)] = "",
) -> Response:
    """The verdict on an uploaded or pasted statement, beside the text that was checked (always
    200 when something was sent: the verdict is the answer, as in the JSON twin)."""
    form = FormState(values={"text": text})
    data = _read_upload(file, text)
    if data is None:
        form.error("file", N_("choose the statement's file, or paste its text"))
        return render(request, "statements/verify.html", _verify_context(statements, None, form), status_code=422)
    return render(request, "statements/verify.html", _verify_context(statements, _verdict(statements, data), form))


@router.post("/verify/code")
def open_code(
    request: Request,
    _: OptionalPrincipalDep,
    statements: EvidenceStatementsDep,
    code: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    """The code as typed opens its page (the use case reads it leniently: lower case, O for 0)."""
    typed = "".join(code.split())
    if not typed:
        form = FormState(values={"code": code})
        form.error("code", N_("type the verification code printed on the statement"))
        context = _verify_context(statements, None, FormState()) | {"code_form": form}
        return render(request, "statements/verify.html", context, status_code=422)
    return see_other(f"/verify/{quote(typed, safe='')}")


@router.get("/verify/{code}")
def verify_code_page(
    request: Request,
    code: str,
    principal: OptionalPrincipalDep,
    statements: EvidenceStatementsDep,
    request_id: RequestIdDep,
) -> Response:
    """The statement with this code as issued, and the form to compare a copy with it."""
    statement = statements.read(principal, code, request_id)
    context = _statement_context(statement) | _verify_context(statements, None, FormState())
    return render(request, "statements/verify_code.html", context)


@router.post("/verify/{code}")
def verify_copy(
    request: Request,
    code: str,
    principal: OptionalPrincipalDep,
    statements: EvidenceStatementsDep,
    request_id: RequestIdDep,
    file: Annotated[UploadFile | None, File()] = None,
    text: Annotated[str, Form(max_length=MAX_STATEMENT_FILE)] = "",
) -> Response:
    statement = statements.read(principal, code, request_id)
    form = FormState(values={"text": text})
    data = _read_upload(file, text)
    verification = None
    status = 200
    if data is None:
        form.error("file", N_("choose the statement's file, or paste its text"))
        status = 422
    else:
        verification = _verdict(statements, data)
    context = _statement_context(statement) | _verify_context(statements, verification, form)
    return render(request, "statements/verify_code.html", context, status_code=status)
