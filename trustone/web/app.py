"""FastAPI app factory. Routes are plain ``def``: the event store is synchronous."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.formparsers import MultiPartParser

from grievance.usecases.notices import NoticeDispatcher
from registry.reportfile import MAX_FILE_BYTES
from trustone.bootstrap import Services, bootstrap
from trustone.followers import BackgroundWork
from trustone.settings import Settings
from trustone.storage_errors import create_probe_table
from trustone.web.auth import build_authenticator
from trustone.web.errors import install_error_handlers
from trustone.web.logging import RequestLog
from trustone.web.routers import ROUTERS
from trustone.web.strict_query import refuse_unknown_query_parameters
from trustone.web.ui.install import install_pages

# The largest request: a yearly report file at its limit, with room for a multipart form's other parts.
MAX_REQUEST_BYTES = MAX_FILE_BYTES + 4 * 1024 * 1024


# Starlette writes an upload over 1 MiB to a temporary file on disk: a report's prices and supply-chain
# pairs in clear on a disk that the threat model's attackers may hold (docs/confidentiality.md). Held
# in memory instead, up to the largest request the app takes (no body is read beyond that).
MultiPartParser.spool_max_size = MAX_REQUEST_BYTES


def create_app(services: Services | None = None, settings: Settings | None = None) -> FastAPI:
    services = services or bootstrap(settings)

    delivery = services.notice_delivery
    dispatcher = NoticeDispatcher(delivery) if delivery.configured else None

    def start_following() -> None:
        for runner in services.runners:
            runner.start()  # lists and case views follow writes within a fraction of a second
        if dispatcher:
            dispatcher.start()

    def stop_following() -> None:
        if dispatcher:
            dispatcher.stop()
        for runner in services.runners:
            runner.stop()

    # One worker process of the server follows and dispatches (trustone/followers.py).
    background = BackgroundWork(services.settings.data_dir / "background.lock", start_following, stop_following)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        services.serving()  # readers wait for the follower (projections/runner.py), they do not apply
        background.start()
        yield
        background.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="TruStone registry",
        version="0.1.0",
        description="Confidential supply-chain registry and grievance case system of the TruStone covenant.",
        # No interactive docs that pull scripts from a CDN: this network reaches none.
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(refuse_unknown_query_parameters)],  # one rule for every /api/v1 route
        max_body_size=MAX_REQUEST_BYTES,  # outside every middleware: no layer reads more than this
    )
    app.state.services = services
    app.state.authenticator = build_authenticator(services)
    install_error_handlers(app)
    install_pages(app, services.settings.data_dir)  # the pages' errors, static files, CSRF, security headers

    app.add_middleware(RequestLog)  # the request id, its header and the one log line per request

    for router in ROUTERS:
        app.include_router(router)
    create_probe_table(services.sql)

    return app
