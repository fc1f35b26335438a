"""The pages' session cookie and CSRF token, attacked over HTTP on both stores.

The cookie must never authorise the JSON API (which has no CSRF protection, being bearer-only); a
page form without the CSRF token is refused; the cookie is HttpOnly, SameSite=Strict and, over
HTTPS, Secure; "next" after a login never leads off the site.
"""

import pytest
from fastapi.testclient import TestClient

from tests.e2e.test_auth_http import PASSWORD, users  # noqa: F401  (fixture)
from trustone.web.app import create_app


@pytest.fixture
def app(services):
    return create_app(services)


def _csrf(client: TestClient) -> str:
    """The token a form carries: its cookie is ``__Host-csrftoken`` over HTTPS."""
    client.get("/login")
    return client.cookies.get("csrftoken") or client.cookies["__Host-csrftoken"]


def _log_in_page(client: TestClient, login: str, next_path: str = "/") -> object:
    return client.post(
        "/login",
        data={"csrftoken": _csrf(client), "login": login, "password": PASSWORD, "next": next_path},
        follow_redirects=False,
    )


def test_the_page_session_cookie_does_not_authorise_the_json_api(app, users):
    with TestClient(app) as client:
        answer = _log_in_page(client, users["company"][0])
        assert answer.status_code == 303
        assert client.cookies.get("trustone_session")
        assert client.get("/waiting").status_code == 200  # the page takes it
        refused = client.get("/api/v1/waiting")  # the API does not
        assert refused.status_code == 401
        assert refused.json()["code"] == "not_authenticated"


def test_a_page_form_without_the_csrf_token_is_refused_even_with_a_session(app, users):
    with TestClient(app) as client:
        _log_in_page(client, users["company"][0])
        assert client.post("/logout", follow_redirects=False).status_code == 403  # no token
        assert client.get("/waiting").status_code == 200  # still logged in: the forged logout did nothing
        token = client.cookies["csrftoken"]
        assert client.post("/logout", data={"csrftoken": "x" + token[1:]}, follow_redirects=False).status_code == 403
        assert client.post("/logout", data={"csrftoken": token}, follow_redirects=False).status_code == 303


def test_the_session_cookie_is_httponly_strict_and_secure_over_https(app, users):
    with TestClient(app, base_url="https://registry.example") as client:
        answer = _log_in_page(client, users["company"][0])
        cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and "trustone_session=" in v)
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert "Secure" in cookie
        assert answer.headers["strict-transport-security"].startswith("max-age=")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        answer = _log_in_page(client, users["company"][0])
        cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and "trustone_session=" in v)
        assert "Secure" not in cookie  # a local demo over plain HTTP must still be able to log in


@pytest.mark.parametrize(
    "next_path",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "evil.example"],
)
def test_after_login_next_never_leads_off_the_site(app, users, next_path):
    with TestClient(app) as client:
        answer = _log_in_page(client, users["company"][0], next_path)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/"


def test_after_login_next_returns_to_the_page_asked_for(app, users):
    with TestClient(app) as client:
        answer = _log_in_page(client, users["company"][0], "/waiting")
        assert answer.headers["location"] == "/waiting"


def test_a_page_error_is_a_page_without_a_trace_and_the_api_error_stays_json(app, users):
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/no-such-page", headers={"Accept-Language": "en"})
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "Page not found" in page.text
        api = client.get("/api/v1/no-such-route")
        assert api.status_code == 404
        assert api.headers["content-type"] == "application/json"


def test_the_language_follows_accept_language_then_the_switch(app):
    with TestClient(app) as client:
        assert 'lang="en"' in client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
        assert 'lang="nl"' in client.get("/login", headers={"Accept-Language": "fr-FR, de;q=0.5"}).text  # default
        switched = client.get("/language/en?next=/login", headers={"Accept-Language": "nl"}, follow_redirects=False)
        assert switched.headers["location"] == "/login"
        assert 'lang="en"' in client.get("/login", headers={"Accept-Language": "nl"}).text  # remembered
        off_site = client.get("/language/nl?next=//evil.example", follow_redirects=False)
        assert off_site.headers["location"] == "/"
