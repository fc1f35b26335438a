"""``trustone declarations``: the secretariat records, lists, shows and revokes signed declarations.

Runs as ``SystemPrincipal("secretariat-cli:<os user>")``: the access log names the operator, and
every command is one entry like a person's request (registry/usecases/declarations.py)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from registry.domain.declarations import MAX_DOCUMENT_BYTES
from registry.usecases.declarations import DeclarationView
from trustone.cli_common import command_services, operator

declarations_cli = typer.Typer(help="Signed confidentiality declarations of NGO party users.", no_args_is_help=True)

T = TypeVar("T")


def _run(call: Callable[[Any], T]) -> T:
    """Bootstrap, call the use case, close; a refusal or bad input is one line and exit 1."""
    with command_services() as services:
        return call(services.declarations)


def _line(view: DeclarationView) -> str:
    return (
        f"{view.id}  {view.status:<13} {view.organisation:<20} {view.login:<24} "
        f"signed {view.signed_on.isoformat()}, no longer counts from {view.valid_until.isoformat()}  "
        f"{view.document_title} ({view.document_version})"
    )


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{field}: write the date as YYYY-MM-DD (for example 2024-12-31)") from None


@declarations_cli.command("record")
def record(
    file: Annotated[Path, typer.Argument(help="the signed declaration: PDF, PNG or JPEG, at most 5 MiB")],
    login: Annotated[str, typer.Option("--login", help="the NGO party user who signed")],
    title: Annotated[str, typer.Option("--title", help="the document's title")],
    version: Annotated[str, typer.Option("--version", help="the document's version")],
    signed_on: Annotated[str, typer.Option("--signed-on", help="YYYY-MM-DD")],
    valid_until: Annotated[str, typer.Option("--valid-until", help="YYYY-MM-DD: the first day it no longer counts")],
) -> None:
    """Record a signed declaration with its document (stored encrypted; its SHA-256 is printed)."""
    signed, until = _date(signed_on, "--signed-on"), _date(valid_until, "--valid-until")
    try:
        with file.open("rb") as handle:
            content = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as error:
        raise typer.BadParameter(f"cannot read {file}: {error.strerror}") from None
    view = _run(lambda uc: uc.record(operator(), login, title, version, signed, until, content))
    typer.echo(f"recorded declaration {view.id} of {view.login}: sha256 {view.document_sha256}")


@declarations_cli.command("list")
def list_declarations(
    organisation: Annotated[str | None, typer.Option("--organisation", help="one organisation's (ref)")] = None,
    valid_on: Annotated[str | None, typer.Option("--valid-on", help="valid on this date (YYYY-MM-DD)")] = None,
    expiring_within: Annotated[
        int | None, typer.Option("--expiring-within", min=0, max=1830, help="ending within N days of --valid-on/today")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON array instead of lines")] = False,
) -> None:
    """The declarations on record, soonest-ending first."""
    day = _date(valid_on, "--valid-on") if valid_on else None
    views = _run(lambda uc: uc.search(operator(), organisation, day, expiring_within))
    if as_json:
        typer.echo(json.dumps([asdict(view) for view in views], default=str, indent=2))
        return
    for view in views:
        typer.echo(_line(view))


@declarations_cli.command("show")
def show(
    declaration_id: Annotated[str, typer.Argument(help="the declaration's id")],
    document_to: Annotated[
        Path | None, typer.Option("--document-to", help="also write the signed document to this new file")
    ] = None,
) -> None:
    """One declaration; with --document-to, its signed document too (one more access-log entry)."""
    view = _run(lambda uc: uc.get(operator(), declaration_id))
    typer.echo(json.dumps(asdict(view), default=str, indent=2))
    if document_to is not None:
        document = _run(lambda uc: uc.document(operator(), declaration_id))
        try:
            with document_to.open("xb") as handle:  # never overwrites a file
                handle.write(document.content)
        except OSError as error:
            raise typer.BadParameter(f"cannot write {document_to}: {error.strerror}") from None
        typer.echo(f"wrote {document_to} ({document.media_type}, sha256 {document.sha256})")


@declarations_cli.command("revoke")
def revoke(
    declaration_id: Annotated[str, typer.Argument(help="the declaration's id")],
    reason: Annotated[str, typer.Option("--reason", help="why (kept with the revocation)")],
    on: Annotated[
        str | None, typer.Option("--on", help="from this day on (YYYY-MM-DD): today or a past day; default today")
    ] = None,
) -> None:
    """Revoke a declaration from a date: from that day on it grants nothing."""
    day = _date(on, "--on") if on else None
    view = _run(lambda uc: uc.revoke(operator(), declaration_id, day or uc.clock(), reason))
    typer.echo(f"revoked declaration {view.id} from {view.revoked_on}: {view.status} today")
