"""Publishing the year's quarry-region list over HTTP (issue 13, acceptance): the secretariat previews
what the list will show (nothing frozen, the public sees no list yet), publishes it (the public list
then has exactly the previewed rows) and cannot publish the year again (409)."""

from __future__ import annotations

from registry.domain.accounts import Role
from tests.e2e.matrix import client, tokens, world  # noqa: F401 - the fixtures are used by name


def test_the_list_is_previewed_then_published_once_with_the_previewed_rows(client, world, tokens):
    secretariat = {"Authorization": f"Bearer {tokens[Role.SECRETARIAT]}"}
    preview = client.get("/api/v1/publications/quarry-regions/2024/preview", headers=secretariat)
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    # three companies buy from the one Bhilwara quarry: k = 3 reached, so its figures are shown
    assert (shown["year"], shown["k"], shown["published_on"]) == (2024, 3, None)
    assert [(r["district"], r["companies"], r["sites"]) for r in shown["regions"]] == [("Bhilwara", 3, 1)]
    assert client.get("/api/v1/public/quarry-regions", params={"year": 2024}).status_code == 404

    published = client.post("/api/v1/publications/quarry-regions/2024", headers=secretariat)
    assert published.status_code == 201, published.text
    assert published.json()["regions"] == shown["regions"] and published.json()["published_on"] is not None
    public = client.get("/api/v1/public/quarry-regions", params={"year": 2024})
    assert public.status_code == 200 and public.json()["regions"] == shown["regions"]

    again = client.post("/api/v1/publications/quarry-regions/2024", headers=secretariat)
    assert again.status_code == 409 and "published already" in again.json()["detail"]
    frozen = client.get("/api/v1/publications/quarry-regions/2024/preview", headers=secretariat).json()
    assert frozen["published_on"] == published.json()["published_on"]


def test_a_year_not_released_has_no_preview_and_cannot_be_published(client, tokens):
    secretariat = {"Authorization": f"Bearer {tokens[Role.SECRETARIAT]}"}
    assert client.get("/api/v1/publications/quarry-regions/2023/preview", headers=secretariat).status_code == 404
    refused = client.post("/api/v1/publications/quarry-regions/2023", headers=secretariat)
    assert refused.status_code == 409 and "cannot publish" in refused.json()["detail"]
