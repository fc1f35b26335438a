"""Principals for tests that read through the filter without logging in."""

from __future__ import annotations

import uuid

from keys.principal import Principal
from registry.domain.accounts import Role


def secretariat() -> Principal:
    return Principal("secretariat-test", Role.SECRETARIAT, uuid.uuid4(), "secretariat")
