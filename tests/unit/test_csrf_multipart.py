"""A form with a file (multipart/form-data) passes the CSRF check when its token comes first.

asgi-csrf 0.11 hands python-multipart's FormParser a ``FileClass`` keyword that python-multipart
0.0.13 and later no longer take: every file upload from a page was a 500 (TypeError) before the
route was reached. trustone/web/ui/security.py gives asgi-csrf a parser that takes it."""

from __future__ import annotations

import pytest
from asgi_csrf import FileBeforeToken, _parse_multipart_form_data  # type: ignore[import-untyped]  # no type information

import trustone.web.ui.security  # noqa: F401 - installs the parser asgi-csrf uses
from tests.event_loop import run as run_to_end


def _parse(body: bytes) -> str | None:
    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": body, "more_body": False}

    token, _replay = run_to_end(_parse_multipart_form_data(b"XyZ", receive))
    return token


def _part(name: str, value: str, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    kind = "Content-Type: text/csv\r\n" if filename else ""
    return f"--XyZ\r\nContent-Disposition: {disposition}\r\n{kind}\r\n{value}\r\n".encode()


def test_the_token_before_the_file_is_found():
    body = _part("csrftoken", "the-token") + _part("year", "2025") + _part("file", "a,b", "r.csv") + b"--XyZ--\r\n"
    assert _parse(body) == "the-token"


def test_a_file_before_the_token_is_refused():
    body = _part("file", "a,b", "r.csv") + _part("csrftoken", "the-token") + b"--XyZ--\r\n"
    with pytest.raises(FileBeforeToken):
        _parse(body)
