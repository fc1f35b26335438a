"""The daily grievance job (trustone/reminders.py) on the demo data, a real SMTP server and both stores.

The clock is moved by hand; every mail is read back from the local SMTP server.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest

from grievance.domain.filing import Filing, Reporter
from keys.access.principal import Principal
from tests.clock import FakeClock
from tests.demo_store import result_of
from tests.principals import of_account
from trustone.bootstrap import Services, bootstrap
from trustone.demo import load_demo
from trustone.reminders import (
    DailyReport,
    MailConfigError,
    reminder_message_id,
    run_daily,
)

SECRETARIAT_ADDRESS = "secretariaat@trustone.example"
DESCRIPTION = "Children seen working at the quarry face in November, carrying slabs."
REPORTER = Reporter("Sangh Rajasthan", "+91 99999 12345", "Mine Labour Union")
ALLEGATION = "Child labour reported at this quarry face in November 2025."
REMINDER_READER = "system:grievance:reminders"


def mail_services(settings, smtp_server, **extra: str) -> Services:
    environ = {"TRUSTONE_SMTP_HOST": smtp_server.host, "TRUSTONE_SMTP_PORT": str(smtp_server.port), **extra}
    return bootstrap(dataclasses.replace(settings, mail_environ=tuple(sorted(environ.items()))))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(dt.datetime.now(dt.UTC).replace(microsecond=0))


@pytest.fixture
def svc(settings, smtp_server, clock) -> Iterator[Services]:
    built = mail_services(settings, smtp_server, TRUSTONE_MAIL_SECRETARIAT=SECRETARIAT_ADDRESS)
    try:
        built.clock.set(clock)
        yield built
    finally:
        built.close()


@pytest.fixture
def demo(svc):
    return result_of(svc.settings) or load_demo(svc)


def principal(svc: Services, demo, role: str) -> Principal:
    return of_account(svc, demo.logins[role])


def file_complaint(svc: Services, demo) -> str:
    reference, _code = svc.grievance.file(
        principal(svc, demo, "ngo"),
        Filing(
            case_type="complaint",
            description=DESCRIPTION,
            themes=["child_labour"],
            site_ids=[demo.rajasthan_quarry],
            observed_on=dt.date(2025, 11, 2),
            language="hi",
            reporter=REPORTER,
        ),
    )
    return reference


def notified_case(svc: Services, demo) -> str:
    secretariat = principal(svc, demo, "secretariat")
    reference = file_complaint(svc, demo)
    svc.grievance.advance(secretariat, reference, "acknowledge", "received")
    svc.grievance.match(
        secretariat,
        reference,
        [demo.rajasthan_quarry],
        None,
        "site confirmed",
        buyers=svc.linked_search.grievance_buyers,
    )
    assert svc.grievance.notify_companies(secretariat, reference, ALLEGATION) == 2
    return reference


def reminder_entries(svc: Services) -> list:
    return svc.access_log.entries(actor=REMINDER_READER)


def test_the_daily_job_mails_the_notices_then_reminds_only_the_company_that_did_not_respond(
    svc, demo, clock, smtp_server
):
    reference = notified_case(svc, demo)

    first = run_daily(svc)

    assert first == DailyReport(notices_sent=2, reminders_sent=0, overdue=0)
    notices = smtp_server.wait_for(2)
    assert sorted(r.rcpt_tos[0] for r in notices) == sorted(f"meldingen@{ref}.example" for ref in demo.rajasthan_buyers)

    clock.advance(days=21)
    company = principal(svc, demo, "company")
    assert company.organisation_ref in demo.rajasthan_buyers
    silent = next(ref for ref in demo.rajasthan_buyers if ref != company.organisation_ref)
    svc.grievance.company_writes(company, reference, "response", "We are investigating with our supplier.")

    second = run_daily(svc)

    assert second == DailyReport(notices_sent=0, reminders_sent=1, overdue=0)
    received = smtp_server.wait_for(3)[2]
    assert received.rcpt_tos == [f"meldingen@{silent}.example"]
    message = received.message
    body = message.get_content()
    assert message["Subject"].strip() == f"TruStone reminder: case {reference}, first response overdue"
    assert message["Message-ID"].strip() == reminder_message_id(
        reference, "first_response", svc.grievance.recipient_tag(svc.registry.organisation_id(silent))
    )
    site = svc.registry.site(demo.rajasthan_quarry)
    for text in (reference, demo.rajasthan_quarry, site.name, svc.registry.organisation(silent).name):
        assert text in body
    responder = svc.registry.organisation(company.organisation_ref)
    for leak in (
        responder.ref,
        responder.name,
        demo.rajasthan_non_buyer,
        "investigating",
        ALLEGATION,
        DESCRIPTION,
        REPORTER.name,
        REPORTER.contact,
    ):
        assert leak not in str(message)
    opened = reminder_entries(svc)
    assert len(opened) == 1 and opened[0].outcome == "granted"

    clock.advance(days=1)
    third = run_daily(svc)

    assert third == DailyReport(notices_sent=0, reminders_sent=0, overdue=0)
    assert len(smtp_server.messages) == 3
    assert len(reminder_entries(svc)) == 1  # nothing due, nothing opened


def test_a_case_left_unacknowledged_six_days_reminds_the_secretariat_once_with_nothing_sealed(
    svc, demo, clock, smtp_server
):
    reference = file_complaint(svc, demo)
    clock.advance(days=4)
    assert run_daily(svc) == DailyReport(overdue=0)

    clock.advance(days=2)
    report = run_daily(svc)

    assert report == DailyReport(notices_sent=0, reminders_sent=1, overdue=1)
    [received] = smtp_server.wait_for(1)
    assert received.rcpt_tos == [SECRETARIAT_ADDRESS]
    message = received.message
    body = message.get_content()
    assert message["Subject"].strip() == f"TruStone reminder: case {reference}, acknowledge overdue"
    for text in (reference, "acknowledge", "filed", "1 day"):
        assert text in body
    for leak in (
        DESCRIPTION,
        "Children",
        REPORTER.name,
        REPORTER.contact,
        REPORTER.organisation,
        demo.rajasthan_quarry,
        *demo.rajasthan_buyers,
    ):
        assert leak not in str(message)
    assert reminder_entries(svc) == []  # the clear case view was enough: nothing was opened

    clock.advance(days=1)
    assert run_daily(svc) == DailyReport(notices_sent=0, reminders_sent=0, overdue=1)
    assert len(smtp_server.messages) == 1


def test_without_a_secretariat_address_an_overdue_case_is_counted_but_not_mailed(settings, smtp_server, clock):
    svc = mail_services(settings, smtp_server)
    try:
        svc.clock.set(clock)
        file_complaint(svc, load_demo(svc))
        clock.advance(days=6)
        assert run_daily(svc) == DailyReport(notices_sent=0, reminders_sent=0, overdue=1)
        assert smtp_server.messages == []
    finally:
        svc.close()


def test_a_reminder_the_mail_server_refuses_is_sent_on_the_next_run(svc, demo, clock, smtp_server):
    file_complaint(svc, demo)
    clock.advance(days=6)
    smtp_server.refuse.add(SECRETARIAT_ADDRESS)

    assert run_daily(svc) == DailyReport(notices_sent=0, reminders_sent=0, overdue=1, failed=1)

    smtp_server.refuse.clear()
    assert run_daily(svc) == DailyReport(notices_sent=0, reminders_sent=1, overdue=1)
    assert [r.rcpt_tos for r in smtp_server.messages] == [[SECRETARIAT_ADDRESS]]


def test_a_bad_mail_variable_is_an_error_naming_it_before_anything_is_sent(settings, smtp_server):
    svc = mail_services(settings, smtp_server, TRUSTONE_MAIL_COMMITTEE="the committee")
    try:
        with pytest.raises(MailConfigError, match="TRUSTONE_MAIL_COMMITTEE"):
            run_daily(svc)
    finally:
        svc.close()
