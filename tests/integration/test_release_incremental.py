"""The aggregated list's releases cost what changed since the release before (issue 12, projection
rebuild): a release opens only the reports changed since the previous release of its year, and the
releases so cut are the ones a recomputation from every report would give.

The recomputation here is the test's own (docs/lists.md): per year, a registered site (followed to
the site it was merged into) counts the reports whose latest version names it, once per report; a
quarry region counts the reports that name a registered quarry there, once per report; a report
that cannot be opened (its company shredded) counts nothing. It reads the reports through the
registry and the filter, and the catalogue from the registry, never from the view.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from dataclasses import dataclass

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from keys.access.principal import SystemPrincipal
from projections.readers import report_site_reader
from registry.domain.errors import ConflictError
from registry.domain.geography import Coordinates, RegionPath, fold
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from registry.domain.reports import SupplyChainReport
from registry.domain.sites import SiteKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row, row

TODAY = dt.date(2025, 4, 1)
LAIZHOU = {
    "name": "Laizhou Granite Works",
    "country": "CN",
    "province": "Shandong",
    "district": "Laizhou",
    "latitude": "37.18",
    "longitude": "119.94",
    "stone_type": "granite",
}
# Sites a report may describe: two quarries in one district (one report naming both counts once for
# the district), a quarry elsewhere, two factories.
TEMPLATES = (
    lambda chain: quarry_row(chain=chain),
    lambda chain: quarry_row(chain=chain, name="Bijolia Red Stone Quarry", latitude="25.3021", longitude="75.5112"),
    lambda chain: quarry_row(
        chain=chain,
        name="Makrana Marble Quarry",
        district="Nagaur",
        latitude="27.0412",
        longitude="74.7221",
        stone_type="marble",
    ),
    lambda chain: factory_row(chain=chain),
    lambda chain: factory_row(chain=chain, **LAIZHOU),
)
BHILWARA = RegionPath.create("IN", "Rajasthan", "Bhilwara")
# registered directly; the second is near the first, so it is held for review and may be merged into it
DIRECT = (
    ("Mahadev Sandstone Quarry", Coordinates.create("25.1712", "75.3303")),
    ("Shri Mahadev Sandstone Quarry", Coordinates.create("25.171", "75.331")),
)


def join(services, ref: str, since: dt.date = dt.date(2000, 1, 1)) -> uuid.UUID:
    services.registry.register_organisation(ref, ref.title(), OrganisationKind.MEMBER_COMPANY, "NL")
    services.registry.join(ref, since, CompanyCategory.C, CompanySize.MEDIUM)
    return services.registry.organisation(ref).id


def counting_reader(services) -> list[tuple[uuid.UUID, int]]:
    """Every report version the aggregated list opens from now on, through its own link reader."""
    view = services.projections.recorders["aggregated_list"].view
    opened: list[tuple[uuid.UUID, int]] = []
    reader = view.read_links

    def read(event):
        opened.append((event.originator_id, event.originator_version))
        return reader(event)

    view.read_links = read
    return opened


def served(services, year: int) -> tuple[list, list]:
    with services.projections.recorders["aggregated_list"].cursor(commit=False) as cursor:
        sites = cursor.execute("SELECT site_id, users FROM {schema}.agg_site_use WHERE year = %s", (year,)).fetchall()
        regions = cursor.execute(
            "SELECT country, province_key, district_key, companies FROM {schema}.agg_region_use WHERE year = %s",
            (year,),
        ).fetchall()
    return sorted(tuple(r) for r in sites), sorted(tuple(r) for r in regions)


def release_number(services, year: int) -> int:
    with services.projections.recorders["aggregated_list"].cursor(commit=False) as cursor:
        found = cursor.execute("SELECT release FROM {schema}.agg_releases WHERE year = %s", (year,)).fetchone()
    return found[0] if found else 0


# --- a release opens only what changed ------------------------------------------------------------


def test_a_release_opens_only_the_reports_changed_since_the_one_before(services):
    companies = [f"incremental-{n}" for n in range(6)]
    ids = {ref: join(services, ref) for ref in companies}
    opened = counting_reader(services)

    def upload(ref: str, *templates: int) -> None:
        lines = [TEMPLATES[t](f"C{n}") for n, t in enumerate(templates)]
        services.registry.import_report(ref, 2024, csv_bytes(lines), "r.csv", submitted_on=TODAY)
        services.projections.catch_up()  # each upload applied in a transaction of its own

    def report_ids(refs) -> list[uuid.UUID]:
        return sorted(SupplyChainReport.create_id(ids[ref], 2024) for ref in refs)

    for ref in companies[:3]:
        upload(ref, 3)
    assert release_number(services, 2024) == 1
    del opened[:]
    for ref in companies[3:]:
        upload(ref, 3, 4)
    assert release_number(services, 2024) == 2
    assert sorted(report for report, _ in opened) == report_ids(companies[3:])  # not the first three again
    del opened[:]
    for ref in (companies[0], companies[4], companies[5]):  # corrections
        upload(ref, 4)
    assert release_number(services, 2024) == 3
    assert sorted(report for report, _ in opened) == report_ids((companies[0], companies[4], companies[5]))
    # and what it released: Kota in the reports of companies 1, 2 and 3; Laizhou (described anew by
    # 3, 4 and 5, so registered once and merged) in those of 0, 3, 4 and 5
    site_ids = {services.registry.current_site_id(site_id) for site_id, _ in served(services, 2024)[0]}
    names = sorted((services.registry.site(site_id).name, users) for site_id, users in served(services, 2024)[0])
    assert len(site_ids) == 2 and names == [("Kota Stone Processing Works", 3), ("Laizhou Granite Works", 4)]


# --- incremental releases equal a recomputation ---------------------------------------------------


@dataclass
class World:
    refs: list[str]  # every company of the store, earlier examples' too
    shredded: set[str]


_worlds: dict[int, World] = {}
_names = itertools.count()


def recomputed(services, world: World, year: int) -> tuple[list, list]:
    """The year's release from every report's latest version (the module docstring's oracle)."""
    registry = services.registry
    read = report_site_reader(registry, services.vault, "test-recompute")
    users: dict[str, int] = {}
    regions: dict[tuple, int] = {}
    for ref in world.refs:
        report = registry._get_or_none(SupplyChainReport.create_id(registry.organisation(ref).id, year))  # noqa: SLF001
        if report is None or not report.versions:
            continue
        opened = read(_At(report.id, report.version))
        if opened is None:
            continue
        sites = {
            registry.current_site_id(site_id)
            for site_id in opened[1]
            if registry._get_or_none(registry.site_aggregate_id(site_id)) is not None  # noqa: SLF001
        }
        for site_id in sites:
            users[site_id] = users.get(site_id, 0) + 1
        quarries = [registry.site(site_id) for site_id in sites]
        for region in {
            (s.region.country, fold(s.region.province), fold(s.region.district))
            for s in quarries
            if s.kind == SiteKind.QUARRY
        }:
            regions[region] = regions.get(region, 0) + 1
    return sorted(users.items()), sorted((*region, n) for region, n in regions.items())


@dataclass(frozen=True)
class _At:
    originator_id: uuid.UUID
    originator_version: int


uploads = st.tuples(
    st.just("upload"),
    st.integers(0, 3),
    st.integers(0, 1),
    st.lists(st.integers(0, len(TEMPLATES) - 1), min_size=0, max_size=3),
    st.lists(st.integers(0, 1), max_size=2),
)
operations = st.lists(
    st.one_of(
        uploads,
        uploads,
        uploads,
        uploads,  # most steps are uploads: k companies must change for a release
        st.tuples(st.just("register"), st.integers(0, 1)),
        st.tuples(st.just("merge")),
        st.tuples(st.just("shred"), st.integers(0, 3)),
    ),
    min_size=4,
    max_size=8,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(ops=operations)
def test_incremental_releases_equal_a_recomputation_from_every_report(services, ops):
    """Each example adds four companies to the store; its years may hold earlier examples' reports."""
    world = _worlds.setdefault(id(services), World([], set()))
    example = next(_names)
    refs = [f"prop-{example}-{n}" for n in range(4)]
    for ref in refs:
        join(services, ref)
    world.refs.extend(refs)
    years = (2000 + (2 * example) % 24, 2001 + (2 * example) % 24)
    direct: list[str] = []  # ids of sites registered directly, a report may name them by id
    expected = {year: served(services, year) for year in years}
    releases = {year: release_number(services, year) for year in years}
    start = [("upload", n, y, [n, (n + 2) % len(TEMPLATES)], []) for n in range(4) for y in (0, 1)]
    for op in start + ops:  # every company reports first: the releases that follow are incremental ones
        if op[0] == "upload" and refs[op[1]] not in world.shredded:
            lines = [TEMPLATES[t](f"C{n}") for n, t in enumerate(op[3])]
            for n, pick in enumerate(op[4]):
                if direct:
                    lines.append(
                        row(
                            chain=f"D{n}",
                            tier="2",
                            site_kind="quarry",
                            site_id=direct[pick % len(direct)],
                            stone_type="sandstone",
                            product="paving",
                            channel="trader",
                            origin_confidence="claimed",
                        )
                    )
            if not lines:
                lines = [TEMPLATES[3]("C0")]
            services.registry.import_report(refs[op[1]], years[op[2]], csv_bytes(lines), "r.csv", submitted_on=TODAY)
        elif op[0] == "register":
            name, where = DIRECT[op[1]]
            direct.append(services.registry.register_site(SiteKind.QUARRY, name, BHILWARA, where).public_id)
        elif op[0] == "merge":
            for held, _ in services.registry.sites_awaiting_review():
                try:
                    services.registry.decide_duplicate(held, same_as_candidate=True, decided_by="secretariat-1")
                    event("merged")
                except ConflictError:
                    pass
                break
        elif op[0] == "shred" and refs[op[1]] not in world.shredded:
            services.shredding.shred(refs[op[1]], SystemPrincipal("keys-admin:test"))
            world.shredded.add(refs[op[1]])
        services.projections.catch_up()
        for year in years:
            if release_number(services, year) != releases[year]:  # a release was cut in this step
                releases[year] = release_number(services, year)
                expected[year] = recomputed(services, world, year)
                event(f"cut with {len(expected[year][0])} sites, {len(expected[year][1])} regions")
            assert served(services, year) == expected[year]  # between releases: the last one, unchanged
    before = {year: served(services, year) for year in years}
    services.projections.rebuild(["aggregated_list"])
    assert {year: served(services, year) for year in years} == before


def test_a_site_registered_after_a_release_counts_for_the_unchanged_report_that_named_it(services):
    """A report counted while its new site waited in the site intake: the site is registered later,
    with other companies' new sites, and counts for that report at the next release, although the
    report did not change (the property above seldom reaches this case, so it is here on its own)."""
    kota = RegionPath.create("IN", "Rajasthan", "Kota")
    services.registry.register_site(
        SiteKind.FACTORY, "Kota Stone Processing Works", kota, Coordinates.create("25.2138", "75.8648")
    )
    for ref, template in (("a", 2), ("b", 3), ("c", 3), ("d", 4), ("e", 1), ("f", 3)):
        join(services, f"late-site-{ref}")
        services.registry.import_report(
            f"late-site-{ref}", 2024, csv_bytes([TEMPLATES[template]("C1")]), "r.csv", submitted_on=TODAY
        )
        services.projections.catch_up()
    assert release_number(services, 2024) == 2  # at c (a, b, c changed), at f (d, e, f)
    sites, regions = served(services, 2024)
    named = sorted((services.registry.site(site_id).name, users) for site_id, users in sites)
    assert named == [
        ("Bijolia Red Stone Quarry", 1),
        ("Kota Stone Processing Works", 3),
        ("Laizhou Granite Works", 1),
        ("Makrana Marble Quarry", 1),
    ]
    assert regions == [("IN", "rajasthan", "bhilwara", 1), ("IN", "rajasthan", "nagaur", 1)]
