"""The secretariat's registry duties, part two: the register of organisations and the logins.

Each page calls the same use case as its JSON twin (trustone/web/organisations.py, users.py). The
login form offers the roles the use case says the person administers (``Accounts.roles_offered``);
the use case still decides each attempt, so a role sent anyway is refused (403).

A second factor's secret is shown in the answer to the form that made it (a new login whose role
requires one, or a reset), once, and never again: that answer is a page of its own, not a redirect,
because a redirect would have to keep the secret somewhere to show it. Pages are never cached.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from keys.access.principal import Principal
from registry.domain.errors import ValidationError
from registry.usecases.organisations import Organisations
from trustone.web.deps import AccountsDep, OrganisationsDep, RequestIdDep
from trustone.web.ui.forms import FormState, parse_date
from trustone.web.ui.i18n import N_
from trustone.web.ui.responses import see_other
from trustone.web.ui.session import PagePrincipalDep
from trustone.web.ui.templating import render

router = APIRouter(include_in_schema=False)

Short = Annotated[str, Form(max_length=80)]
Line = Annotated[str, Form(max_length=500)]
Password = Annotated[str, Form(max_length=1024)]  # bounded: argon2 over a megabyte is a cheap DoS

# The kinds the register takes and the membership choices, offered as the JSON route documents them;
# the use case refuses any other value, naming the field.
KINDS = ("member_company", "ngo_party", "union_party", "public_buyer")
CATEGORIES = ("A", "B", "C")
SIZES = ("small", "medium", "large")


def add_error(form: FormState, refused: ValidationError, renamed: Mapping[str, str] | None = None) -> None:
    """The use case's error on the form's own field (two forms on one page cannot share a name)."""
    form.error((renamed or {}).get(refused.field, refused.field), refused.message)


# --- organisations -------------------------------------------------------------------------------


@router.get("/secretariat/organisations")
def organisations_page(
    request: Request,
    principal: PagePrincipalDep,
    organisations: OrganisationsDep,
    request_id: RequestIdDep,
    kind: str = "",
    ref: str = "",
) -> Response:
    if ref.strip():  # "look up one": its page, where the use case finds it or answers 404
        return see_other(f"/secretariat/organisations/{quote(ref.strip()[:40], safe='')}")
    form = FormState(values={"kind": kind[:40]})
    try:
        listing = organisations.listing(principal, kind.strip() or None, request_id)
    except ValidationError as refused:
        form.add(refused)
        listing = []
    return render(
        request,
        "secretariat/organisations.html",
        {"form": form, "organisations": listing, "kinds": KINDS},
        status_code=422 if form.failed else 200,
    )


@router.get("/secretariat/organisations/new")
def new_organisation(request: Request, principal: PagePrincipalDep) -> Response:  # noqa: ARG001 - a login is needed
    return render(request, "secretariat/organisation_new.html", {"form": FormState(), "kinds": KINDS})


@router.post("/secretariat/organisations")
def register_organisation(
    request: Request,
    principal: PagePrincipalDep,
    organisations: OrganisationsDep,
    request_id: RequestIdDep,
    ref: Short = "",
    name: Annotated[str, Form(max_length=200)] = "",
    kind: Short = "",
    country: Short = "",
) -> Response:
    form = FormState(values={"ref": ref, "name": name, "kind": kind, "country": country})
    try:
        done = organisations.register(principal, ref.strip(), name, kind, country.strip(), request_id)
    except ValidationError as refused:
        form.add(refused)
        return render(request, "secretariat/organisation_new.html", {"form": form, "kinds": KINDS}, status_code=422)
    return see_other(f"/secretariat/organisations/{done.ref}", done="registered")


def _organisation_page(
    request: Request,
    principal: Principal,
    organisations: Organisations,
    request_id: str,
    ref: str,
    form: FormState,
    done: str = "",
) -> Response:
    record = organisations.show(principal, ref, request_id)
    form.values.setdefault("contact_email", record.contact_email or "")  # the address on record, to correct
    return render(
        request,
        "secretariat/organisation.html",
        {
            "organisation": record,
            "form": form,
            "done": done,
            "categories": [(c, c) for c in CATEGORIES],
            "sizes": SIZES,
        },
        status_code=422 if form.failed else 200,
    )


@router.get("/secretariat/organisations/{ref}")
def organisation_page(
    request: Request,
    ref: str,
    principal: PagePrincipalDep,
    organisations: OrganisationsDep,
    request_id: RequestIdDep,
    done: str = "",
) -> Response:
    return _organisation_page(request, principal, organisations, request_id, ref, FormState(), done[:20])


@router.post("/secretariat/organisations/{ref}/join")
def join(
    request: Request,
    ref: str,
    principal: PagePrincipalDep,
    organisations: OrganisationsDep,
    request_id: RequestIdDep,
    join_on: Short = "",
    category: Short = "",
    size: Short = "",
) -> Response:
    form = FormState(values={"join_on": join_on, "category": category, "size": size})
    on = parse_date(form, "join_on")
    if on is not None:
        try:
            organisations.join(principal, ref, on, category, size, request_id)
        except ValidationError as refused:
            add_error(form, refused, {"on": "join_on", "joined_on": "join_on"})
        else:
            return see_other(f"/secretariat/organisations/{ref}", done="joined")
    return _organisation_page(request, principal, organisations, request_id, ref, form)


@router.post("/secretariat/organisations/{ref}/withdraw")
def withdraw(
    request: Request,
    ref: str,
    principal: PagePrincipalDep,
    organisations: OrganisationsDep,
    request_id: RequestIdDep,
    withdraw_on: Short = "",
) -> Response:
    return _membership_ends(request, ref, principal, organisations, request_id, "withdraw_on", withdraw_on)


@router.post("/secretariat/organisations/{ref}/exclude")
def exclude(
    request: Request,
    ref: str,
    principal: PagePrincipalDep,
    organisations: OrganisationsDep,
    request_id: RequestIdDep,
    exclude_on: Short = "",
) -> Response:
    return _membership_ends(request, ref, principal, organisations, request_id, "exclude_on", exclude_on)


# How a membership ends, by the form's field: the use case's call, its date field's other names, the result.
_ENDINGS = {
    "withdraw_on": (Organisations.withdraw, "withdrawn_on", "withdrawn"),
    "exclude_on": (Organisations.exclude, "excluded_on", "excluded"),
}


def _membership_ends(
    request: Request,
    ref: str,
    principal: Principal,
    organisations: Organisations,
    request_id: str,
    field: str,
    typed: str,
) -> Response:
    """A withdrawal or an exclusion on a date: the same form, a different call of the use case."""
    call, alias, done = _ENDINGS[field]
    form = FormState(values={field: typed})
    on = parse_date(form, field)
    if on is not None:
        try:
            call(organisations, principal, ref, on, request_id)
        except ValidationError as refused:
            add_error(form, refused, {"on": field, alias: field})
        else:
            return see_other(f"/secretariat/organisations/{ref}", done=done)
    return _organisation_page(request, principal, organisations, request_id, ref, form)


@router.post("/secretariat/organisations/{ref}/contact")
def set_contact(
    request: Request,
    ref: str,
    principal: PagePrincipalDep,
    organisations: OrganisationsDep,
    request_id: RequestIdDep,
    contact_email: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    form = FormState(values={"contact_email": contact_email})
    try:
        organisations.set_contact(principal, ref, contact_email.strip(), request_id)
    except ValidationError as refused:
        add_error(form, refused)
    else:
        return see_other(f"/secretariat/organisations/{ref}", done="contact")
    return _organisation_page(request, principal, organisations, request_id, ref, form)


# --- logins --------------------------------------------------------------------------------------


@router.get("/secretariat/users")
def users_page(
    request: Request,
    principal: PagePrincipalDep,
    accounts: AccountsDep,
    request_id: RequestIdDep,
    organisation: str = "",
    disabled: str = "",
) -> Response:
    accounts.may_administer(principal, request_id)  # a refused role is refused (and logged) whatever it typed
    form = FormState(values={"organisation": organisation[:40]})
    listing = None
    if organisation.strip():
        try:
            listing = accounts.listing(principal, organisation.strip(), request_id)
        except ValidationError as refused:
            add_error(form, refused, {"organisation_ref": "organisation", "ref": "organisation"})
    return render(
        request,
        "secretariat/users.html",
        {"form": form, "accounts": listing, "disabled": disabled[:80]},
        status_code=422 if form.failed else 200,
    )


@router.get("/secretariat/users/new")
def new_user(
    request: Request,
    principal: PagePrincipalDep,
    accounts: AccountsDep,
    request_id: RequestIdDep,
    organisation: str = "",
) -> Response:
    accounts.may_administer(principal, request_id)
    form = FormState(values={"organisation_ref": organisation[:40]})
    return render(request, "secretariat/user_new.html", {"form": form, "roles": accounts.roles_offered(principal)})


@router.post("/secretariat/users")
def create_user(
    request: Request,
    principal: PagePrincipalDep,
    accounts: AccountsDep,
    request_id: RequestIdDep,
    login: Short = "",
    role: Short = "",
    organisation_ref: Short = "",
    display_name: Annotated[str, Form(max_length=120)] = "",
    password: Password = "",
) -> Response:
    # Never the password back into the page.
    form = FormState(
        values={"login": login, "role": role, "organisation_ref": organisation_ref, "display_name": display_name}
    )
    if not password:
        form.error("password", N_("required"))
    else:
        try:
            created = accounts.create(
                principal, login, role, organisation_ref.strip(), display_name, password, request_id
            )
        except ValidationError as refused:
            add_error(form, refused, {"ref": "organisation_ref"})
        else:
            return render(
                request, "secretariat/user_created.html", {"created": created, "second": created.second_factor}
            )
    return render(
        request,
        "secretariat/user_new.html",
        {"form": form, "roles": accounts.roles_offered(principal)},
        status_code=422,
    )


@router.get("/secretariat/users/{login}")
def user_page(
    request: Request,
    login: str,
    principal: PagePrincipalDep,
    accounts: AccountsDep,
    request_id: RequestIdDep,
    organisation: str = "",
) -> Response:
    """The forms to disable a login or reset its second factor; the use case checks the login on a POST."""
    accounts.may_administer(principal, request_id)
    return render(
        request, "secretariat/user.html", {"login": login, "organisation": organisation[:40], "form": FormState()}
    )


@router.post("/secretariat/users/{login}/disable")
def disable_user(
    request: Request,
    login: str,
    principal: PagePrincipalDep,
    accounts: AccountsDep,
    request_id: RequestIdDep,
    reason: Line = "",
    organisation: Short = "",
) -> Response:
    form = FormState(values={"reason": reason})
    try:
        record = accounts.disable(principal, login, reason, request_id)
    except ValidationError as refused:
        add_error(form, refused)
        return render(
            request,
            "secretariat/user.html",
            {"login": login, "organisation": organisation, "form": form},
            status_code=422,
        )
    return see_other("/secretariat/users", organisation=record.organisation_ref, disabled=record.login)


@router.post("/secretariat/users/{login}/reset-totp")
def reset_totp(
    request: Request, login: str, principal: PagePrincipalDep, accounts: AccountsDep, request_id: RequestIdDep
) -> Response:
    second = accounts.reset_second_factor(principal, login, request_id)
    return render(request, "secretariat/user_created.html", {"created": None, "second": second})
