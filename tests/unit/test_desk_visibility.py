"""Which queues make up each role's "waiting for me" desk, and whose items they hold (issue 13,
item 3; docs/access.md, "Waiting for me"), transcribed from the issue and the matrix, not from
keys/access/visibility.py: the secretariat's five duties; a party's own cases, requests and (an
NGO party, art. 6 lid 3) declarations; a company's cases; the committee's cases; nothing else."""

import uuid

import pytest

from keys.access.principal import Principal, SystemPrincipal
from keys.access.visibility import DESKS, Desk, DeskShare, desk_of
from registry.domain.accounts import Role

EVERY, OWN = DeskShare.EVERY, DeskShare.OWN
EXPECTED = {
    "secretariat": {
        "reports awaiting assessment": EVERY,
        "sites held as possible duplicates": EVERY,
        "cases by deadline": EVERY,
        "data-access requests": EVERY,
        "declarations expiring within 30 days": EVERY,
        "contribution statements to prepare": EVERY,  # issue 17: "appears in the secretariat's queue"
    },
    "ngo": {"cases by deadline": OWN, "data-access requests": OWN, "declarations expiring within 30 days": OWN},
    "union": {"cases by deadline": OWN, "data-access requests": OWN},
    "company": {"cases by deadline": OWN},
    "committee": {"cases by deadline": EVERY},  # every case before it: the case queue's table scopes it
    "auditor": {},
    "buyer": {},
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_has_the_queues_of_its_duties(role):
    principal = Principal(f"{role}.user", Role(role), uuid.uuid4(), f"{role}-org")
    seen_role, desk = desk_of(principal)
    assert seen_role == Role(role)
    assert {queue.value: share for queue, share in desk.items()} == EXPECTED[role]
    assert dict(DESKS[Role(role)]) == {Desk(name): share for name, share in EXPECTED[role].items()}


def test_the_desk_shows_its_queues_in_the_order_of_the_work():
    assert [queue.value for queue in Desk] == [
        "reports awaiting assessment",
        "sites held as possible duplicates",
        "cases by deadline",
        "data-access requests",
        "declarations expiring within 30 days",
        "contribution statements to prepare",
    ]


@pytest.mark.parametrize(
    ("name", "role"),
    [("secretariat-cli:anna", Role.SECRETARIAT), ("projection:linked-list", None), ("keys-admin:root", None)],
)
def test_only_the_secretariats_command_line_has_a_desk_among_the_background_jobs(name, role):
    """The command line's desk is the secretariat's without the cases: its grants hold no case read
    (the cases stay with a person's login), so its summary names no case either."""
    seen_role, desk = desk_of(SystemPrincipal(name))
    assert seen_role == role
    expected = {
        "reports awaiting assessment": EVERY,
        "sites held as possible duplicates": EVERY,
        "data-access requests": EVERY,
        "declarations expiring within 30 days": EVERY,
        "contribution statements to prepare": EVERY,
    }
    assert {queue.value: share for queue, share in desk.items()} == (expected if role else {})


def test_a_visitor_has_no_desk():
    assert desk_of(None) == (None, {})
