"""Named domain errors. Entry points translate them into statuses (404, 409, 422) in one place.

Messages name the field or the rule that was broken, never a confidential value: they can end up in
logs and in HTTP responses.
"""

from __future__ import annotations


class RegistryError(Exception):
    """Base class of every error the registry raises on purpose."""


class ValidationError(RegistryError):
    """Input that breaks a rule; ``field`` names what to fix."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFoundError(RegistryError):
    """Something asked for by reference does not exist."""


class ConflictError(RegistryError):
    """A command that is illegal in the current state (duplicate, illegal transition)."""


class GoneError(RegistryError):
    """The data existed but its keys were shredded: it can never be read again (410)."""
