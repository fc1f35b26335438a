"""A member company's day in the browser: its yearly report refused with every error by row and
column next to the row's own cells, then accepted; its links, insight and level; its notices; which
public buyers checked its status; a secretariat page refused; and nothing of the file in clear."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pyotp
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    SCREENSHOTS,
    DemoServer,
    assert_not_stored,
    check_accessibility,
    log_in,
    log_out,
    new_context,
    shoot,
)
from tests.integration.report_files import COLUMNS

# Distinctive values: the report is sealed, so none of these may be in the database files in clear.
NOTE = "frame-deal-omega-4417"
PRICE = "3117.45"
VOLUME = "55501.5"
BAD_NOTE = "refused-file-note-8812"  # in the refused file only: a refused file is not stored at all


EN_FIRST = ("en", "nl")  # shoot leaves the page in the first: the checks below read English


def report_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in COLUMNS})
    return out.getvalue().encode()


QUARRY = {
    "chain": "BUNDI-SETTS",
    "tier": "2",
    "site_kind": "quarry",
    "site_name": "Kalwar Grey Sandstone Quarry",
    "country": "IN",
    "province": "Rajasthan",
    "district": "Bundi",
    "latitude": "25.4301",
    "longitude": "75.6112",
    "stone_type": "sandstone",
    "product": "setts 10x10x8 browser batch",
    "channel": "trader",
    "origin_confidence": "claimed",
    "volume": VOLUME,
    "volume_unit": "m2",
    "price_eur_per_unit": PRICE,
    "contract_notes": NOTE,
}
FACTORY = {
    "chain": "BUNDI-SETTS",
    "tier": "1",
    "site_kind": "factory",
    "site_name": "Kota Cutting Works Browser",
    "country": "IN",
    "province": "Rajasthan",
    "district": "Kota",
    "stone_type": "sandstone",
    "product": "setts 10x10x8 browser batch",
    "channel": "direct",
    "origin_confidence": "partly_known",
}
UNKNOWN = {
    "chain": "BUNDI-SETTS",
    "tier": "3",
    "site_kind": "quarry",
    "stone_type": "sandstone",
    "product": "setts 10x10x8 browser batch",
    "channel": "stone_market",
}


def upload(page: Page, year: str, data: bytes, name: str = "report.csv") -> None:
    page.goto("/company/report")
    page.fill("#field-year", year)
    page.set_input_files("#field-file", files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    page.locator("main form.upload button[type=submit]").click()
    page.wait_for_load_state()


WALK_QUARRY = "Bundi Sandstone Quarry No. 7"  # the demo's grievance quarry: the first demo company buys from it
ALLEGATION = "Workers at this quarry report wages below the state minimum for the past season."
RESPONSE = "We asked our exporter for the quarry's wage records; a visit is planned in two weeks."


def _token(demo_server: DemoServer, role: str) -> dict[str, str]:
    entry = demo_server.logins[role]
    body = {"login": entry["login"], "password": entry["password"]}
    if "totp_secret" in entry:
        body["totp"] = pyotp.TOTP(entry["totp_secret"]).now()
    answer = httpx.post(f"{demo_server.url}/api/v1/auth/login", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _notified_case(demo_server: DemoServer) -> str:
    """The NGO files about the demo's quarry and the secretariat notifies its buyers, over the JSON API."""
    api = demo_server.url + "/api/v1"
    ngo = _token(demo_server, "ngo")
    sites = httpx.get(
        f"{api}/aggregated-list", params={"country": "IN", "region": "Bundi", "limit": 5000}, headers=ngo, timeout=30
    ).json()["sites"]
    site_id = next(site["site_id"] for site in sites if site["name"] == WALK_QUARRY)
    filed = httpx.post(
        f"{api}/grievances",
        headers=ngo,
        json={
            "site_ids": [site_id],
            "themes": ["living_wage"],
            "description": "Wages below the minimum at the quarry, reported by the workers' union.",
            "reporter": {"name": "Bundi quarry workers", "contact": "+91 98290 22222"},
        },
        timeout=30,
    )
    assert filed.status_code == 201, filed.text
    reference = filed.json()["reference"]
    secretariat = _token(demo_server, "secretariat")
    for path, body in (
        ("steps", {"step": "acknowledge", "reason": "received"}),
        ("match", {"site_ids": [site_id], "reason": "the site named in the report"}),
        ("notify", {"allegation": ALLEGATION}),
    ):
        answer = httpx.post(f"{api}/grievances/{reference}/{path}", headers=secretariat, json=body, timeout=30)
        assert answer.status_code == 200, answer.text
    return reference


def test_a_company_reads_its_notice_and_responds_on_the_page(browser: Browser, demo_server: DemoServer):
    reference = _notified_case(demo_server)
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "company")
    page.get_by_role("link", name="Notices").click()
    expect(page.locator("h1")).to_have_text("Notices")
    expect(page.locator("main table")).to_contain_text(reference)
    expect(page.locator(".notice-card")).to_contain_text(ALLEGATION)
    expect(page.locator(".notice-card")).to_contain_text(WALK_QUARRY)
    shoot(page, "company-cases", languages=EN_FIRST)

    page.locator("main table").get_by_role("link", name=reference).click()
    expect(page.locator("h1")).to_have_text(f"Case {reference}")
    expect(page.locator("main")).to_contain_text(ALLEGATION)
    page.get_by_label("Your message").fill("   ")  # only spaces: refused, the field named
    page.locator("#field-text").evaluate("node => node.removeAttribute('required')")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#error-text")).to_contain_text("required")
    page.get_by_label("Kind of message").select_option("remediation_proposal")
    page.get_by_label("Your message").fill(RESPONSE)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("main [role=status]")).to_have_text("Your message is sent to the secretariat.")
    expect(page.locator("ol.messages")).to_contain_text(RESPONSE)
    expect(page.locator("ol.messages")).to_contain_text("Remediation proposal")
    shoot(page, "company-case", languages=EN_FIRST)
    log_out(page)
    context.close()
    assert_not_stored(demo_server, RESPONSE, ALLEGATION)


def test_a_company_uploads_its_report_sees_its_links_and_who_checked_it(browser: Browser, demo_server: DemoServer):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "company")
    company_ref = page.locator("header .who").inner_text().split("·")[-1].strip()
    shoot(page, "company-report", "/company/report", languages=EN_FIRST)

    # A bad file: refused whole, every error by row and column beside what that row holds, the year kept.
    bad = report_csv(
        [
            FACTORY,
            {**QUARRY, "country": "XQ", "contract_notes": BAD_NOTE},  # row 3
            {**QUARRY, "tier": "zero", "channel": "by-boat"},  # row 4: two errors
        ]
    )
    upload(page, "2025", bad)
    expect(page.locator("h1")).to_have_text("Yearly report")
    expect(page.locator(".file-errors [role=alert]")).to_contain_text("The file has 3 errors. Nothing was recorded")
    expect(page.locator("#field-year")).to_have_value("2025")
    rows = page.locator("table.row-errors tbody tr")
    expect(rows).to_have_count(2)
    row3 = rows.nth(0)
    expect(row3.locator("th")).to_have_text("3")
    expect(row3.locator(".problems")).to_contain_text("country")
    expect(row3.locator(".row-cells .bad")).to_contain_text("XQ")  # the row's own cell, marked as the error
    expect(row3.locator(".row-cells")).to_contain_text(BAD_NOTE)
    row4 = rows.nth(1)
    expect(row4.locator("th")).to_have_text("4")
    expect(row4.locator(".problems li")).to_have_count(2)
    expect(row4.locator(".problems")).to_contain_text("tier")
    expect(row4.locator(".problems")).to_contain_text("channel")
    expect(row4.locator(".row-cells .bad")).to_have_count(2)
    check_accessibility(page)
    page.screenshot(path=str(SCREENSHOTS / "company-report-refused-en-desktop.png"), full_page=True)

    # A good file: a new version, and its links on the links page.
    upload(page, "2025", report_csv([QUARRY, FACTORY, UNKNOWN]))
    expect(page).to_have_url(re.compile(r"/company/report/2025\?changed=1"))
    expect(page.locator("main [role=status]")).to_contain_text("of your 2025 report is recorded")
    version = re.search(r"Version (\d+)", page.locator("main [role=status]").inner_text())
    assert version is not None
    expect(page.locator("dl.facts")).to_contain_text("3 links")
    shoot(page, "company-report-done", languages=EN_FIRST)

    page.goto("/company/links?year=2025")
    expect(page.locator("h1")).to_have_text("My links")
    expect(page.locator("dl.facts")).to_contain_text(f"version {version.group(1)}")
    expect(page.locator("dl.facts")).to_contain_text("50%")  # quarries known: one of two
    expect(page.locator("table.links tbody tr")).to_have_count(3)
    expect(page.locator("table.links")).to_contain_text("setts 10x10x8 browser batch")
    expect(page.locator("table.links")).to_contain_text("unknown site")
    expect(page.locator("table.thresholds")).to_contain_text("asks")
    shoot(page, "company-links", languages=EN_FIRST)
    earlier = page.goto("/company/links?year=2024")  # the demo's 2024 report, assessed or not
    assert earlier is not None and earlier.status == 200
    expect(page.locator("dl.facts")).to_contain_text("Level")

    # A public buyer checks the company's status; the company sees who asked.
    buyer_context = new_context(browser, demo_server, language="en")
    buyer = buyer_context.new_page()
    log_in(buyer, demo_server, "buyer")
    buyer.goto(f"/buyer/member-status?ref={company_ref}")
    buyer_context.close()
    page.goto("/company/buyers")
    expect(page.locator("h1")).to_have_text("Buyers' questions")
    expect(page.locator("main table tbody")).to_contain_text("gemeente-utrecht")
    shoot(page, "company-buyers", languages=EN_FIRST)

    # Another role's page is refused, in the browser too.
    refused = page.goto("/secretariat/organisations")
    assert refused is not None and refused.status == 403
    log_out(page)
    context.close()

    assert_not_stored(demo_server, NOTE, PRICE, VOLUME, BAD_NOTE)


def test_the_upload_says_it_is_checking_and_a_missing_file_or_bad_year_is_named(
    browser: Browser, demo_server: DemoServer
):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "company")
    page.goto("/company/report")
    # company.js: on submit, the status region says the file is being checked, with a progress bar
    page.fill("#field-year", "2025")
    page.set_input_files("#field-file", files=[{"name": "r.csv", "mimeType": "text/csv", "buffer": b"chain\n"}])
    page.locator("form.upload").evaluate(
        "form => { form.addEventListener('submit', event => event.preventDefault()); form.requestSubmit(); }"
    )
    expect(page.locator(".upload-status[role=status]")).to_contain_text("Checking your file.")
    expect(page.locator(".upload-status progress")).to_have_count(1)

    page.goto("/company/report")
    page.locator("form.upload").evaluate("form => { form.noValidate = true; }")  # the server's own check
    page.fill("#field-year", "1999")
    page.locator("main form.upload button[type=submit]").click()
    expect(page.locator("#error-year")).to_contain_text("a whole number from 2000 to 2100")
    expect(page.locator("#error-file")).to_contain_text("choose the report file")
    expect(page.locator("#field-year")).to_have_value("1999")
    expect(page.locator(".error-summary a").first).to_have_attribute("href", "#field-year")
    context.close()


DRAFT_NOTE = "draft-only-terms-5530"  # typed into the form: the draft is sealed like a report


def test_a_company_enters_links_in_a_form_keeps_a_draft_and_submits_it(browser: Browser, demo_server: DemoServer):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "company")
    page.goto("/company/report")
    page.get_by_role("link", name="Enter or change your links in a form").click()
    page.fill("#field-year", "2026")
    page.get_by_role("button", name="Open the form").click()
    expect(page.locator("h1")).to_have_text("Enter links in a form")
    expect(page.locator("table.draft-rows tbody tr")).to_have_count(1)

    page.get_by_label("Chain, row 1").fill("FORM-A")
    page.get_by_label("Tier, row 1").fill("2")
    page.get_by_label("Kind, row 1").select_option("quarry")
    page.get_by_label("Stone, row 1").fill("granite")
    page.get_by_label("Product, row 1").fill("kerbs entered in the form")
    page.get_by_label("Channel, row 1").select_option("direct")
    page.get_by_label("Volume, row 1").fill("10")
    page.get_by_label("Unit, row 1").select_option("t")
    page.get_by_label("Price (EUR per unit), row 1").fill("99.5")
    page.get_by_label("Contract notes, row 1").fill(DRAFT_NOTE)
    page.get_by_role("button", name="Add a row").click()
    expect(page.locator("table.draft-rows tbody tr")).to_have_count(2)
    expect(page.get_by_label("Contract notes, row 1")).to_have_value(DRAFT_NOTE)  # nothing typed is lost

    # A bad row: refused by row and column, nothing saved, what was typed kept.
    page.get_by_label("Chain, row 2").fill("FORM-A")
    page.get_by_label("Tier, row 2").fill("1")
    page.get_by_label("Kind, row 2").select_option("factory")
    page.get_by_label("Site id, row 2").fill("IN-RJ-NOTANID")
    page.get_by_label("Origin, row 2").select_option("claimed")
    page.get_by_label("Stone, row 2").fill("granite")
    page.get_by_label("Product, row 2").fill("kerbs entered in the form")
    page.get_by_label("Channel, row 2").select_option("trader")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".error-summary")).to_contain_text("Row 2")
    expect(page.locator(".error-summary")).to_contain_text("site_id")
    expect(page.get_by_label("Site id, row 2")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Site id, row 2")).to_have_value("IN-RJ-NOTANID")
    check_accessibility(page)  # a POST's answer: shot as it is (shoot would load its address again)
    page.screenshot(path=str(SCREENSHOTS / "company-draft-refused-en-desktop.png"), full_page=True)

    # Corrected (the site is not known after all): saved as a draft, and read back.
    page.get_by_label("Site id, row 2").fill("")
    page.get_by_label("Origin, row 2").select_option("")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("main [role=status]")).to_have_text("Your draft is saved. It is not submitted yet.")
    expect(page.locator("main")).to_contain_text("This is your saved draft.")
    expect(page.get_by_label("Contract notes, row 1")).to_have_value(DRAFT_NOTE)
    shoot(page, "company-draft", languages=EN_FIRST)

    page.get_by_role("button", name="Save and submit as the new version").click()
    expect(page).to_have_url(re.compile(r"/company/report/2026\?changed=1"))
    expect(page.locator("main [role=status]")).to_contain_text("Version 1 of your 2026 report is recorded.")
    expect(page.locator("dl.facts")).to_contain_text("2 links")

    # Another year's form starts from its latest version (sites it described still waiting included).
    page.goto("/company/report/draft?year=2025")
    expect(page.locator("main")).to_contain_text("No draft yet: the form starts from your latest submitted links.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("main [role=status]")).to_have_text("Your draft is saved. It is not submitted yet.")
    log_out(page)
    context.close()
    assert_not_stored(demo_server, DRAFT_NOTE)
