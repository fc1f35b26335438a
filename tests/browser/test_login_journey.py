"""Logging in and out in the browser: the form, its errors, the second factor, an expired session."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoServer, log_in, log_out, new_context, shoot


def test_the_login_page_in_dutch_and_english_at_both_widths(page: Page, demo_server: DemoServer):
    shoot(page, "login", "/login")
    shoot(page, "home", "/")


def test_a_company_logs_in_sees_its_desk_and_logs_out(page: Page, demo_server: DemoServer):
    log_in(page, demo_server, "company")
    expect(page).to_have_url(re.compile(r"/waiting$"))
    expect(page.locator("h1")).to_have_text("Wacht op mij")  # the browser asked for Dutch
    expect(page.locator("header")).to_contain_text(demo_server.logins["company"]["login"])
    shoot(page, "waiting-company")
    log_out(page)
    expect(page.locator("main [role=status]")).to_have_text("Je bent uitgelogd.")
    page.goto("/waiting")  # the session is gone: back to the login page
    expect(page).to_have_url(re.compile(r"/login\?next=/waiting$"))


def test_a_wrong_password_keeps_the_login_typed_and_names_the_field(page: Page, demo_server: DemoServer):
    page.goto("/login")
    page.fill("#field-login", "demo.bedrijf")
    page.fill("#field-password", "not-the-password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#field-login")).to_have_value("demo.bedrijf")
    expect(page.locator("#field-password")).to_have_value("")  # a password is never sent back
    expect(page.locator("#error-password")).to_contain_text("de inlognaam of het wachtwoord klopt niet")
    expect(page.locator("#field-password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error-summary a")).to_have_attribute("href", "#field-password")


def test_the_secretariat_is_asked_for_its_code_and_gets_in_with_it(browser, demo_server: DemoServer):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    entry = demo_server.logins["secretariat"]
    page.goto("/login")
    page.fill("#field-login", entry["login"])
    page.fill("#field-password", entry["password"])
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-code")).to_contain_text("enter the 6-digit code from your authenticator app")
    expect(page.locator("#field-login")).to_have_value(entry["login"])
    page.fill("#field-password", entry["password"])
    page.fill("#field-code", pyotp.TOTP(entry["totp_secret"]).now())
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Waiting for me")
    expect(page.locator(".queues")).to_contain_text("Reports to assess")
    shoot(page, "waiting-secretariat")
    context.close()


def test_an_expired_session_says_so_on_the_login_page(page: Page, demo_server: DemoServer):
    log_in(page, demo_server, "company")
    session = next(c for c in page.context.cookies() if c["name"] == "trustone_session")
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    # What the server holds for the session is gone (expired, or revoked elsewhere): the cookie remains.
    page.context.add_cookies([{**session, "value": "a-session-the-server-does-not-know"}])
    page.goto("/waiting")
    expect(page).to_have_url(re.compile(r"/login\?next=/waiting&expired=1$"))
    expect(page.locator("main [role=status]")).to_have_text("Je sessie is verlopen. Log opnieuw in om verder te gaan.")
    assert not [c for c in page.context.cookies() if c["name"] == "trustone_session"]


def test_too_many_failures_lock_the_login_and_the_page_says_for_how_long(page: Page, demo_server: DemoServer):
    page.goto("/login")
    for _ in range(12):
        page.fill("#field-login", "demo.utrecht")
        page.fill("#field-password", "wrong")
        page.locator("main form button[type=submit]").click()
        if page.locator("main [role=alert].notice").count():
            break
    expect(page.locator("main [role=alert].notice")).to_contain_text("Te veel mislukte inlogpogingen")


def test_a_form_without_its_csrf_token_is_refused(page: Page, demo_server: DemoServer):
    page.goto("/login")
    answer = page.request.post(
        "/login", form={"login": "demo.bedrijf", "password": demo_server.logins["company"]["password"]}
    )
    assert answer.status == 403
    assert "trustone_session" not in answer.headers.get("set-cookie", "")


def test_the_pages_refuse_inline_script_and_framing(browser, demo_server: DemoServer):
    context = browser.new_context(base_url=demo_server.url)  # the pages' own CSP in force
    page = context.new_page()
    answer = page.goto("/login")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.evaluate(
        """() => {
            const s = document.createElement('script');
            s.textContent = 'window.injected = 1';
            document.body.appendChild(s);
        }"""
    )
    assert page.evaluate("typeof window.injected") == "undefined"
    context.close()
