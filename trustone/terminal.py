"""Progress of a long command on a terminal (rich), and nothing at all when the output is not a
terminal (cron, a pipe, a log file): a scheduled job's output stays its one summary line."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import Progress, ProgressColumn


@contextmanager
def progress_on_terminal(
    console: Console, columns: Sequence[ProgressColumn | str], total: float | None, description: str = ""
) -> Iterator[Callable[..., None]]:
    """An ``update(**fields)`` for one task of a transient bar (rich's ``Progress.update``: ``advance``,
    ``completed``, ``description``), or one that does nothing when ``console`` is not a terminal."""
    if not console.is_terminal:
        yield _nothing
        return
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(description, total=total)
        yield lambda **fields: progress.update(task, **fields)


def _nothing(**_fields: Any) -> None:
    return None
