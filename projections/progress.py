"""Progress of a rebuild on a terminal (rich); nothing at all when stdout is not a terminal (cron, a
pipe, a log file), so a scheduled job's output stays the one summary line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


@contextmanager
def rebuild_progress(total: int, console: Console | None = None) -> Iterator[Callable[[int], None]]:
    """A callback to tell how many more notifications were scanned (``ProjectionRunner.rebuild``)."""
    console = console or Console()
    if not console.is_terminal:
        yield lambda _scanned: None
        return
    columns = (TextColumn("rebuilding views"), BarColumn(), MofNCompleteColumn(), TextColumn("events"),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("rebuild", total=total)
        yield lambda scanned: progress.advance(task, scanned)
