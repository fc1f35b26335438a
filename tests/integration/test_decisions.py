"""The two halves of a decision every validating use case asks (registry/usecases/decisions.py): a
refusal is logged and raised at once; a grant is logged only when ``grant`` is called, so an attempt
that fails a later check leaves no granted entry, and each attempt is exactly one entry."""

from __future__ import annotations

import uuid

import pytest

from keys.access.filter import AccessDeniedError, Audit
from keys.access.policy import Action
from keys.access.principal import Principal, SystemPrincipal
from registry.domain.accounts import Role
from registry.usecases.decisions import checked

AUDIT = Audit(subject_kind="organisation", subject_ref="de-steenhouwer", purpose="record joining", request_id="r-1")


def people(services) -> list:
    return [e for e in services.access_log.entries(limit=1000) if not e.actor.startswith("system:projection")]


def test_a_refusal_is_logged_and_raised_at_once(services):
    union = Principal("union.user", Role.UNION, uuid.uuid4(), "fnv")
    with pytest.raises(AccessDeniedError):
        checked(services.filter, union, Action.MANAGE_ORGANISATIONS, AUDIT)
    assert [(e.actor, e.action, str(e.outcome), e.request_id) for e in people(services)] == [
        ("union.user", "manage_organisations", "denied", "r-1")
    ]


def test_a_grant_is_logged_only_when_granted(services):
    operator = SystemPrincipal("secretariat-cli:tester")
    attempt = checked(services.filter, operator, Action.MANAGE_ORGANISATIONS, AUDIT)
    assert people(services) == []  # a later 404/409/422 would leave nothing
    attempt.grant()
    assert [(e.actor, e.action, str(e.outcome)) for e in people(services)] == [
        ("system:secretariat-cli:tester", "manage_organisations", "granted")
    ]
