"""The auditor's and the public buyer's journeys (issue 14, items 8 and 9), in a real browser.

The auditor reads the access log newest first, narrows it by action and to refused attempts, pages
back, sees the chain verified and downloads the signed digest, which reads back as the JSON API's
export does (``trustone audit verify --digests`` reads either). The buyer checks a demo company's
membership on a date: a member at a level said in words, not yet a member before it joined, and a
date in the future refused naming the field with the input kept; the access log is not theirs (403).
The demo data (trustone/demo.py, seed 2025): Tuinsteen van Dijk B.V. joined on 20 October 2022 and
was assessed at level 4 on 19 May 2025.
"""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_public_key
from playwright.sync_api import Browser, Page

from keys.access.accesslog import read_digests
from tests.browser.conftest import DemoServer, log_in, log_out, new_context, shoot

COMPANY = "tuinsteen-van-dijk"


def rows(page: Page):
    return page.locator("table.log tbody tr")


def seqs(page: Page) -> list[int]:
    return [int(text) for text in page.locator("table.log tbody th[scope=row]").all_inner_texts()]


def a_refused_read(browser: Browser, demo_server: DemoServer) -> None:
    """The buyer opens the access log: 403, and an entry for the auditor to find."""
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "buyer")
    assert page.goto("/auditor/access-log").status == 403
    context.close()


def test_the_auditor_filters_pages_verifies_and_keeps_a_digest(browser: Browser, demo_server: DemoServer) -> None:
    a_refused_read(browser, demo_server)
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "auditor")
    assert page.url.endswith("/auditor/access-log")
    assert page.locator("h1").inner_text() == "Access log"
    first = seqs(page)
    assert len(first) == 50 and first == sorted(first, reverse=True)
    shoot(page, "auditor-access-log", languages=("en", "nl"))

    page.select_option("#field-action", "publish_list")
    page.get_by_role("button", name="Show entries").click()
    assert "action=publish_list" in page.url
    assert rows(page).count() >= 1
    for what in rows(page).locator("td:nth-child(4)").all_inner_texts():
        assert what.startswith("publish a list"), what

    page.get_by_role("link", name="Clear the filters").click()
    page.select_option("#field-outcome", "denied")
    page.get_by_role("button", name="Show entries").click()
    refused = rows(page).all_inner_texts()
    assert refused and all("refused" in row for row in refused)
    assert any("demo.utrecht" in row and "read the access log" in row for row in refused), refused
    shoot(page, "auditor-access-log-refused", languages=("en", "nl"))

    page.get_by_role("link", name="Clear the filters").click()
    newest = seqs(page)
    page.get_by_role("link", name="Older entries").click()
    older = seqs(page)
    assert older and max(older) < min(newest)
    page.get_by_role("link", name="Back to the newest entries").click()
    assert "cursor" not in page.url

    backwards = page.goto("/auditor/access-log?action=read_report&from=2025-03-02&to=2025-03-01")
    assert backwards.status == 422
    assert "before its start" in page.locator("#error-to").inner_text()
    assert page.locator("#field-from").input_value() == "2025-03-02"
    assert page.locator("#field-action").input_value() == "read_report"
    assert page.locator("table.log").count() == 0

    page.goto("/auditor/access-log")
    page.get_by_role("link", name="Check that the log is intact").click()
    verdict = page.locator(".verdict").inner_text()
    assert "Verified: the log is intact." in verdict and "Verified up to entry" in verdict
    shoot(page, "auditor-verification", languages=("en", "nl"))

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the signed digest to keep").first.click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    body = json.loads(text)
    assert set(body) == {"digest", "public_key_pem"}
    (digest,) = read_digests(text)
    assert digest.seq >= 58  # the demo's entries and this journey's
    assert digest.signed_by(load_pem_public_key(body["public_key_pem"].encode()))  # type: ignore[arg-type]
    log_out(page)


def test_the_buyer_checks_a_membership_on_a_date_and_may_not_read_the_log(page: Page, demo_server: DemoServer) -> None:
    log_in(page, demo_server, "buyer")
    assert page.url.endswith("/buyer/member-status")
    shoot(page, "buyer-member-status", languages=("en", "nl"))

    page.fill("#field-ref", COMPANY)
    page.fill("#field-on", "2025-09-01")
    page.get_by_role("button", name="Check").click()
    answer = page.locator(".answer").inner_text()
    assert (
        "On September 1, 2025 Tuinsteen van Dijk B.V. was a participating member of the natural-stone covenant, "
        "at level 4." in answer
    ), answer
    assert "Level 4 means: the company knows at least 75% of the quarries and 100% of the factories" in answer
    shoot(page, "buyer-member-status-member", languages=("en", "nl"))

    page.fill("#field-on", "2022-06-01")
    page.get_by_role("button", name="Check").click()
    answer = page.locator(".answer").inner_text()
    assert "On June 1, 2022 Tuinsteen van Dijk B.V. was not yet a member of the natural-stone covenant." in answer

    page.fill("#field-on", "2099-01-01")
    with page.expect_response(lambda response: "/buyer/member-status?" in response.url) as response:
        page.get_by_role("button", name="Check").click()
    assert response.value.status == 422
    assert "up to today" in page.locator("#error-on").inner_text()
    assert page.locator("#field-on").input_value() == "2099-01-01"
    assert page.locator("#field-ref").input_value() == COMPANY
    assert page.locator(".answer").count() == 0

    unknown = page.goto("/buyer/member-status?ref=no-such-company&on=2025-09-01")
    assert unknown.status == 404
    assert "no member company has this reference" in page.locator("#error-ref").inner_text()
    assert page.locator("#field-ref").input_value() == "no-such-company"

    assert page.goto("/auditor/access-log").status == 403
    page.goto("/buyer/member-status")
    log_out(page)
