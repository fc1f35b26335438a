"""What the pages add to the app: static files, page errors, CSRF protection and security headers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from trustone.web.ui.errors import install_page_errors
from trustone.web.ui.security import CsrfProtection, SecurityHeaders, csrf_secret

STATIC = Path(__file__).parent / "static"


def install_pages(app: FastAPI, data_dir: Path) -> None:
    """Call after the error handlers are installed and before the request log (the outermost layer)."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_page_errors(app)
    app.add_middleware(CsrfProtection, secret=csrf_secret(data_dir))
    app.add_middleware(SecurityHeaders)
