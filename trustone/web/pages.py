"""Pages of a long answer, by cursor (issue 12 item 4): answers stay small however long the list.

A page is the rows after a key, in a fixed order, at most ``limit`` of them; ``next_cursor`` is the
key of its last row, and there is none after the last page. A cursor is opaque to the client (the
key as base64url JSON) and names nothing the page did not already show. Keyset, not offset: rows
written while a client walks the pages neither repeat nor push other rows out of the walk.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated

from fastapi import Query

from registry.domain.errors import ValidationError

DEFAULT_LIMIT = 500
MAX_LIMIT = 5000

CursorQuery = Annotated[str | None, Query(max_length=2000, description="next_cursor of the page before")]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"rows per page (default {DEFAULT_LIMIT})")]


def encode(key: tuple) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str | None, shape: tuple[type, ...]) -> tuple:
    """The key a cursor holds, checked against the key's shape (a type per part); () for none."""
    if cursor is None:
        return ()
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, RecursionError):  # ValueError: not JSON, not UTF-8, not ASCII
        key = None
    if (
        not isinstance(key, list)
        or len(key) != len(shape)
        or not all(type(part) is kind for part, kind in zip(key, shape, strict=True))
    ):
        raise ValidationError("cursor", "not a cursor a page of this list gave: start again without one")
    return tuple(key)
