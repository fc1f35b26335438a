"""The public pages, without a login: the quarry-region map, table and downloads; the members and
their levels; the grievance statistics; the follow-up page in its ten languages.

The demo publishes the quarry-region list of 2024 (28 regions; Bundi, Rajasthan among them). A
case is filed through the JSON API with the demo NGO's bearer token, as a party's software would
(tests/e2e/test_grievance_walkthrough.py), and its follow-up code is typed into the page.
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS, DemoServer, assert_not_stored, check_accessibility, new_context, shoot

FOLLOW_UP_LANGUAGES = ("nl", "en", "fr", "hi", "ta", "zh", "tr", "vi", "pt", "ar")
UNKNOWN_CODE = "ABCD-EFGH-JKLM-NPQR"  # the right shape, no case
REPORTER = "Bundi Pathar Mazdoor Sangh (pseudonym 7Q)"


@pytest.fixture(scope="module")
def filed(demo_server: DemoServer) -> dict[str, str]:
    """A report filed for a local partner by the demo NGO: its reference and follow-up code."""
    entry = demo_server.logins["ngo"]
    with httpx.Client(base_url=demo_server.url, timeout=30) as client:
        login = client.post("/api/v1/auth/login", json={"login": entry["login"], "password": entry["password"]})
        assert login.status_code == 200, login.text
        answer = client.post(
            "/api/v1/grievances",
            headers={"Authorization": f"Bearer {login.json()['access_token']}"},
            json={
                "country": "IN",
                "region": "Rajasthan",
                "themes": ["child_labour"],
                "description": "Children carry sandstone slabs at a quarry near Bundi; no protective gear.",
                "language": "hi",
                "reporter": {"name": REPORTER},
            },
        )
    assert answer.status_code == 201, answer.text
    return {"reference": answer.json()["reference"], "code": answer.json()["followup_code"]}


def test_the_quarry_regions_on_a_map_in_a_table_and_as_downloads(page: Page, demo_server: DemoServer):
    page.goto("/public/quarry-regions")
    expect(page.locator("h1")).to_have_text("Groeveregio's 2024")  # the latest published year
    expect(page.locator(".years a[aria-current=page]")).to_have_text("2024")
    chart = page.locator("figure.map svg[role=img]")
    expect(chart.locator("title").first).to_have_text("Kaart van de groeveregio's 2024")
    expect(chart.locator("path.listed").first).to_be_attached()  # a country of the list, shaded
    assert chart.locator("circle.shown").count() >= 10 and chart.locator("circle.hidden").count() >= 5
    bundi = page.locator("#regions tbody tr", has_text="Bundi")
    expect(bundi).to_contain_text("Rajasthan")
    expect(bundi).to_contain_text("25.4, 75.6")
    expect(page.locator("#regions tbody tr", has_text="Borba")).to_contain_text("minder dan 3 bedrijven")

    for name, media_type in (("csv", "text/csv"), ("json", "application/json"), ("geojson", "application/geo+json")):
        href = page.locator(f".downloads a[href$='format={name}']").get_attribute("href")
        assert href == f"/api/v1/public/quarry-regions?year=2024&format={name}"
        download = page.request.get(href)
        assert download.status == 200
        assert download.headers["content-type"].startswith(media_type), download.headers["content-type"]
        assert "Bundi" in download.text() and "Rajasthan" in download.text()

    page.emulate_media(media="print")  # the printable version: no menus, the map and the table
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator("nav.years")).to_be_hidden()
    expect(page.locator("#regions")).to_be_visible()
    page.emulate_media(media="screen")

    assert page.goto("/public/quarry-regions?year=2031").status == 404  # no list that year
    shoot(page, "public-quarry-regions", "/public/quarry-regions?year=2024")


def test_the_members_with_their_levels_over_the_years(page: Page, demo_server: DemoServer):
    page.goto("/public/members")
    expect(page.locator("h1")).to_have_text("Deelnemende bedrijven")
    table = page.locator("table.members")
    expect(table.locator("caption")).to_have_text("Deelnemende bedrijven en hun niveau per rapportagejaar")
    assert table.locator("tbody tr").count() == 30  # the demo's member companies
    assert table.locator("svg.sparkline").count() >= 20  # a chart for each company with an assessed year
    expect(table.locator("tbody tr").first.locator(".level-list")).to_contain_text(re.compile(r"2024: niveau \d"))
    expect(table).to_contain_text("Uitgesloten op")  # a past member stays on the list, with its exclusion
    shoot(page, "public-members", "/public/members")


def test_the_grievance_statistics_as_charts_and_tables(page: Page, demo_server: DemoServer, filed):
    page.goto("/public/grievance-statistics")
    expect(page.locator("h1")).to_have_text("Klachtenstatistiek")
    expect(page.locator("dl.totals dd").first).to_have_text("1")
    theme = page.locator("section[aria-labelledby=by-theme]")
    expect(theme.locator("svg.bars[role=img]")).to_contain_text("Kinderarbeid")
    expect(theme.locator("tbody tr", has_text="Kinderarbeid").locator("td")).to_have_text("1")
    expect(page.locator("section[aria-labelledby=by-stage] tbody")).to_contain_text("Melding ontvangen")
    assert filed["reference"] not in page.content()  # the figures name no case
    shoot(page, "public-grievance-statistics", "/public/grievance-statistics")


def test_the_follow_up_page_with_a_wrong_then_the_real_code(browser, demo_server: DemoServer, filed):
    context = new_context(browser, demo_server, language="en")
    page = context.new_page()
    page.goto("/follow-up")
    expect(page.locator("h1")).to_have_text("Follow up a report")
    page.fill("#field-code", UNKNOWN_CODE)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-code")).to_contain_text("No report has this code. Check the code and try again.")
    expect(page.locator("#field-code")).to_have_value(UNKNOWN_CODE)  # what was typed is kept
    expect(page.locator(".error-summary a")).to_have_attribute("href", "#field-code")

    page.fill("#field-code", filed["code"].lower())  # small letters do as well
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_contain_text("Report received")
    expect(page.locator(".timeline li")).to_have_count(1)
    assert filed["code"] not in page.url and filed["code"].lower() not in page.url  # never in the address
    assert filed["code"] not in page.content()  # nor shown again
    assert filed["reference"] not in page.content()  # the stage and the dates, nothing else
    assert REPORTER not in page.content()
    context.close()
    assert_not_stored(demo_server, REPORTER, filed["code"])


def test_the_follow_up_page_in_arabic_right_to_left_and_in_hindi(browser, demo_server: DemoServer, filed):
    context = new_context(browser, demo_server, language="ar")
    page = context.new_page()
    page.goto("/follow-up")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("h1")).to_have_text("متابعة بلاغ")
    page.fill("#field-code", "ABC")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#error-code")).to_contain_text("رمز المتابعة فيه 16 حرفًا ورقمًا")
    expect(page.locator("#field-code")).to_have_value("ABC")
    page.fill("#field-code", filed["code"])
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_contain_text("تم استلام البلاغ")
    check_accessibility(page)  # the answer is drawn on the POST, which shoot cannot reach
    page.screenshot(path=str(SCREENSHOTS / "follow-up-answer-ar-desktop.png"), full_page=True)

    page.locator("nav.languages a[hreflang=hi]").click()  # the switch offers all ten languages
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("h1")).to_have_text("शिकायत की स्थिति देखें")
    expect(page.locator("nav.menu")).to_contain_text("खदान क्षेत्र")
    assert page.locator("nav.languages a").count() == 10
    shoot(page, "follow-up", "/follow-up", languages=FOLLOW_UP_LANGUAGES)
    context.close()
