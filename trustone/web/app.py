"""FastAPI app factory. Routes are plain ``def``: the event store is synchronous."""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request

from trustone.bootstrap import Services, bootstrap
from trustone.casework import NoticeDispatcher
from trustone.followers import BackgroundWork
from trustone.settings import Settings
from trustone.storage_errors import create_probe_table, probe_write
from trustone.web import admin, audit, data_access, grievances, lists, reports
from trustone.web.auth import build_authenticator
from trustone.web.auth import router as auth_router
from trustone.web.deps import ServicesDep
from trustone.web.errors import install_error_handlers
from trustone.web.logging import RequestLog
from trustone.web.schemas import Health, MemberStatusOut
from trustone.web.strict_query import refuse_unknown_query_parameters


def create_app(services: Services | None = None, settings: Settings | None = None) -> FastAPI:
    services = services or bootstrap(settings)

    dispatcher = NoticeDispatcher(services) if NoticeDispatcher.configured(services) else None

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
    )
    app.state.services = services
    app.state.authenticator = build_authenticator(services)
    install_error_handlers(app)

    @app.middleware("http")
    async def request_id(request: Request, call_next):  # middleware must be async; routes are not
        request.state.request_id = uuid.uuid4().hex
        response = await call_next(request)
        response.headers["X-Request-ID"] = request.state.request_id
        return response

    app.add_middleware(RequestLog)  # outside request_id: it also sees a request that raised

    app.include_router(auth_router)
    for router in (
        reports.router,
        lists.router,
        audit.router,
        admin.router,
        grievances.router,
        grievances.public,
        data_access.router,
    ):
        app.include_router(router)

    create_probe_table(services.sql)

    @app.get(
        "/healthz",
        response_model=Health,
        tags=["operations"],
        responses={
            503: {
                "description": "the store cannot take a write (full disk, out of resources) or "
                "cannot be reached (PostgreSQL down or restarting)"
            }
        },
    )
    def healthz(svc: ServicesDep) -> Health:
        """200 when the store answers and can take a write; 503 with Retry-After otherwise, within
        about TRUSTONE_DB_CONNECT_TIMEOUT seconds when PostgreSQL cannot be reached (trustone/pgfactory.py)."""
        svc.registry.recorder.max_notification_id()  # the store answers
        # ... and can take a write: its error, if not, is answered 503 by the error handlers
        probe_write(svc.sql, None if svc.settings.database_url else svc.settings.data_dir)
        return Health(status="ok", backend=svc.settings.backend)

    @app.get("/api/v1/public/members/{ref}/status", response_model=MemberStatusOut, tags=["public"])
    def member_status(
        ref: str,
        svc: ServicesDep,
        on: Annotated[dt.date | None, Query(description="Date to answer for, up to today (default: today)")] = None,
    ) -> MemberStatusOut:
        """Was this company a participating member on the date, and at which level (tender evidence).
        A date after today is refused (422): the registry does not know it yet."""
        today = svc.grievance.clock().astimezone(dt.UTC).date()  # the app's clock (tests inject one)
        status = svc.registry.member_status_on(ref, on or today, today=today)
        return MemberStatusOut(**status.__dict__, statement=status.statement)

    return app
