"""The tender register in the browser (docs/tenders.md): a member government records its tenders,
corrects and removes one, and submits its year; the secretariat sees the register and publishes the
year's report after a confirmation; the public page shows the counts, without any government, and
without the value bands (one government reported: below k = 3)."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoServer, assert_not_stored, log_in, log_out, shoot

LAST_YEAR = dt.date.today().year - 1
# last year's register on the buyer's page (the demo may hold other years)
REGISTER = f"section[aria-labelledby=year-{LAST_YEAR}] table.tenders"
TITLE = "Herinrichting Neude: natuursteen bestrating"
REFERENCE = "TenderNed 987654-Neude"


def fill_tender(page: Page, title: str, date: str, band: str, purchase_type: str, criteria: list[str]) -> None:
    page.fill("#field-title", title)
    page.fill("#field-date", date)
    page.select_option("#field-value_band", band)
    page.select_option("#field-purchase_type", purchase_type)
    for criterion in criteria:
        page.check(f"#criterion-{criterion}")


def test_a_government_records_and_submits_the_secretariat_publishes_the_public_reads(
    page: Page, demo_server: DemoServer
):
    log_in(page, demo_server, "buyer")
    page.goto("/buyer/tenders")
    expect(page.locator("h1")).to_have_text("Aanbestedingsregister van Gemeente Utrecht")

    # a form that fails keeps what was typed and names the field
    fill_tender(page, TITLE, f"{LAST_YEAR}-05-12", "250k_1m", "type_2", [])
    page.fill("#field-reference", REFERENCE)
    page.locator("form.tender-form button[type=submit]").click()
    expect(page.locator("#error-criteria")).to_be_visible()
    expect(page.locator(".error-summary a")).to_have_attribute("href", "#field-criteria")
    expect(page.locator("#field-title")).to_have_value(TITLE)
    expect(page.locator("#field-reference")).to_have_value(REFERENCE)

    page.check("#criterion-award_significant")
    page.check("#criterion-contract_basis")
    page.locator("form.tender-form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_have_text("De aanbesteding is vastgelegd.")
    expect(page.locator(REGISTER)).to_contain_text(TITLE)

    fill_tender(page, "Raamovereenkomst natuursteen", f"{LAST_YEAR}-09-01", "under_50k", "type_1", ["none"])
    page.locator("form.tender-form button[type=submit]").click()
    expect(page.locator(f"{REGISTER} tbody tr")).to_have_count(2)

    # correct the first: another value band
    page.locator(f"{REGISTER} tr", has_text=TITLE).get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("Een aanbesteding corrigeren")
    shoot(page, "tenders-buyer-correct")
    page.select_option("#field-value_band", "1m_5_5m")
    page.locator("form.tender-form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_have_text("De aanbesteding is gecorrigeerd.")
    expect(page.locator(f"{REGISTER} tr", has_text=TITLE)).to_contain_text("1 miljoen tot 5,5 miljoen euro")

    # remove the second
    page.locator(f"{REGISTER} tr", has_text="Raamovereenkomst").locator("button").click()
    expect(page.locator("main [role=status]")).to_have_text("De aanbesteding is verwijderd.")
    expect(page.locator(f"{REGISTER} tbody tr")).to_have_count(1)
    shoot(page, "tenders-buyer")

    # submit the year, after a confirmation
    page.get_by_role("link", name=f"Het register van {LAST_YEAR} indienen").click()
    expect(page.locator("h1")).to_have_text(f"Het register van {LAST_YEAR} indienen?")
    shoot(page, "tenders-buyer-submit")
    page.get_by_role("button", name=f"Ja, dien het register van {LAST_YEAR} in").click()
    expect(page.locator("main [role=status]")).to_contain_text("ingediend bij het secretariaat")
    expect(page.locator(f"{REGISTER} button")).to_have_count(0)  # fixed: nothing to correct or remove
    assert page.goto("/secretariat/tenders").status == 403
    log_out(page)

    log_in(page, demo_server, "secretariat")
    assert page.goto("/buyer/tenders").status == 403
    page.goto(f"/secretariat/tenders?year={LAST_YEAR}")
    expect(page.locator("main")).to_contain_text(TITLE)
    expect(page.locator("main")).to_contain_text("Nog niet ingediend: Gemeente Rotterdam, Stad Gent")
    shoot(page, "tenders-secretariat")
    page.get_by_role("link", name=f"De aanbestedingsrapportage van {LAST_YEAR} publiceren").click()
    shoot(page, "tenders-secretariat-confirm")
    page.get_by_role("button", name=f"Ja, publiceer de aanbestedingsrapportage van {LAST_YEAR}").click()
    expect(page.locator("main [role=status]")).to_have_text(
        f"De aanbestedingsrapportage van {LAST_YEAR} is gepubliceerd."
    )
    log_out(page)

    page.goto("/public/tenders")
    expect(page.locator("h2").first).to_have_text(f"Aanbestedingen in {LAST_YEAR}")
    main = page.locator("main")
    this_report = page.locator(f"section[aria-labelledby=year-{LAST_YEAR}]")
    expect(this_report).to_contain_text("1 aangesloten overheid heeft gerapporteerd.")
    expect(this_report).to_contain_text("niet getoond")
    expect(this_report).not_to_contain_text("1 miljoen tot 5,5 miljoen euro")  # one government: no bands
    for hidden in (TITLE, "Utrecht", "Rotterdam", "Gent"):
        expect(main).not_to_contain_text(hidden)
    # the demo's year before, three governments with tenders: its bands are shown
    expect(page.locator(f"section[aria-labelledby=year-{LAST_YEAR - 1}]")).to_contain_text("tot 5,5 miljoen euro")
    expect(page.get_by_role("link", name="Meldingen over aanbestedingen en wat ermee gebeurde")).to_have_attribute(
        "href", "/public/tender-signals"
    )
    shoot(page, "tenders-public")

    # sealed at rest: the title and the reference are not in the database files in clear
    assert_not_stored(demo_server, TITLE, REFERENCE)
