"""Principals for tests that read through the filter without logging in."""

from __future__ import annotations

import uuid

from keys.access.principal import Principal
from registry.domain.accounts import Role


def secretariat() -> Principal:
    return Principal("secretariat-test", Role.SECRETARIAT, uuid.uuid4(), "secretariat")


def of_account(services, login: str) -> Principal:
    """The principal a login of this store's accounts would get (role and organisation from the account)."""
    account = services.registry.account(login)
    organisation = services.registry.repository.get(account.organisation_id)
    return Principal(account.login, account.role, account.organisation_id, organisation.ref)
