"""The JSON twins of the pages' own use-case methods, on both stores: what one saves or reads over
JSON is what the page shows (a draft, a buyer's status check), the draft's refusals name the row and
the column as a file upload's do, the access-log search filters and pages as the auditor's page does,
and the reads that log nothing (the steps a reader may take, the published years) log nothing.

The world is the matrix's (tests/e2e/matrix.py): three member companies have each submitted a 2024
report with the same quarry and factory."""

from __future__ import annotations

import pytest

from registry.domain.accounts import Role
from tests.e2e.matrix import (  # noqa: F401 - the fixtures are used by name
    OTHER,
    OWN,
    PASSWORD,
    THIRD,
    client,
    people,
    tokens,
    world,
)
from tests.e2e.test_access_matrix import case_in_stage
from tests.e2e.test_access_matrix_pages import draft_rows, site_ids

DRAFT = f"/api/v1/companies/{OWN}/reports/2024/draft"


def bearer(tokens, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


def page_login(client, login: str) -> None:
    """A page session for a login without a second factor, through the login form."""
    client.get("/login")
    answer = client.post(
        "/login",
        data={"csrftoken": client.cookies["csrftoken"], "login": login, "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def test_a_draft_saved_over_json_is_what_the_page_shows_and_submits_as_the_next_version(client, world, tokens):
    ids = site_ids(world)
    saved = client.put(DRAFT, json={"links": draft_rows(**ids)}, headers=bearer(tokens, Role.COMPANY))
    assert saved.status_code == 200, saved.text
    assert [link["chain"] for link in saved.json()["links"]] == ["D1", "D1"]

    read = client.get(DRAFT, headers=bearer(tokens, Role.COMPANY)).json()
    assert [(link["site_kind"], link["site_id"]) for link in read["links"]] == [
        ("quarry", ids["quarry"]),
        ("factory", ids["factory"]),
    ]
    assert read["terms"][0]["price_eur_per_unit"] == "55.5"  # read as a number, kept canonical

    page_login(client, "company.user")
    page = client.get("/company/report/draft?year=2024")
    assert page.status_code == 200
    for shown in (ids["quarry"], ids["factory"], 'value="55.5"', 'value="D1"'):
        assert shown in page.text

    submitted = client.post(DRAFT + "/submit", headers=bearer(tokens, Role.COMPANY))
    assert submitted.status_code == 200, submitted.text
    assert (submitted.json()["changed"], submitted.json()["version"]) == (True, 2)
    links = client.get(f"/api/v1/companies/{OWN}/reports/2024/links", headers=bearer(tokens, Role.COMPANY)).json()
    assert links["report"]["version"] == 2
    assert [link["chain"] for link in links["report"]["links"]] == ["D1", "D1"]


def test_a_refused_draft_names_row_and_column_as_an_upload_does_and_keeps_nothing(client, world, tokens):
    ids = site_ids(world)
    rows = draft_rows(quarry=ids["factory"], factory="XX-NO-SUCH-SITE")  # a factory's id on the quarry row
    rows[0]["tier"] = "first"
    answer = client.put(DRAFT, json={"links": rows}, headers=bearer(tokens, Role.COMPANY))
    assert answer.status_code == 422
    found = {(error["sheet"], error["row"], error["column"]) for error in answer.json()["errors"]}
    assert ("links", 2, "tier") in found  # the header is row 1: the first link is row 2
    assert ("links", 3, "site_id") in found
    assert client.get(DRAFT, headers=bearer(tokens, Role.COMPANY)).json() is None


def test_a_draft_body_out_of_bounds_is_refused_before_the_use_case(client, world, tokens):
    ids = site_ids(world)
    too_many = {"links": draft_rows(**ids) * 251}  # 502 rows: at most 500 in a form
    unknown = {"links": [{**draft_rows(**ids)[0], "site_name": "a file's column"}]}
    too_long = {"links": [{**draft_rows(**ids)[0], "contract_notes": "x" * 4001}]}
    before = len(people(world))
    for body in (too_many, unknown, too_long):
        assert client.put(DRAFT, json=body, headers=bearer(tokens, Role.COMPANY)).status_code == 422
    assert len(people(world)) == before


def test_submitting_without_a_draft_is_a_conflict(client, tokens):
    answer = client.post(DRAFT + "/submit", headers=bearer(tokens, Role.COMPANY))
    assert answer.status_code == 409
    assert answer.json()["detail"] == "there is no draft to submit"


def test_own_links_give_the_insight_the_level_and_the_next_levels_thresholds(client, tokens):
    answer = client.get(f"/api/v1/companies/{OWN}/reports/2024/links", headers=bearer(tokens, Role.COMPANY))
    assert answer.status_code == 200
    body = answer.json()
    assert (body["company"], body["year"], body["years"]) == (OWN, 2024, [2024])
    assert body["report"]["version"] == 1
    assert body["submitted_on"] == "2025-03-01"
    assert body["assessment"] is None
    # not assessed yet: level 0, and level 1 asks 20 % quarry insight, 50 % factory insight, score 20
    assert body["next_level"] == {"level": 1, "quarry_insight": 20, "factory_insight": 50, "due_diligence_score": 20}
    empty = client.get(f"/api/v1/companies/{OWN}/reports/2023/links", headers=bearer(tokens, Role.COMPANY)).json()
    assert (empty["report"], empty["quarry_insight"], empty["years"]) == (None, None, [2024])


def test_a_logged_in_buyers_status_check_is_what_the_company_reads_as_which_buyers_asked(client, world, tokens):
    page_login(client, "buyer.user")
    assert client.get(f"/buyer/member-status?ref={OWN}").status_code == 200
    assert client.get(f"/buyer/member-status?ref={OTHER}").status_code == 200
    client.cookies.clear()

    own = client.get("/api/v1/audit/status-checks", headers=bearer(tokens, Role.COMPANY))
    assert own.status_code == 200
    assert [(c["login"], c["organisation"], c["company"]) for c in own.json()] == [
        ("buyer.user", "gemeente-utrecht", OWN)
    ]
    everyone = client.get("/api/v1/audit/status-checks", headers=bearer(tokens, Role.AUDITOR)).json()
    assert [c["company"] for c in everyone] == [OTHER, OWN]  # newest first

    page_login(client, "company.user")
    assert "gemeente-utrecht" in client.get("/company/buyers").text


def test_the_access_log_search_filters_and_pages_newest_first(client, world, tokens):
    for _ in range(3):
        client.get(f"/api/v1/companies/{OWN}/reports/2024", headers=bearer(tokens, Role.SECRETARIAT))
    search = "/api/v1/audit/access-log/search"
    found = client.get(f"{search}?action=read_report&actor=secretariat.user", headers=bearer(tokens, Role.AUDITOR))
    assert found.status_code == 200
    entries = found.json()["entries"]
    assert len(entries) == 3
    assert {(e["actor"], e["action"], e["company"]) for e in entries} == {("secretariat.user", "read_report", OWN)}
    assert [e["seq"] for e in entries] == sorted((e["seq"] for e in entries), reverse=True)

    walked, cursor = [], None
    while True:
        query = f"{search}?action=read_report&actor=secretariat.user&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(query, headers=bearer(tokens, Role.AUDITOR)).json()
        walked += [e["seq"] for e in page["entries"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == [e["seq"] for e in entries]

    # a party reads its own entries only: another login's are simply not in its part
    mine = client.get(f"{search}?actor=secretariat.user", headers=bearer(tokens, Role.NGO)).json()
    assert mine["entries"] == []
    for wrong in ("action=look_around", "outcome=maybe", "since=2025-02-01&until=2025-01-01", "cursor=bm90IGEga2V5"):
        assert client.get(f"{search}?{wrong}", headers=bearer(tokens, Role.AUDITOR)).status_code == 422


def test_the_access_log_search_takes_any_date_as_a_period(client, tokens):
    """The earliest and the latest date a query can name are a period like any other (not a 500)."""
    search = "/api/v1/audit/access-log/search"
    for period in ("since=0001-01-01", "until=9999-12-31", "since=0001-01-01&until=9999-12-31&action=read_report"):
        answer = client.get(f"{search}?{period}", headers=bearer(tokens, Role.AUDITOR))
        assert answer.status_code == 200, (period, answer.text)


def test_the_companies_to_notify_are_matchings_buyers_for_the_secretariat(client, world, tokens):
    matched = case_in_stage(world, "matched")
    answer = client.get(f"/api/v1/grievances/{matched}/companies-to-notify", headers=bearer(tokens, Role.SECRETARIAT))
    assert answer.json() == {"reference": matched, "companies": sorted([OWN, OTHER, THIRD])}
    filed = case_in_stage(world, "filed")
    answer = client.get(f"/api/v1/grievances/{filed}/companies-to-notify", headers=bearer(tokens, Role.SECRETARIAT))
    assert answer.json() == {"reference": filed, "companies": []}


@pytest.mark.parametrize(
    ("role", "steps"),
    [
        (Role.SECRETARIAT, ["acknowledge", "refer_to_committee"]),
        (Role.NGO, ["refer_to_committee"]),  # the filing party
        (Role.UNION, []),
        (Role.COMPANY, []),
        (Role.COMMITTEE, []),
        (Role.AUDITOR, []),
        (Role.BUYER, []),
    ],
)
def test_the_steps_a_reader_may_take_now_are_decided_and_not_logged(client, world, tokens, role, steps):
    filed = case_in_stage(world, "filed")
    before = len(people(world))
    answer = client.get(f"/api/v1/grievances/{filed}/steps", headers=bearer(tokens, role))
    assert answer.status_code == 200
    assert sorted(answer.json()) == steps
    assert len(people(world)) == before


def test_a_dutys_desk_holds_the_cases_of_that_duty(client, world, tokens):
    filed = case_in_stage(world, "filed")
    referred = case_in_stage(world, "referred")
    work = client.get("/api/v1/grievances/desk/manage_case", headers=bearer(tokens, Role.SECRETARIAT)).json()
    assert {case["reference"] for case in work} >= {filed}
    files = client.get("/api/v1/grievances/desk/record_committee_decision", headers=bearer(tokens, Role.COMMITTEE))
    assert [case["reference"] for case in files.json()] == [referred]
    assert client.get("/api/v1/grievances/desk/read_case", headers=bearer(tokens, Role.COMMITTEE)).status_code == 422


def test_the_published_years_are_public_and_follow_publishing(client, world, tokens):
    years = "/api/v1/public/quarry-regions/years"
    before = len(people(world))
    assert client.get(years).json() == []
    assert client.get(years).status_code == 200
    assert len(people(world)) == before  # public, not logged
    published = client.post("/api/v1/publications/quarry-regions/2024", headers=bearer(tokens, Role.SECRETARIAT))
    assert published.status_code in (200, 201), published.text
    assert client.get(years).json() == [2024]
