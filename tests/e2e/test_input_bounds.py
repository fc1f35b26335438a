"""Input bounds (issue 13 review): a due-diligence score is a percentage 0-100 with at most two
decimals, and a membership date lies between the covenant's first term (May 2019: "het oorspronkelijke
convenant van mei 2019", evaluation 2020-2024) and a year after today. Refused with a 422 naming the
field, over HTTP and through the use case the command line uses; nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from keys.access.principal import SystemPrincipal
from registry.domain.accounts import Role
from registry.domain.errors import ValidationError
from registry.domain.organisations import OrganisationKind
from tests.e2e.matrix import OWN, client, tokens, world  # noqa: F401 - the fixtures are used by name
from tests.e2e.test_assessment_http import auth, entries_of
from tests.e2e.test_organisations_http import client as organisations_client  # noqa: F401
from tests.e2e.test_organisations_http import fields, register

OPERATOR = SystemPrincipal("secretariat-cli:tests")


@pytest.mark.parametrize("score", ["123456789012345678901234567890", "65.001", "1e400"])
def test_a_score_with_too_many_digits_is_422_naming_the_score(client, world, tokens, score):
    url = f"/api/v1/assessment/{OWN}/2024"
    response = client.post(
        url,
        headers={**auth(tokens, Role.SECRETARIAT), "Content-Type": "application/json"},
        content=f'{{"version": 1, "due_diligence_score": {score}}}',
    )
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["due_diligence_score"]
    assert entries_of(world, response) == []
    assert world.registry.report(OWN, 2024).assessments == []


def test_the_use_case_refuses_a_score_with_more_than_two_decimals(world):
    with pytest.raises(ValidationError) as refused:
        world.assessment.assess(OPERATOR, OWN, 2024, 1, Decimal("65.001"))
    assert refused.value.field == "due_diligence_score"
    assert world.registry.report(OWN, 2024).assessments == []


def later_than_a_year() -> str:
    return (dt.date.today() + dt.timedelta(days=367)).isoformat()


@pytest.mark.parametrize("on", ["0001-01-01", "2019-04-30", "9999-12-31", "later"])
def test_a_join_date_outside_the_covenant_is_422_naming_on(organisations_client, on):
    assert register(organisations_client, "de-steenhouwer").status_code == 201
    on = later_than_a_year() if on == "later" else on
    join = "/api/v1/organisations/de-steenhouwer/join"
    assert fields(organisations_client.post(join, json={"on": on, "category": "C", "size": "small"})) == ["on"]
    record = organisations_client.get("/api/v1/organisations/de-steenhouwer").json()
    assert record["memberships"] == []


def test_the_first_day_of_the_first_term_and_a_year_ahead_are_accepted(organisations_client):
    for ref, on in (("eerste-bv", "2019-05-01"), ("later-bv", (dt.date.today() + dt.timedelta(days=365)).isoformat())):
        assert register(organisations_client, ref).status_code == 201
        joined = organisations_client.post(
            f"/api/v1/organisations/{ref}/join", json={"on": on, "category": "C", "size": "small"}
        )
        assert joined.status_code == 200, joined.text


@pytest.mark.parametrize("end", ["withdraw", "exclude"])
def test_an_end_date_a_year_after_today_is_422_naming_on(organisations_client, end):
    assert register(organisations_client, "de-steenhouwer").status_code == 201
    join = "/api/v1/organisations/de-steenhouwer/join"
    assert (
        organisations_client.post(join, json={"on": "2024-01-01", "category": "C", "size": "small"}).status_code == 200
    )
    url = f"/api/v1/organisations/de-steenhouwer/{end}"
    assert fields(organisations_client.post(url, json={"on": "9999-12-31"})) == ["on"]
    assert fields(organisations_client.post(url, json={"on": later_than_a_year()})) == ["on"]
    record = organisations_client.get("/api/v1/organisations/de-steenhouwer").json()
    assert record["memberships"][0]["ended_on"] is None


def test_the_use_case_refuses_a_join_in_year_one(services):
    services.registry.register_organisation(
        "de-steenhouwer", "De Steenhouwer BV", OrganisationKind.MEMBER_COMPANY, "NL"
    )
    with pytest.raises(ValidationError) as refused:
        services.organisations.join(OPERATOR, "de-steenhouwer", dt.date(1, 1, 1), "C", "small")
    assert refused.value.field == "on"
    assert services.registry.organisation("de-steenhouwer").periods == []
