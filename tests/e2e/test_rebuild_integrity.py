"""``trustone projections rebuild`` over a stored event whose sealed value was tampered with (issue 11,
channel 5: a writer to the database, without the keys). The rebuild must not end in a traceback: it
exits 1 with one line naming what failed (the view, the event's position and the sealed field, never
a value) and pointing to ``trustone verify``, and every view is left as it was before the rebuild
started: the lists keep serving what they served, not an emptied or half-rebuilt view.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from tests.e2e.test_cli import run
from tests.integration.report_files import SECRET_NOTE, SECRET_PRICE, SECRET_VOLUME, csv_bytes, factory_row, quarry_row
from tests.integration.test_attack_tamper import flip, rewrite_event, version_row

MEMBER, OTHER = "de-steenhouwer", "graniet-import"
YEAR = 2024


@pytest.fixture
def world(services):
    """Two members with a 2024 report each; the first is assessed, so the member listing opens its
    report (its action plan, redacted by its links) when the listing is built."""
    registry = services.registry
    for ref, name, country in ((MEMBER, "De Steenhouwer BV", "NL"), (OTHER, "Graniet Import NV", "BE")):
        registry.register_organisation(ref, name, OrganisationKind.MEMBER_COMPANY, country)
        registry.join(ref, dt.date(2021, 3, 1), CompanyCategory.C, CompanySize.MEDIUM)
    registry.import_report(
        MEMBER, YEAR, csv_bytes([quarry_row(), factory_row()]), "a.csv", submitted_on=dt.date(2025, 3, 1)
    )
    registry.import_report(OTHER, YEAR, csv_bytes([factory_row()]), "b.csv", submitted_on=dt.date(2025, 3, 2))
    registry.assess_report(MEMBER, YEAR, Decimal(70), assessed_on=dt.date(2025, 4, 1), assessed_by="secretariat")
    services.catch_up()
    return services


def views(services) -> dict[str, object]:
    """Every view's rows and tracked position, read with SQL."""
    snapshot: dict[str, object] = {}
    for runner in services.runners:
        for name, recorder in runner.recorders.items():
            snapshot[f"{name} position"] = recorder.max_tracking_id(runner.app.name)
            with recorder.cursor(commit=False) as cursor:
                for table in recorder.view.tables:
                    rows = cursor.execute(f"SELECT * FROM {{schema}}.{table}").fetchall()
                    snapshot[table] = sorted(tuple(str(value) for value in row) for row in rows)
    return snapshot


def test_a_clean_rebuild_gives_the_same_views(world):
    before = views(world)
    result = run(world.settings, "projections", "rebuild")
    assert result.returncode == 0, result.stderr
    assert views(world) == before


def test_a_rebuild_over_a_tampered_event_exits_1_naming_the_event_and_leaves_every_view_as_it_was(world):
    before = views(world)
    assert any(f'"{MEMBER}"' in row[2] and '"level"' in row[2] for row in before["member_listing"])  # assessed
    _, _, version, _ = version_row(world, MEMBER)
    rewrite_event(world, MEMBER, lambda state: state["links"].update(_data_=flip(state["links"]["_data_"])))
    report_id = world.registry.report(MEMBER, YEAR).id

    result = run(world.settings, "projections", "rebuild")

    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    # the filter's own log line (keys/access/filter.py) may come first; the command's answer is one line, last
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and result.stderr.strip().splitlines()[-1] == errors[0], result.stderr
    assert errors[0].startswith("error: integrity failure")
    assert f"field links of registry record {report_id} version {version}" in errors[0]
    assert "trustone verify" in errors[0]
    assert "left as" in errors[0]
    for confidential in (MEMBER, OTHER, "Mahadev", "Kota", SECRET_PRICE, SECRET_VOLUME, SECRET_NOTE):
        assert confidential not in result.stdout + result.stderr
    assert views(world) == before
