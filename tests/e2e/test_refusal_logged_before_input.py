"""A refused party is logged as refused whatever else is wrong with its request (design section 8:
"denied attempts are logged too"): the policy decides before the cursor is read or the views are
waited for, so a company user asking for a list with a malformed cursor gets 403 and a denied
entry, not a 422 that leaves no trace (review finding)."""

from __future__ import annotations

import pytest

from tests.e2e.test_aggregated_list_etag import client, entries_of  # noqa: F401

BAD_CURSOR = "not-a-cursor"


@pytest.mark.parametrize(
    ("url", "action"),
    [("/api/v1/aggregated-list", "read_aggregated_list"), ("/api/v1/linked-list", "read_linked_list")],
)
def test_a_refused_party_with_a_malformed_cursor_is_refused_and_logged(client, services, url, action):
    company = {"Authorization": f"Bearer {client.tokens['company.user']}"}
    refused = client.get(url, params={"cursor": BAD_CURSOR}, headers=company)
    assert refused.status_code == 403, refused.text
    assert entries_of(services, refused) == [("company.user", action, "denied")]


@pytest.mark.parametrize(
    ("url", "action"),
    [("/api/v1/aggregated-list", "read_aggregated_list"), ("/api/v1/linked-list", "read_linked_list")],
)
def test_an_entitled_party_with_a_malformed_cursor_gets_422_and_no_granted_entry(client, services, url, action):
    malformed = client.get(url, params={"cursor": BAD_CURSOR})
    assert malformed.status_code == 422, malformed.text
    assert "cursor" in malformed.text
    assert [entry for entry in entries_of(services, malformed) if entry[2] == "granted"] == []
