"""A download refused because the lists are behind (503 ``views_behind``: "nothing was written; try
again shortly") must really have written nothing: the first release is recorded only once the rows
can be read (review finding: it was recorded before the wait)."""

from __future__ import annotations

import uuid

import pytest

from projections.runner import ViewsBehind
from registry.domain.organisations import OrganisationKind
from tests.e2e.test_views_behind_http import view_held_by_another_process
from tests.integration.test_data_access_requests import World, world  # noqa: F401


def test_a_download_refused_as_views_behind_records_no_release(world, settings):
    access_id = world.approved()
    world.svc.catch_up()
    version = world.reg.repository.get(uuid.UUID(access_id)).version
    world.svc.projections.followed_elsewhere = True  # serving: another worker follows...
    world.svc.projections.wait_timeout = 0.3
    with view_held_by_another_process(settings, "aggregated_list"):  # ... and a rebuild holds the list
        world.reg.register_organisation("nieuw-lid", "Nieuw Lid BV", OrganisationKind.MEMBER_COMPANY, "NL")
        with pytest.raises(ViewsBehind):
            world.access.release(world.N, access_id)
    assert world.reg.repository.get(uuid.UUID(access_id)).version == version
    assert world.access.get(world.N, access_id).status == "approved"
