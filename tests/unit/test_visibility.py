"""What each role sees of the access log: the matrix's row in docs/access.md, cell by cell.

The expectations are transcribed from docs/access.md ("access log: who read which company's supplier
data"), not derived from the table under test: a change to what a role sees that the brief does not
allow makes a cell fail here.
"""

import uuid

import pytest

from keys.access.policy import Action, Facts, decide
from keys.access.principal import Principal, SystemPrincipal
from keys.access.visibility import LogScope, access_log_scope, facts_for
from registry.domain.accounts import Role

# docs/access.md, the access-log row, in the matrix's column order ("-": nothing)
MATRIX_ROW = {
    "secretariat": "own entries",
    "ngo": "own entries",
    "union": "own entries",
    "company": "entries about own data",
    "committee": "-",
    "auditor": "all",
    "buyer": "-",
}


def person(role: str) -> Principal:
    return Principal(f"{role}.user", Role(role), uuid.uuid4(), f"{role}-org")


@pytest.mark.parametrize(("role", "expected"), sorted(MATRIX_ROW.items()))
def test_each_role_sees_of_the_access_log_what_the_matrix_says(role, expected):
    assert access_log_scope(person(role)).value == expected


def test_every_role_has_a_cell():
    assert {role.value for role in Role} == set(MATRIX_ROW)


def test_a_system_principal_or_anonymous_visitor_sees_nothing():
    assert access_log_scope(SystemPrincipal("projection:linked-list")) is LogScope.NONE
    assert access_log_scope(None) is LogScope.NONE


@pytest.mark.parametrize("role", sorted(MATRIX_ROW))
def test_the_policy_grants_exactly_the_scope_the_table_gives(role):
    """The table gathers the facts; the policy decides on them. A role with a scope is granted the
    read of that scope, a role with none ("-") is refused."""
    principal = person(role)
    granted = decide(principal, Action.READ_ACCESS_LOG, facts_for(access_log_scope(principal))).allowed
    assert granted == (MATRIX_ROW[role] != "-")


def test_the_facts_of_each_scope():
    assert facts_for(LogScope.OWN_ENTRIES) == Facts(own_entries_only=True)
    assert facts_for(LogScope.ABOUT_OWN_DATA) == Facts(about_own_data_only=True)
    assert facts_for(LogScope.ALL) == Facts()
    assert facts_for(LogScope.NONE) == Facts()
