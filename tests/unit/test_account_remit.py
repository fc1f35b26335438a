"""Whose logins a person may administer (issue 13 review: the secretariat could make itself an auditor
login and read the whole access log, or a committee login and rule on cases). Written from
docs/access.md: the secretariat administers the logins of member companies, NGO and union parties
and public buyers; the secretariat's own, the auditor's and the committee's are made by the
installation's operator on the server (``accounts-cli``)."""

import uuid

import pytest

from keys.access.policy import Action, decide
from keys.access.principal import Principal, SystemPrincipal
from keys.access.visibility import account_facts
from registry.domain.accounts import Role

SECRETARIAT = Principal("secretariat.user", Role.SECRETARIAT, uuid.uuid4(), "secretariaat")
IN_REMIT = {"company", "ngo", "union", "buyer"}


@pytest.mark.parametrize("target", [role.value for role in Role])
def test_the_secretariat_administers_the_parties_logins_only(target):
    allowed = decide(SECRETARIAT, Action.ADMINISTER_USERS, account_facts(SECRETARIAT, Role(target))).allowed
    assert allowed == (target in IN_REMIT)


@pytest.mark.parametrize("target", [role.value for role in Role])
def test_the_installations_operator_administers_every_login_and_the_secretariats_command_line_none(target):
    operator, secretariat_cli = SystemPrincipal("accounts-cli:root"), SystemPrincipal("secretariat-cli:anna")
    assert decide(operator, Action.ADMINISTER_USERS, account_facts(operator, Role(target))).allowed
    assert not decide(secretariat_cli, Action.ADMINISTER_USERS, account_facts(secretariat_cli, Role(target))).allowed


@pytest.mark.parametrize("role", ["ngo", "union", "company", "committee", "auditor", "buyer"])
def test_no_other_role_administers_a_login_even_within_the_remit(role):
    person = Principal(f"{role}.user", Role(role), uuid.uuid4(), f"{role}-org")
    for target in Role:
        assert not decide(person, Action.ADMINISTER_USERS, account_facts(person, target)).allowed
