"""A reader waits for its views; when they cannot catch up in time it gets 503 with Retry-After, never
a 500 (issue 12 item 2). The views are held the way ``trustone projections rebuild`` holds them
from another process: the view's lock in an open transaction of another connection."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from fastapi.testclient import TestClient

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from trustone.bootstrap import bootstrap
from trustone.web.app import create_app


@contextmanager
def view_held_by_another_process(settings, name: str):
    other = bootstrap(settings)
    recorder = other.projections.recorders[name]
    try:
        with recorder.datastore.transaction(commit=False) as raw:
            recorder._lock(raw)  # noqa: SLF001  # as a rebuild in progress holds it
            yield
    finally:
        other.close()


def test_a_reader_whose_view_cannot_catch_up_in_time_gets_503_with_retry_after_then_the_rows(settings, services):
    services.projections.wait_timeout = 0.5
    services.catch_up()
    with TestClient(create_app(services), raise_server_exceptions=False) as client:  # serving: a runner follows
        assert client.get("/api/v1/public/members").status_code == 200
        with view_held_by_another_process(settings, "member_listing"):
            services.registry.register_organisation("nieuw-lid", "Nieuw Lid BV", OrganisationKind.MEMBER_COMPANY, "NL")
            services.registry.join("nieuw-lid", dt.date(2024, 1, 1), CompanyCategory.C, CompanySize.SMALL)
            behind = client.get("/api/v1/public/members")
            assert behind.status_code == 503
            assert behind.headers["Retry-After"] == "2"
            assert behind.json()["code"] == "views_behind"
        services.projections.wait_timeout = 30
        after = client.get("/api/v1/public/members")
        assert after.status_code == 200
        assert "nieuw-lid" in [member["ref"] for member in after.json()]
