"""The NGO and union parties in the browser: the linked list (NGO, with a signed declaration only), the
aggregated list, filing a report for a local partner with evidence, the printable receipt with the follow-up
code shown once, the party's own cases.
"""

from __future__ import annotations

import datetime as dt
import re

import pyotp
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    SCREENSHOTS,
    DemoServer,
    assert_not_stored,
    log_in,
    log_out,
    new_context,
    shoot,
)

# What the NGO types about its local partner: none of it may be in the database files in clear.
REPORTER = "Bhanwari Lal Gurjar"
CONTACT = "+91 94141 27730 via Budhpura Shramik Sangh"
DESCRIPTION = (
    "Kinderen van ongeveer twaalf jaar kloppen kasseien bij de groeve naast het dorp Kheria Khurd, "
    "zonder handschoenen of brillen; de opzichter stuurt ze weg als er bezoek komt."
)
# The smallest PNG: its signature and an image header (the filing checks a file's first bytes).
PNG = b"\x89PNG\r\n\x1a\n" + bytes.fromhex("0000000d49484452000000010000000108060000001f15c489")
PDF = b"%PDF-1.4\n% a signed declaration\n"

EN_FIRST = ("en", "nl")  # shoot leaves the page in the first: these journeys read English
CODE = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$")


def _column(page: Page, header: str) -> list[str]:
    """The cells of the results table's column headed ``header``."""
    headers = page.locator("table.list thead th").all_inner_texts()
    index = headers.index(header) + 1
    return page.locator(f"table.list tbody tr td:nth-child({index})").all_inner_texts()


def _search(page: Page, **filters: str) -> None:
    page.goto(page.url.split("?")[0])
    for name, value in filters.items():
        page.fill(f"#field-{name}", value)
    page.locator("form.search button[type=submit]").click()
    page.wait_for_load_state()


def test_the_ngo_searches_the_linked_list_files_a_report_and_finds_it_in_its_cases(
    browser: Browser, demo_server: DemoServer
):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "ngo")

    answer = page.goto("/party/linked-list")
    assert answer is not None and answer.status == 200
    expect(page.locator("h1")).to_have_text("Linked list")

    _search(page, region="Rajasthan")
    places = _column(page, "Place")
    assert places and all("Rajasthan" in place for place in places), places
    assert "region=Rajasthan" in page.url
    shoot(page, "party-linked-list", languages=EN_FIRST)
    site_id = next(
        site for site, kind in zip(_column(page, "Site ID"), _column(page, "Kind"), strict=True) if kind == "Quarry"
    )

    # paged: 50 links a page, the next page goes on after the last row with the same filters
    first_page = list(zip(_column(page, "Company"), _column(page, "Site ID"), strict=True))
    assert len(first_page) == 50
    page.get_by_role("link", name="Next page of links").click()
    expect(page.locator("#field-region")).to_have_value("Rajasthan")
    second_page = list(zip(_column(page, "Company"), _column(page, "Site ID"), strict=True))
    assert second_page and all("Rajasthan" in place for place in _column(page, "Place"))
    assert second_page[0] >= first_page[-1] and not set(second_page) & (set(first_page) - {first_page[-1]})

    _search(page, stone_type="granite")
    stones = _column(page, "Stone type")
    assert stones and all(stone.lower() == "granite" for stone in stones), stones

    # the aggregated list is the NGO's too (the policy's read_aggregated_list): sites, no company
    page.locator("nav.menu a", has_text="Aggregated list").click()
    expect(page.locator("h1")).to_have_text("Aggregated list")
    assert "Company" not in page.locator("table.list thead").inner_text()

    page.locator("nav.menu a", has_text="File a report").click()
    expect(page.locator("h1")).to_have_text("File a report for a local partner")
    shoot(page, "party-grievance-form", languages=EN_FIRST)
    page.check("#theme-child_labour")
    page.fill("#field-description", DESCRIPTION)
    page.fill("#field-observed_on", "2026-10-12")
    page.fill("#field-site_ids", site_id)
    page.select_option("#field-country", "IN")
    page.fill("#field-region", "Bundi")  # the region is a public fact of a case, in clear
    page.fill("#field-reporter_name", REPORTER)
    page.fill("#field-reporter_contact", CONTACT)
    page.set_input_files("#field-evidence", [{"name": "kasseien.png", "mimeType": "image/png", "buffer": PNG}])
    page.locator("form.filing button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/party/grievances/TS-\d{4}-\d{4,}/receipt$"))
    reference = page.locator(".receipt .reference").inner_text()
    assert re.fullmatch(r"TS-\d{4}-\d{4,}", reference)
    code = page.locator("#followup-code").inner_text()
    assert CODE.match(code), code
    assert not [c for c in context.cookies() if c["name"] == "trustone_receipt"]  # the code's carrier is gone
    expect(page.locator(".receipt")).to_contain_text("Give this code to the local partner")
    expect(page.locator(".receipt")).to_contain_text("This code is shown only this once.")
    # the code is the case's: the local partner's follow-up check finds the report with it
    followed = page.request.post("/api/v1/grievances/follow-up", data={"code": code})
    assert followed.status == 200 and followed.json()["stage"] == "filed"

    # printed, the receipt alone: no menu, no heading or links of the page around it
    page.emulate_media(media="print")
    expect(page.locator(".receipt")).to_be_visible()
    expect(page.locator("h1")).to_be_hidden()
    expect(page.locator("nav.menu")).to_be_hidden()
    expect(page.locator("main .actions")).to_be_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "grievance-receipt-print-en-desktop.png"), full_page=True)
    page.emulate_media(media="screen")

    # shown once: the same receipt again no longer holds it
    page.reload()
    expect(page.locator(".receipt .reference")).to_have_text(reference)
    expect(page.locator("#followup-code")).to_have_count(0)
    assert code not in page.content()
    expect(page.locator(".receipt")).to_contain_text("cannot be shown again")
    shoot(page, "party-grievance-receipt", languages=EN_FIRST)

    page.locator("nav.menu a", has_text="My cases").click()
    row = page.locator("tbody tr", has_text=reference)
    expect(row).to_contain_text("Report received")  # the stage's name (vocabulary.py)
    shoot(page, "party-cases", languages=EN_FIRST)
    row.get_by_role("link", name=reference).click()
    expect(page.locator("h1")).to_have_text(f"Case {reference}")
    expect(page.locator(".description")).to_have_text(DESCRIPTION)
    expect(page.locator("dl.facts")).to_contain_text("Child labour")
    expect(page.locator("dl.facts")).to_contain_text(site_id)
    with page.expect_download() as download:
        page.get_by_role("link", name="Evidence file 1").click()
    assert download.value.path().read_bytes() == PNG
    shoot(page, "party-case", languages=EN_FIRST)
    expect(page.locator("main")).not_to_contain_text(REPORTER)  # opened only when asked for
    page.get_by_role("link", name="Show the local partner's name and contact").click()
    expect(page.locator("dl.facts")).to_contain_text(REPORTER)
    expect(page.locator("dl.facts")).to_contain_text(CONTACT)
    shoot(page, "party-case-reporter", languages=EN_FIRST)

    log_out(page)
    context.close()
    assert_not_stored(demo_server, REPORTER, CONTACT, DESCRIPTION, "twaalf jaar kloppen kasseien", "Kheria Khurd")


def _secretariat_token(page: Page, demo_server: DemoServer) -> dict[str, str]:
    entry = demo_server.logins["secretariat"]
    answer = page.request.post(
        "/api/v1/auth/login",
        data={"login": entry["login"], "password": entry["password"], "totp": pyotp.TOTP(entry["totp_secret"]).now()},
    )
    assert answer.status == 200, answer.text()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_the_linked_list_needs_a_valid_declaration_and_says_so(browser: Browser, demo_server: DemoServer):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    page.goto("/login")
    secretariat = _secretariat_token(page, demo_server)
    ngo_login = demo_server.logins["ngo"]["login"]
    listed = page.request.get("/api/v1/declarations?organisation=arisa", headers=secretariat)
    assert listed.status == 200, listed.text()
    valid = [d for d in listed.json() if d["login"] == ngo_login and d["status"] == "valid"]
    assert valid, "the demo NGO signed a declaration (trustone/demo.py)"
    today = dt.date.today().isoformat()
    for declaration in valid:
        revoked = page.request.post(
            f"/api/v1/declarations/{declaration['id']}/revocation",
            data={"on": today, "reason": "browser test: no declaration"},
            headers=secretariat,
        )
        assert revoked.status == 200, revoked.text()

    log_in(page, demo_server, "ngo")
    answer = page.goto("/party/linked-list?region=Rajasthan")
    assert answer is not None and answer.status == 403
    expect(page.locator("h1")).to_have_text("A signed declaration is needed")
    expect(page.locator("table")).to_have_count(0)
    expect(page.get_by_role("link", name="the aggregated list")).to_have_attribute("href", "/party/aggregated-list")
    shoot(page, "party-declaration-needed", languages=EN_FIRST)

    recorded = page.request.post(
        "/api/v1/declarations",
        multipart={
            "login": ngo_login,
            "document_title": "TruStone verklaring gekoppelde lijst",
            "document_version": "2026-1",
            "signed_on": today,
            "valid_until": (dt.date.today() + dt.timedelta(days=365)).isoformat(),
            "file": {"name": "verklaring.pdf", "mimeType": "application/pdf", "buffer": PDF},
        },
        headers=secretariat,
    )
    assert recorded.status == 201, recorded.text()
    answer = page.goto("/party/linked-list?region=Rajasthan")
    assert answer is not None and answer.status == 200
    assert all("Rajasthan" in place for place in _column(page, "Place"))
    log_out(page)
    context.close()


def test_the_union_searches_the_aggregated_list_and_may_not_see_the_linked_list(
    browser: Browser, demo_server: DemoServer
):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "union")
    page.locator("nav.menu a", has_text="Aggregated list").click()
    expect(page.locator("h1")).to_have_text("Aggregated list")
    expect(page.locator("nav.menu")).not_to_contain_text("Linked list")

    _search(page, region="Rajasthan", stone_type="sandstone")
    places = _column(page, "Place")
    assert places and all("Rajasthan" in place for place in places), places
    assert all("sandstone" in stones for stones in _column(page, "Stone types"))
    assert "Company" not in page.locator("table.list thead").inner_text()
    shoot(page, "party-aggregated-list", languages=EN_FIRST)

    answer = page.goto("/party/linked-list")
    assert answer is not None and answer.status == 403
    expect(page.locator("h1")).to_have_text("You may not see this page")
    expect(page.locator("table")).to_have_count(0)
    log_out(page)
    context.close()


UNION_WORDS = "Geen mondkapjes bij het zagen van graniet in de fabriek, veel stof."
UNION_REPORTER = "Ravi Kumar Naik"


def test_a_filing_without_the_local_partner_keeps_what_was_typed_and_names_the_field(page: Page, demo_server):
    log_in(page, demo_server, "union")  # the browser asked for Dutch
    page.goto("/party/grievances/new")
    page.check("#theme-health_and_safety")
    page.fill("#field-description", UNION_WORDS)
    page.select_option("#field-country", "IN")
    page.fill("#field-region", "Telangana")
    # the browser's own check of required fields off, as in a browser without it: the server's answer counts
    page.locator("form.filing").evaluate("form => { form.noValidate = true; }")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.locator("form.filing button[type=submit]").click()
    assert posted.value.status == 422
    expect(page.locator("#error-reporter_name")).to_contain_text("verplicht")
    expect(page.locator("#field-reporter_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error-summary a")).to_have_attribute("href", "#field-reporter_name")
    expect(page.locator("#field-description")).to_have_value(UNION_WORDS)
    expect(page.locator("#field-region")).to_have_value("Telangana")
    expect(page.locator("#field-country")).to_have_value("IN")
    expect(page.locator("#theme-health_and_safety")).to_be_checked()
    page.goto("/party/cases")
    expect(page.locator("main")).not_to_contain_text("TS-")  # nothing was filed

    # corrected, without evidence (an empty file field), the report is filed
    page.goto("/party/grievances/new")
    page.check("#theme-health_and_safety")
    page.fill("#field-description", UNION_WORDS)
    page.select_option("#field-country", "IN")
    page.fill("#field-region", "Telangana")
    page.fill("#field-reporter_name", UNION_REPORTER)
    page.locator("form.filing button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/party/grievances/TS-\d{4}-\d{4,}/receipt$"))
    assert CODE.match(page.locator("#followup-code").inner_text())
    reference = page.locator(".receipt .reference").inner_text()
    page.goto("/party/cases")
    expect(page.locator("tbody tr")).to_have_count(1)  # its own case only, not the NGO's
    expect(page.locator("tbody tr")).to_contain_text(reference)
    log_out(page)
    assert_not_stored(demo_server, UNION_WORDS, UNION_REPORTER)


def test_a_company_is_not_offered_the_form_to_file_a_report(page: Page, demo_server: DemoServer):
    log_in(page, demo_server, "company")
    answer = page.goto("/party/grievances/new")
    assert answer is not None and answer.status == 403
    expect(page.locator("form.filing")).to_have_count(0)
    # nor is a filing posted anyway answered with a form to correct: the refusal comes first
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    posted = page.request.post("/party/grievances/new", multipart={"csrftoken": token, "description": "x"})
    assert posted.status == 403
    log_out(page)
