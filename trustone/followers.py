"""One follower among the server's worker processes.

``trustone serve`` runs several worker processes (one per core). Each may read and write; but the
background work of a server (following the event logs into the lists and case views, sending the
notice e-mails that wait in the outbox) is done by one of them at a time: whichever holds an
exclusive lock on ``<data dir>/background.lock``. The others try for the lock every second, so when
the holder dies (the kernel releases a dead process's lock) another worker takes over at once.

Views stay right with more than one follower too (each event is applied exactly once, under its
tracking record), so the lock is about not doing the same work twice, not about correctness; and
requests that catch up inline still do so in any worker.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("trustone.followers")


class BackgroundWork:
    def __init__(self, lock_path: Path, start: Callable[[], None], stop: Callable[[], None], retry_every: float = 1.0):
        self.lock_path = lock_path
        self._start, self._stop_work = start, stop
        self.retry_every = retry_every
        self._stopping = threading.Event()
        self._fd: int | None = None
        self._thread: threading.Thread | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def _try_lock(self) -> bool:
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def _unlock(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def start(self) -> None:
        def wait_for_the_lock() -> None:
            """Holding the lock with nothing following would leave every worker waiting for views
            that never move: the lock is let go when the work cannot start, and tried again."""
            while not self._stopping.is_set():
                try:
                    if self._try_lock():
                        log.info("this worker (pid %s) follows the events and sends the notices", os.getpid())
                        self._start()
                        return
                except Exception:
                    log.exception(
                        "this worker (pid %s) could not start the background work; another worker may take it",
                        os.getpid(),
                    )
                    self._unlock()
                self._stopping.wait(self.retry_every)

        self._thread = threading.Thread(target=wait_for_the_lock, name="background-work-lock", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._fd is not None:
            try:
                self._stop_work()
            finally:
                self._unlock()
