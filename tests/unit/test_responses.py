"""The page routes' shared answers (trustone/web/ui/responses.py): the redirect after a form, a file
to save, and a use case's ISO text for the date filters."""

from __future__ import annotations

import datetime as dt

from trustone.web.ui.responses import attachment, see_other, when


def test_after_a_form_the_browser_is_sent_on_with_303():
    answer = see_other("/secretariat/organisations/arisa", done="joined")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/secretariat/organisations/arisa?done=joined"
    assert see_other("/company/report/draft?year=2024&saved=1").headers["location"] == (
        "/company/report/draft?year=2024&saved=1"
    )


def test_a_value_in_the_address_is_encoded():
    assert (
        see_other("/secretariat/users", disabled="a b&c").headers["location"] == "/secretariat/users?disabled=a+b%26c"
    )


def test_a_file_is_saved_never_cached_nor_sniffed():
    answer = attachment(b"%PDF-1.7", "application/pdf", "TS-2026-0001-evidence-1", {"X-Content-SHA256": "ab"})
    assert answer.body == b"%PDF-1.7"
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == 'attachment; filename="TS-2026-0001-evidence-1"'
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-content-sha256"] == "ab"


def test_a_file_name_cannot_break_out_of_its_header():
    answer = attachment(b"x", "application/pdf", 'verklaring"; x=1\r\nSet-Cookie: a=b.pdf')
    assert answer.headers["content-disposition"] == 'attachment; filename="verklaring__ x_1__Set-Cookie_ a_b.pdf"'
    assert attachment(b"x", "text/plain", "ééé.txt").headers["content-disposition"] == 'attachment; filename="___.txt"'


def test_iso_text_becomes_a_date_or_a_time():
    assert when("2026-11-30") == dt.date(2026, 11, 30)
    assert when("2026-11-30T10:15:00+00:00") == dt.datetime(2026, 11, 30, 10, 15, tzinfo=dt.UTC)
    assert when(None) is None
    assert when("") is None
