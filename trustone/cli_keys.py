"""``trustone keys``: master key rotation and shredding, run by an operator on the server."""

from __future__ import annotations

from typing import Annotated

import typer

from keys.encryption.administration import rotate_master_key
from trustone.cli_common import command_services, operator, services_or_exit

KEYS_ADMIN = "keys-admin"  # the operator key rotation and shredding run as, in the access log

keys_cli = typer.Typer(help="Master key rotation and data-key shredding.", no_args_is_help=True)


@keys_cli.command("rotate")
def rotate() -> None:
    """Make a new master key primary and rewrap every data key under it (no event is rewritten)."""
    services = services_or_exit()
    try:
        result = rotate_master_key(services.filter, services.keyring, services.datakeys, operator(KEYS_ADMIN))
    finally:
        services.close()
    typer.echo(
        f"new primary master key {result.new_master_key_id}: {result.rewrapped} data key(s) rewrapped, "
        f"{len(result.retired)} old master key(s) retired"
    )


@keys_cli.command("shred")
def shred(company: Annotated[str, typer.Option("--company", help="the member company's ref")]) -> None:
    """Destroy a company's data keys: its confidential data becomes unreadable everywhere, for good."""
    with command_services() as services:
        destroyed = services.shredding.shred(company, operator(KEYS_ADMIN))
    typer.echo(f"shredded {destroyed} data key(s) of {company}")
