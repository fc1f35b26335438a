"""Which companies were notified of a case is case-scoped (docs/access.md, issue 11 item 6).

The committee sees them only for a case that is before it; an NGO party only for a case it filed,
and only with a valid signed declaration. Attacked over HTTP as the committee (a case the
secretariat still runs) and as a declared NGO (another NGO's case): both are refused, each refusal
one denied access-log entry; the rightful readers still get the list.
"""

from __future__ import annotations

from tests.e2e.test_attack_rulings import (  # noqa: F401  (fixtures: world, client, auth)
    A,
    B,
    auth,
    client,
    notified_case,
    principal,
    world,
)


def read(client, auth, world, who: str, reference: str):
    before = len(world.access_log.entries(limit=100_000))
    response = client.get(f"/api/v1/grievances/{reference}/notified-companies", headers=auth[who])
    new = [
        (e.actor, e.action, str(e.outcome))
        for e in world.access_log.entries(limit=100_000)[before:]
        if not e.actor.startswith("system:")
    ]
    return response, new


def test_the_committee_does_not_see_the_notified_companies_of_a_case_not_before_it(client, auth, world):
    reference = notified_case(world)  # the secretariat still runs it
    response, entries = read(client, auth, world, "klachtencommissie", reference)
    assert response.status_code == 403, response.text
    assert A not in response.text and B not in response.text
    assert response.json()["detail"] == "only a case file before the committee"
    assert entries == [("user.klachtencommissie", "see_notified_companies", "denied")]

    # referred: now the case is before the committee, and it sees both
    world.grievance.advance(principal(world, "arisa"), reference, "refer_to_committee", "no remediation")
    response, entries = read(client, auth, world, "klachtencommissie", reference)
    assert response.status_code == 200, response.text
    assert response.json()["companies"] == sorted([A, B])
    assert entries == [("user.klachtencommissie", "see_notified_companies", "granted")]


def test_a_declared_ngo_does_not_see_the_notified_companies_of_another_ngos_case(client, auth, world):
    theirs = notified_case(world, filer="andere-ngo")  # both NGOs' users have a valid declaration
    response, entries = read(client, auth, world, "arisa", theirs)
    assert response.status_code == 403, response.text
    assert A not in response.text and B not in response.text
    assert entries == [("user.arisa", "see_notified_companies", "denied")]

    response, entries = read(client, auth, world, "andere-ngo", theirs)  # its own case
    assert response.status_code == 200, response.text
    assert response.json()["companies"] == sorted([A, B])
    assert entries == [("user.andere-ngo", "see_notified_companies", "granted")]
