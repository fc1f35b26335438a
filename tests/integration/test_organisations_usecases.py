"""The secretariat's register of organisations and its user administration, as use cases (issue 13,
item 3): each call asks the policy, leaves one access-log entry per attempt, and refuses bad input
naming the field without a granted entry. Verklaring D (no withdrawal while a case is before the
complaints committee) is the use case's check. A disabled login's session ends on its next request;
a reset second factor makes the old one's codes worthless."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest

from keys.access.filter import AccessDeniedError
from keys.access.principal import Principal, SystemPrincipal
from keys.logins.auth import InvalidCredentialsError
from registry.domain.accounts import Role
from registry.domain.errors import ConflictError, NotFoundError, ValidationError
from registry.domain.organisations import OrganisationKind
from registry.usecases.organisations import Organisations
from tests.clock import FakeClock
from trustone.web.auth import build_authenticator

D = dt.date
PASSWORD = "correct horse battery staple"
NOW = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def secretariat(services) -> Principal:
    services.registry.register_organisation("secretariaat", "Secretariaat", OrganisationKind.SECRETARIAT, "NL")
    return Principal(
        "secretariat.user", Role.SECRETARIAT, services.registry.organisation_id("secretariaat"), "secretariaat"
    )


def entries(services, after: int) -> list[tuple[str, str, str, str]]:
    return [
        (e.actor, e.action, str(e.outcome), e.subject_ref)
        for e in services.access_log.entries(limit=100_000, after_seq=after)
        if not e.actor.startswith("system:projection")
    ]


def mark(services) -> int:
    found = services.access_log.entries(limit=100_000)
    return found[-1].seq if found else 0


# --- organisations -----------------------------------------------------------------------------------


def test_the_secretariat_registers_each_kind_and_lists_them_by_kind(services, secretariat):
    orgs = services.organisations
    for ref, kind in (
        ("de-steenhouwer", "member_company"),
        ("arisa", "ngo_party"),
        ("fnv", "union_party"),
        ("gemeente-utrecht", "public_buyer"),
    ):
        record = orgs.register(secretariat, ref, f"{ref} naam", kind, "nl")
        assert (record.ref, record.kind, record.country, record.memberships) == (ref, kind, "NL", ())
    assert [o.ref for o in orgs.listing(secretariat, "union_party")] == ["fnv"]
    assert [o.ref for o in orgs.listing(secretariat)] == [
        "arisa",
        "de-steenhouwer",
        "fnv",
        "gemeente-utrecht",
        "secretariaat",
    ]
    assert orgs.show(secretariat, "arisa").name == "arisa naam"


def test_joining_withdrawing_and_excluding_are_recorded_with_their_dates(services, secretariat):
    orgs = services.organisations
    orgs.register(secretariat, "de-steenhouwer", "De Steenhouwer BV", "member_company", "NL")
    joined = orgs.join(secretariat, "de-steenhouwer", D(2025, 3, 1), "C", "medium")
    assert [(m.joined_on, m.category, m.size, m.ended_on) for m in joined.memberships] == [
        (D(2025, 3, 1), "C", "medium", None)
    ]
    withdrawn = orgs.withdraw(secretariat, "de-steenhouwer", D(2025, 9, 1))
    assert (withdrawn.memberships[-1].ended_on, withdrawn.memberships[-1].end_reason) == (D(2025, 9, 1), "withdrawn")
    orgs.join(secretariat, "de-steenhouwer", D(2025, 10, 1), "B", "small")
    excluded = orgs.exclude(secretariat, "de-steenhouwer", D(2025, 12, 1))
    assert [m.end_reason for m in excluded.memberships] == ["withdrawn", "excluded"]
    summary = orgs.listing(secretariat, "member_company")[0]
    assert (summary.joined_on, summary.ended_on, summary.end_reason) == (D(2025, 10, 1), D(2025, 12, 1), "excluded")
    assert orgs.set_contact(secretariat, "de-steenhouwer", " Meldingen@Steenhouwer.NL ").contact_email == (
        "meldingen@steenhouwer.nl"
    )
    assert services.registry.member_status_on("de-steenhouwer", D(2025, 11, 1)).member


def test_each_attempt_is_one_entry_and_a_refused_input_leaves_none(services, secretariat):
    orgs = services.organisations
    start = mark(services)
    orgs.register(secretariat, "de-steenhouwer", "De Steenhouwer BV", "member_company", "NL")
    with pytest.raises(ConflictError):
        orgs.register(secretariat, "de-steenhouwer", "Again BV", "member_company", "NL")
    with pytest.raises(ValidationError) as bad_kind:
        orgs.register(secretariat, "nieuw", "Nieuw BV", "secretariat", "NL")  # not one the register takes
    assert bad_kind.value.field == "kind"
    with pytest.raises(ValidationError) as bad_country:
        orgs.register(secretariat, "nieuw", "Nieuw BV", "member_company", "XX")
    assert bad_country.value.field == "country"
    with pytest.raises(ValidationError) as bad_size:
        orgs.join(secretariat, "de-steenhouwer", D(2025, 3, 1), "C", "huge")
    assert bad_size.value.field == "size"
    with pytest.raises(NotFoundError):
        orgs.show(secretariat, "niemand")
    with pytest.raises(NotFoundError):
        orgs.withdraw(secretariat, "niemand", D(2025, 3, 1))
    with pytest.raises(ConflictError):
        orgs.withdraw(secretariat, "de-steenhouwer", D(2025, 3, 1))  # not a member
    ngo = Principal("ngo.user", Role.NGO, services.registry.organisation_id("secretariaat"), "arisa")
    with pytest.raises(AccessDeniedError):
        orgs.listing(ngo)
    with pytest.raises(AccessDeniedError):
        orgs.register(ngo, "nog-een", "Nog Een BV", "member_company", "NL")
    cli = SystemPrincipal("secretariat-cli:operator")
    orgs.listing(cli, "member_company")
    assert entries(services, start) == [
        ("secretariat.user", "manage_organisations", "granted", "de-steenhouwer"),
        ("ngo.user", "read_organisations", "denied", ""),
        ("ngo.user", "manage_organisations", "denied", "nog-een"),
        ("system:secretariat-cli:operator", "read_organisations", "granted", ""),
    ]
    assert [o.ref for o in orgs.listing(secretariat)] == ["de-steenhouwer", "secretariaat"]  # nothing half-written


def test_a_company_before_the_committee_cannot_withdraw_verklaring_d(services, secretariat):
    busy = {"de-steenhouwer"}
    orgs = Organisations(services.registry, services.filter, lambda ref: ref in busy, services.clock.today)
    orgs.register(secretariat, "de-steenhouwer", "De Steenhouwer BV", "member_company", "NL")
    orgs.join(secretariat, "de-steenhouwer", D(2025, 3, 1), "C", "medium")
    start = mark(services)
    with pytest.raises(ConflictError, match="pending before the complaints committee"):
        orgs.withdraw(secretariat, "de-steenhouwer", D(2025, 9, 1))
    assert entries(services, start) == []  # refused before the grant: no granted entry
    assert orgs.show(secretariat, "de-steenhouwer").memberships[-1].ended_on is None
    busy.clear()  # the case is decided
    assert orgs.withdraw(secretariat, "de-steenhouwer", D(2025, 9, 1)).memberships[-1].end_reason == "withdrawn"


def test_the_composition_asks_the_grievance_cases_about_withdrawal(services, secretariat, monkeypatch):
    """Wired in trustone/bootstrap.py to the grievance application, read at call time."""
    services.organisations.register(secretariat, "de-steenhouwer", "De Steenhouwer BV", "member_company", "NL")
    services.organisations.join(secretariat, "de-steenhouwer", D(2025, 3, 1), "C", "medium")
    asked = []
    monkeypatch.setattr(
        services.grievance, "before_committee_with", lambda ref, company_id: asked.append((ref, company_id)) or True
    )
    with pytest.raises(ConflictError):
        services.organisations.withdraw(secretariat, "de-steenhouwer", D(2025, 9, 1))
    assert asked == [("de-steenhouwer", services.registry.organisation_id("de-steenhouwer"))]


# --- accounts ----------------------------------------------------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def auth(services, clock):
    return build_authenticator(services, clock)


def test_a_role_that_does_not_fit_the_organisation_is_refused_naming_the_role(services, secretariat):
    services.organisations.register(secretariat, "arisa", "Arisa", "ngo_party", "NL")
    start = mark(services)
    with pytest.raises(ValidationError) as raised:
        services.accounts.create(secretariat, "jan@arisa.nl", "company", "arisa", "Jan", PASSWORD)
    assert raised.value.field == "role"
    assert "member_company" in raised.value.message and "ngo_party" in raised.value.message
    with pytest.raises(ValidationError) as short:
        services.accounts.create(secretariat, "jan@arisa.nl", "ngo", "arisa", "Jan", "kort")
    assert short.value.field == "password"
    assert entries(services, start) == []
    assert services.accounts.listing(secretariat, "arisa") == []


INSTALLATION = SystemPrincipal("accounts-cli:operator")  # a secretariat login is the installation's to make


def test_a_secretariat_login_gets_a_second_factor_shown_once_and_logs_in_with_it(services, secretariat, auth, clock):
    created = services.accounts.create(
        INSTALLATION, "piet@secretariaat.nl", "secretariat", "secretariaat", "Piet", PASSWORD
    )
    assert created.second_factor is not None
    assert created.second_factor.totp_provisioning_uri.startswith("otpauth://totp/TruStone:piet%40secretariaat.nl?")
    code = pyotp.TOTP(created.second_factor.totp_secret).at(clock())
    assert auth.login("piet@secretariaat.nl", PASSWORD, code)
    [record] = services.accounts.listing(INSTALLATION, "secretariaat")
    assert (record.login, record.role, record.active, record.second_factor_enrolled) == (
        "piet@secretariaat.nl",
        "secretariat",
        True,
        True,
    )


def test_an_ngo_login_has_no_second_factor_to_show(services, secretariat):
    services.organisations.register(secretariat, "arisa", "Arisa", "ngo_party", "NL")
    created = services.accounts.create(secretariat, "jan@arisa.nl", "ngo", "arisa", "Jan", PASSWORD)
    assert (created.role, created.organisation_ref, created.second_factor) == ("ngo", "arisa", None)


def test_a_reset_second_factor_makes_the_old_codes_worthless(services, secretariat, auth, clock):
    first = services.accounts.create(
        INSTALLATION, "piet@secretariaat.nl", "secretariat", "secretariaat", "Piet", PASSWORD
    )
    old = pyotp.TOTP(first.second_factor.totp_secret)
    second = services.accounts.reset_second_factor(INSTALLATION, "piet@secretariaat.nl")
    assert second.totp_secret != first.second_factor.totp_secret
    with pytest.raises(InvalidCredentialsError):
        auth.login("piet@secretariaat.nl", PASSWORD, old.at(clock()))
    clock.advance(seconds=30)
    assert auth.login("piet@secretariaat.nl", PASSWORD, pyotp.TOTP(second.totp_secret).at(clock()))


def test_a_disabled_login_cannot_log_in_and_its_session_ends_on_the_next_request(services, secretariat, auth):
    services.organisations.register(secretariat, "arisa", "Arisa", "ngo_party", "NL")
    services.accounts.create(secretariat, "jan@arisa.nl", "ngo", "arisa", "Jan", PASSWORD)
    token = auth.login("jan@arisa.nl", PASSWORD, None)
    assert auth.principal_for(token).login == "jan@arisa.nl"
    record = services.accounts.disable(secretariat, "jan@arisa.nl", "left Arisa")
    assert record.active is False
    assert auth.principal_for(token) is None
    with pytest.raises(InvalidCredentialsError):
        auth.login("jan@arisa.nl", PASSWORD, None)
    with pytest.raises(ConflictError):
        services.accounts.disable(secretariat, "jan@arisa.nl", "left Arisa")
    with pytest.raises(ConflictError):
        services.accounts.reset_second_factor(secretariat, "jan@arisa.nl")


def test_only_the_secretariat_administers_users_and_each_attempt_is_logged(services, secretariat):
    services.organisations.register(secretariat, "arisa", "Arisa", "ngo_party", "NL")
    ngo = Principal("ngo.user", Role.NGO, services.registry.organisation_id("arisa"), "arisa")
    start = mark(services)
    with pytest.raises(AccessDeniedError):
        services.accounts.create(ngo, "jan@arisa.nl", "ngo", "arisa", "Jan", PASSWORD)
    with pytest.raises(AccessDeniedError):
        services.accounts.listing(ngo, "arisa")
    with pytest.raises(AccessDeniedError):  # the secretariat's command line: its duties, not the logins
        services.accounts.create(
            SystemPrincipal("secretariat-cli:operator"), "jan@arisa.nl", "ngo", "arisa", "Jan", PASSWORD
        )
    services.accounts.create(INSTALLATION, "jan@arisa.nl", "ngo", "arisa", "Jan", PASSWORD)
    services.accounts.disable(secretariat, "jan@arisa.nl", "left Arisa")
    assert entries(services, start) == [
        ("ngo.user", "administer_users", "denied", "jan@arisa.nl"),
        ("ngo.user", "administer_users", "denied", "arisa"),
        ("system:secretariat-cli:operator", "administer_users", "denied", "jan@arisa.nl"),
        ("system:accounts-cli:operator", "administer_users", "granted", "jan@arisa.nl"),
        ("secretariat.user", "administer_users", "granted", "jan@arisa.nl"),
    ]
