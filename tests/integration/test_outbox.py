"""The notice outbox against a real SMTP server (aiosmtpd) and both stores.

At least once: whatever crashes before the delivery is recorded, the next run (a new outbox, as after
a restart) sends the notice. Recorded once: however often a notice is sent, ``notice_deliveries``
holds one row for it.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

import pytest

from grievance.mail import MailSettings, SmtpMailer, message_id_for, notice_message
from grievance.outbox import DeliveryReport, NoticeOutbox
from tests.clock import monday_morning
from tests.smtp import smtp_server, unused_port  # noqa: F401

SENDER = "secretariaat@trustone.test"
ADDRESSES = {"steen-bv": "notices@steen.example", "rots-nv": "dd@rots.example"}


@dataclass(frozen=True)
class FakePending:
    notice_id: str
    case_id: uuid.UUID
    reference: str
    recipient_tag: str
    sealed: str
    notified_at: dt.datetime


OPENED = {
    "sealed-steen": {
        "company": "steen-bv",
        "company_name": "Steen BV",
        "reference": "TS-2026-0001",
        "sites": [
            {
                "site_id": "IN-RJ-7KQ2M9XHS",
                "name": "Bijolia Quarry 3",
                "kind": "quarry",
                "district": "Bhilwara",
                "country": "IN",
            }
        ],
        "themes": ["child_labour"],
        "allegation": "Children were seen splitting slabs at the quarry.",
        "respond_by": "2026-12-13",
    },
    "sealed-rots": {
        "company": "rots-nv",
        "company_name": "Rots NV",
        "reference": "TS-2026-0001",
        "sites": [
            {
                "site_id": "IN-RJ-4HX8WQ2ZR",
                "name": "Kota Stone Works",
                "kind": "factory",
                "district": "Kota",
                "country": "IN",
            }
        ],
        "themes": ["child_labour", "wages"],
        "allegation": "Wages below the legal minimum at the factory.",
        "respond_by": "2026-12-14",
    },
}


def pending(sealed: str, tag: str) -> FakePending:
    return FakePending(
        notice_id=str(uuid.uuid4()),
        case_id=uuid.UUID(int=1),
        reference="TS-2026-0001",
        recipient_tag=tag,
        sealed=sealed,
        notified_at=dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC),
    )


def open_notice(notice: FakePending) -> dict | None:
    return OPENED.get(notice.sealed)


def address_of(company: str) -> str | None:
    return ADDRESSES.get(company)


class Crash(BaseException):
    """The process dying at this point (not an Exception: nothing may catch it)."""


@pytest.fixture
def outbox(services) -> NoticeOutbox:
    box = NoticeOutbox(services.sql)
    box.create_tables()
    return box


@pytest.fixture
def mailer(smtp_server) -> SmtpMailer:
    return SmtpMailer(MailSettings(host=smtp_server.host, port=smtp_server.port, sender=SENDER, timeout=5))


@pytest.fixture
def two():
    return [pending("sealed-steen", "tag-steen"), pending("sealed-rots", "tag-rots")]


def deliver(box: NoticeOutbox, notices, mailer, **overrides) -> DeliveryReport:
    arguments = {
        "open_notice": open_notice,
        "address_of": address_of,
        "mailer": mailer,
        "sender": SENDER,
        "clock": monday_morning(),
    }
    arguments.update(overrides)
    return box.deliver_pending(notices, **arguments)


def rows_for(services, notice_id: str) -> list[tuple]:
    with services.sql.transaction() as cursor:
        return cursor.execute(
            "SELECT outcome, message_id FROM {schema}.notice_deliveries WHERE notice_id = %s", (notice_id,)
        ).fetchall()


def test_two_notices_become_two_mails_to_the_right_addresses_each_naming_only_its_own_company(
    outbox, mailer, smtp_server, two
):
    report = deliver(outbox, two, mailer)

    assert report == DeliveryReport(sent=2)
    received = {r.rcpt_tos[0]: r for r in smtp_server.wait_for(2)}
    assert sorted(received) == sorted(ADDRESSES.values())
    assert all(len(r.rcpt_tos) == 1 and r.mail_from == SENDER for r in received.values())
    steen, rots = received["notices@steen.example"].message, received["dd@rots.example"].message
    steen_body, rots_body = steen.get_content(), rots.get_content()
    # the subject is folded onto its own line (RFC 5322 allows it); Python's parser keeps the space
    assert steen["Subject"].strip() == "TruStone grievance case TS-2026-0001: a production site in your supply chain"
    for text in (
        "Steen BV",
        "IN-RJ-7KQ2M9XHS",
        "Bijolia Quarry 3",
        "Bhilwara",
        "child labour",
        "Children were seen splitting slabs",
        "2026-12-13",
        "log in to the TruStone registry",
    ):
        assert text in steen_body
    for other in ("Rots", "rots-nv", "IN-RJ-4HX8WQ2ZR", "Kota", "Wages below"):
        assert other not in steen_body and other not in str(steen)
    for other in ("Steen", "steen-bv", "IN-RJ-7KQ2M9XHS", "Bijolia", "Children were seen"):
        assert other not in rots_body and other not in str(rots)
    assert steen["Message-ID"] == message_id_for(two[0].notice_id)
    assert rots["Message-ID"] == message_id_for(two[1].notice_id)
    assert two[0].notice_id not in steen["Message-ID"]
    assert outbox.delivered(n.notice_id for n in two) == {n.notice_id for n in two}


def test_a_second_run_sends_nothing_more(services, outbox, mailer, smtp_server, two):
    deliver(outbox, two, mailer)
    smtp_server.wait_for(2)

    again = deliver(NoticeOutbox(services.sql), two, mailer)

    assert again == DeliveryReport()
    assert len(smtp_server.messages) == 2


def test_a_crash_after_the_case_was_committed_but_before_sending_is_sent_after_a_restart(
    services, outbox, mailer, smtp_server, two
):
    class DiesBeforeSending:
        def send(self, message):
            raise Crash

    with pytest.raises(Crash):
        deliver(outbox, two, DiesBeforeSending())
    assert outbox.delivered(n.notice_id for n in two) == set()
    assert smtp_server.messages == []

    restarted = NoticeOutbox(services.sql)
    restarted.create_tables()
    assert deliver(restarted, two, mailer) == DeliveryReport(sent=2)

    received = smtp_server.wait_for(2)
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(ADDRESSES.values())  # each exactly once
    assert deliver(restarted, two, mailer) == DeliveryReport()
    assert len(smtp_server.messages) == 2


def test_a_crash_between_sending_and_recording_sends_again_but_records_once(
    services, outbox, mailer, smtp_server, two, monkeypatch
):
    steen = two[:1]

    def dies_before_recording(*args, **kwargs):
        raise Crash

    monkeypatch.setattr(outbox, "record", dies_before_recording)
    with pytest.raises(Crash):
        deliver(outbox, steen, mailer)
    smtp_server.wait_for(1)  # the mail went out ...
    assert rows_for(services, steen[0].notice_id) == []  # ... but was not recorded

    assert deliver(NoticeOutbox(services.sql), steen, mailer) == DeliveryReport(sent=1)

    first, second = smtp_server.wait_for(2)
    assert first.message["Message-ID"] == second.message["Message-ID"] == message_id_for(steen[0].notice_id)
    assert first.message.get_content() == second.message.get_content()
    assert rows_for(services, steen[0].notice_id) == [("sent", message_id_for(steen[0].notice_id))]


def test_recording_a_delivery_twice_keeps_one_row_and_raises_nothing(services, outbox):
    at = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    assert outbox.record("notice-1", "sent", "<a@trustone.invalid>", at) is True
    assert outbox.record("notice-1", "sent", "<a@trustone.invalid>", at + dt.timedelta(hours=1)) is False
    assert outbox.record("notice-1", "no_address", None, at) is False
    assert rows_for(services, "notice-1") == [("sent", "<a@trustone.invalid>")]
    with pytest.raises(ValueError, match="outcome"):
        outbox.record("notice-2", "bounced", None, at)


def test_an_unreachable_mail_server_counts_as_failed_records_nothing_and_a_later_run_delivers(
    outbox, mailer, smtp_server, two
):
    down = SmtpMailer(MailSettings(host="127.0.0.1", port=unused_port(), sender=SENDER, timeout=5))

    assert deliver(outbox, two, down) == DeliveryReport(failed=2)
    assert outbox.delivered(n.notice_id for n in two) == set()

    assert deliver(outbox, two, mailer) == DeliveryReport(sent=2)
    assert len(smtp_server.wait_for(2)) == 2


def test_a_refused_recipient_fails_alone_and_the_other_notice_still_goes(outbox, mailer, smtp_server, two):
    smtp_server.refuse.add("notices@steen.example")

    assert deliver(outbox, two, mailer) == DeliveryReport(sent=1, failed=1)
    assert [r.rcpt_tos for r in smtp_server.wait_for(1)] == [["dd@rots.example"]]
    assert outbox.delivered(n.notice_id for n in two) == {two[1].notice_id}

    smtp_server.refuse.clear()
    assert deliver(outbox, two, mailer) == DeliveryReport(sent=1)
    assert [r.rcpt_tos for r in smtp_server.wait_for(2)] == [["dd@rots.example"], ["notices@steen.example"]]


def test_a_company_without_an_address_is_recorded_once_as_no_address_and_gets_no_mail(
    services, outbox, mailer, smtp_server, two
):
    only_rots = {"rots-nv": ADDRESSES["rots-nv"]}.get

    assert deliver(outbox, two, mailer, address_of=only_rots) == DeliveryReport(sent=1, no_address=1)
    assert deliver(outbox, two, mailer, address_of=only_rots) == DeliveryReport()

    assert rows_for(services, two[0].notice_id) == [("no_address", None)]
    assert [r.rcpt_tos for r in smtp_server.wait_for(1)] == [["dd@rots.example"]]


def test_an_unreadable_notice_is_not_sent_and_is_counted(services, outbox, mailer, smtp_server):
    shredded, readable = pending("sealed-shredded", "tag-x"), pending("sealed-rots", "tag-rots")

    assert deliver(outbox, [shredded, readable], mailer) == DeliveryReport(sent=1, unreadable=1)

    assert rows_for(services, shredded.notice_id) == []
    assert [r.rcpt_tos for r in smtp_server.wait_for(1)] == [["dd@rots.example"]]


def test_the_outbox_logs_neither_addresses_nor_notice_content(outbox, mailer, smtp_server, two, caplog):
    caplog.set_level(logging.DEBUG, logger="trustone.grievance.outbox")
    smtp_server.refuse.add("notices@steen.example")  # a failure's log line too

    deliver(outbox, two + [pending("sealed-gone", "tag-x")], mailer)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert two[0].notice_id in logged
    for secret in ("@", "steen", "rots", "Steen", "Rots", "IN-RJ", "Bijolia", "Kota", "Wages", "Children"):
        assert secret not in logged


def test_the_message_ignores_anything_but_the_recipients_own_notice_fields():
    notice = dict(OPENED["sealed-steen"], reporter="Ramesh Meena", other_companies=["rots-nv"])

    message = notice_message(
        notice,
        to="notices@steen.example",
        sender=SENDER,
        message_id=message_id_for("n-1"),
        case_url="https://registry.example/cases/x",
    )

    text = message.as_string()
    assert "Ramesh" not in text and "rots" not in text
    assert "https://registry.example/cases/x" in message.get_content()
    assert message_id_for("n-1") == message_id_for("n-1") != message_id_for("n-2")


def test_mail_settings_come_from_the_environment_and_errors_name_the_variable():
    assert MailSettings.from_env({}) == MailSettings(
        host="localhost", port=25, sender="secretariaat@trustone.invalid", use_starttls=False
    )
    custom = MailSettings.from_env(
        {
            "TRUSTONE_SMTP_HOST": "mail.example",
            "TRUSTONE_SMTP_PORT": "587",
            "TRUSTONE_SMTP_STARTTLS": "1",
            "TRUSTONE_SMTP_USER": "u",
            "TRUSTONE_SMTP_PASSWORD": "p",
            "TRUSTONE_MAIL_FROM": "dd@trustone.example",
        }
    )
    assert (custom.host, custom.port, custom.use_starttls, custom.username) == ("mail.example", 587, True, "u")
    for environ, variable in [
        ({"TRUSTONE_SMTP_PORT": "twenty-five"}, "TRUSTONE_SMTP_PORT"),
        ({"TRUSTONE_SMTP_PORT": "70000"}, "TRUSTONE_SMTP_PORT"),
        ({"TRUSTONE_SMTP_STARTTLS": "yes"}, "TRUSTONE_SMTP_STARTTLS"),
        ({"TRUSTONE_MAIL_FROM": "not an address"}, "TRUSTONE_MAIL_FROM"),
        ({"TRUSTONE_SMTP_USER": "u"}, "TRUSTONE_SMTP_PASSWORD"),
        (
            {"TRUSTONE_SMTP_HOST": "mail.example", "TRUSTONE_SMTP_USER": "u", "TRUSTONE_SMTP_PASSWORD": "p"},
            "TRUSTONE_SMTP_STARTTLS",
        ),
    ]:
        with pytest.raises(ValueError, match=variable):
            MailSettings.from_env(environ)
