"""``trustone keys``: master key rotation and shredding, run by an operator on the server."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from keys.access.principal import SystemPrincipal
from keys.encryption.administration import rotate_master_key
from registry.domain.errors import RegistryError

keys_cli = typer.Typer(help="Master key rotation and data-key shredding.", no_args_is_help=True)


def _operator() -> SystemPrincipal:
    """The CLI runs on the server as an operator of the secretariat; the access log names the OS user."""
    return SystemPrincipal(f"keys-admin:{getpass.getuser()}")


@keys_cli.command("rotate")
def rotate() -> None:
    """Make a new master key primary and rewrap every data key under it (no event is rewritten)."""
    from trustone.cli import services_or_exit

    services = services_or_exit()
    try:
        result = rotate_master_key(services.filter, services.keyring, services.datakeys, _operator())
    finally:
        services.close()
    typer.echo(
        f"new primary master key {result.new_master_key_id}: {result.rewrapped} data key(s) rewrapped, "
        f"{len(result.retired)} old master key(s) retired"
    )


@keys_cli.command("shred")
def shred(company: Annotated[str, typer.Option("--company", help="the member company's ref")]) -> None:
    """Destroy a company's data keys: its confidential data becomes unreadable everywhere, for good."""
    from trustone.cli import fail, services_or_exit

    services = services_or_exit()
    try:
        destroyed = services.shredding.shred(company, _operator())
    except RegistryError as error:
        fail(str(error))
    finally:
        services.close()
    typer.echo(f"shredded {destroyed} data key(s) of {company}")
