"""``trustone organisations`` and ``trustone users``: the secretariat's register and user
administration from the server's command line. Each command calls its use case as the system
principal ``secretariat-cli:<os user>`` (logged like anyone else) and prints one line per result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

import typer

from registry.usecases.accounts import AccountRecord
from registry.usecases.organisations import OrganisationRecord, OrganisationSummary
from trustone.cli_common import ACCOUNTS, command_services, fail, operator

organisations_cli = typer.Typer(help="The register of organisations: members, NGO and union parties, buyers.")
users_cli = typer.Typer(help="User accounts: create, disable, reset a second factor, list.")

DateOption = Annotated[str, typer.Option("--on", help="the date, YYYY-MM-DD")]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail("--on: write the date as YYYY-MM-DD (for example 2025-03-01)")


def _period(record: OrganisationRecord | OrganisationSummary) -> str:
    if isinstance(record, OrganisationRecord):
        last = record.memberships[-1] if record.memberships else None
        joined, ended, reason = (last.joined_on, last.ended_on, last.end_reason) if last else (None, None, None)
    else:
        joined, ended, reason = record.joined_on, record.ended_on, record.end_reason
    if joined is None:
        return "never a member"
    return f"member from {joined}" + (f", {reason} on {ended}" if ended else "")


def _line(record: OrganisationRecord | OrganisationSummary) -> str:
    line = f"{record.ref}\t{record.kind}\t{record.country}\t{record.name}"
    if record.kind == "member_company":
        line += f"\t{_period(record)}"
    return line


def _command(print_line: Callable[[Any], str], call: Callable[[Any], Any]) -> None:
    with command_services() as services:
        result = call(services)
    for item in result if isinstance(result, list) else [result]:
        typer.echo(print_line(item))


# --- organisations ------------------------------------------------------------------------------------


@organisations_cli.command("register")
def register(
    ref: Annotated[str, typer.Argument(help="public reference, e.g. de-steenhouwer")],
    name: Annotated[str, typer.Option("--name")],
    kind: Annotated[str, typer.Option("--kind", help="member_company, ngo_party, union_party or public_buyer")],
    country: Annotated[str, typer.Option("--country", help="ISO 3166-1 alpha-2")],
) -> None:
    """Register a member company, NGO party, union party or public buyer."""
    _command(_line, lambda s: s.organisations.register(operator(), ref, name, kind, country))


@organisations_cli.command("join")
def join(
    ref: str,
    on: DateOption,
    category: Annotated[str, typer.Option("--category", help="A, B or C")],
    size: Annotated[str, typer.Option("--size", help="small, medium or large")],
) -> None:
    """Record that a member company joined on a date."""
    day = _date(on)
    _command(_line, lambda s: s.organisations.join(operator(), ref, day, category, size))


@organisations_cli.command("withdraw")
def withdraw(ref: str, on: DateOption) -> None:
    """Record a company's withdrawal (refused while it is part of a case before the committee)."""
    day = _date(on)
    _command(_line, lambda s: s.organisations.withdraw(operator(), ref, day))


@organisations_cli.command("exclude")
def exclude(ref: str, on: DateOption) -> None:
    """Record a company's exclusion."""
    day = _date(on)
    _command(_line, lambda s: s.organisations.exclude(operator(), ref, day))


@organisations_cli.command("contact")
def contact(ref: str, email: Annotated[str, typer.Option("--email", help="where notices go")]) -> None:
    """Set the address the secretariat's notices to a company go to."""
    _command(
        lambda record: f"{record.ref}\tcontact {record.contact_email}",
        lambda s: s.organisations.set_contact(operator(), ref, email),
    )


@organisations_cli.command("list")
def listing(kind: Annotated[str | None, typer.Option("--kind", help="only this kind")] = None) -> None:
    """One line per organisation: ref, kind, country, name (and a company's membership)."""
    _command(_line, lambda s: s.organisations.listing(operator(), kind))


@organisations_cli.command("show")
def show(ref: str) -> None:
    """The organisation, its contact address and one line per membership."""
    with command_services() as services:
        record = services.organisations.show(operator(), ref)
    typer.echo(f"{_line(record)}\tcontact {record.contact_email or '-'}")
    for m in record.memberships:
        ended = f"\t{m.end_reason} on {m.ended_on}" if m.ended_on else ""
        typer.echo(f"{record.ref}\tjoined {m.joined_on}\tcategory {m.category}\tsize {m.size}{ended}")


# --- users --------------------------------------------------------------------------------------------


def _user_line(record: AccountRecord) -> str:
    state = "active" if record.active else "disabled"
    factor = "second factor" if record.second_factor_enrolled else "no second factor"
    return f"{record.login}\t{record.role}\t{record.organisation_ref}\t{state}\t{factor}\t{record.display_name}"


@users_cli.command("create")
def create_user(
    login: str,
    role: Annotated[str, typer.Option("--role", help="must fit the organisation's kind")],
    organisation: Annotated[str, typer.Option("--organisation", help="the organisation's ref")],
    name: Annotated[str, typer.Option("--name", help="the person's display name")],
    password: Annotated[str, typer.Option("--password", prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Create a login (any role: the installation's duty, as accounts-cli); for secretariat and
    auditor logins the second factor is printed once."""
    with command_services() as services:
        created = services.accounts.create(operator(ACCOUNTS), login, role, organisation, name, password)
    typer.echo(f"{created.login}\t{created.role}\t{created.organisation_ref}\tcreated")
    if created.second_factor is not None:
        typer.echo(f"{created.login}\ttotp {created.second_factor.totp_provisioning_uri}  (shown once)")


@users_cli.command("disable")
def disable_user(login: str, reason: Annotated[str, typer.Option("--reason")]) -> None:
    """Disable a login: it can no longer log in, and its sessions end on their next request."""
    _command(_user_line, lambda s: s.accounts.disable(operator(ACCOUNTS), login, reason))


@users_cli.command("reset-totp")
def reset_totp(login: str) -> None:
    """A new second factor for a login, printed once; the old one stops working."""
    _command(
        lambda second: f"{second.login}\ttotp {second.totp_provisioning_uri}  (shown once)",
        lambda s: s.accounts.reset_second_factor(operator(ACCOUNTS), login),
    )


@users_cli.command("list")
def list_users(organisation: Annotated[str, typer.Option("--organisation", help="the organisation's ref")]) -> None:
    """One line per login of the organisation."""
    _command(_user_line, lambda s: s.accounts.listing(operator(ACCOUNTS), organisation))
