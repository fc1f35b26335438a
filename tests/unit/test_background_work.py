"""The server's one follower (trustone/followers.py): the lock on background.lock is held only while
the background work really runs, so another worker takes over when it cannot start."""

from __future__ import annotations

import logging
import threading

from trustone.followers import BackgroundWork


def _started(work: BackgroundWork, event: threading.Event, timeout: float = 5.0) -> bool:
    work.start()
    return event.wait(timeout)


def test_a_worker_whose_background_work_fails_to_start_lets_the_lock_go_to_another(tmp_path, caplog):
    lock = tmp_path / "background.lock"
    tried, taken_over = threading.Event(), threading.Event()

    def broken_start() -> None:
        tried.set()
        raise RuntimeError("the outbox could not be opened")

    first = BackgroundWork(lock, broken_start, lambda: None, retry_every=0.05)
    second = BackgroundWork(lock, taken_over.set, lambda: None, retry_every=0.05)
    try:
        with caplog.at_level(logging.ERROR, logger="trustone.followers"):
            assert _started(first, tried)
            assert _started(second, taken_over)
        assert not first.held
        assert second.held
        assert "could not start the background work" in caplog.text
    finally:
        second.stop()
        first.stop()


def test_while_one_worker_follows_another_does_not(tmp_path):
    lock = tmp_path / "background.lock"
    first_started, second_started = threading.Event(), threading.Event()
    first = BackgroundWork(lock, first_started.set, lambda: None, retry_every=0.05)
    second = BackgroundWork(lock, second_started.set, lambda: None, retry_every=0.05)
    try:
        assert _started(first, first_started)
        second.start()
        assert not second_started.wait(0.3)
        first.stop()
        assert second_started.wait(5.0)
    finally:
        second.stop()
        first.stop()
