"""``trustone audit``: check the access log, and hand an auditor what they need to check it later.

An auditor runs ``trustone audit digest`` now and then and keeps the line it prints (outside this
system), or saves the body of ``GET /api/v1/audit/digest`` as it comes; ``trustone audit verify
--digests FILE`` reads either, or several in one file, and proves the log still contains what it
contained at each of those moments, even if someone with database access rewrote it since.
``trustone audit digest`` signs the head first when the last signed checkpoint is behind it, so
what the auditor keeps covers every entry up to that moment (keys/access/accesslog.py, the unsigned tail).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskProgressColumn, TextColumn, TimeRemainingColumn

from keys.access.accesslog import DigestFileError, SignedDigest, read_digests
from keys.encryption.keyring import KeyringError
from trustone.bootstrap import AuditServices, open_for_audit
from trustone.cli_common import services_or_exit
from trustone.settings import Settings, SettingsError
from trustone.terminal import progress_on_terminal

audit_cli = typer.Typer(help="Access log: verify the hash chain and signed digests.", no_args_is_help=True)

EXIT_TAMPERED = 1  # also: nothing to print
EXIT_USAGE = 2


def _read_only_services() -> AuditServices:
    try:
        return open_for_audit(Settings.from_env())
    except (SettingsError, KeyringError, sqlite3.Error) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


def _read_digests(path: Path) -> list[SignedDigest]:
    """Digests kept in any form the system exports (``keys.access.accesslog.read_digests``)."""
    try:
        return read_digests(path.read_text(encoding="utf-8"))
    except (DigestFileError, UnicodeDecodeError) as error:
        typer.echo(f"error: {path} {error if isinstance(error, DigestFileError) else 'is not UTF-8 text'}", err=True)
        raise typer.Exit(EXIT_USAGE) from None


@contextmanager
def _verify_progress(total: int, console: Console | None = None) -> Iterator[Callable[[int], None]]:
    """A bar on the terminal (stderr) while entries are checked; nothing when it is not a terminal
    (cron, a pipe, a log file), so the output stays the one summary line."""
    columns = (
        TextColumn("verifying the access log"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("entries"),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    )
    with progress_on_terminal(console or Console(stderr=True), columns, total) as update:
        yield lambda checked: update(completed=checked)


@audit_cli.command()
def verify(
    digests: Annotated[
        Path | None,
        typer.Option(
            "--digests",
            exists=True,
            dir_okay=False,
            readable=True,
            help="digests kept earlier: lines printed by `trustone audit digest` and/or bodies of "
            "GET /api/v1/audit/digest saved as is, one or more in one file",
        ),
    ] = None,
) -> None:
    """Check every entry's hash chain and every signed digest; exit 1 at the first tampered entry."""
    extra = _read_digests(digests) if digests else []
    services = _read_only_services()  # an auditor's copy may be on read-only media: write nothing
    try:
        with _verify_progress(services.access_log.count()) as progress:
            result = services.access_log.verify(extra_digests=extra, progress=progress)
    finally:
        services.close()
    if not result.ok:
        typer.echo(f"access log TAMPERED at entry {result.first_bad_seq}: {result.problem}", err=True)
        raise typer.Exit(EXIT_TAMPERED)
    plural = "" if result.digests_checked == 1 else "s"
    typer.echo(
        f"access log intact: {result.checked} entries, {result.digests_checked} signed checkpoint{plural} checked"
    )


@audit_cli.command()
def digest() -> None:
    """Print a signed digest of the whole log as one JSON line, for an auditor to keep (the head is
    signed now when no checkpoint covers it yet)."""
    services = services_or_exit(EXIT_USAGE)
    try:
        latest = services.access_log.checkpoint()
    finally:
        services.close()
    if latest is None:
        typer.echo("error: the access log is empty: nothing to sign yet", err=True)
        raise typer.Exit(EXIT_TAMPERED)
    typer.echo(latest.to_json())


@audit_cli.command("public-key")
def public_key() -> None:
    """Print the access-log signing key's public half (PEM), to check digests with."""
    services = services_or_exit(EXIT_USAGE)
    try:
        typer.echo(services.access_log.public_key_pem(), nl=False)
    finally:
        services.close()
