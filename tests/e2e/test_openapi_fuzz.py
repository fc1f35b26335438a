"""Every operation of our own OpenAPI schema, fuzzed with schemathesis: no input gives a 500.

Run as four roles and anonymously against one demo store (SQLite; the store is not what is under
test here, the routes' handling of bad input is). A server error or a stack trace in any response
fails the test; 401, 403, 404, 409 and 422 are all fine answers to random input.
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from trustone.bootstrap import bootstrap
from trustone.demo import load_demo
from trustone.settings import Settings
from trustone.web.app import create_app

ROLES = ("secretariat", "ngo", "company", "committee", None)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    services = bootstrap(Settings(data_dir=tmp_path_factory.mktemp("fuzz")))
    demo = load_demo(services)
    application = create_app(services)
    with TestClient(application, raise_server_exceptions=False):  # runs the lifespan (projection runners)
        sessions = application.state.authenticator._sessions  # noqa: SLF001
        application.state.fuzz_tokens = {
            role: sessions.issue(login, dt.timedelta(hours=4)) for role, login in demo.logins.items()
        }
        yield application
    services.close()


def test_no_input_gives_a_server_error(app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30  # the whole API, not an empty schema

    for operation in operations:

        @settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def no_server_error(case):
            for role in ROLES:
                headers = {"Authorization": f"Bearer {app.state.fuzz_tokens[role]}"} if role else {}
                response = case.call(headers=headers)
                assert response.status_code < 500, (role, case.method, case.formatted_path, response.text[:300])
                assert "Traceback" not in response.text

        no_server_error()
