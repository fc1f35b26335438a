"""``trustone verify-statement FILE``: check an evidence statement offline (docs/statements.md).

Needs no server and no database: the statement's text (or the PDF that carries it) and the
published statement key (``--key``, a PEM file saved from ``/api/v1/public/statement-keys``). On the
registry's own server, without ``--key``, the installation's keyring gives the key. Only the
signature is checked here; the public verification page also checks that the code was issued.
Exit 0 when the statement is unchanged, 1 when it is not, 2 when the file or key cannot be read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from keys import signed_documents
from keys.encryption.keyring import FileKeyring, KeyringError
from registry.domain.statements import code_in
from trustone.settings import Settings, SettingsError
from trustone.statement_files import NotAStatementFileError, statement_text_of

EXIT_CHANGED = 1
EXIT_USAGE = 2


def verify_statement(
    file: Annotated[Path, typer.Argument(help="the statement: its .txt or its .pdf")],
    key: Annotated[
        list[Path] | None, typer.Option("--key", help="a published statement key (PEM); may be given more than once")
    ] = None,
) -> None:
    """Check that a TruStone evidence statement is unchanged since it was signed."""
    keys = _keys_from_files(key) if key else _installation_keys()
    try:
        text = statement_text_of(file.read_bytes())
    except OSError as error:
        _stop(f"cannot read {file}: {error.strerror}", EXIT_USAGE)
    except NotAStatementFileError as error:
        _stop(f"not a statement: {error}", EXIT_CHANGED)
    checked = _checked(text, keys)
    code = code_in(checked.body) or "(no code)"
    if checked.result is signed_documents.Check.VALID:
        typer.echo(f"valid: statement {code} is unchanged; signed with key {checked.key_id}")
        return
    if checked.result is signed_documents.Check.UNKNOWN_KEY:
        _stop(
            f"unknown key {checked.key_id}: save it from /api/v1/public/statement-keys/{checked.key_id}.pem"
            " and pass it with --key",
            EXIT_CHANGED,
        )
    if checked.result is signed_documents.Check.CHANGED:
        _stop(f"CHANGED: statement {code} is not the text TruStone signed; do not rely on it", EXIT_CHANGED)
    _stop("not a statement: no TruStone signature block", EXIT_CHANGED)


def _keys_from_files(paths: list[Path]) -> list[Ed25519PublicKey]:
    loaded = []
    for path in paths:
        try:
            loaded.append(signed_documents.load_public_pem(path.read_bytes()))
        except (OSError, ValueError, TypeError):
            _stop(f"{path} is not an Ed25519 public key in PEM", EXIT_USAGE)
    return loaded


def _checked(text: bytes, keys: list[Ed25519PublicKey] | dict[str, Ed25519PublicKey]) -> signed_documents.Checked:
    """A PEM file does not carry the key's id: each key given is tried under the id the statement
    names (a wrong key fails the signature, reported as changed)."""
    if isinstance(keys, dict):
        return signed_documents.check(text, keys)
    first = signed_documents.check(text, {})
    if first.result is not signed_documents.Check.UNKNOWN_KEY:
        return first
    results = [signed_documents.check(text, {first.key_id: key}) for key in keys]
    return next((result for result in results if result.result is signed_documents.Check.VALID), results[0])


def _installation_keys() -> dict[str, Ed25519PublicKey]:
    try:
        keyring = FileKeyring.load(Settings.from_env().keyring_file)
        keyring_key = keyring.statement_key()
        return {keyring.statement_key_id: keyring_key.public_key()}
    except (KeyringError, SettingsError, KeyError):
        _stop(
            "no --key given and no keyring of this installation to read: pass the published key with --key", EXIT_USAGE
        )


def _stop(message: str, code: int) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)
