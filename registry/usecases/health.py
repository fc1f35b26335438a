"""The health check: the store answers and can take a write (``GET /healthz``).

The write probe is handed in by the composition root (it knows the store's kind and directory);
its error, if the store cannot take a write, is what the server answers 503 for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class Notifications(Protocol):
    def max_notification_id(self) -> int | None: ...


@dataclass(frozen=True)
class Health:
    status: str
    backend: str


class HealthCheck:
    def __init__(self, recorder: Notifications, probe_write: Callable[[], None], backend: str) -> None:
        self._recorder = recorder
        self._probe_write = probe_write
        self._backend = backend

    def check(self) -> Health:
        self._recorder.max_notification_id()  # the store answers
        self._probe_write()  # ... and can take a write
        return Health(status="ok", backend=self._backend)
