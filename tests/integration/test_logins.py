"""Logins against both stores: passwords, second factor, throttling, sessions."""

import datetime as dt

import pyotp
import pytest

import keys.logins.auth
from keys.logins.auth import Authenticator, InvalidCredentialsError, LockedOutError, TotpRequiredError, TotpReusedError
from keys.logins.passwords import hash_password
from keys.logins.sessions import SessionStore
from keys.logins.throttle import LoginThrottle
from registry.domain.accounts import Role
from registry.domain.organisations import OrganisationKind
from tests.clock import FakeClock, monday_morning

PASSWORD = "correct horse battery staple"
WRONG = "incorrect horse battery staple"


@pytest.fixture
def clock() -> FakeClock:
    return monday_morning()


@pytest.fixture
def auth(services, clock) -> Authenticator:
    sessions, throttle = SessionStore(services.sql, clock), LoginThrottle(services.sql, clock)
    sessions.create_tables()
    throttle.create_tables()
    throttle.create_tables()  # idempotent
    return Authenticator(services.registry, sessions, throttle, clock)


@pytest.fixture
def registry(services):
    for ref, kind in [
        ("steen-bv", OrganisationKind.MEMBER_COMPANY),
        ("arisa", OrganisationKind.NGO_PARTY),
        ("secretariaat", OrganisationKind.SECRETARIAT),
        ("audit-nl", OrganisationKind.AUDITOR),
    ]:
        services.registry.register_organisation(ref, f"Organisation {ref}", kind, "NL")
    return services.registry


def add_user(registry, login: str, role: Role, org_ref: str, totp_secret: str | None = None) -> None:
    registry.create_account(login, role, org_ref, login.title(), hash_password(PASSWORD), totp_secret)


@pytest.fixture
def company_user(registry) -> str:
    add_user(registry, "jan@steen-bv.nl", Role.COMPANY, "steen-bv")
    return "jan@steen-bv.nl"


def test_the_right_password_gives_a_token_that_names_the_principal(auth, company_user, registry):
    token = auth.login(company_user, PASSWORD, None)
    principal = auth.principal_for(token)
    assert (principal.login, principal.role, principal.organisation_ref) == (company_user, Role.COMPANY, "steen-bv")
    assert principal.organisation_id == registry.organisation_id("steen-bv")


def test_the_login_is_folded_like_the_account_was(auth, company_user):
    assert auth.principal_for(auth.login("  Jan@Steen-BV.nl ", PASSWORD, None)).login == company_user


def test_a_wrong_password_and_an_unknown_login_fail_alike(auth, company_user):
    with pytest.raises(InvalidCredentialsError) as wrong:
        auth.login(company_user, WRONG, None)
    with pytest.raises(InvalidCredentialsError) as unknown:
        auth.login("nobody@nowhere.nl", PASSWORD, None)
    with pytest.raises(InvalidCredentialsError) as malformed:
        auth.login("?", PASSWORD, None)
    assert str(wrong.value) == str(unknown.value) == str(malformed.value) == "invalid login or password"


def test_an_unknown_login_still_costs_one_argon2_verification(auth, monkeypatch):
    verified: list[str] = []
    real_verify = keys.logins.auth.verify_password

    def counting_verify(password_hash: str, password: str) -> bool:
        verified.append(password_hash)
        return real_verify(password_hash, password)

    monkeypatch.setattr(keys.logins.auth, "verify_password", counting_verify)
    with pytest.raises(InvalidCredentialsError):
        auth.login("nobody@nowhere.nl", PASSWORD, None)
    assert len(verified) == 1 and verified[0].startswith("$argon2id$")


def test_a_deactivated_account_fails_like_a_wrong_password_and_its_sessions_end(auth, company_user, registry):
    token = auth.login(company_user, PASSWORD, None)
    account = registry.account(company_user)
    account.deactivate("left the company")
    registry.save(account)
    with pytest.raises(InvalidCredentialsError):
        auth.login(company_user, PASSWORD, None)
    assert auth.principal_for(token) is None


def test_five_failures_lock_the_login_even_against_the_right_password_until_the_lockout_ends(auth, company_user, clock):
    for _ in range(5):
        with pytest.raises(InvalidCredentialsError):
            auth.login(company_user, WRONG, None)
    with pytest.raises(LockedOutError) as locked:
        auth.login(company_user, PASSWORD, None)
    assert locked.value.retry_after == 15 * 60
    assert locked.value.until == clock.now + dt.timedelta(minutes=15)
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(LockedOutError):
        auth.login(company_user, PASSWORD, None)
    clock.advance(seconds=1)
    assert auth.principal_for(auth.login(company_user, PASSWORD, None)) is not None


def test_an_unknown_login_is_locked_out_too(auth):
    for _ in range(5):
        with pytest.raises(InvalidCredentialsError):
            auth.login("guess@example.org", WRONG, None)
    with pytest.raises(LockedOutError):
        auth.login("guess@example.org", WRONG, None)


def test_failures_older_than_the_lockout_period_no_longer_count(auth, company_user, clock):
    for _ in range(4):
        with pytest.raises(InvalidCredentialsError):
            auth.login(company_user, WRONG, None)
    clock.advance(minutes=15)
    for _ in range(4):
        with pytest.raises(InvalidCredentialsError):
            auth.login(company_user, WRONG, None)
    assert auth.login(company_user, PASSWORD, None)


def test_a_successful_login_resets_the_failure_count(auth, company_user):
    for _ in range(4):
        with pytest.raises(InvalidCredentialsError):
            auth.login(company_user, WRONG, None)
    auth.login(company_user, PASSWORD, None)
    for _ in range(4):
        with pytest.raises(InvalidCredentialsError):
            auth.login(company_user, WRONG, None)
    assert auth.login(company_user, PASSWORD, None)


def test_a_session_expires_after_its_ttl(auth, company_user, clock):
    token = auth.login(company_user, PASSWORD, None)
    clock.advance(hours=8, seconds=-1)
    assert auth.principal_for(token) is not None
    clock.advance(seconds=1)
    assert auth.principal_for(token) is None


def test_after_logout_the_token_no_longer_works_and_other_sessions_do(auth, company_user):
    first, second = auth.login(company_user, PASSWORD, None), auth.login(company_user, PASSWORD, None)
    assert first != second
    auth.logout(first)
    assert auth.principal_for(first) is None
    assert auth.principal_for(second) is not None


def test_revoking_all_sessions_of_a_login_ends_every_one(auth, company_user, services, clock):
    tokens = [auth.login(company_user, PASSWORD, None) for _ in range(2)]
    SessionStore(services.sql, clock).revoke_all(company_user)
    assert [auth.principal_for(t) for t in tokens] == [None, None]


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 10_000])
def test_a_made_up_token_names_no_one(auth, token):
    assert auth.principal_for(token) is None


@pytest.mark.parametrize(("role", "org_ref"), [(Role.SECRETARIAT, "secretariaat"), (Role.AUDITOR, "audit-nl")])
def test_secretariat_and_auditor_need_a_fresh_totp_code(auth, registry, clock, role, org_ref):
    secret = pyotp.random_base32()
    login = f"{role.value}@trustone.example"
    add_user(registry, login, role, org_ref, secret)
    totp = pyotp.TOTP(secret)

    with pytest.raises(TotpRequiredError, match="second factor"):
        auth.login(login, PASSWORD, None)
    wrong_code = f"{(int(totp.at(clock.now)) + 1) % 1_000_000:06d}"
    with pytest.raises(InvalidCredentialsError):
        auth.login(login, PASSWORD, wrong_code)
    code = totp.at(clock.now)
    assert auth.principal_for(auth.login(login, PASSWORD, code)).role == role
    with pytest.raises(TotpReusedError, match="already used"):
        auth.login(login, PASSWORD, code)  # the same code again, still inside its window

    clock.advance(seconds=30)
    assert auth.login(login, PASSWORD, totp.at(clock.now))


def test_a_totp_code_of_the_previous_step_is_accepted_once_for_clock_drift(auth, registry, clock):
    secret = pyotp.random_base32()
    add_user(registry, "sec@trustone.example", Role.SECRETARIAT, "secretariaat", secret)
    previous = pyotp.TOTP(secret).at(clock.now - dt.timedelta(seconds=30))
    assert auth.login("sec@trustone.example", PASSWORD, previous)
    with pytest.raises(TotpReusedError):
        auth.login("sec@trustone.example", PASSWORD, previous)


def test_wrong_totp_codes_count_towards_the_lockout(auth, registry):
    add_user(registry, "sec@trustone.example", Role.SECRETARIAT, "secretariaat", pyotp.random_base32())
    for _ in range(5):
        with pytest.raises(InvalidCredentialsError):
            auth.login("sec@trustone.example", PASSWORD, "000000x")
    with pytest.raises(LockedOutError):
        auth.login("sec@trustone.example", PASSWORD, None)


def test_a_required_second_factor_that_was_never_enrolled_refuses_the_login(auth, registry):
    add_user(registry, "sec@trustone.example", Role.SECRETARIAT, "secretariaat", None)
    with pytest.raises(InvalidCredentialsError):
        auth.login("sec@trustone.example", PASSWORD, None)


@pytest.mark.parametrize(("role", "org_ref"), [(Role.COMPANY, "steen-bv"), (Role.NGO, "arisa")])
def test_company_and_ngo_users_without_totp_log_in_with_a_password(auth, registry, role, org_ref):
    add_user(registry, f"user@{org_ref}.nl", role, org_ref)
    assert auth.principal_for(auth.login(f"user@{org_ref}.nl", PASSWORD, None)).role == role


def test_a_user_who_enrolled_an_optional_second_factor_must_use_it(auth, registry, clock):
    secret = pyotp.random_base32()
    add_user(registry, "piet@steen-bv.nl", Role.COMPANY, "steen-bv", secret)
    with pytest.raises(TotpRequiredError):
        auth.login("piet@steen-bv.nl", PASSWORD, None)
    assert auth.login("piet@steen-bv.nl", PASSWORD, pyotp.TOTP(secret).at(clock.now))


def test_the_session_table_holds_no_token_and_the_throttle_table_no_login(auth, company_user, services):
    token = auth.login(company_user, PASSWORD, None)
    with pytest.raises(InvalidCredentialsError):
        auth.login(company_user, WRONG, None)
    with services.sql.transaction() as cursor:
        sessions = cursor.execute("SELECT * FROM {schema}.auth_sessions").fetchall()
        throttled = cursor.execute("SELECT * FROM {schema}.auth_throttle").fetchall()
    assert sessions and throttled
    assert not any(token in str(value) for row in sessions for value in row)
    assert not any(company_user in str(value) for row in throttled for value in row)
