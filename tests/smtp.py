"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a free port, in a background thread.

Use the ``smtp_server`` fixture by importing it into a test module (or a conftest)::

    from tests.smtp import smtp_server  # noqa: F401

It yields a ``LocalSmtpServer`` with ``.host``, ``.port``, ``.messages`` (each a ``Received``: the
envelope sender and recipients and the parsed message), ``wait_for(n)``, and ``refuse``: a set of
recipient addresses the server answers with 550 (a real SMTP failure, for retry tests).
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class _Handler:
    def __init__(self, server: LocalSmtpServer):
        self._server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in {a.lower() for a in self._server.refuse}:
            return "550 5.1.1 mailbox unavailable (refused by the test server)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self._server._received(Received(envelope.mail_from, list(envelope.rcpt_tos), message))  # noqa: SLF001
        return "250 Message accepted for delivery"


class LocalSmtpServer:
    def __init__(self) -> None:
        self.host = HOST
        self.port = 0
        self.messages: list[Received] = []
        self.refuse: set[str] = set()
        self._changed = threading.Condition()
        self._controller: Controller | None = None

    def _received(self, received: Received) -> None:
        with self._changed:
            self.messages.append(received)
            self._changed.notify_all()

    def wait_for(self, n: int, timeout: float = 5) -> list[Received]:
        """Wait until at least ``n`` messages arrived; fail the test on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.messages) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"the SMTP server received {len(self.messages)} message(s), expected {n}")
                self._changed.wait(left)
            return list(self.messages)

    def start(self) -> None:
        # aiosmtpd 1.4 connects to its own port to check it is up, so it needs a real port, not 0:
        # take a free one, and try again in the rare case another process grabs it first
        last_error: Exception | None = None
        for _ in range(5):
            port = unused_port()
            controller = Controller(_Handler(self), hostname=HOST, port=port, ready_timeout=5)
            try:
                controller.start()
            except Exception as exc:  # noqa: BLE001 - a port that would not serve: try the next one
                last_error = exc
                continue
            self._controller, self.port = controller, port
            return
        raise RuntimeError(f"could not start the test SMTP server: {last_error!r}")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def unused_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the moment of asking)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[LocalSmtpServer]:
    server = LocalSmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
