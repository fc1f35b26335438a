"""The site catalogue's copy of a bucket must never be older than what it has followed (review
finding): a bucket read from the store while another thread follows the log past a newer save of it
used to be kept as it was read, for good, so every later registration in its district lost its
save on the bucket's version, ten times, and answered 409 until the process restarted."""

from __future__ import annotations

from registry.domain.duplicates import MatchVerdict
from registry.domain.site_catalogue import SiteBucket
from registry.sealed_application import VersionConflictError
from tests.integration.test_site_catalogue import register
from trustone.bootstrap import bootstrap

BUNDI_QUARRIES = SiteBucket.create_id("IN", "Rajasthan", "quarry", "bundi")


def test_a_bucket_saved_elsewhere_while_this_process_reads_it_is_not_kept_stale(settings, services):
    first = services.registry
    register(first, "Aravali Quarry", "Bundi", latitude=25.44, longitude=75.64)
    other = bootstrap(settings)
    try:
        catalogue = first.catalogue
        catalogue.refresh()
        catalogue._cache.pop(BUNDI_QUARRIES, None)  # noqa: SLF001  # not cached: the next read goes to the store
        read_from_store = first._get_or_none  # noqa: SLF001

        def read_while_another_thread_follows(aggregate_id):
            aggregate = read_from_store(aggregate_id)
            if aggregate_id == BUNDI_QUARRIES and aggregate is not None:
                # meanwhile: another process saves the bucket, and a thread of this one follows the log past it
                register(other.registry, "Bhairav Quarry", "Bundi", latitude=25.90, longitude=75.10)
                catalogue.refresh()
            return aggregate

        first._get_or_none = read_while_another_thread_follows  # noqa: SLF001
        try:  # this command read the bucket before the other save: losing that race is right (409) ...
            register(first, "Chamunda Quarry", "Bundi", latitude=25.60, longitude=75.90)
            placed = 1
        except VersionConflictError:
            placed = 0
        finally:
            first._get_or_none = read_from_store  # noqa: SLF001
        for number, (latitude, longitude) in enumerate([(25.10, 75.20), (25.20, 75.30), (25.30, 75.40)]):
            later = register(first, f"Quarry {number} Of Bundi", "Bundi", latitude=latitude, longitude=longitude)
            assert later.verdict == MatchVerdict.DISTINCT
        stored = first.repository.get(BUNDI_QUARRIES)
        assert len(stored.entries) == 5 + placed  # ... but every command after it sees the bucket as it is
    finally:
        other.close()
