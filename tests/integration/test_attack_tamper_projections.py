"""Channel 5, projections: a view (re)built over a broken report event fails loudly instead of skipping
it as if the company had been shredded, and the background runner stops rather than retry (and log)
the same failure five times a second."""

from __future__ import annotations

import time
from typing import Any

import pytest
from eventsourcing.utils import get_topic

from keys.access.filter import IntegrityError
from projections.readers import report_site_reader
from projections.runner import ProjectionRunner, View, view_recorder
from registry.domain.reports import SupplyChainReport
from tests.integration.test_attack_tamper import flip, integrity_entries, rewrite_event, world  # noqa: F401


class SitesSeen(View):
    """A view that reads each report version's sites through the filter, as the list views do."""

    name = "tamper_sites_seen"
    topics = (get_topic(SupplyChainReport.VersionSubmitted),)
    tables = ("tamper_sites_seen",)

    def __init__(self, read: Any):
        self.read = read

    def create_tables(self, cursor) -> None:
        cursor.execute("CREATE TABLE IF NOT EXISTS {schema}.tamper_sites_seen (report_id TEXT, sites INTEGER)")

    def apply(self, cursor, event: Any) -> None:
        read = self.read(event)
        if read is not None:
            cursor.execute(
                "INSERT INTO {schema}.tamper_sites_seen (report_id, sites) VALUES (%s, %s)",
                (str(event.originator_id), len(read[1])),
            )


def test_a_view_built_over_a_flipped_byte_fails_and_the_background_runner_stops(world, member):
    rewrite_event(world, member, lambda state: state["links"].update(_data_=flip(state["links"]["_data_"])))
    recorder = view_recorder(world.settings, SitesSeen(report_site_reader(world.registry, world.vault, "tamper")))
    runner = ProjectionRunner(world.registry, [recorder])

    with pytest.raises(IntegrityError):
        runner.catch_up()
    assert [entry.actor for entry in integrity_entries(world)] == ["system:projection:tamper"]

    runner.start(interval=0.02)
    try:
        time.sleep(1.0)
        assert runner._thread is not None and not runner._thread.is_alive()  # noqa: SLF001
    finally:
        runner.stop()
    assert len(integrity_entries(world)) == 2  # the one above, and the runner's one try
