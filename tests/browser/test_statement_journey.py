"""Evidence statements in the browser (docs/statements.md): a public buyer asks for a statement about
the demo company in Dutch, sees the printable page (and a screenshot of it in print media), downloads
the PDF and the signed text through the page's links; the public verification page says the text is
valid and a changed copy is not; the company sees the buyer's statement among its buyers' questions;
an NGO may not ask for one."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import SCREENSHOTS, DemoServer, log_in, log_out, new_context, set_language, shoot

CODE = re.compile(r"/statements/(TSV(?:-[0-9A-Z]{4}){5})$")


def own_organisation(page: Page) -> str:
    """The logged-in person's organisation, as the page's header shows it ("login · ref")."""
    return page.locator("header.site .who").inner_text().split("·")[-1].strip()


def print_screenshot(page: Page, name: str) -> Path:
    """The page as the browser prints it (print media), full length."""
    page.emulate_media(media="print")
    path = SCREENSHOTS / f"{name}.png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    page.emulate_media(media="screen")
    return path


def test_a_buyer_issues_prints_downloads_and_verifies_a_statement(
    browser: Browser, demo_server: DemoServer, tmp_path: Path
) -> None:
    company_context = new_context(browser, demo_server, language="nl")
    company = company_context.new_page()
    log_in(company, demo_server, "company")
    ref = own_organisation(company)

    context = new_context(browser, demo_server, language="nl", accept_downloads=True)
    buyer = context.new_page()
    log_in(buyer, demo_server, "buyer")
    shoot(buyer, "statements-buyer", "/buyer/statements")

    # a date after today: the form comes back with the date named and what was chosen kept
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    buyer.select_option("#field-company", ref)
    buyer.fill("#field-on", tomorrow)
    buyer.select_option("#field-language", "nl")
    with buyer.expect_response(lambda answer: answer.request.method == "POST") as posted:
        buyer.locator("main form button[type=submit]").click()
    assert posted.value.status == 422
    expect(buyer.locator("#error-on")).to_be_visible()
    expect(buyer.locator(".error-summary a[href='#field-on']")).to_be_visible()
    assert buyer.input_value("#field-on") == tomorrow
    assert buyer.input_value("#field-company") == ref

    # today, in Dutch: the statement's page
    buyer.fill("#field-on", dt.date.today().isoformat())
    buyer.locator("main form button[type=submit]").click()
    buyer.wait_for_url(CODE)
    found = CODE.search(buyer.url)
    assert found
    code = found.group(1)
    expect(buyer.locator(".code-box .code")).to_have_text(code)
    expect(buyer.locator("#statement-title")).to_contain_text("Bewijsverklaring:")
    expect(buyer.locator("table.criteria tbody tr")).to_have_count(5)
    expect(buyer.locator("details.signed-text pre")).to_contain_text("TRUSTONE-BEWIJSVERKLARING")
    expect(buyer.locator("button.print-page")).to_be_visible()  # shown by statements.js
    shoot(buyer, "statement", buyer.url)
    for language in ("nl", "en"):
        set_language(buyer, language)
        buyer.reload()
        print_screenshot(buyer, f"statement-print-{language}")
    set_language(buyer, "nl")
    buyer.reload()

    # the PDF and the signed text, through the page's links
    with buyer.expect_download() as pdf_download:
        buyer.locator(f"a[href='/api/v1/public/statements/{code}/pdf']").first.click()
    pdf = tmp_path / "statement.pdf"
    pdf_download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    with buyer.expect_download() as text_download:
        buyer.locator(f"a[href='/api/v1/public/statements/{code}/text']").first.click()
    text = tmp_path / "statement.txt"
    text_download.value.save_as(text)
    assert f"Verificatiecode: {code}" in text.read_text()

    # the public verification page: the text is valid, a changed copy is not
    visitor_context = new_context(browser, demo_server, language="en")
    visitor = visitor_context.new_page()
    shoot(visitor, "statements-verify", "/verify", languages=("en", "nl"))
    visitor.set_input_files("#field-file", str(text))
    visitor.locator("form.check button[type=submit]").click()
    expect(visitor.locator(".verdict")).to_contain_text("has not been changed since")
    expect(visitor.locator(".verdict")).to_contain_text(f"{dt.date.today():%Y}")
    changed = tmp_path / "changed.txt"
    changed.write_text(text.read_text().replace("Niveau: ", "Niveau: 5", 1))
    visitor.goto("/verify")
    visitor.set_input_files("#field-file", str(changed))
    visitor.locator("form.check button[type=submit]").click()
    expect(visitor.locator(".verdict")).to_contain_text(
        "This statement was changed after it was signed: do not rely on it."
    )
    visitor.goto("/verify")
    visitor.set_input_files("#field-file", str(pdf))
    visitor.locator("form.check button[type=submit]").click()
    expect(visitor.locator(".verdict")).to_contain_text("has not been changed since")
    shoot(visitor, "statements-verify-code", f"/verify/{code}", languages=("en", "nl"))
    visitor_context.close()

    # the company sees the buyer's statement among its buyers' questions, and may ask for its own
    company.goto("/company/buyers")
    expect(company.locator(f"main table a[href='/statements/{code}']")).to_have_text(code)
    shoot(company, "statements-company-buyers", "/company/buyers")
    shoot(company, "statements-company", "/company/statement")
    log_out(company)
    company_context.close()
    log_out(buyer)
    context.close()


def test_an_ngo_may_not_ask_for_a_statement(page: Page, demo_server: DemoServer) -> None:
    log_in(page, demo_server, "ngo")
    answer = page.goto("/buyer/statements")
    assert answer is not None and answer.status == 403
    answer = page.goto("/company/statement")
    assert answer is not None and answer.status == 403
    log_out(page)
