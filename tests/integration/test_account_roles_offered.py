"""The roles a login form offers: those whose logins the person administers (docs/access.md: the
secretariat makes the logins of member companies, NGO and union parties and public buyers; the
secretariat's own, the auditor's and the committee's are the installation's). The form offers; the
use case still refuses a role outside the remit when it is sent anyway."""

from __future__ import annotations

import uuid

import pytest

from keys.access.filter import AccessDeniedError
from keys.access.principal import Principal
from registry.domain.accounts import Role


def test_the_secretariat_is_offered_the_parties_roles_and_no_other(services):
    secretariat = Principal("secretariat.user", Role.SECRETARIAT, uuid.uuid4(), "secretariaat")
    assert services.accounts.roles_offered(secretariat) == ("ngo", "union", "company", "buyer")  # in the order of Role


@pytest.mark.parametrize("role", ["ngo", "union", "company", "committee", "auditor", "buyer"])
def test_a_role_that_administers_no_login_is_offered_none(services, role):
    person = Principal(f"{role}.user", Role(role), uuid.uuid4(), f"{role}-org")
    assert services.accounts.roles_offered(person) == ()


def test_a_role_sent_anyway_is_still_refused_by_the_use_case(services):
    secretariat = Principal("secretariat.user", Role.SECRETARIAT, uuid.uuid4(), "secretariaat")
    with pytest.raises(AccessDeniedError):
        services.accounts.create(secretariat, "new.auditor", "auditor", "secretariaat", "A", "x" * 20)
