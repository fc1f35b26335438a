"""Facts are gathered for everyone, and the policy decides first (issue 13 review).

- A case's evidence items cannot be counted by whoever is logged in: a person the policy refuses
  gets 403 whether item N exists or not, one denied entry each; a 404 comes only after a grant.
- The linked-list search gathers its facts (a valid declaration, a site in a case file before the
  committee) for any person; the role is the policy's to weigh (keys/access/policy.py).
"""

from __future__ import annotations

from registry.domain.accounts import Role
from tests.e2e.matrix import client, people, tokens, world  # noqa: F401 - the fixtures are used by name
from tests.e2e.test_access_matrix import case_in_stage, principal_of, quarry_site_id


def test_a_buyer_asking_for_an_existing_or_a_missing_evidence_item_gets_403_each_logged_once(client, world, tokens):
    reference = case_in_stage(world, "referred")
    headers = {"Authorization": f"Bearer {tokens[Role.BUYER]}"}
    for number in (1, 99):
        before = len(people(world))
        response = client.get(f"/api/v1/grievances/{reference}/evidence/{number}", headers=headers)
        assert response.status_code == 403, response.text
        new = people(world)[before:]
        assert [(e.actor, e.action, str(e.outcome)) for e in new] == [("buyer.user", "read_evidence", "denied")]
        assert new[0].request_id == response.headers["X-Request-ID"]


def test_a_missing_evidence_item_is_404_for_a_reader_the_policy_allows_with_no_granted_entry(client, world, tokens):
    reference = case_in_stage(world, "referred")
    before = len(people(world))
    response = client.get(
        f"/api/v1/grievances/{reference}/evidence/99", headers={"Authorization": f"Bearer {tokens[Role.SECRETARIAT]}"}
    )
    assert response.status_code == 404, response.text
    assert people(world)[before:] == []


def test_the_case_file_fact_is_gathered_for_any_person_asking_about_a_site(world):
    case_in_stage(world, "referred")
    site = world.registry.current_site_id(quarry_site_id(world))
    for role in (Role.COMMITTEE, Role.SECRETARIAT, Role.BUYER):
        assert world.linked_search.facts(principal_of(world, role), site).in_case_file, role
    assert not world.linked_search.facts(principal_of(world, Role.BUYER), None).in_case_file
