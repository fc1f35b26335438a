"""Held duplicate sites over HTTP (issue 13, acceptance): a company's report describes a quarry that
may be one the registry knows (a similar name 400 m away); once registered with other members' new
sites it is held, the secretariat sees it beside its candidate (public facts only: nothing says
which company described it) and decides; a second decision is 409."""

from __future__ import annotations

from registry.domain.accounts import Role
from tests.e2e.matrix import OWN, client, tokens, world  # noqa: F401 - the fixtures are used by name
from tests.integration.report_files import SITE_NAME, csv_bytes, factory_row, quarry_row
from tests.site_intake import register_waiting_sites

NEARBY = "Mahadev Sandstone Quarries Bijoliya"
SITE_FACTS = {"site_id", "kind", "name", "country", "province", "district", "latitude", "longitude", "stone_types"}


def auth(tokens, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


def test_a_held_duplicate_is_shown_side_by_side_and_decided_once(client, world, tokens):
    upload = client.post(
        f"/api/v1/companies/{OWN}/reports/2025",
        headers=auth(tokens, Role.COMPANY),
        files={"file": ("r.csv", csv_bytes([quarry_row(name=NEARBY, latitude="25.1750"), factory_row()]), "text/csv")},
    )
    assert upload.status_code == 200 and upload.json()["held_for_review"] == 1, upload.text
    register_waiting_sites(world)

    held = client.get("/api/v1/held-sites", headers=auth(tokens, Role.SECRETARIAT))
    assert held.status_code == 200, held.text
    [pair] = held.json()
    assert set(pair) == {"held", "candidate", "held_since"}
    assert set(pair["held"]) == set(pair["candidate"]) == SITE_FACTS
    assert {pair["held"]["name"], pair["candidate"]["name"]} == {SITE_NAME, NEARBY}
    for site in (pair["held"], pair["candidate"]):
        assert (site["kind"], site["country"], site["province"], site["district"], site["stone_types"]) == (
            "quarry",
            "IN",
            "Rajasthan",
            "Bhilwara",
            ["sandstone"],
        )
    assert OWN not in held.text and "Eigen" not in held.text  # no company, no reporter

    url = f"/api/v1/held-sites/{pair['held']['site_id']}/decision"
    decided = client.post(url, headers=auth(tokens, Role.SECRETARIAT), json={"decision": "same"})
    assert decided.status_code == 200, decided.text
    assert decided.json() == {
        "site_id": pair["held"]["site_id"],
        "decision": "same",
        "site_id_now": pair["candidate"]["site_id"],
    }
    assert world.registry.current_site_id(pair["held"]["site_id"]) == pair["candidate"]["site_id"]
    assert client.get("/api/v1/held-sites", headers=auth(tokens, Role.SECRETARIAT)).json() == []
    again = client.post(url, headers=auth(tokens, Role.SECRETARIAT), json={"decision": "distinct"})
    assert again.status_code == 409 and "not waiting for a duplicate decision" in again.json()["detail"]


def test_a_decision_other_than_same_or_distinct_is_422_and_an_unknown_site_404(client, tokens):
    secretariat = auth(tokens, Role.SECRETARIAT)
    unknown = client.post(
        "/api/v1/held-sites/IN-RJ-NOSUCHSITE/decision", headers=secretariat, json={"decision": "same"}
    )
    assert unknown.status_code == 404
    maybe = client.post("/api/v1/held-sites/IN-RJ-NOSUCHSITE/decision", headers=secretariat, json={"decision": "maybe"})
    assert maybe.status_code == 422 and maybe.json()["errors"][0]["field"] == "decision"
