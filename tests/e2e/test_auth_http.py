"""POST /api/v1/auth/login, /logout and GET /me over HTTP, on both stores."""

import pyotp
import pytest
from fastapi.testclient import TestClient

from keys.logins.passwords import hash_password
from keys.logins.sessions import token_digest
from registry.domain.accounts import Role
from registry.domain.organisations import OrganisationKind
from tests.clock import FakeClock, monday_morning
from trustone.web.app import create_app
from trustone.web.auth import build_authenticator

PASSWORD = "Gr4niet-uit-Rajasthan!"
WRONG = "Gr4niet-uit-Zimbabwe!!"
LOGIN = "/api/v1/auth/login"
ME = "/api/v1/auth/me"


@pytest.fixture
def clock() -> FakeClock:
    return monday_morning()


@pytest.fixture
def users(services) -> dict[str, tuple[str, str | None]]:
    """role -> (login, totp secret)."""
    registry = services.registry
    made: dict[str, tuple[str, str | None]] = {}
    for role, ref, kind in [
        (Role.COMPANY, "steen-bv", OrganisationKind.MEMBER_COMPANY),
        (Role.NGO, "arisa", OrganisationKind.NGO_PARTY),
        (Role.SECRETARIAT, "secretariaat", OrganisationKind.SECRETARIAT),
        (Role.AUDITOR, "audit-nl", OrganisationKind.AUDITOR),
    ]:
        registry.register_organisation(ref, f"Organisation {ref}", kind, "NL")
        secret = pyotp.random_base32() if role in (Role.SECRETARIAT, Role.AUDITOR) else None
        login = f"{role.value}@{ref}.example"
        registry.create_account(login, role, ref, role.value.title(), hash_password(PASSWORD), secret)
        made[role.value] = (login, secret)
    return made


@pytest.fixture
def client(services, clock):
    app = create_app(services)
    app.state.authenticator = build_authenticator(services, clock)  # the same tables, a clock we control
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def log_in(client, login: str, password: str = PASSWORD, totp: str | None = None):
    body = {"login": login, "password": password}
    if totp is not None:
        body["totp"] = totp
    return client.post(LOGIN, json=body)


def assert_generic_401(response) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] == "invalid login or password"


def test_the_right_password_gives_a_bearer_token_that_me_accepts(client, users):
    login, _ = users["company"]
    response = log_in(client, login)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 8 * 3600
    assert response.headers["cache-control"] == "no-store"
    assert PASSWORD not in response.text
    me = client.get(ME, headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json() == {"login": login, "role": "company", "organisation_ref": "steen-bv"}


def test_a_wrong_password_is_a_generic_401_like_an_unknown_login(client, users):
    login, _ = users["company"]
    wrong = log_in(client, login, WRONG)
    unknown = log_in(client, "nobody@nowhere.example", PASSWORD)
    assert_generic_401(wrong)
    assert_generic_401(unknown)
    assert wrong.json() == unknown.json()
    for response in (wrong, unknown):
        assert PASSWORD not in response.text and WRONG not in response.text and login not in response.text


def test_five_failures_lock_out_with_429_and_retry_after_then_the_lockout_ends(client, users, clock):
    login, _ = users["company"]
    for _ in range(5):
        assert_generic_401(log_in(client, login, WRONG))
    locked = log_in(client, login, PASSWORD)
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == str(15 * 60)
    assert "access_token" not in locked.json()
    clock.advance(minutes=15)
    assert log_in(client, login).status_code == 200


def test_an_expired_token_is_a_401(client, users, clock):
    token = log_in(client, users["ngo"][0]).json()["access_token"]
    clock.advance(hours=8)
    response = client.get(ME, headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_after_logout_the_token_no_longer_works(client, users):
    token = log_in(client, users["company"][0]).json()["access_token"]
    response = client.post("/api/v1/auth/logout", headers=bearer(token))
    assert response.status_code == 204 and response.content == b""
    assert client.get(ME, headers=bearer(token)).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"}],
)
def test_me_without_a_valid_bearer_token_is_a_401(client, headers):
    response = client.get(ME, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("role", ["secretariat", "auditor"])
def test_secretariat_and_auditor_need_a_totp_code_used_once(client, users, clock, role):
    login, secret = users[role]
    totp = pyotp.TOTP(secret)

    missing = log_in(client, login)
    assert missing.status_code == 401
    assert "second factor" in missing.json()["detail"]
    assert missing.headers["www-authenticate"] == "Bearer"

    wrong_code = f"{(int(totp.at(clock.now)) + 1) % 1_000_000:06d}"
    assert_generic_401(log_in(client, login, totp=wrong_code))

    code = totp.at(clock.now)
    first = log_in(client, login, totp=code)
    assert first.status_code == 200
    assert client.get(ME, headers=bearer(first.json()["access_token"])).json()["role"] == role
    assert_reused_code_401(log_in(client, login, totp=code))


def assert_reused_code_401(response) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "this code was already used: wait for the next one", "code": "totp_reused"}


def test_a_reused_code_with_the_right_password_is_told_to_wait_for_the_next_code(client, users, clock):
    login, secret = users["secretariat"]
    code = pyotp.TOTP(secret).at(clock.now)
    assert log_in(client, login, totp=code).status_code == 200

    assert_reused_code_401(log_in(client, login, totp=code))
    clock.advance(seconds=30)
    assert log_in(client, login, totp=pyotp.TOTP(secret).at(clock.now)).status_code == 200  # the next one works


def test_a_reused_code_with_a_wrong_password_gets_the_generic_text(client, users, clock):
    login, secret = users["secretariat"]
    code = pyotp.TOTP(secret).at(clock.now)
    assert log_in(client, login, totp=code).status_code == 200
    assert_generic_401(log_in(client, login, WRONG, totp=code))


def test_reused_codes_count_towards_the_lockout(client, users, clock):
    login, secret = users["auditor"]
    code = pyotp.TOTP(secret).at(clock.now)
    assert log_in(client, login, totp=code).status_code == 200
    for _ in range(5):
        assert_reused_code_401(log_in(client, login, totp=code))
    clock.advance(seconds=30)
    locked = log_in(client, login, totp=pyotp.TOTP(secret).at(clock.now))
    assert locked.status_code == 429


def test_the_second_factor_question_comes_only_after_the_right_password(client, users):
    assert_generic_401(log_in(client, users["secretariat"][0], WRONG))


@pytest.mark.parametrize("role", ["company", "ngo"])
def test_company_and_ngo_users_log_in_without_totp(client, users, role):
    assert log_in(client, users[role][0]).status_code == 200


def test_a_missing_password_is_a_422_naming_the_field(client, users):
    response = client.post(LOGIN, json={"login": users["company"][0]})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["password"]


def test_an_overlong_password_is_a_422_that_does_not_echo_it(client, users):
    password = "secret-" * 200
    response = log_in(client, users["company"][0], password)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["password"]
    assert "secret-" not in response.text


def test_the_token_is_not_stored_in_plaintext(client, users, services):
    token = log_in(client, users["company"][0]).json()["access_token"]
    with services.sql.transaction() as cursor:
        rows = cursor.execute("SELECT * FROM {schema}.auth_sessions").fetchall()
    assert rows
    assert not any(token in str(value) for row in rows for value in row)
    assert any(token_digest(token) in row for row in rows)


def test_the_openapi_document_lists_the_auth_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/auth/me"} <= set(paths)
