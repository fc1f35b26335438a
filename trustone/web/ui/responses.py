"""The answers a page route gives besides a drawn page: the redirect after a form, a file to save,
and the reading of a use case's ISO dates for the templates' date filters. One place for each, so
every route answers the same way (303 after a POST; a download never cached and never sniffed).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from urllib.parse import urlencode

from fastapi.responses import RedirectResponse, Response

_UNSAFE_IN_FILENAME = re.compile(r"[^\w.\- ]", re.ASCII)


def see_other(path: str, **query: object) -> Response:
    """Post/redirect/get: the page that shows the result, its values in the address (encoded)."""
    return RedirectResponse(path + (f"?{urlencode(query)}" if query else ""), status_code=303)


def attachment(
    content: bytes | str, media_type: str, filename: str, headers: Mapping[str, str] | None = None
) -> Response:
    """A file the browser saves (never shows inline, never guesses another type, never caches: it
    can be confidential). The file name keeps letters, digits, '.', '-', '_' and spaces."""
    safe_name = _UNSAFE_IN_FILENAME.sub("_", filename)[:200] or "download"
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{safe_name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            **(headers or {}),
        },
    )


def when(text: str | None) -> dt.date | dt.datetime | None:
    """An ISO date ("2026-11-30") or time as the use cases write them, for the ``date``/``datetime``
    filters; none for no value."""
    if not text:
        return None
    return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
