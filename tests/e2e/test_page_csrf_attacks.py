"""The pages' CSRF defence attacked from another site and with malformed or huge bodies (review of
issue 14): each attack here succeeded, or crashed the server, before the defence was closed.

- Login CSRF: another site's page posts the attacker's credentials to /login. Every cookie of the
  site is SameSite=Strict, so that post arrives with no cookie at all, and asgi-csrf lets a
  request without cookies through: the victim was logged in as the attacker.
- A cross-site post is also told by the browser (Sec-Fetch-Site, Origin): refused whatever it carries.
- asgi-csrf reads a form's whole body into memory before it decides: a page POST without a valid
  token may make it read at most a small bound; a file part before the token is refused at once.
- A multipart body without a boundary, or a form that is not UTF-8, was a 500.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.e2e.test_auth_http import PASSWORD, users  # noqa: F401  (fixture)
from tests.event_loop import run as run_to_end
from trustone.web.app import create_app


@pytest.fixture
def client(services):
    with TestClient(create_app(services), raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_login_posted_from_another_site_without_cookies_is_refused(client, users):
    # What a cross-site form post carries: no cookie (all are SameSite=Strict), no token.
    answer = client.post("/login", data={"login": users["company"][0], "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 403
    assert "trustone_session" not in answer.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Origin": "https://evil.example"}],
)
def test_a_post_the_browser_says_comes_from_elsewhere_is_refused_even_with_the_token(client, users, headers):
    client.get("/login")
    token = client.cookies["csrftoken"]
    answer = client.post(
        "/login",
        data={"csrftoken": token, "login": users["company"][0], "password": PASSWORD},
        headers=headers,
        follow_redirects=False,
    )
    assert answer.status_code == 403


def test_a_same_origin_post_with_its_token_still_logs_in(client, users):
    client.get("/login")
    answer = client.post(
        "/login",
        data={"csrftoken": client.cookies["csrftoken"], "login": users["company"][0], "password": PASSWORD},
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert answer.status_code == 303


def _drive(app, path: str, content_type: bytes, chunks, cookie: bytes) -> tuple[int, int]:
    """The ASGI app called as a server calls it, the body a message per chunk: (status, chunks the
    app took). A test client would read the whole body before the app sees any of it."""
    taken = {"n": 0}
    status = {}
    source = iter(chunks)

    async def receive():
        try:
            chunk = next(source)
        except StopIteration:
            return {"type": "http.request", "body": b"", "more_body": False}
        taken["n"] += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        if message["type"] == "http.response.start":
            status["code"] = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", content_type), (b"cookie", cookie)],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    run_to_end(app(scope, receive, send))
    return status["code"], taken["n"]


def test_a_huge_form_without_a_valid_token_is_refused_before_it_is_read_whole(client):
    client.get("/login")
    cookie = f"csrftoken={client.cookies['csrftoken']}".encode()
    chunks = (b"a=" + b"x" * (1024 * 1024 - 2) for _ in range(64))  # 64 MiB on offer
    status, taken = _drive(client.app, "/login", b"application/x-www-form-urlencoded", chunks, cookie)
    assert status == 413
    assert taken <= 3


def test_a_file_before_the_token_is_refused_before_the_file_is_read(client):
    client.get("/login")
    cookie = f"csrftoken={client.cookies['csrftoken']}".encode()
    head = b'--B\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
    chunks = [head, *(b"x" * (1024 * 1024) for _ in range(64))]
    status, taken = _drive(client.app, "/company/report", b"multipart/form-data; boundary=B", chunks, cookie)
    assert status == 403
    assert taken <= 2


def test_no_request_body_is_read_beyond_the_largest_upload(client):
    """The JSON API's bodies too (an upload of a report at its 64 MiB limit passes)."""
    chunks = (b"x" * (1024 * 1024) for _ in range(100))
    status, taken = _drive(client.app, "/api/v1/auth/login", b"application/json", chunks, b"")
    assert status == 413
    assert taken <= 69


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("multipart/form-data", b"--B\r\n"),  # no boundary
        ("application/x-www-form-urlencoded", b"csrftoken=\xff\xfe&login=x"),  # not UTF-8
        ("application/json", b"{}"),
    ],
)
def test_a_malformed_form_is_refused_not_a_server_error(client, content_type, content):
    client.get("/login")
    answer = client.post("/login", content=content, headers={"Content-Type": content_type})
    assert answer.status_code in (400, 403, 415), answer.status_code


def test_over_https_the_token_cookie_is_a_host_cookie(services):
    with TestClient(create_app(services), base_url="https://registry.example") as client:
        answer = client.get("/login")
        cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and "csrftoken=" in v)
        assert cookie.startswith("__Host-csrftoken=")
        assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie
