"""The words the visibility tables use are docs/access.md's (the mutation run on
keys/access/visibility.py found them unchecked): a scope's name is what a reader of the code
compares with the matrix, and the tables cannot be changed in place by a caller."""

import dataclasses

import pytest

from keys.access.policy import Action
from keys.access.visibility import (
    DATA_ACCESS_SIGHT,
    CaseStanding,
    DeskShare,
    QueueScope,
    RequestScope,
)
from registry.domain.accounts import Role


def test_the_case_standings_and_queue_scopes_are_named_as_in_the_docs():
    assert [standing.value for standing in CaseStanding] == ["by role", "filer", "addressed"]
    assert [scope.value for scope in QueueScope] == [
        "every case",
        "cases ever before the committee",
        "cases it filed",
        "cases it filed, was notified of or is a party to",
        "none",
    ]


def test_the_desk_shares_and_request_scopes_are_named_as_in_the_docs():
    assert [share.value for share in DeskShare] == ["every organisation's", "its own organisation's"]
    assert [scope.value for scope in RequestScope] == ["every request", "own organisation's requests", "-"]


def test_a_sight_cannot_be_changed_by_the_use_case_that_reads_it():
    sight = DATA_ACCESS_SIGHT[Role.NGO]
    with pytest.raises(dataclasses.FrozenInstanceError):
        sight.action = Action.APPROVE_RELEASE  # type: ignore[misc]
    with pytest.raises(TypeError):
        DATA_ACCESS_SIGHT[Role.COMPANY] = sight  # type: ignore[index]
