"""E-mail for grievance notices: the SMTP settings, the sender, and the notice message itself.

A notice e-mail tells one member company that a grievance case concerns a production site it
sources from (docs/lifecycles.md, ``companies_notified``). It is built only from the opened notice,
which holds that company's own data and nothing else: never another company, never the reporter.
``notice_message`` reads just the keys it needs, so an extra key in the dict cannot leak into a mail.

The ``Message-ID`` is derived from the notice id (SHA-256, so the internal id does not leak): the
outbox delivers at least once, and a resend after a crash carries the same id, so the recipient's
mail system (and a person) can see it is the same message.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import ipaddress
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

MESSAGE_ID_DOMAIN = "trustone.invalid"
_LOCAL_HOSTS = {"localhost", "localhost.localdomain"}


@dataclass(frozen=True)
class MailSettings:
    host: str = "localhost"
    port: int = 25
    sender: str = "secretariaat@trustone.invalid"
    use_starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> MailSettings:
        """Read the ``TRUSTONE_SMTP_*`` / ``TRUSTONE_MAIL_FROM`` variables; a bad value raises a
        ``ValueError`` that names its variable."""
        host = environ.get("TRUSTONE_SMTP_HOST", "").strip() or "localhost"
        if any(c.isspace() for c in host):
            raise ValueError("TRUSTONE_SMTP_HOST: a host name or address without spaces")
        port_text = environ.get("TRUSTONE_SMTP_PORT", "").strip() or "25"
        try:
            port = int(port_text)
        except ValueError:
            raise ValueError(f"TRUSTONE_SMTP_PORT: not a port number: {port_text!r}") from None
        if not 1 <= port <= 65535:
            raise ValueError(f"TRUSTONE_SMTP_PORT: must be 1-65535, not {port}")
        sender = environ.get("TRUSTONE_MAIL_FROM", "").strip() or "secretariaat@trustone.invalid"
        if any(c.isspace() for c in sender) or sender.count("@") != 1 or email.utils.parseaddr(sender)[1] != sender:
            raise ValueError("TRUSTONE_MAIL_FROM: a plain e-mail address, e.g. secretariaat@example.org")
        starttls_text = environ.get("TRUSTONE_SMTP_STARTTLS", "").strip() or "0"
        if starttls_text not in ("0", "1"):
            raise ValueError(f"TRUSTONE_SMTP_STARTTLS: '1' or '0', not {starttls_text!r}")
        use_starttls = starttls_text == "1"
        username = environ.get("TRUSTONE_SMTP_USER") or None
        password = environ.get("TRUSTONE_SMTP_PASSWORD") or None
        if username and not password:
            raise ValueError("TRUSTONE_SMTP_PASSWORD: required when TRUSTONE_SMTP_USER is set")
        if password and not username:
            raise ValueError("TRUSTONE_SMTP_USER: required when TRUSTONE_SMTP_PASSWORD is set")
        if username and not use_starttls and not _is_loopback(host):
            # a password (and confidential notices) must not cross a network in clear text
            raise ValueError("TRUSTONE_SMTP_STARTTLS: must be '1' to log in to a mail server that is not local")
        return cls(host=host, port=port, sender=sender, use_starttls=use_starttls, username=username, password=password)


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SmtpMailer:
    """Sends one message per SMTP connection (notices are few; simplicity beats pooling).

    Any failure raises (``smtplib.SMTPException`` or ``OSError``); the outbox then leaves the notice
    unrecorded so the next run tries again.
    """

    def __init__(self, settings: MailSettings):
        self.settings = settings

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as smtp:
            if s.use_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password or "")
            smtp.send_message(message)


def message_id_for(notice_id: str) -> str:
    """Stable per notice, and reveals nothing of the notice id."""
    digest = hashlib.sha256(f"trustone-notice:{notice_id}".encode()).hexdigest()[:40]
    return f"<notice-{digest}@{MESSAGE_ID_DOMAIN}>"


def _theme(theme: str) -> str:
    return str(theme).replace("_", " ")


def _site_line(site: Mapping[str, object]) -> str:
    where = ", ".join(str(part) for part in (site.get("district"), site.get("country")) if part)
    kind = f" ({site['kind']})" if site.get("kind") else ""
    return f"  - {site.get('name', '')}{kind}, site id {site.get('site_id', '')}, {where}"


def notice_message(
    notice: Mapping[str, Any],
    to: str,
    sender: str,
    message_id: str,
    case_url: str | None,
    date: dt.datetime | None = None,
) -> EmailMessage:
    """The notice e-mail for one company, in English, plain text.

    Uses only ``company_name``, ``reference``, ``sites``, ``themes``, ``allegation`` and
    ``respond_by`` from the opened notice; anything else in it is ignored.
    """
    reference = str(notice["reference"])
    company_name = str(notice.get("company_name") or notice.get("company") or "")
    sites = list(notice.get("sites") or [])
    themes = ", ".join(_theme(t) for t in (notice.get("themes") or [])) or "not specified"
    site_word = "site" if len(sites) == 1 else "sites"
    how_to_respond = f"To respond, log in to the TruStone registry and open case {reference}" + (
        f":\n{case_url}" if case_url else "."
    )
    body = "\n".join(
        [
            f"Dear {company_name},",
            "",
            f"The TruStone secretariat has received a grievance report (case {reference}) about a",
            f"production {site_word} in your supply chain, as you reported it to the covenant:",
            "",
            *(_site_line(site) for site in sites),
            "",
            f"Themes: {themes}",
            "",
            "The report, as summarised by the secretariat:",
            "",
            str(notice.get("allegation") or "").strip(),
            "",
            f"Please respond by {notice.get('respond_by')}.",
            how_to_respond,
            "",
            "Replies to this e-mail are not read; please use the registry, where your response is",
            "recorded with the case. This notice is confidential and meant for your company only.",
            "",
            "TruStone secretariat",
            "",
        ]
    )
    message = EmailMessage()
    message["Subject"] = f"TruStone grievance case {reference}: a production site in your supply chain"
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = message_id
    message["Date"] = email.utils.format_datetime(date or dt.datetime.now(dt.UTC))
    # quoted-printable: 7-bit safe through any relay, whatever the allegation's characters
    message.set_content(body, cte="quoted-printable")
    return message
