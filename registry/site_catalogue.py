"""Reading and writing the site catalogue's buckets (``registry/domain/site_catalogue.py``).

A report of a hundred links asks for a hundred buckets; a ``get`` each from the store would cost
more than the rest of the import. So the buckets read are kept in memory (at most ``capacity`` of
them, least recently used dropped first) and kept current by following the registry's notification
log: before each command the catalogue reads the buckets' and directories' notifications since it
last looked (one query, over the few events recorded since) and applies each to its copy in memory
(a bucket a release started is made from its first event), so a release of hundreds of new sites
costs its own events, not a read of every bucket it touched. A district the province's directory
does not list has no bucket: it is not looked up in the store. A bucket the command changes is a
copy, saved by the command with its version: a command that read a bucket another process has
changed since fails on that version and is retried on fresh state (``RegistryApplication``), so a
duplicate is still caught at write time.

The catalogue copies the entries of the province indexes of before (``RegionSiteIndex``) into
buckets once per store, the first time it is used (``CatalogueMigrated`` records it): a store
written before the buckets existed keeps resolving to the same sites.
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from registry.domain.duplicates import SiteFingerprint
from registry.domain.region_index import RegionSiteIndex
from registry.domain.site_catalogue import CatalogueMigrated, DistrictDirectory, SiteBucket

Pending = dict[uuid.UUID, Aggregate]

_FOLLOWED_TOPICS = tuple(
    get_topic(cls)
    for cls in (
        SiteBucket.Started,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
        SiteBucket.SiteAdded,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
        SiteBucket.SiteAliased,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
        DistrictDirectory.Started,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
        DistrictDirectory.DistrictAdded,  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
    )
)
_PAGE = 1000


def _copy(aggregate: Aggregate) -> Aggregate:
    """A copy whose changes do not reach the original: the state of buckets and directories is
    dicts of dicts and lists of strings, copied one level down (``copy.deepcopy`` took longer
    than the rest of placing a site)."""
    clone = copy.copy(aggregate)
    for name, value in vars(aggregate).items():
        if isinstance(value, dict):
            setattr(clone, name, {key: dict(item) if isinstance(item, dict) else item for key, item in value.items()})
        elif isinstance(value, list):
            setattr(clone, name, list(value))
    return clone


class SiteCatalogue:
    def __init__(self, app: Any, capacity: int = 20_000):
        self._app = app
        self._capacity = capacity
        self._cache: OrderedDict[uuid.UUID, Aggregate | None] = OrderedDict()  # None: not in the store
        self._position: int | None = None  # the notification id read up to
        self._lock = threading.RLock()
        self._made: dict[uuid.UUID, tuple[Aggregate, list[SiteFingerprint]]] = {}  # bucket -> fingerprints
        self._listed: dict[uuid.UUID, tuple[Aggregate, set[str]]] = {}  # directory -> its districts as a set

    # --- keeping current -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Forget every cached bucket or directory that changed since the last look (call before a
        command that reads the catalogue). The first call migrates a store of before, if need be."""
        with self._lock:
            recorder = self._app.recorder
            if self._position is None:
                self._migrate_once()
                self._position = recorder.max_notification_id() or 0
                self._cache.clear()
                return
            top = recorder.max_notification_id() or 0
            while self._position < top:
                page = recorder.select_notifications(
                    start=self._position, limit=_PAGE, stop=top, topics=_FOLLOWED_TOPICS, inclusive_of_start=False
                )
                for notification in page:
                    self._follow(notification)
                self._position = page[-1].id if len(page) == _PAGE else top

    def _follow(self, notification: Any) -> None:
        """One followed event: applied to a copy of the cached state it follows on (the cached
        object may be in use by a command of another thread, so it is never changed in place); a
        first event makes the aggregate. Anything else (a gap, a state not cached) is forgotten and
        read from the store when asked for."""
        aggregate_id = notification.originator_id
        cached = self._cache.get(aggregate_id)
        if cached is None and aggregate_id not in self._cache and notification.originator_version != 1:
            return  # not cached: nothing to keep current
        event = self._app.mapper.to_domain_event(notification)
        if cached is None and event.originator_version == 1:
            self._store(aggregate_id, event.mutate(None))
        elif cached is not None and cached.version >= event.originator_version:
            pass  # already in the cached state (read after this event was recorded)
        elif cached is not None and cached.version == event.originator_version - 1:
            clone = _copy(cached)
            event.mutate(clone)
            self._store(aggregate_id, clone)
        else:
            self._cache.pop(aggregate_id, None)

    def _store(self, aggregate_id: uuid.UUID, aggregate: Aggregate | None) -> None:
        """Keep ``aggregate`` (None: not in the store) as the latest; call holding the lock."""
        self._cache[aggregate_id] = aggregate
        self._cache.move_to_end(aggregate_id)
        while len(self._cache) > self._capacity:
            self._cache.popitem(last=False)

    def _cached(self, aggregate_id: uuid.UUID) -> Aggregate | None:
        """The cached state, or the store's (kept only if the log was not followed meanwhile: an
        event followed during the read found nothing cached to apply to, so a copy read before it
        would be kept stale for good, and every command writing it would lose on its version)."""
        with self._lock:
            if aggregate_id in self._cache:
                self._cache.move_to_end(aggregate_id)
                return self._cache[aggregate_id]
            position = self._position
        aggregate = self._app._get_or_none(aggregate_id)  # noqa: SLF001 - the application's one read
        with self._lock:
            if self._position == position:
                self._store(aggregate_id, aggregate)
        return aggregate

    def _read(self, pending: Pending, aggregate_id: uuid.UUID) -> Any:
        return pending[aggregate_id] if aggregate_id in pending else self._cached(aggregate_id)

    def _writable(self, pending: Pending, aggregate_id: uuid.UUID, create: Callable[[], Aggregate]) -> Any:
        """The command's own copy (the cached one is shared by every command of this process)."""
        if aggregate_id not in pending:
            cached = self._cached(aggregate_id)
            pending[aggregate_id] = _copy(cached) if cached is not None else create()
        return pending[aggregate_id]

    # --- the questions ---------------------------------------------------------------------------

    def candidates(
        self, pending: Pending, country: str, province: str, kind: str, district_key: str
    ) -> list[SiteFingerprint]:
        """The sites a new site of this kind and district could duplicate: its district's and those
        whose district is not known; with no district, those of every district of the province."""
        directory = self._read(pending, DistrictDirectory.create_id(country, province, kind))
        if directory is None:
            return []  # no site of this kind in the province
        if district_key:
            listed = self._districts(directory)
            keys = [key for key in (district_key, "") if key in listed]
        else:
            keys = list(directory.districts)
        found: list[SiteFingerprint] = []
        for key in keys:
            bucket_id = SiteBucket.create_id(country, province, kind, key)
            bucket = self._read(pending, bucket_id)
            if bucket is not None:
                found.extend(self._fingerprints(bucket_id, bucket, shared=bucket_id not in pending))
        return sorted(found, key=lambda site: site.public_id)

    def _districts(self, directory: DistrictDirectory) -> set[str] | list[str]:
        """The districts a directory lists, as a set made once per cached directory (a command's own
        copy changes, so it is searched as it is)."""
        with self._lock:
            if self._cache.get(directory.id) is not directory:
                return directory.districts
            made = self._listed.get(directory.id)
            if made is None or made[0] is not directory:
                made = self._listed[directory.id] = (directory, set(directory.districts))
                while len(self._listed) > self._capacity:
                    self._listed.pop(next(iter(self._listed)))
            return made[1]

    def state(self, pending: Pending, country: str, province: str, kind: str, district_key: str) -> tuple:
        """What ``candidates`` would answer from, as far as a command can change it: the versions of
        its own copies of the directory and buckets read (the cached ones do not change during a
        command). Equal states give equal candidates."""
        directory_id = DistrictDirectory.create_id(country, province, kind)
        directory = self._read(pending, directory_id)
        keys = (district_key, "") if district_key else (tuple(directory.districts) if directory is not None else ())
        ids = (directory_id, *(SiteBucket.create_id(country, province, kind, key) for key in keys))
        return tuple(pending[i].version if i in pending else None for i in ids)

    def _fingerprints(self, bucket_id: uuid.UUID, bucket: SiteBucket, shared: bool) -> list[SiteFingerprint]:
        """A cached bucket's fingerprints are made once (they are asked for by every row that names
        its district); a command's own copy changes, so its fingerprints are made each time."""
        if not shared:
            return bucket.fingerprints()
        with self._lock:
            made = self._made.get(bucket_id)
            if made is not None and made[0] is bucket:
                return made[1]
        fingerprints = bucket.fingerprints()
        with self._lock:
            self._made[bucket_id] = (bucket, fingerprints)
            while len(self._made) > self._capacity:
                self._made.pop(next(iter(self._made)))
        return fingerprints

    def resolve(self, pending: Pending, site: SiteFingerprint, country: str, province: str) -> str:
        """Follows merges: the id a candidate is known by now."""
        public_id, seen = site.public_id, set()
        bucket = self._read(pending, SiteBucket.create_id(country, province, site.kind, site.district_key))
        while bucket is not None and (target := bucket.alias_of(public_id)) and public_id not in seen:
            seen.add(public_id)
            public_id = target
            if target not in bucket.entries:
                return self._app.current_site_id(target, pending)  # merged into a site of another bucket
        return public_id

    def add(
        self,
        pending: Pending,
        country: str,
        province: str,
        kind: str,
        district_key: str,
        public_id: str,
        name_key: str,
        latitude: float | None,
        longitude: float | None,
    ) -> None:
        bucket_id = SiteBucket.create_id(country, province, kind, district_key)
        if bucket_id not in pending and not self._listed_in_directory(pending, country, province, kind, district_key):
            directory = self._writable(
                pending,
                DistrictDirectory.create_id(country, province, kind),
                lambda: DistrictDirectory(country=country, province=province, kind=kind),
            )
            directory.add(district_key=district_key)
            pending[bucket_id] = SiteBucket(country=country, province=province, kind=kind, district_key=district_key)
        bucket = self._writable(
            pending,
            bucket_id,
            lambda: SiteBucket(country=country, province=province, kind=kind, district_key=district_key),
        )
        bucket.add(public_id=public_id, name_key=name_key, latitude=latitude, longitude=longitude)

    def _listed_in_directory(self, pending: Pending, country: str, province: str, kind: str, district_key: str) -> bool:
        """Whether a bucket of this district exists: a bucket is only ever started with its district
        added to the directory, in the same save (``add``; the copy from the province indexes too)."""
        directory = self._read(pending, DistrictDirectory.create_id(country, province, kind))
        return directory is not None and district_key in self._districts(directory)

    def registered(
        self, pending: Pending, country: str, province: str, kind: str, district_key: str, public_id: str
    ) -> bool:
        """Whether this site is registered: every registration adds it to its bucket in the same save
        (``RegistryApplication._place_site``; the copy from the province indexes too), a merged site
        included."""
        if not self._listed_in_directory(pending, country, province, kind, district_key):
            return False
        bucket = self._read(pending, SiteBucket.create_id(country, province, kind, district_key))
        return bucket is not None and public_id in bucket.entries

    def alias(
        self, pending: Pending, country: str, province: str, kind: str, district_key: str, public_id: str, alias_of: str
    ) -> None:
        bucket = self._writable(
            pending,
            SiteBucket.create_id(country, province, kind, district_key),
            lambda: SiteBucket(country=country, province=province, kind=kind, district_key=district_key),
        )
        bucket.alias(public_id=public_id, alias_of=alias_of)

    # --- the store of before -----------------------------------------------------------------------

    def _migrate_once(self) -> None:
        """Copies every province index of before into buckets, in one save with the marker. Two
        processes starting at once: the second's save conflicts on the marker and changes nothing."""
        app = self._app
        if app._get_or_none(CatalogueMigrated.ID) is not None:  # noqa: SLF001
            return
        pending: Pending = {}
        provinces = sites = 0
        start: int | None = None
        while True:
            page = app.recorder.select_notifications(
                start=start,
                limit=_PAGE,
                topics=(get_topic(RegionSiteIndex.Started),),  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
                inclusive_of_start=start is None,
            )
            for notification in page:
                index: RegionSiteIndex = app.repository.get(notification.originator_id)
                provinces += 1
                for public_id, entry in index.entries.items():
                    sites += 1
                    self.add(
                        pending,
                        index.country,
                        index.province,
                        entry["kind"],
                        entry["district_key"],
                        public_id,
                        entry["name_key"],
                        entry["latitude"],
                        entry["longitude"],
                    )
                for public_id, entry in index.entries.items():
                    if entry.get("alias_of"):
                        self.alias(
                            pending,
                            index.country,
                            index.province,
                            entry["kind"],
                            entry["district_key"],
                            public_id,
                            entry["alias_of"],
                        )
            if len(page) < _PAGE:
                break
            start = page[-1].id
        marker = CatalogueMigrated(provinces=provinces, sites=sites)
        try:
            app.save(*pending.values(), marker)
        except IntegrityError:
            pass  # another process migrated first
