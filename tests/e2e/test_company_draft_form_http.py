"""The company's draft form at its size: a form of many rows is read whole, not refused.

Review of issue 14: Starlette reads at most 1000 form fields by default; the draft form sends 13
per row, so a draft of 80 rows (MAX_DRAFT_ROWS is 500) was a 400 and every row typed was lost."""

from __future__ import annotations

from registry.domain.accounts import Role
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    client,
    tokens,
    world,
)

ROWS = 120  # 1,560 fields


def test_a_draft_of_many_rows_is_read_and_what_was_typed_comes_back(client, tokens):
    client.get("/login")
    client.cookies.set("trustone_session", tokens[Role.COMPANY])
    fields: list[tuple[str, str]] = [("csrftoken", client.cookies["csrftoken"]), ("year", "2024"), ("action", "save")]
    for row in range(1, ROWS + 1):
        fields += [
            ("chain", f"keten-{row:03d}"),
            ("tier", "2"),
            ("site_kind", "quarry"),
            ("site_id", "NO-SUCH-SITE"),  # refused by the rules: the form comes back with every row
            ("stone_type", "granite"),
            ("product", "tiles"),
            ("channel", "direct"),
            ("origin_confidence", ""),
            ("circular", "no"),
            ("volume", ""),
            ("volume_unit", ""),
            ("price_eur_per_unit", ""),
            ("contract_notes", ""),
        ]
    body = "&".join(f"{name}={value}" for name, value in fields)
    answer = client.post(
        "/company/report/draft",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert answer.status_code in (303, 422), answer.status_code
    if answer.status_code == 422:
        assert f"keten-{ROWS:03d}" in answer.text  # the last row typed is still there
