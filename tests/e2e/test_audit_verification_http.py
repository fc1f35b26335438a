"""GET /api/v1/audit/verification: the chain's status for the auditor and the secretariat (as the
digest is theirs), refused to every other role and to a visitor; each look is an access-log entry."""

from __future__ import annotations

import pytest

from registry.domain.accounts import Role
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    client,
    tokens,
    world,
)

ALLOWED = (Role.AUDITOR, Role.SECRETARIAT)
REFUSED = (Role.COMPANY, Role.NGO, Role.UNION, Role.COMMITTEE, Role.BUYER)


def _get(client, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/api/v1/audit/verification", headers=headers)


@pytest.mark.parametrize("role", ALLOWED, ids=lambda r: r.value)
def test_the_auditor_and_the_secretariat_see_a_whole_chain_verified(client, tokens, role):
    answer = _get(client, tokens[role])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["ok"] is True
    assert body["checked"] > 0
    assert body["first_bad_entry"] is None
    after = _get(client, tokens[role]).json()
    assert after["checked"] > body["checked"]  # the first look is itself an entry, checked by the second


@pytest.mark.parametrize("role", REFUSED, ids=lambda r: r.value)
def test_every_other_role_is_refused(client, tokens, role):
    assert _get(client, tokens[role]).status_code == 403


def test_a_visitor_is_asked_to_log_in(client):
    assert _get(client, None).status_code == 401
