"""A page refuses a role the policy refuses before it reads what was typed, and logs the refusal
(design section 8: "denied attempts are logged too"; review of issue 14): a buyer sending a
malformed date to the access-log page, a union a malformed year to the linked list, got a 422 and
left no trace; the secretariat's login and publishing pages answered 200 to every role."""

from __future__ import annotations

import pytest

from registry.domain.accounts import Role
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    client,
    tokens,
    world,
)

CASES = [
    (Role.BUYER, "/auditor/access-log?from=not-a-date", "read_access_log"),
    (Role.COMMITTEE, "/auditor/access-log?cursor=x", "read_access_log"),
    (Role.UNION, "/party/linked-list?year=abc", "read_linked_list"),
    (Role.COMPANY, "/party/linked-list?year=abc", "read_linked_list"),
    (Role.COMPANY, "/party/aggregated-list?year=abc", "read_aggregated_list"),
    (Role.COMPANY, "/secretariat/publishing?year=abc", "publish_list"),
    (Role.NGO, "/secretariat/publishing", "publish_list"),
    (Role.COMPANY, "/secretariat/users", "administer_users"),
    (Role.AUDITOR, "/secretariat/users/new", "administer_users"),
    (Role.UNION, "/secretariat/users/someone", "administer_users"),
    (Role.COMPANY, "/party/data-access/new", "request_release"),
    (Role.BUYER, "/party/data-access/new", "request_release"),
]


def _log_of(world, request_id: str) -> list[tuple[str, str, str]]:
    return [
        (e.actor, e.action, str(e.outcome))
        for e in world.access_log.entries(limit=100_000)
        if e.request_id == request_id
    ]


@pytest.mark.parametrize(("role", "path", "action"), CASES, ids=[f"{r.value}:{p}" for r, p, _ in CASES])
def test_a_refused_role_is_refused_and_logged_whatever_it_typed(client, world, tokens, role, path, action):
    client.cookies.set("trustone_session", tokens[role])
    answer = client.get(path)
    assert answer.status_code == 403, answer.status_code
    assert _log_of(world, answer.headers["X-Request-ID"]) == [(f"{role.value}.user", action, "denied")]


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.SECRETARIAT, "/secretariat/users"),
        (Role.SECRETARIAT, "/secretariat/publishing"),
        (Role.AUDITOR, "/auditor/access-log"),
        (Role.UNION, "/party/aggregated-list"),
        (Role.NGO, "/party/data-access/new"),
    ],
)
def test_an_entitled_role_still_gets_the_page_and_asking_leaves_no_granted_entry(client, world, tokens, role, path):
    client.cookies.set("trustone_session", tokens[role])
    answer = client.get(path)
    assert answer.status_code == 200
    assert "denied" not in {outcome for _, _, outcome in _log_of(world, answer.headers["X-Request-ID"])}
