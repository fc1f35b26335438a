"""Contributions in the browser (issue 17; docs/contributions.md), over the demo data: ``trustone
demo`` records three companies' basis and prepares the statements of 2025 and 2026
(trustone/demo_contributions.py). The secretariat prepares 2026 again (nothing changed), reads the
total against the budget line and the queue of companies whose category and report disagree,
changes the risk-country list (Poland becomes a risk country from tomorrow), records a company's basis
(a wrong number of establishments named first) and prepares again: that one statement is revised.
The company reads its own statement, in Dutch, and is refused the secretariat's page.

Expected figures, from bijlage 4: the demo company (Betuwe Stone Import, an associated member with
3 establishments, member since 2020, so the regular tariff) reports five covenant chains for 2025,
one of them from a quarry in India: full due diligence, 1,200 for 2 chains + 3 x 400 for the
further chains + 3 x 200 for the establishments = 3,000. Bijlage 5's line for 2026: 60,000."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, SCREENSHOTS, DemoServer, log_in, log_out, new_context, shoot

PAGE = "/secretariat/contributions"
EN_FIRST = ("en", "nl")  # shoot leaves the page in the first: this journey reads English
BASIS_COMPANY = "Kasseien Wouters NV"  # an importer of the demo (trustone/demo.py, seeded)


def test_the_secretariat_prepares_reads_the_queue_changes_the_risk_list_and_records_a_basis(
    browser, demo_server: DemoServer
):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "secretariat")
    page.goto(PAGE + "?year=2026")
    expect(page.locator("h1")).to_have_text("Contributions 2026")
    page.get_by_role("button", name="Prepare the statements of 2026").click()
    expect(page.locator("main [role=status]")).to_have_text(
        re.compile(r"^Statements of 2026: \d+ prepared, 0 revised, \d+ unchanged\.$")
    )
    assert "done=prepared" in page.url  # post/redirect/get: a reload does not prepare again
    main = page.locator("main")
    expect(main).to_contain_text("€60,000.00")  # bijlage 5, 2026
    queue = page.locator("table.mismatches tbody tr")
    expect(queue.filter(has_text="Grafsteen Aerts BV")).to_contain_text("A: buys from Dutch or Belgian importers")
    expect(queue.filter(has_text="Grafsteen Aerts BV")).to_contain_text("origin in a risk country")
    company_row = page.locator("table.statements tbody tr").filter(has_text="Betuwe Stone Import B.V.")
    expect(company_row).to_contain_text("associated member")
    expect(company_row).to_contain_text("€3,000.00")
    expect(page.get_by_role("link", name="Download the invoicing file (CSV)")).to_have_attribute(
        "href", "/secretariat/contributions/2026/invoices.csv"
    )
    expect(main).to_contain_text("Every country is a risk country except these 30:")  # the EEA's 30
    shoot(page, "contributions-secretariat", languages=EN_FIRST)

    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    page.fill("#field-in_force_from", tomorrow)
    page.fill("#field-become_risk", "PL")
    page.fill("#field-reason", "The parties agreed to add Poland after the 2026 review.")
    page.get_by_role("button", name="Change the list").click()
    expect(page.locator("main [role=status]")).to_contain_text("The risk-country list is changed")
    expect(page.locator("table.versions tbody tr")).to_have_count(2)
    expect(page.locator("table.versions")).to_contain_text("The parties agreed to add Poland after the 2026 review.")

    page.select_option("#field-company", label=BASIS_COMPANY)
    page.select_option("#field-member_type", "associated")
    page.fill("#field-establishments", "many")
    page.get_by_role("button", name="Record the basis").click()
    expect(page.locator(".error-summary")).to_contain_text("A whole number from 0 to 10000.")
    expect(page.locator("#field-establishments")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#field-establishments")).to_have_value("many")
    page.set_viewport_size(PHONE)  # the 422 page is a POST's answer: shoot would draw the page anew
    page.screenshot(path=str(SCREENSHOTS / "contributions-basis-refused-en-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.fill("#field-establishments", "2")
    page.get_by_role("button", name="Record the basis").click()
    expect(page.locator("main [role=status]")).to_contain_text("is recorded. Prepare the statements again")
    page.get_by_role("button", name="Prepare the statements of 2026").click()
    expect(page.locator("main [role=status]")).to_have_text(
        re.compile(r"^Statements of 2026: 0 prepared, 1 revised, \d+ unchanged\.$")
    )
    row = page.locator("table.statements tbody tr").filter(has_text=BASIS_COMPANY)
    expect(row).to_contain_text("associated member")
    shoot(page, "contributions-secretariat-after", languages=("nl",))
    log_out(page)
    context.close()


def test_the_company_reads_its_own_statement_and_may_not_manage(page: Page, demo_server: DemoServer):
    log_in(page, demo_server, "company")
    page.goto("/company/contributions")
    expect(page.locator("h1")).to_have_text("Uw bijdrage")
    latest = page.locator("section.statement-year").first
    expect(latest.locator("h2")).to_have_text("Bijdrage 2026")
    expect(latest).to_contain_text("€\xa03.000,00")  # nl writes a no-break space after the sign
    expect(latest).to_contain_text("volledige due diligence")
    expect(latest).to_contain_text("herkomst in een risicoland: India")
    expect(latest).to_contain_text("uw rapportage over 2025, versie 1")
    expect(page.locator("main")).not_to_contain_text("Grafsteen Aerts")
    expect(page.locator("main")).to_contain_text("Hoe de bijdrage werkt (bijlage 4 van het convenant)")
    shoot(page, "contributions-company")
    assert page.goto(PAGE).status == 403
    log_out(page)
