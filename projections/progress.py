"""Progress of a rebuild on a terminal (rich); nothing at all when stdout is not a terminal (cron, a
pipe, a log file), so a scheduled job's output stays the one summary line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn

from trustone.terminal import progress_on_terminal


@contextmanager
def rebuild_progress(total: int, console: Console | None = None) -> Iterator[Callable[[int], None]]:
    """A callback to tell how many more notifications were scanned (``ProjectionRunner.rebuild``)."""
    columns = (
        TextColumn("rebuilding views"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("events"),
        TimeRemainingColumn(),
    )
    with progress_on_terminal(console or Console(), columns, total) as update:
        yield lambda scanned: update(advance=scanned)
