"""A batch of new sites can merge a site into one registered in the same commit, in another bucket.

Found by the re-import property test in CI ("no production site with that reference"): when the
waiting sites of k companies are registered in one commit, a site found certainly the same as an
earlier one of the batch is registered and merged into it at once. A later site of the batch that
matched the merged one followed the merge to a site of another bucket that was not in the store
yet. Here the release is played the way ``_with_site_intake`` plays it: sites placed into one
``pending`` that is saved once, at the end.
"""

from __future__ import annotations

from registry.domain.geography import Coordinates, RegionPath
from registry.domain.site_ids import new_site_id
from registry.domain.sites import SiteKind


def test_a_site_merged_in_the_same_release_is_followed_to_its_survivor(services):
    registry = services.registry
    registry.catalogue.refresh()
    pending: dict = {}
    with_district = RegionPath.create("IN", "Rajasthan", "Bhilwara")
    without_district = RegionPath.create("IN", "Rajasthan", "")
    here = Coordinates.create("25.1712", "75.3303")
    first = registry._place_site(  # noqa: SLF001
        pending,
        SiteKind.QUARRY,
        "Chain Merge Quarry",
        with_district,
        here,
        "",
        (),
        public_id=new_site_id("IN", with_district.subdivision),
    )
    second = registry._place_site(  # noqa: SLF001
        pending,
        SiteKind.QUARRY,
        "Chain Merge Quarry",
        without_district,
        here,
        "",
        (),
        public_id=new_site_id("IN", without_district.subdivision),
    )
    assert second.public_id == first.public_id  # certainly the same: merged into the first at once
    # a district of its own: compared with its own district's sites and those without one, so it
    # meets the second (merged) and not the first
    other_district = RegionPath.create("IN", "Rajasthan", "Kota")
    third = registry._place_site(  # noqa: SLF001
        pending,
        SiteKind.QUARRY,
        "Chain Merge Quarry",
        other_district,
        here,
        "",
        (),
        public_id=new_site_id("IN", other_district.subdivision),
    )
    assert third.public_id == first.public_id
    registry.save(*pending.values())
    assert registry.current_site_id(third.public_id) == first.public_id
