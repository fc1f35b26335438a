"""A reader whose follower is in another worker process, and that follower is gone or stopped.

While serving, a reader waits for the worker that follows the events (trustone/followers.py). If that
worker died between taking the lock and following, or stopped at a broken event, the reader used
to wait out its timeout on every request, for good: 503 ``views_behind`` each time, and the
integrity failure never reached anyone but the stopped worker's log. Now a reader whose wait runs
out applies itself when nobody holds the view: the rows when the follower was merely gone, the
integrity failure when the event is broken. Only a view that someone is applying (a rebuild in
another process) still answers ``ViewsBehind``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from keys.access.filter import IntegrityError
from projections.readers import report_site_reader
from projections.runner import ProjectionRunner, ViewsBehind, view_recorder
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.e2e.test_views_behind_http import view_held_by_another_process
from tests.integration.test_attack_tamper import flip, rewrite_event, world  # noqa: F401
from tests.integration.test_attack_tamper_projections import SitesSeen


def _followed_by_nobody(runner: ProjectionRunner) -> None:
    """As in a serving worker whose follower (another process) is gone: nothing in this process follows."""
    runner.followed_elsewhere = True
    runner.wait_timeout = 0.3


def test_a_reader_whose_follower_is_gone_catches_up_itself_and_sees_the_new_member(services):
    services.catch_up()
    _followed_by_nobody(services.projections)
    services.registry.register_organisation("nieuw-lid", "Nieuw Lid BV", OrganisationKind.MEMBER_COMPANY, "NL")
    services.registry.join("nieuw-lid", dt.date(2024, 1, 1), CompanyCategory.C, CompanySize.SMALL)

    services.projections.wait(["member_listing"])

    assert "nieuw-lid" in [member["ref"] for member in services.member_listing.members()]


def test_a_reader_whose_view_another_process_is_applying_still_gets_views_behind(settings, services):
    services.catch_up()
    _followed_by_nobody(services.projections)
    with view_held_by_another_process(settings, "member_listing"):
        services.registry.register_organisation("nieuw-lid", "Nieuw Lid BV", OrganisationKind.MEMBER_COMPANY, "NL")
        with pytest.raises(ViewsBehind):
            services.projections.wait(["member_listing"])


def test_a_reader_whose_follower_stopped_at_a_broken_event_gets_the_integrity_failure(world, member):
    rewrite_event(world, member, lambda state: state["links"].update(_data_=flip(state["links"]["_data_"])))
    recorder = view_recorder(world.settings, SitesSeen(report_site_reader(world.registry, world.vault, "tamper")))
    runner = ProjectionRunner(world.registry, [recorder])
    _followed_by_nobody(runner)  # the worker that follows stopped there: its flag is in its own process

    with pytest.raises(IntegrityError):
        runner.wait()
