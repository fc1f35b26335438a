"""Reports about tenders in the browser (art. 7 lid 12; docs/tender-signals.md): an NGO and a buyer
report a tender, each sees its own report and not the other's; the secretariat contacts the authority
and resolves the report; the public page counts them without a login and names nothing. The tests
run in this order on one demo server."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoServer, assert_not_stored, log_in, log_out, new_context, shoot

NGO_AUTHORITY = "Gemeente Zeewolde-Noord"
NGO_TITLE = "Herinrichting Dorpsplein met graniet"
BUYER_AUTHORITY = "Waterschap Rivierland-Oost"
BUYER_TITLE = "Kadeherstel Waalbandijk"
MISSING = "Het bestek vraagt geen due diligence en geen ISV-clausule voor de natuursteen."


def fill_report(page: Page, authority: str, title: str, missing: str, day: str = "") -> None:
    page.fill("#field-authority", authority)
    page.fill("#field-title", title)
    page.fill("#field-reference", "https://www.tenderned.nl/aankondigingen/overzicht/345678")
    page.fill("#field-missing", missing)
    if day:
        page.fill("#field-tender_date", day)
    page.locator("main form button[type=submit]").click()


def test_an_ngo_and_a_buyer_report_and_each_sees_its_own(page: Page, demo_server: DemoServer):
    log_in(page, demo_server, "ngo")
    page.goto("/tender-signals")
    expect(page.locator("h1")).to_have_text("Een aanbesteding melden die due diligence negeert")
    shoot(page, "tender-signals-empty")
    # Too short a description: the page comes back with what was typed and the field named.
    fill_report(page, NGO_AUTHORITY, NGO_TITLE, "niets", "2026-10-01")
    expect(page.locator("#field-authority")).to_have_value(NGO_AUTHORITY)
    expect(page.locator("#field-tender_date")).to_have_value("2026-10-01")
    expect(page.locator("#field-missing")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error-summary a")).to_have_attribute("href", "#field-missing")
    page.fill("#field-missing", MISSING)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_contain_text("Het secretariaat heeft je melding ontvangen")
    expect(page.locator("table.signals tbody")).to_contain_text(NGO_AUTHORITY)
    expect(page.locator("table.signals tbody")).to_contain_text("Ontvangen")
    shoot(page, "tender-signals-reported")
    log_out(page)

    log_in(page, demo_server, "buyer")
    page.goto("/tender-signals")
    fill_report(page, BUYER_AUTHORITY, BUYER_TITLE, MISSING)
    expect(page.locator("table.signals tbody tr")).to_have_count(1)
    expect(page.locator("table.signals tbody")).to_contain_text(BUYER_AUTHORITY)
    expect(page.locator("main")).not_to_contain_text(NGO_AUTHORITY)  # not another organisation's report
    assert page.goto("/secretariat/tender-signals").status == 403
    log_out(page)


def test_the_secretariat_contacts_the_authority_and_resolves_the_report(browser, demo_server: DemoServer):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "secretariat")
    page.goto("/secretariat/tender-signals")
    rows = page.locator("table.signals tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(BUYER_AUTHORITY)  # newest first
    expect(page.locator("main")).to_contain_text("2 reports are still open.")
    shoot(page, "tender-signals-queue")  # leaves the page in Dutch
    page.locator("table.signals tbody tr", has_text=NGO_AUTHORITY).locator("a").click()
    expect(page.locator("main dl.facts")).to_contain_text(demo_server.logins["ngo"]["login"])  # who reported
    # An empty note is refused by the server too (the browser's own check taken away), naming the field.
    page.evaluate("document.querySelector('#field-note').removeAttribute('required')")
    page.locator("form[action$='/contact'] button[type=submit]").click()
    expect(page.locator("#error-note")).to_be_visible()
    page.fill("#field-note", "Gebeld met de inkoper; de ISV-clausule is toegelicht.")
    page.locator("form[action$='/contact'] button[type=submit]").click()
    expect(page.locator("main p[role=status]")).to_contain_text("Vastgelegd: de aanbestedende dienst is benaderd.")
    expect(page.locator("main p[role=status] strong")).to_have_text("Aanbestedende dienst benaderd")
    shoot(page, "tender-signal-contacted")
    page.fill("#field-outcome", "De gemeente neemt de ISV op in het volgende bestek.")
    page.locator("form[action$='/resolve'] button[type=submit]").click()
    expect(page.locator("main p[role=status]")).to_contain_text("Vastgelegd: de melding is opgelost.")
    expect(page.locator("main form[action$='/resolve']")).to_have_count(0)  # no step after resolved
    expect(page.locator("ol.timeline")).to_contain_text("De gemeente neemt de ISV op")
    shoot(page, "tender-signal-resolved")
    log_out(page)
    context.close()


def test_the_ngo_sees_the_outcome_and_the_public_sees_counts_only(page: Page, demo_server: DemoServer):
    log_in(page, demo_server, "ngo")
    page.goto("/tender-signals")
    expect(page.locator("table.signals tbody")).to_contain_text("Opgelost")
    page.locator("table.signals tbody a").first.click()
    expect(page).to_have_url(re.compile(r"/tender-signals/[0-9a-f-]{36}$"))
    expect(page.locator("ol.timeline")).to_contain_text("De gemeente neemt de ISV op")
    shoot(page, "tender-signal-reporter")
    log_out(page)

    page.goto("/public/tender-signals")  # no login
    row = page.locator("table.counts tbody tr")
    expect(row).to_have_count(1)
    # two reports in the year: fewer than three, so the year's figures are not shown (docs/tender-signals.md)
    expect(row.locator("td")).to_have_count(1)
    expect(row.locator("td")).to_contain_text("Minder dan drie meldingen")
    for secret in (NGO_AUTHORITY, BUYER_AUTHORITY, NGO_TITLE, "demo.arisa", "Utrecht"):
        expect(page.locator("main")).not_to_contain_text(secret)
    shoot(page, "tender-signals-public")
    assert_not_stored(demo_server, NGO_AUTHORITY, BUYER_AUTHORITY, NGO_TITLE, BUYER_TITLE, "ISV-clausule is toegelicht")
