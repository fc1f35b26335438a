"""Progress of a long command on a terminal (rich), and nothing at all when the output is not a
terminal (cron, a pipe, a log file): a scheduled job's output stays its one summary line."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn


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


@contextmanager
def rebuild_progress(total: int, console: Console | None = None) -> Iterator[Callable[[int], None]]:
    """The ``progress`` callback of ``ProjectionRunner.rebuild`` (how many more notifications were
    scanned) as a bar of the events on a terminal; the projections themselves show nothing."""
    columns = (
        TextColumn("rebuilding views"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("events"),
        TimeRemainingColumn(),
    )
    with progress_on_terminal(console or Console(), columns, total) as update:
        yield lambda scanned: update(advance=scanned)
