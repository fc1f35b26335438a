"""The retention schedule in the browser (issue 16; docs/retention.md), over the demo data. The demo
holds no record near its expiry (its withdrawn companies left in 2025 and 2026: two years to go), so
the secretariat makes one through its own organisation page: a member company (Kasseien Wouters,
member since 2021) recorded as withdrawn 720 days ago, which expires in ten days. The secretariat
sees it expiring, runs the job (one warning, nothing erased), keeps it longer with a reason (a too
short reason is named, the days typed kept); the auditor reads the same page in Dutch, without forms,
and is refused the secretariat's."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, SCREENSHOTS, DemoServer, log_in, log_out, new_context, shoot

COMPANY = "kasseien-wouters"  # the demo's member since 2021-03-18 (trustone/demo.py, seeded)
EN_FIRST = ("en", "nl")  # shoot leaves the page in the first: this journey reads English


def test_the_secretariat_sees_an_expiring_record_runs_the_job_and_keeps_it_longer(browser, demo_server: DemoServer):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    log_in(page, demo_server, "secretariat")
    page.goto("/secretariat/retention")
    expect(page.locator("h1")).to_have_text("Retention schedule")
    expect(page.locator("table.schedule tbody tr")).to_have_count(7)
    expect(page.locator("table.schedule")).to_contain_text("730 days")
    expect(page.locator("main")).to_contain_text("No record expires within the warning window, and none is past due.")
    expect(page.locator("main")).to_contain_text("Nothing has been erased yet.")
    expect(page.locator("main")).to_contain_text("An erasure cannot be undone.")
    shoot(page, "retention-secretariat-empty", languages=EN_FIRST)

    withdrawn_on = dt.date.today() - dt.timedelta(days=720)  # the server's clock is the real one
    page.goto(f"/secretariat/organisations/{COMPANY}")
    page.fill("#field-withdraw_on", withdrawn_on.isoformat())
    page.get_by_role("button", name="Record withdrawal").click()
    expect(page.locator("main")).to_contain_text("withdrawn")

    page.goto("/secretariat/retention")
    row = page.locator("table.due tbody tr").filter(has_text=COMPANY)
    expect(row).to_contain_text("Withdrawn or excluded company")
    expect(row).to_contain_text("expiring soon")
    expect(row).to_contain_text("not yet: the next run warns")

    page.get_by_role("button", name="Run the job now").click()
    expect(page.locator("main [role=status]")).to_have_text("The job ran: 1 warning, 0 erasures.")
    assert "done=run" in page.url  # post/redirect/get: a reload does not run it again
    row = page.locator("table.due tbody tr").filter(has_text=COMPANY)
    expect(row.locator("td").nth(3)).to_contain_text("yes")
    shoot(page, "retention-secretariat", languages=EN_FIRST)

    row.locator("summary").click()
    row.get_by_label("By this many days").fill("90")
    row.get_by_label(re.compile("^Reason")).fill("audit")  # too short
    row.get_by_role("button", name=re.compile("^Keep it longer")).click()
    expect(page.locator(".error-summary")).to_contain_text("Say why the record is kept longer: 10 to 500 characters.")
    row = page.locator("table.due tbody tr").filter(has_text=COMPANY)
    expect(row.get_by_label("By this many days")).to_have_value("90")
    expect(row.get_by_label(re.compile("^Reason"))).to_have_attribute("aria-invalid", "true")
    page.set_viewport_size(PHONE)  # the 422 page is a POST's answer: shoot would draw the page anew
    page.screenshot(path=str(SCREENSHOTS / "retention-extend-refused-en-phone.png"), full_page=True)
    row.get_by_label(re.compile("^Reason")).fill("Its last report is part of an open grievance about a quarry.")
    row.get_by_role("button", name=re.compile("^Keep it longer")).click()
    expect(page.locator("main [role=status]")).to_contain_text("The record is kept longer: it now expires on")
    expect(page.locator("table.due tbody tr").filter(has_text=COMPANY)).to_have_count(0)  # out of the window
    log_out(page)
    context.close()


def test_the_auditor_reads_the_schedule_without_forms_and_may_not_manage(page: Page, demo_server: DemoServer):
    log_in(page, demo_server, "auditor")
    page.goto("/auditor/retention")
    expect(page.locator("h1")).to_have_text("Bewaartermijnen")
    expect(page.locator("table.schedule")).to_contain_text("Gesloten klachtzaak")
    expect(page.locator("main")).to_contain_text("retention: erase <kind> <reference>")
    expect(page.locator("main form")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Er is nog niets gewist.")
    shoot(page, "retention-auditor")
    assert page.goto("/secretariat/retention").status == 403
    log_out(page)
