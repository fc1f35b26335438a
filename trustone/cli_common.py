"""What every ``trustone`` sub-command shares: the operator it runs as, the services it runs on, and
how a refusal or bad input ends it (one line on stderr, exit 1).

Lives apart from trustone/cli.py so the sub-command modules, which cli.py imports, need no import
of cli.py (and no import inside a function to dodge the cycle)."""

from __future__ import annotations

import os
import pwd
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer

from keys.access.principal import SystemPrincipal
from keys.encryption.keyring import KeyringError
from registry.domain.errors import RegistryError
from trustone.bootstrap import Services, bootstrap
from trustone.settings import Settings, SettingsError

SECRETARIAT = "secretariat-cli"
ACCOUNTS = "accounts-cli"  # every role's logins: the installation's operator (keys/access/policy.py)


def operator(role: str = SECRETARIAT) -> SystemPrincipal:
    """The CLI runs on the server as a named operator: the access log names the role and the OS user
    (``secretariat-cli:<user>`` unless told otherwise, e.g. ``keys-admin``). The user is the process's
    own (its effective uid), not ``$LOGNAME`` or ``$USER``, which whoever runs the command can set."""
    return SystemPrincipal(f"{role}:{os_user()}")


def os_user() -> str:
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:  # a uid without a passwd entry (a container): the number names it
        return str(os.geteuid())


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def services_or_exit(code: int = 1) -> Services:
    """The services from the environment's settings; a bad setting or key ring is one line and exit."""
    try:
        return bootstrap(Settings.from_env())
    except (SettingsError, KeyringError) as error:
        fail(str(error), code)


@contextmanager
def command_services() -> Iterator[Services]:
    """The services for one command, closed after it; a refusal (AccessDeniedError is a
    RegistryError) or a registry error is one line on stderr and exit 1."""
    services = services_or_exit()
    try:
        yield services
    except RegistryError as error:
        fail(str(error))
    finally:
        services.close()
