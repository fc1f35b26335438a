"""Grievance casework in the browser (issue 14, items 4, 5 and 7), on the demo data.

The demo NGO files a report about the demo's Rajasthan quarry through the JSON API (as the README's
walk-through does). Then, in the browser: the secretariat opens the case, acknowledges it, runs the
matching step, sees the two companies to notify and notifies them, and refers the case to the
committee; the committee opens the case file with its timeline, decides admissibility and schedules
a hearing. An NGO asks for a data release, records its partner's clause, the secretariat approves,
the NGO downloads. The committee may not open the secretariat's case pages; a step form that misses
a required field keeps what was typed and names the field. Nothing typed is in the database files
in clear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DemoServer, assert_not_stored, log_in, log_out, new_context, shoot

QUARRY = "Bundi Sandstone Quarry No. 7"  # the demo's Rajasthan quarry, bought from by two demo companies
REPORTER = "Kishanpura Patthar Mazdoor Sangh"
DESCRIPTION = "Boys of about twelve stack red sandstone blocks at the lower pit every evening after dark."
PARTNER = "Bundi Stone Workers Collective"


def snap(page: Page, name: str, path: str | None = None) -> None:
    """``shoot``, leaving the page in English, the language the journey reads."""
    shoot(page, name, path, languages=("en", "nl"))


def _token(demo_server: DemoServer, role: str) -> str:
    entry = demo_server.logins[role]
    body = {"login": entry["login"], "password": entry["password"]}
    if "totp_secret" in entry:
        body["totp"] = pyotp.TOTP(entry["totp_secret"]).now()
    answer = httpx.post(f"{demo_server.url}/api/v1/auth/login", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


@pytest.fixture(scope="module")
def filed(demo_server: DemoServer) -> dict[str, str]:
    """The NGO files for its local partner through the JSON API: the case's reference and its site."""
    headers = {"Authorization": f"Bearer {_token(demo_server, 'ngo')}"}
    page = httpx.get(
        f"{demo_server.url}/api/v1/aggregated-list",
        params={"country": "IN", "region": "Bundi", "limit": 5000},
        headers=headers,
        timeout=30,
    ).json()
    site_id = next(site["site_id"] for site in page["sites"] if site["name"] == QUARRY)
    answer = httpx.post(
        f"{demo_server.url}/api/v1/grievances",
        headers=headers,
        json={
            "site_ids": [site_id],
            "themes": ["child_labour"],
            "description": DESCRIPTION,
            "observed_on": "2025-11-20",
            "reporter": {"name": REPORTER, "contact": "+91 98290 11111"},
        },
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return {"reference": answer.json()["reference"], "site_id": site_id}


@pytest.fixture(scope="module")
def secretariat(browser: Browser, demo_server: DemoServer) -> Iterator[Page]:
    """One secretariat session for the module: its code may be used once per 30 seconds."""
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "secretariat")
    yield page
    context.close()


def _step(page: Page, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def test_the_secretariat_matches_and_notifies_and_the_committee_takes_its_steps(
    secretariat: Page, browser: Browser, demo_server: DemoServer, filed: dict[str, str]
):
    page, reference = secretariat, filed["reference"]

    # --- the secretariat: its case list, the case, acknowledge ------------------------------------
    page.goto("/secretariat/cases")
    expect(page.locator("h1")).to_have_text("Cases")
    snap(page, "cases-secretariat-list")
    page.get_by_role("link", name=reference).click()
    expect(page.locator("h1")).to_have_text(f"Case {reference}")
    expect(page.locator("main")).to_contain_text(DESCRIPTION)  # the secretariat reads the file
    expect(page.locator("main")).not_to_contain_text(REPORTER)  # never the reporter
    snap(page, "cases-secretariat-case")
    _step(page, "Acknowledge receipt")
    page.fill("#field-reason", "Received; the site is known.")
    page.get_by_role("button", name="Acknowledge receipt").click()
    expect(page.locator(".stage-now")).to_contain_text("Confirmed by the secretariat")
    expect(page.locator(".timeline")).to_contain_text("Received; the site is known.")

    # --- the matching step: a missing reason keeps the sites typed and names the field -------------
    _step(page, "Match to member companies")
    expect(page.locator("#field-site_ids")).to_have_value(filed["site_id"])  # the sites the report names
    page.fill("#field-years", "2024 2025")
    page.locator("form.step-form").evaluate("form => { form.noValidate = true; }")
    page.get_by_role("button", name="Match to member companies").click()
    expect(page.locator("#error-reason")).to_contain_text("required")
    expect(page.locator(".error-summary a")).to_have_attribute("href", "#field-reason")
    expect(page.locator("#field-site_ids")).to_have_value(filed["site_id"])
    expect(page.locator("#field-years")).to_have_value("2024 2025")
    page.fill("#field-reason", "Site confirmed from the partner's photos.")
    page.get_by_role("button", name="Match to member companies").click()
    expect(page.locator(".stage-now")).to_contain_text("Buying companies found")

    # --- the companies to notify, then notify -----------------------------------------------------
    _step(page, "Notify the companies")
    to_notify = page.locator("ul.companies li")
    expect(to_notify).to_have_count(2)  # the demo's two buyers of the quarry
    companies = to_notify.all_inner_texts()
    snap(page, "cases-secretariat-notify")
    page.fill("#field-allegation", "Child labour was reported at this quarry in November 2025.")
    page.fill("#field-reason", "Both buyers notified.")
    page.get_by_role("button", name="Notify the companies").click()
    expect(page.locator(".stage-now")).to_contain_text("Companies informed")
    expect(page.locator("ul.companies li")).to_have_text(companies)
    _step(page, "Refer to the committee")
    page.fill("#field-reason", "Systemic risk at the site: for the committee.")
    page.get_by_role("button", name="Refer to the committee").click()
    expect(page.locator(".stage-now")).to_contain_text("Sent to the complaints committee")
    expect(page.locator(".next-steps")).to_contain_text("There is no step for you to take in this stage.")
    page.goto(f"/secretariat/cases/{reference}/steps/admit")  # the committee's step, typed in
    expect(page.locator("main [role=status]")).to_contain_text("This step is not open to you")
    expect(page.locator("main form")).to_have_count(0)

    # --- the committee: its case files, the timeline, admissibility and a hearing ----------------
    context = new_context(browser, demo_server, language="en")
    committee = context.new_page()
    log_in(committee, demo_server, "committee")
    assert committee.goto("/secretariat/cases").status == 403  # the secretariat's case work
    committee.goto("/committee/cases")
    expect(committee.locator("h1")).to_have_text("Case files")
    snap(committee, "cases-committee-list")
    committee.get_by_role("link", name=reference).click()
    expect(committee.locator(".timeline li")).to_have_count(5)  # filed, acknowledged, matched, notified, referred
    expect(committee.locator(".timeline")).to_contain_text("Site confirmed from the partner's photos.")
    snap(committee, "cases-committee-case")
    _step(committee, "Decide on admissibility")
    committee.select_option("#field-admissible", "yes")
    committee.fill("#field-reason", "Within the covenant's scope.")
    committee.get_by_role("button", name="Decide on admissibility").click()
    expect(committee.locator(".stage-now")).to_contain_text("Accepted by the committee")
    _step(committee, "Schedule a hearing")
    snap(committee, "cases-committee-step")
    committee.fill("#field-hearing_on", "2030-03-14")
    committee.fill("#field-reason", "Both buyers and the NGO invited.")
    committee.get_by_role("button", name="Schedule a hearing").click()
    expect(committee.locator(".stage-now")).to_contain_text("Hearing planned")
    expect(committee.locator(".case-timeline")).to_contain_text("Hearing on")
    expect(committee.locator(".timeline li")).to_have_count(7)
    committee.get_by_role("link", name="Who reported this (the reporter's identity)").click()
    expect(committee.locator("main dl")).to_contain_text(REPORTER)  # the committee reads the reporter
    committee.go_back()
    _step(committee, "Record the ruling")
    expect(committee.locator("textarea[name=part_text]")).to_have_count(2)  # a part per notified company
    committee.fill("#field-ruling", "The buyers must have their supplier end child labour at the site.")
    committee.fill("#field-part-1", "Ask your supplier for its age records within six weeks.")
    committee.fill("#field-compliance_deadline", "2030-09-01")
    committee.fill(
        "#field-published_summary", "Child labour at a sandstone quarry: the buyers must act with the supplier."
    )
    committee.fill("#field-reason", "Ruling after the hearing.")
    committee.get_by_role("button", name="Record the ruling").click()
    expect(committee.locator(".stage-now")).to_contain_text("The committee has decided")
    expect(committee.locator("main")).to_contain_text("Ask your supplier for its age records within six weeks.")
    log_out(committee)
    context.close()

    assert_not_stored(demo_server, DESCRIPTION, REPORTER, "Both buyers and the NGO invited.")


def test_an_ngo_gets_a_data_release_the_secretariat_approves(
    secretariat: Page, browser: Browser, demo_server: DemoServer
):
    context = new_context(browser, demo_server, language="en", accept_downloads=True)
    ngo = context.new_page()
    log_in(ngo, demo_server, "ngo")
    ngo.goto("/party/data-access")
    ngo.get_by_role("link", name="New request").click()
    snap(ngo, "data-access-party-new")
    ngo.fill("#field-partner_name", PARTNER)
    ngo.fill("#field-partner_contact", "collective@bundi.example")
    ngo.fill("#field-country", "IN")
    ngo.fill("#field-region", "Rajasthan")
    ngo.fill("#field-purpose", "Too short")  # 9 characters: a purpose has at least 10
    ngo.get_by_role("button", name="Send the request").click()
    expect(ngo.locator("#error-purpose")).to_be_visible()
    expect(ngo.locator("#field-partner_name")).to_have_value(PARTNER)  # what was typed is kept
    expect(ngo.locator("#field-purpose")).to_have_value("Too short")
    ngo.fill("#field-purpose", "To check which quarries near Bundi supply the Dutch market.")
    ngo.get_by_role("button", name="Send the request").click()
    expect(ngo.locator("main [role=status]")).to_contain_text("Requested")
    request_url = ngo.url
    ngo.fill("#field-title", "Confidentiality clause for local partners")
    ngo.fill("#field-version", "2025-1")
    ngo.fill("#field-sha256", "a" * 64)
    ngo.fill("#field-signed_on", "2025-06-01")
    ngo.fill("#field-valid_until", "2030-06-01")
    ngo.get_by_role("button", name="Record the clause").click()
    expect(ngo.locator("main [role=status]")).to_contain_text("Clause signed")

    # --- the secretariat approves --------------------------------------------------------------------
    page = secretariat
    page.goto("/secretariat/data-access")
    snap(page, "data-access-secretariat-list")
    page.locator("table a").first.click()
    expect(page.locator("main")).to_contain_text(PARTNER)
    snap(page, "data-access-secretariat-request")
    page.select_option("#field-decision", "approve")
    page.fill("#field-reason", "Scope and clause in order.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("main [role=status]")).to_contain_text("Approved")

    # --- the NGO downloads ----------------------------------------------------------------------------
    ngo.goto(request_url)
    snap(ngo, "data-access-party-request")
    with ngo.expect_download() as download:
        ngo.get_by_role("link", name="Download the release as CSV").click()
    content = download.value.path().read_text()
    assert PARTNER in content.splitlines()[0]  # the watermark names the partner
    ngo.goto(request_url)
    expect(ngo.locator("main [role=status]")).to_contain_text("Released")
    snap(ngo, "data-access-party-list", "/party/data-access")
    log_out(ngo)
    context.close()
    assert_not_stored(demo_server, PARTNER, "collective@bundi.example")


def test_the_committee_may_not_open_the_secretariat_s_pages(browser: Browser, demo_server: DemoServer):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "committee")
    for path in ("/secretariat/cases", "/secretariat/data-access"):
        answer = page.goto(path)
        assert answer is not None and answer.status == 403, path
        expect(page.locator("h1")).to_have_text("You may not see this page")
    expect(page).to_have_url(re.compile(r"/secretariat/data-access$"))
    context.close()
