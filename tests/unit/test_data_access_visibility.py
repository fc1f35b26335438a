"""Which policy row a read of data-access requests falls under, and which requests a list shows.

Expected values are literals from docs/access.md's matrix row "release part of the aggregated list
to a local partner": secretariat "approve", NGO party "request", union party "request", every other
role "-". The approver reads every request; a requesting party reads its own organisation's.
"""

from __future__ import annotations

import uuid

import pytest

from keys.access.policy import Facts, decide
from keys.access.principal import Principal, SystemPrincipal
from keys.access.visibility import DATA_ACCESS_SIGHT, RequestScope, data_access_sight
from registry.domain.accounts import Role

# the matrix row, cell by cell: (policy action a read is decided under, the requests a list shows)
MATRIX_ROW = {
    "secretariat": ("approve_release", "every request"),
    "ngo": ("request_release", "own organisation's requests"),
    "union": ("request_release", "own organisation's requests"),
}
NOBODY_ELSE = ("company", "committee", "auditor", "buyer")


def principal(role: str) -> Principal:
    return Principal(f"{role}-test", Role(role), uuid.uuid4(), f"{role}-org")


@pytest.mark.parametrize(("role", "expected"), sorted(MATRIX_ROW.items()))
def test_the_approver_and_the_requesting_parties_read_under_their_own_row(role, expected):
    sight = data_access_sight(principal(role))
    assert (sight.action.value, sight.scope.value) == expected


@pytest.mark.parametrize("role", NOBODY_ELSE)
def test_every_other_role_has_no_requests_to_see_and_the_policy_refuses_its_read(role):
    sight = data_access_sight(principal(role))
    assert sight.scope is RequestScope.NONE
    assert sight.action.value == "request_release"  # refused, and logged, under the requesting row
    assert not decide(principal(role), sight.action, Facts(own_data=True)).allowed


def test_a_system_principal_has_no_requests_to_see():
    assert data_access_sight(SystemPrincipal("secretariat-cli:alice")).scope is RequestScope.NONE


def test_the_table_names_exactly_the_roles_of_the_matrix_row():
    assert {role.value for role in DATA_ACCESS_SIGHT} == set(MATRIX_ROW)


@pytest.mark.parametrize("role", sorted(MATRIX_ROW))
def test_the_policy_grants_each_listed_role_the_read_its_scope_establishes(role):
    """The scope's facts are what the policy decides on: the requesting parties' reads are of their own."""
    sight = data_access_sight(principal(role))
    assert decide(principal(role), sight.action, sight.facts()).allowed
