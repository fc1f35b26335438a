"""What a request reads of the aggregated list's view is kept in process memory (issue 12): the site
catalogue and the merges (which every linked-list search reads), and each release's answers.

Two things are checked here, on both stores:
- nothing kept is ever served stale: a site registered or merged, or a release cut, by *another*
  process (a server's follower, the command line) is in this process's next answer once its views
  have reached the write (``projections.wait``);
- nothing is read again while nothing changed: the second call does not read the catalogue table,
  and a write that cuts no release does not recompute the year's list. Seen by recording the
  statements the reader sends through its view recorder (the real store answers every one).
"""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import contextmanager

import pytest

from projections.aggregated_reads import AggregatedList
from registry.domain.geography import Coordinates, RegionPath
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from registry.domain.sites import SiteKind
from tests.integration.report_files import csv_bytes, factory_row, quarry_row
from trustone.bootstrap import bootstrap

TODAY = dt.date(2025, 4, 1)
BHILWARA = RegionPath.create("IN", "Rajasthan", "Bhilwara")
HERE = Coordinates.create("25.1712", "75.3303")
NEAR = Coordinates.create("25.171", "75.331")
COMPANIES = ("graniet-import", "natuursteen-noord", "steenhandel-zuid")


class _RecordingCursor:
    def __init__(self, cursor, statements: list[str]):
        self._cursor, self._statements = cursor, statements

    def execute(self, sql, params=()):
        self._statements.append(sql)
        self._cursor.execute(sql, params)
        return self

    def __getattr__(self, name):
        return getattr(self._cursor, name)


class RecordingRecorder:
    """The view's own recorder, passing every statement through and remembering its text."""

    def __init__(self, recorder):
        self._recorder = recorder
        self.statements: list[str] = []

    @contextmanager
    def cursor(self, commit: bool):
        with self._recorder.cursor(commit) as cursor:
            yield _RecordingCursor(cursor, self.statements)

    def __getattr__(self, name):
        return getattr(self._recorder, name)

    def reads_of(self, table: str) -> int:
        return sum(1 for sql in self.statements if f"{{schema}}.{table} " in f"{sql} ")


@pytest.fixture
def other(settings, services):
    """A second process on the same store (as a server's follower or the command line would be)."""
    writer = bootstrap(settings)
    try:
        yield writer
    finally:
        writer.close()


def wait(services) -> None:
    services.projections.wait(["aggregated_list"])


def test_a_site_registered_or_merged_elsewhere_is_in_this_processs_next_catalogue(services, other):
    reader = services.aggregated_list
    wait(services)
    assert reader.catalogue() == {} and reader.survivors() == {}
    first = other.registry.register_site(SiteKind.QUARRY, "Mahadev Sandstone Quarry", BHILWARA, HERE).public_id
    other.catch_up()
    wait(services)
    assert set(reader.catalogue()) == {first}
    assert reader.catalogue()[first].name == "Mahadev Sandstone Quarry"
    held = other.registry.register_site(SiteKind.QUARRY, "Shri Mahadev Sandstone Quarry", BHILWARA, NEAR)
    assert held.verdict.value == "uncertain"  # held for review, registered as a site of its own
    other.catch_up()
    wait(services)
    assert set(reader.catalogue()) == {first, held.public_id}
    assert reader.survivors() == {}
    other.registry.decide_duplicate(held.public_id, same_as_candidate=True, decided_by="secretariat-1")
    other.catch_up()
    wait(services)
    assert reader.survivors() == {held.public_id: first}
    assert set(reader.catalogue()) == {first, held.public_id}  # a merged site stays in the catalogue


def test_a_repeated_call_with_nothing_changed_does_not_read_the_catalogue_again(services):
    first = services.registry.register_site(SiteKind.QUARRY, "Mahadev Sandstone Quarry", BHILWARA, HERE).public_id
    wait(services)
    recording = RecordingRecorder(services.projections.recorders["aggregated_list"])
    reader = AggregatedList(recording)
    catalogue, survivors = reader.catalogue(), reader.survivors()
    assert set(catalogue) == {first} and survivors == {}
    read = recording.reads_of("agg_sites")
    assert read >= 1
    for _ in range(3):
        assert reader.catalogue() == catalogue and reader.survivors() == survivors
    assert recording.reads_of("agg_sites") == read  # nothing changed: not read again
    second = services.registry.register_site(
        SiteKind.FACTORY, "Kota Stone Works", RegionPath.create("IN", "Rajasthan", "Kota")
    ).public_id
    wait(services)
    assert set(reader.catalogue()) == {first, second}
    assert recording.reads_of("agg_sites") > read


def test_a_caller_that_changes_what_it_was_given_changes_nothing_kept(services):
    first = services.registry.register_site(SiteKind.QUARRY, "Mahadev Sandstone Quarry", BHILWARA, HERE).public_id
    wait(services)
    reader = services.aggregated_list
    reader.catalogue().clear()
    reader.survivors()["XX"] = "YY"
    assert set(reader.catalogue()) == {first} and reader.survivors() == {}


def _members(registry) -> None:
    for ref in COMPANIES:
        registry.register_organisation(ref, ref.title(), OrganisationKind.MEMBER_COMPANY, "NL")
        registry.join(ref, dt.date(2022, 1, 1), CompanyCategory.C, CompanySize.MEDIUM)


def _report(registry, ref: str, product: str = "slabs") -> None:
    registry.import_report(
        ref, 2024, csv_bytes([quarry_row(), factory_row(product=product)]), "r.csv", submitted_on=TODAY
    )


def test_the_years_list_is_computed_once_per_release_and_again_at_the_next(services, other):
    _members(other.registry)
    for ref in COMPANIES:  # k = 3 companies reported: the first release of 2024
        _report(other.registry, ref)
    other.catch_up()
    wait(services)
    recording = RecordingRecorder(services.projections.recorders["aggregated_list"])
    reader = AggregatedList(recording)
    year, sites = reader.sites(2024)
    assert year == 2024
    assert sorted(site.name for site in sites) == ["Kota Stone Processing Works", "Mahadev Sandstone Quarry Bijolia"]
    computed = recording.reads_of("agg_site_use")
    assert computed >= 1
    assert reader.sites(2024) == (year, sites)
    assert recording.reads_of("agg_site_use") == computed
    _report(other.registry, COMPANIES[0], product="tiles")  # one company changed: no release is cut
    other.catch_up()
    wait(services)
    assert reader.sites(2024) == (year, sites)
    assert recording.reads_of("agg_site_use") == computed  # the same release: its list is kept
    for ref in COMPANIES[1:]:  # now k companies changed: the second release
        _report(other.registry, ref, product="tiles")
    other.catch_up()
    wait(services)
    assert reader.sites(2024)[1] == sites  # the same sites, from the new release
    assert recording.reads_of("agg_site_use") > computed


def test_a_release_cut_elsewhere_is_in_this_processs_next_answer(services, other):
    _members(other.registry)
    for ref in COMPANIES[:2]:
        _report(other.registry, ref)
    other.catch_up()
    wait(services)
    reader = services.aggregated_list
    assert reader.sites() == (None, [])  # fewer than k companies: nothing released
    _report(other.registry, COMPANIES[2])
    other.catch_up()
    wait(services)
    year, sites = reader.sites()
    assert year == 2024 and len(sites) == 2


def test_requests_arriving_together_after_a_release_compute_its_list_once(services, other):
    """Twenty clients asking at once right after a release must not all read the year's list: the
    first computes it, the others wait for it (each would otherwise hold a connection and the GIL)."""
    _members(other.registry)
    for ref in COMPANIES:
        _report(other.registry, ref)
    other.catch_up()
    wait(services)
    recording = RecordingRecorder(services.projections.recorders["aggregated_list"])
    reader = AggregatedList(recording)
    reader.catalogue()  # the snapshot is read: what remains is the year's list
    start = threading.Barrier(8)
    answers = []

    def ask() -> None:
        start.wait()
        answers.append(reader.sites(2024, country="IN"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 8 and len({repr(answer) for answer in answers}) == 1
    assert recording.reads_of("agg_site_use") == 1
