"""The e-mail outbox with real case events: a crash between the commit and the send, and a rebuild.

The notices are committed with the case (the events are the outbox). If the process dies before
any e-mail went out, the next process sends each one, once. Rebuilding the case views afterwards
sends nothing again: which e-mails went out is recorded outside the views.
"""

from __future__ import annotations

from grievance.domain.filing import Filing, Reporter
from grievance.mail import MailSettings, SmtpMailer
from tests.principals import of_account as principal
from trustone.bootstrap import bootstrap
from trustone.demo import load_demo


def test_notices_committed_before_a_crash_are_mailed_once_by_the_next_process(settings, smtp_server):
    mailer = SmtpMailer(MailSettings(host=smtp_server.host, port=smtp_server.port))
    first = bootstrap(settings)
    try:
        demo = load_demo(first)
        ngo, secretariat = principal(first, demo.logins["ngo"]), principal(first, demo.logins["secretariat"])
        reference, _ = first.grievance.file(
            ngo,
            Filing(
                case_type="complaint",
                themes=["forced_labour"],
                site_ids=[demo.rajasthan_quarry],
                description="Workers say their wages are withheld until the season ends.",
                reporter=Reporter("Seasonal workers"),
            ),
        )
        first.grievance.advance(secretariat, reference, "acknowledge", "received")
        first.grievance.match(
            secretariat,
            reference,
            [demo.rajasthan_quarry],
            None,
            "confirmed",
            buyers=first.linked_search.grievance_buyers,
        )
        assert first.grievance.notify_companies(secretariat, reference, "Withheld wages were reported here.") == 2
    finally:
        first.close()  # the process dies here: committed, nothing sent
    assert smtp_server.messages == []

    second = bootstrap(settings)
    try:
        assert second.notice_delivery.deliver(mailer).sent == 2
        mails = smtp_server.wait_for(2)
        assert sorted(m.rcpt_tos[0] for m in mails) == sorted(
            f"meldingen@{ref}.example" for ref in demo.rajasthan_buyers
        )
        second.case_projections.rebuild()
        assert second.notice_delivery.deliver(mailer).sent == 0
        assert len(smtp_server.messages) == 2
    finally:
        second.close()
