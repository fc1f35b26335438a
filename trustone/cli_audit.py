"""``trustone audit``: check the access log, and hand an auditor what they need to check it later.

An auditor runs ``trustone audit digest`` now and then and keeps the line it prints (outside this
system); ``trustone audit verify --digests kept.jsonl`` then proves the log still contains what it
contained at each of those moments, even if someone with database access rewrote it since.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from keys.accesslog import SignedDigest
from keys.keyring import KeyringError
from trustone.bootstrap import Services, bootstrap
from trustone.settings import Settings, SettingsError

audit_cli = typer.Typer(help="Access log: verify the hash chain and signed digests.", no_args_is_help=True)

EXIT_TAMPERED = 1  # also: nothing to print
EXIT_USAGE = 2


def _services() -> Services:
    try:
        return bootstrap(Settings.from_env())
    except (SettingsError, KeyringError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def _read_digests(path: Path) -> list[SignedDigest]:
    digests = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            digests.append(SignedDigest.from_json(line))
        except ValueError as error:
            typer.echo(f"error: {path} line {number}: {error}", err=True)
            raise typer.Exit(EXIT_USAGE) from None
    return digests


@audit_cli.command()
def verify(
    digests: Annotated[Path | None, typer.Option(
        "--digests", exists=True, dir_okay=False, readable=True,
        help="digests kept earlier (JSON lines from `trustone audit digest`)")] = None,
) -> None:
    """Check every entry's hash chain and every signed digest; exit 1 at the first tampered entry."""
    extra = _read_digests(digests) if digests else []
    services = _services()
    try:
        result = services.access_log.verify(extra_digests=extra)
    finally:
        services.close()
    if not result.ok:
        typer.echo(f"access log TAMPERED at entry {result.first_bad_seq}: {result.problem}", err=True)
        raise typer.Exit(EXIT_TAMPERED)
    typer.echo(f"access log intact: {result.checked} entries, {result.digests_checked} digests checked")


@audit_cli.command()
def digest() -> None:
    """Print the latest signed digest as one JSON line, for an auditor to keep."""
    services = _services()
    try:
        latest = services.access_log.latest_digest()
    finally:
        services.close()
    if latest is None:
        typer.echo("error: the access log is empty: nothing to sign yet", err=True)
        raise typer.Exit(EXIT_TAMPERED)
    typer.echo(latest.to_json())


@audit_cli.command("public-key")
def public_key() -> None:
    """Print the access-log signing key's public half (PEM), to check digests with."""
    services = _services()
    try:
        typer.echo(services.access_log.public_key_pem(), nl=False)
    finally:
        services.close()
