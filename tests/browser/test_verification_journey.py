"""Sample verification in the browser (issue 16), over the demo's three rounds
(trustone/demo_verification.py: 2024 published; 2025 drawn with checks in every state and a
correction request for the demo company; 2025 frozen until its beacon's day): the secretariat
assigns a drawn check, the NGO party records its local partner's findings with a file, the company
maintains its link with an explanation, the public sees the figures, the auditor downloads a record.
"""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoServer, assert_not_stored, log_in, log_out, new_context, shoot

PARTNER = "Kishangarh Stone Workers Union, Sunita Meena"
NOTES = "Bezoek met de beheerder; leveringsbonnen aan de fabriek gezien."
EN_FIRST = ("en", "nl")  # shoot leaves the page in the first: these journeys read English
EXPLANATION = "We buy from this quarry through our factory in Kota; the 2025 delivery notes show it."


def test_the_secretariat_sees_the_rounds_and_assigns_a_drawn_check(browser, demo_server: DemoServer):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "secretariat")
    page.goto("/secretariat/verification")
    expect(page.locator("h1")).to_have_text("Sample verification")
    rounds = page.locator("table.rounds tbody tr")
    expect(rounds).to_have_count(3)
    expect(page.locator("table.rounds")).to_contain_text("frozen, waiting for the draw")
    expect(page.locator("table.rounds")).to_contain_text("published")
    shoot(page, "verification-secretariat", languages=EN_FIRST)

    # the frozen round: its commitment and the draw form; a draw before the beacon's day is refused
    rounds.filter(has_text="frozen, waiting for the draw").locator("a").click()
    expect(page.locator("h1")).to_have_text("Verification round 2025")
    expect(page.locator("dl.commitment")).to_contain_text("EuroJackpot")
    frozen = page.url
    page.fill("#field-beacon_value", "3 11 17 29 41 + 5 8")
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.locator("h1")).to_have_text("This step is not possible now")
    expect(page.locator("main")).to_contain_text("draw on or after it")
    page.goto(frozen)
    shoot(page, "verification-round-frozen", languages=EN_FIRST)

    # the drawn round: its checks, with the company; an unassigned one is assigned to the NGO party
    page.goto("/secretariat/verification")
    rounds.filter(has_text="drawn, checks under way").locator("a").click()
    expect(page.locator("dl.commitment")).to_contain_text("Seed")
    checks = page.locator("table.checks tbody tr")
    expect(checks).to_have_count(10)
    expect(page.locator("table.checks")).to_contain_text("correction requested")
    shoot(page, "verification-round-drawn", languages=EN_FIRST)
    row = checks.filter(has_text="drawn, not assigned").first
    site = row.locator("th").inner_text()
    row.get_by_role("button", name=re.compile("^Assign")).click()  # nothing chosen
    expect(page.locator(".error-summary")).to_contain_text("Choose an NGO or union party.")
    row = page.locator("table.checks tbody tr").filter(has=page.locator("[aria-invalid=true]"))
    row.get_by_label("Party").select_option(label="Arisa")
    row.get_by_label("Method").select_option("document_check")
    row.get_by_role("button", name=re.compile("^Assign")).click()
    expect(page.locator("main [role=status]")).to_have_text("The check is assigned.")
    assigned = page.locator("table.checks tbody tr").filter(has_text=site)
    expect(assigned).to_contain_text("assigned")
    expect(assigned).to_contain_text("document check")
    page.locator("table.checks tbody tr").filter(has_text="correction requested").locator("th a").click()
    expect(page.locator("main")).to_contain_text("link not confirmed")
    expect(page.locator("main")).to_contain_text("Local partner")  # the secretariat reads who checked
    shoot(page, "verification-check-secretariat", languages=EN_FIRST)
    log_out(page)
    context.close()


def test_the_ngo_party_records_findings_with_a_file(page: Page, demo_server: DemoServer, tmp_path):
    log_in(page, demo_server, "ngo")
    page.goto("/party/field-checks")
    expect(page.locator("h1")).to_have_text("Veldcontroles")
    shoot(page, "verification-party")
    page.locator("table.checks tbody tr").filter(has_text="vast te leggen").first.locator("a").click()
    expect(page.locator("h1")).to_contain_text("Veldcontrole: ")
    shoot(page, "verification-party-check")

    page.locator("label[for=site_exists-yes]").click()
    page.locator("label[for=site_as_reported-yes]").click()
    page.locator("label[for=link-confirmed]").click()
    page.fill("#field-notes", NOTES)
    page.fill("#field-partner", PARTNER)
    page.fill("#field-checked_on", "2099-01-10")  # after today
    page.get_by_role("button", name="Bevindingen vastleggen").click()
    expect(page.locator("#error-checked_on")).to_contain_text("niet na vandaag")
    expect(page.locator(".error-summary a")).to_have_attribute("href", "#field-checked_on")
    expect(page.locator("#field-notes")).to_have_value(NOTES)
    expect(page.locator("#field-partner")).to_have_value(PARTNER)
    expect(page.locator("#link-confirmed")).to_be_checked()

    photo = tmp_path / "groeve-bezoek.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo of the quarry gate")
    page.fill("#field-checked_on", "2025-01-10")
    page.set_input_files("#field-evidence", str(photo))
    page.get_by_role("button", name="Bevindingen vastleggen").click()
    expect(page.locator("main [role=status]")).to_contain_text("De bevindingen zijn vastgelegd.")
    expect(page.locator("main")).to_contain_text(PARTNER)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download groeve-bezoek.jpg").click()
    assert download.value.suggested_filename == "groeve-bezoek.jpg"
    assert_not_stored(demo_server, PARTNER, "groeve-bezoek")
    assert page.goto("/company/verification").status == 403  # a company's page
    log_out(page)


def test_the_company_maintains_a_link_it_was_asked_to_correct(browser, demo_server: DemoServer):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "company")
    page.goto("/company/verification")
    expect(page.locator("h1")).to_have_text("Verification of your links")
    expect(page.locator(".what-now")).to_contain_text('What "not confirmed" means:')
    shoot(page, "verification-company", languages=EN_FIRST)
    request = page.locator("section.correction").first
    request.locator("label", has_text="Maintained").click()
    request.get_by_label("Explanation").fill("It is.")
    request.get_by_role("button", name="Send the answer").click()
    request = page.locator("section.correction").first
    expect(request.locator(".error-summary")).to_contain_text("Explain why you keep the link")
    expect(request.get_by_label("Explanation")).to_have_value("It is.")
    request.get_by_label("Explanation").fill(EXPLANATION)
    request.get_by_role("button", name="Send the answer").click()
    expect(page.locator("main [role=status]")).to_contain_text("you keep the link")
    expect(page.locator("table.checks")).to_contain_text("maintained by the company")
    assert page.goto("/party/field-checks").status == 403
    assert page.goto("/secretariat/verification").status == 403
    log_out(page)
    context.close()


def test_the_public_sees_the_figures_from_the_quarry_regions_page(browser, demo_server: DemoServer):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    page.goto("/public/quarry-regions")
    expect(page.locator(".verified-share")).to_contain_text("confirmed by a field check")
    page.get_by_role("link", name="How reported supply chains are verified, and the figures per round").click()
    expect(page.locator("h1")).to_have_text("Verified supply chains")
    expect(page.locator("section.round h2")).to_have_text(["Report year 2024"])
    expect(page.locator("table.figures").first).to_contain_text("All sampled links")
    shoot(page, "verification-public", languages=EN_FIRST)
    shoot(page, "quarry-regions-verified", "/public/quarry-regions", languages=("en",))
    context.close()


def test_the_auditor_downloads_a_round_record(browser, demo_server: DemoServer):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "auditor")
    page.goto("/auditor/verification")
    expect(page.locator("pre.command")).to_have_text("python3 scripts/redraw_sample.py round.json")
    shoot(page, "verification-auditor", languages=EN_FIRST)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Download the record\W+Round 2024")).click()
    record = json.loads(download.value.path().read_text())
    assert record["format"] == "trustone-sample/1" and record["year"] == 2024 and len(record["sample"]) == 8
    assert page.goto("/secretariat/verification").status == 403
    log_out(page)
    context.close()
