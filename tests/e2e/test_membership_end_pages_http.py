"""A membership ended on the secretariat's organisation page: withdrawal and exclusion, each the
same call as its JSON route (POST /api/v1/organisations/{ref}/withdraw, /exclude); a date that is
not one named on the form with what was typed kept; another role refused."""

from __future__ import annotations

import pytest

from registry.domain.accounts import Role
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    OTHER,
    THIRD,
    client,
    tokens,
    world,
)


def _post(client, token, path, **fields):
    client.cookies.set("trustone_session", token)
    client.get("/login")
    return client.post(path, data={"csrftoken": client.cookies["csrftoken"], **fields}, follow_redirects=False)


@pytest.mark.parametrize(
    ("ref", "step", "field", "reason"),
    [(OTHER, "withdraw", "withdraw_on", "withdrawn"), (THIRD, "exclude", "exclude_on", "excluded")],
)
def test_the_secretariat_ends_a_membership_on_the_page(client, tokens, ref, step, field, reason):
    secretariat = tokens[Role.SECRETARIAT]
    path = f"/secretariat/organisations/{ref}/{step}"
    wrong = _post(client, secretariat, path, **{field: "31-12-2025"})
    assert wrong.status_code == 422
    assert f'id="error-{field}"' in wrong.text
    assert 'value="31-12-2025"' in wrong.text
    done = _post(client, secretariat, path, **{field: "2025-12-31"})
    assert done.status_code == 303
    record = client.get(f"/api/v1/organisations/{ref}", headers={"Authorization": f"Bearer {secretariat}"}).json()
    last = record["memberships"][-1]
    assert (last["ended_on"], last["end_reason"]) == ("2025-12-31", reason)


def test_a_company_may_not_end_another_membership(client, tokens):
    refused = _post(
        client, tokens[Role.COMPANY], f"/secretariat/organisations/{OTHER}/exclude", exclude_on="2025-12-31"
    )
    assert refused.status_code == 403
