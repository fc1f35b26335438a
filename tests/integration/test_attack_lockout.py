"""An online guesser with many connections (docs/confidentiality.md, threat model: "more than a
handful of guesses per account per time window" must not be possible). Forty wrong passwords sent
at once for one login, on both stores: at most ``max_failures`` (5) of them may reach the argon2
check, and at most 5 may get any answer other than "locked out".

The counting spy holds the first guesses inside the password check until a sixth arrives (or a
couple of seconds pass), so the guesses really do overlap: a lockout that is decided only after
the check lets all forty through, one that reserves each attempt first lets five.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import keys.logins.auth
from keys.logins.auth import InvalidCredentialsError, LockedOutError
from tests.integration.test_logins import WRONG, auth, clock, company_user, registry  # noqa: F401  (fixtures)

GUESSES = 40
MAX_FAILURES = 5  # LoginThrottle's default, docs/confidentiality.md "Guessing"


class OverlappingVerify:
    """The real argon2 verification, counted, with the callers held until they overlap."""

    def __init__(self, real):
        self.real = real
        self.calls = 0
        self.arrived = threading.Condition()

    def __call__(self, stored_hash: str, password: str) -> bool:
        with self.arrived:
            self.calls += 1
            self.arrived.notify_all()
            self.arrived.wait_for(lambda: self.calls > MAX_FAILURES, timeout=2)
        return self.real(stored_hash, password)


def test_forty_concurrent_wrong_passwords_reach_the_password_check_at_most_five_times(auth, company_user, monkeypatch):
    spy = OverlappingVerify(keys.logins.auth.verify_password)
    monkeypatch.setattr(keys.logins.auth, "verify_password", spy)
    start = threading.Barrier(GUESSES)

    def guess(_: int) -> str:
        start.wait()
        try:
            auth.login(company_user, WRONG, None)
        except LockedOutError:
            return "locked"
        except InvalidCredentialsError:
            return "invalid"
        return "logged in"

    with ThreadPoolExecutor(max_workers=GUESSES) as pool:
        answers = list(pool.map(guess, range(GUESSES)))

    assert "logged in" not in answers
    assert spy.calls <= MAX_FAILURES
    assert len([answer for answer in answers if answer != "locked"]) <= MAX_FAILURES
    assert answers.count("locked") >= GUESSES - MAX_FAILURES


def test_an_unknown_login_guessed_concurrently_is_bounded_the_same_way(auth, monkeypatch):
    spy = OverlappingVerify(keys.logins.auth.verify_password)
    monkeypatch.setattr(keys.logins.auth, "verify_password", spy)
    start = threading.Barrier(GUESSES)

    def guess(_: int) -> str:
        start.wait()
        try:
            auth.login("nobody@nowhere.invalid", WRONG, None)
        except LockedOutError:
            return "locked"
        except InvalidCredentialsError:
            return "invalid"
        return "logged in"

    with ThreadPoolExecutor(max_workers=GUESSES) as pool:
        answers = list(pool.map(guess, range(GUESSES)))
    assert spy.calls <= MAX_FAILURES and answers.count("invalid") <= MAX_FAILURES
