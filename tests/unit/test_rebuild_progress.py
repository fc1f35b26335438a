"""``trustone projections rebuild`` shows its progress on a terminal and nothing elsewhere (issue 12 item 6)."""

from __future__ import annotations

import io

from rich.console import Console

from trustone.terminal import rebuild_progress


def test_on_a_terminal_the_bar_counts_the_events_scanned():
    out = io.StringIO()
    with rebuild_progress(10, Console(file=out, force_terminal=True, width=100)) as progress:
        progress(4)
        progress(6)
    assert "10/10" in out.getvalue() and "rebuilding views" in out.getvalue()


def test_not_on_a_terminal_it_prints_nothing():
    out = io.StringIO()
    with rebuild_progress(10, Console(file=out, force_terminal=False)) as progress:
        progress(10)
    assert out.getvalue() == ""
