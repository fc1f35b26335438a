"""The secretariat's registry duties in the browser: assess a report, decide a held site, register an
organisation (a wrong field first), create a login, record a declaration with its document, preview
and publish a year's quarry-region list; a company login is refused the secretariat's pages.

The demo data (trustone/demo.py) has reports of 2024 and 2025 waiting for assessment, three sites
held as possible duplicates, the NGO login demo.arisa, and the quarry-region list of 2024 published:
2025 is released but not published.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

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

# A small PDF: enough for the registry to know it is one. The marker must not be in the database in clear.
MARKER = "signed-by-arisa-marker-7731"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + MARKER.encode() + b"\ntrailer << >>\n%%EOF\n"


def snap(page: Page, name: str, path: str | None = None) -> None:
    """``shoot`` in both languages, ending in English (the language this journey reads)."""
    shoot(page, f"secretariat-{name}", path, languages=("en", "nl"))


def test_the_secretariat_does_its_registry_duties(browser, demo_server: DemoServer):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "secretariat")

    # Assessment: the queue, one report's form, the level that follows.
    page.goto("/secretariat/assessment")
    expect(page.locator("h1")).to_have_text("Reports to assess")
    snap(page, "assessment")
    page.locator("main table tbody th a").first.click()
    expect(page.locator("h1")).to_contain_text("Assess the report of")
    expect(page.locator("#field-version")).not_to_have_value("")  # the latest version, as read
    snap(page, "assessment-form")
    form_address = page.url
    page.get_by_role("link", name="Read the report (its links, questionnaire and action plan)").click()
    expect(page.locator("h1")).to_contain_text("Report of")
    expect(page.locator("main table").first).to_contain_text("quarry")  # its links, with their sites
    snap(page, "report")
    page.goto(form_address)
    page.fill("#field-due_diligence_score", "abc")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-due_diligence_score")).to_contain_text("a percentage from 0 to 100")
    expect(page.locator("#field-due_diligence_score")).to_have_value("abc")
    page.fill("#field-due_diligence_score", "72,5")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_contain_text(re.compile(r"is assessed: level \d"))
    snap(page, "delay-explanation", "/secretariat/assessment/delay-explanation")

    # A held site beside its candidate; no choice is named, then "two sites".
    page.goto("/secretariat/held-sites")
    snap(page, "held-sites")
    page.locator("main .held-item a.button").first.click()
    expect(page.locator("table.compare")).to_contain_text("Held site")
    held_id = page.url.rsplit("/", 1)[-1]
    snap(page, "held-site")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-decision")).to_be_visible()
    page.check("#decision-distinct")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_contain_text(f"{held_id} is a site of its own")
    expect(page.locator(f"main a[href='/secretariat/held-sites/{held_id}']")).to_have_count(0)

    # Organisations: a wrong reference first, kept as typed and named; then right; then joining.
    page.goto("/secretariat/organisations")
    snap(page, "organisations")
    page.fill("#field-ref", "arisa")
    page.get_by_role("button", name="Look up").click()
    expect(page).to_have_url(re.compile(r"/secretariat/organisations/arisa$"))
    expect(page.locator("main dl.facts")).to_contain_text("NGO party")
    page.get_by_role("link", name="Back to the organisations").click()
    page.get_by_role("link", name="Register an organisation").click()
    snap(page, "organisation-new")
    page.fill("#field-ref", "Steenhandel Noord")
    page.fill("#field-name", "Steenhandel Noord B.V.")
    page.select_option("#field-kind", "member_company")
    page.fill("#field-country", "NL")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-ref")).to_be_visible()
    expect(page.locator(".error-summary a")).to_have_attribute("href", "#field-ref")
    expect(page.locator("#field-ref")).to_have_value("Steenhandel Noord")
    expect(page.locator("#field-name")).to_have_value("Steenhandel Noord B.V.")
    expect(page.locator("#field-kind")).to_have_value("member_company")
    page.fill("#field-ref", "steenhandel-noord")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/secretariat/organisations/steenhandel-noord\?done=registered$"))
    expect(page.locator("h1")).to_have_text("Steenhandel Noord B.V.")
    page.fill("#field-join_on", "2026-01-01")
    page.select_option("#field-category", "C")
    page.select_option("#field-size", "small")
    page.get_by_role("button", name="Record joining").click()
    expect(page.locator("main [role=status]")).to_have_text("The joining is recorded.")
    page.fill("#field-contact_email", "inkoop@steenhandel-noord.nl")
    page.get_by_role("button", name="Save the address").click()
    expect(page.locator("main dl.facts")).to_contain_text("inkoop@steenhandel-noord.nl")
    snap(page, "organisation", "/secretariat/organisations/steenhandel-noord")

    # A company login for it: created, listed; no second factor for a company.
    page.get_by_role("link", name="Logins of Steenhandel Noord B.V.").click()
    page.get_by_role("link", name="Create a login").click()
    expect(page.locator("#field-organisation_ref")).to_have_value("steenhandel-noord")
    assert page.locator("#field-role option").all_inner_texts()[1:] == [
        "NGO party",
        "union party",
        "member company",  # a login's role is named after its kind of organisation (vocabulary.py)
        "public buyer",
    ]
    snap(page, "user-new")
    page.select_option("#field-role", "company")
    page.fill("#field-login", "jan@steenhandel-noord.nl")
    page.fill("#field-display_name", "Jan de Boer")
    page.fill("#field-password", "a long first password 1")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("The login is created")
    expect(page.locator("main")).to_contain_text("This role needs no second factor.")
    page.get_by_role("link", name="Back to the logins").click()
    expect(page.locator("main table")).to_contain_text("jan@steenhandel-noord.nl")
    snap(page, "users")
    page.get_by_role("link", name="jan@steenhandel-noord.nl").click()
    snap(page, "user")
    page.get_by_role("button", name="Reset the second factor").click()
    expect(page.locator("code.totp-secret")).to_have_text(re.compile(r"^[A-Z2-7]{32}$"))
    expect(page.locator("code.totp-uri")).to_contain_text("otpauth://totp/TruStone:jan%40steenhandel-noord.nl")
    # The answer to the reset itself (it cannot be fetched again): checked and kept as it is.
    check_accessibility(page)
    page.screenshot(path=str(SCREENSHOTS / "secretariat-second-factor-en-desktop.png"), full_page=True)

    # A declaration with its signed document; the download is the file as uploaded.
    page.goto("/secretariat/declarations")
    snap(page, "declarations")
    page.get_by_role("link", name="Record a declaration").click()
    snap(page, "declaration-new")
    page.fill("#field-login", "demo.arisa")
    page.fill("#field-document_title", "TruStone verklaring gekoppelde lijst")
    page.fill("#field-document_version", "2026-1")
    page.fill("#field-signed_on", "2026-01-15")
    page.fill("#field-valid_until", "2028-01-15")
    page.set_input_files("#field-file", {"name": "verklaring.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_have_text("The declaration is recorded.")
    expect(page.locator("main dl.facts")).to_contain_text("2026-1")
    digest = page.locator("code.digest").inner_text()
    download = page.request.get(page.locator("a[download]").get_attribute("href"))
    assert download.status == 200 and download.body() == PDF
    assert download.headers["x-content-sha256"] == digest
    snap(page, "declaration")
    assert_not_stored(demo_server, MARKER)

    # Publishing: 2025 previewed, confirmed, published.
    page.goto("/secretariat/publishing")
    page.fill("#field-year", "2025")
    page.get_by_role("button", name="Show the list").click()
    expect(page.locator("main .badge")).to_have_text("preview")
    snap(page, "publishing")
    page.get_by_role("link", name="Publish the list for 2025").click()
    snap(page, "publishing-confirm")
    page.get_by_role("button", name="Yes, publish the list for 2025").click()
    expect(page.locator("main [role=status]")).to_have_text("The list for 2025 is published.")
    expect(page.locator("main .badge")).to_have_text("published")

    log_out(page)
    context.close()


def test_a_company_login_may_not_see_the_secretariats_pages(page: Page, demo_server: DemoServer):
    log_in(page, demo_server, "company")
    own = page.locator("header .who").inner_text().rsplit("·", 1)[1].strip()
    other = next(m["ref"] for m in page.request.get("/api/v1/public/members").json() if m["ref"] != own)
    for path in (
        "/secretariat/organisations",
        "/secretariat/assessment",
        "/secretariat/declarations",
        f"/secretariat/assessment/{other}/2024/report",  # another company's report
    ):
        answer = page.goto(path)
        assert answer is not None and answer.status == 403, path
        expect(page.locator("h1")).to_have_text("Deze pagina is niet voor jou")
