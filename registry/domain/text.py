"""Bounded text from a user: one rule for every name, title, reason and description.

Two kinds, both refused with a ValidationError naming the field and the bounds:
- ``one_line``: a name, title or version; every run of white space (line breaks too) becomes one
  space, so "  Atlas   Stone\\n" is stored as "Atlas Stone";
- ``free_text``: a description, reason or message; only the ends are trimmed, its lines are kept.
A value of None or "" is empty, so a required field left out reads as too short.
"""

from __future__ import annotations

from registry.domain.errors import ValidationError


def one_line(value: object, field: str, longest: int, shortest: int = 1) -> str:
    """``value`` on one line, ``shortest``-``longest`` characters after folding its white space."""
    return _bounded(" ".join(str(value or "").split()), field, longest, shortest)


def free_text(value: object, field: str, longest: int, shortest: int = 1) -> str:
    """``value`` with its ends trimmed and its lines kept, ``shortest``-``longest`` characters."""
    return _bounded(str(value or "").strip(), field, longest, shortest)


def _bounded(cleaned: str, field: str, longest: int, shortest: int) -> str:
    if not shortest <= len(cleaned) <= longest:
        raise ValidationError(field, f"{shortest}-{longest} characters")
    return cleaned
