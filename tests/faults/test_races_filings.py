"""Many grievance filings at once (issue 12, item 7): every one succeeds.

Before the fix every filing updated one case-number register, so filings at the same moment
conflicted on its version and, after five tries, were refused with 409 "too many filings at once"
(4 of 10, 13 of 20, 52 % of 60 on PostgreSQL). Now each filing still gets a unique reference from
its year's sequence, with no number skipped (the number is drawn in the same atomic save as the
case), and the follow-up code and the reference each find their case with one small lookup.

Real threads against the real store, on SQLite and PostgreSQL: first one application shared by all
threads (one server process), then several applications on the same store, as several server
processes would be (no lock in memory is shared between them).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid

import pytest

from grievance.domain.filing import Filing, Reporter
from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.errors import NotFoundError
from tests.clock import FakeClock
from trustone.bootstrap import bootstrap

NOW = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
CLIENTS = 60
REFERENCE = re.compile(r"^TS-2026-(\d{4})$")  # docs/lifecycles.md: TS-YYYY-NNNN


def _complaint(number: int) -> Filing:
    return Filing(
        case_type="complaint",
        description=f"Report number {number:03d}: dust, no masks at the saws.",
        themes=["health_and_safety"],
        country="IN",
        region="Rajasthan",
        reporter=Reporter(f"Worker {number}"),
    )


def _ngo(number: int) -> Principal:
    return Principal(f"user.ngo{number}", Role.NGO, uuid.uuid4(), f"ngo-{number % 7}")


def _file_at_once(apps: list) -> tuple[list[tuple[str, str]], list[Exception]]:
    """CLIENTS filings released together, spread over the applications; (reference, code) per success."""
    barrier = threading.Barrier(CLIENTS)
    filed: list[tuple[str, str]] = []
    refused: list[Exception] = []
    lock = threading.Lock()

    def one(number: int) -> None:
        app = apps[number % len(apps)]
        barrier.wait()
        try:
            result = app.file(_ngo(number), _complaint(number))
        except Exception as error:  # noqa: BLE001 - the test counts refusals
            with lock:
                refused.append(error)
            return
        with lock:
            filed.append(result)

    threads = [threading.Thread(target=one, args=(number,)) for number in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return filed, refused


def _check_every_filing_found(app, filed: list[tuple[str, str]]) -> None:
    numbers = sorted(int(REFERENCE.match(reference).group(1)) for reference, _ in filed)
    assert numbers == list(range(1, CLIENTS + 1))  # unique and without a gap
    assert app.references() == sorted(reference for reference, _ in filed)
    for reference, code in filed:
        assert app.case(reference).reference == reference
        assert app.follow_up(code)["stage"] == "filed"
    # each code finds its own case, not just some case: the codes' cases are as many as the filings
    assert len({app.case(reference).id for reference, _ in filed}) == CLIENTS


def test_sixty_filings_at_once_in_one_server_all_succeed_with_unique_gap_free_references(services):
    services.clock.set(FakeClock(NOW))
    filed, refused = _file_at_once([services.grievance])
    assert [f"{type(e).__name__}: {e}" for e in refused] == []
    _check_every_filing_found(services.grievance, filed)


@pytest.mark.parametrize("servers", [3])
def test_sixty_filings_at_once_through_several_servers_on_one_store_all_succeed(settings, services, servers):
    # The key that tags follow-up codes is made by the first filing of a store. Made by several
    # processes at once, each would keep its own (keys/encryption/datakeys.py creates a missing key without
    # claiming it first: reported separately), and codes tagged by the others would not be found.
    # This test is about numbering, so that key exists before the race.
    with pytest.raises(NotFoundError):
        services.grievance.follow_up("2222-2222-2222-2222")
    others = [bootstrap(settings) for _ in range(servers - 1)]
    try:
        apps = [services.grievance] + [other.grievance for other in others]
        for app in apps:
            app.clock = FakeClock(NOW)
        filed, refused = _file_at_once(apps)
        assert [f"{type(e).__name__}: {e}" for e in refused] == []
        _check_every_filing_found(services.grievance, filed)
    finally:
        for other in others:
            other.close()


class _BytesRead:
    """Counts the stored bytes the application reads back (events and snapshots), by wrapping the
    real recorders' ``select_events``: the store is real, only the counting is added."""

    def __init__(self, app):
        self.total = 0
        recorders = {id(app.recorder): app.recorder}
        if app.snapshots is not None:
            recorders[id(app.snapshots.recorder)] = app.snapshots.recorder
        for recorder in recorders.values():
            recorder.select_events = self._counting(recorder.select_events)

    def _counting(self, select):
        def select_events(*args, **kwargs):
            rows = select(*args, **kwargs)
            self.total += sum(len(row.state) for row in rows)
            return rows

        return select_events

    def of(self, call) -> int:
        before = self.total
        call()
        return self.total - before


def test_filing_and_finding_a_case_read_no_more_after_sixty_cases_than_after_three(services):
    """Before: every filing and every lookup reloaded one register holding every case (snapshotted
    every 50 issues, so its snapshot grew with history). Now what a filing or a lookup reads does
    not grow with the number of cases."""
    app = services.grievance
    app.clock = FakeClock(NOW)
    filed = [app.file(_ngo(number), _complaint(number)) for number in range(3)]
    read = _BytesRead(app)
    first_reference, first_code = filed[0]

    def costs(number: int) -> dict[str, int]:
        return {
            "file": read.of(lambda: filed.append(app.file(_ngo(number), _complaint(number)))),
            "case": read.of(lambda: app.case(first_reference)),
            "follow_up": read.of(lambda: app.follow_up(first_code)),
        }

    early = costs(3)
    for number in range(4, 59):
        app.file(_ngo(number), _complaint(number))
    late = costs(59)
    assert late["case"] <= early["case"] * 1.1, (early, late)
    assert late["follow_up"] <= early["follow_up"] * 1.1, (early, late)
    assert late["file"] <= early["file"] * 1.5, (early, late)


def test_a_store_numbered_by_the_earlier_register_keeps_its_cases_and_continues_their_sequence(services):
    """A store written before the per-year numbers: its cases were numbered and found through one
    CaseRegister. They are still found by reference and follow-up code, listed, and the year's
    numbers continue after them (no reference is issued twice)."""
    from grievance.application import _new_followup_code
    from grievance.domain.case import CaseRegister, GrievanceCase

    app = services.grievance
    app.clock = FakeClock(NOW)
    register, codes = CaseRegister(), {}
    for number in (1, 2):
        reference, code = f"TS-2026-{number:04d}", _new_followup_code()
        case = GrievanceCase(
            reference=reference,
            case_type="complaint",
            filer_ref="arisa",
            filer_kind="ngo",
            site_ids=[],
            country="IN",
            region="Rajasthan",
            themes=["living_wage"],
            observed_on=None,
            language="en",
            reporter={"name": "Worker"},
            description="Unpaid overtime at the yard.",
            parties=[],
            party_tags=[],
            followup_tag=app._followup_tag(code),  # noqa: SLF001
            stage="filed",
            at=NOW,
            actor="user.arisa",
        )
        register.issue(reference, case.id, case.followup_tag)
        app.save(register, case)  # as the earlier versions filed
        codes[reference] = code

    reference, code = app.file(_ngo(3), _complaint(3))
    assert reference == "TS-2026-0003"
    assert app.references() == ["TS-2026-0001", "TS-2026-0002", "TS-2026-0003"]
    for old_reference, old_code in codes.items():
        assert app.case(old_reference).reference == old_reference
        assert app.follow_up(old_code)["stage"] == "filed"
    assert app.follow_up(code)["stage"] == "filed"
