"""Issue 10 item 3: a report larger than one upload comes in parts, and the way the error names works.

A part is checked and kept whole (atomic); the report is submitted as one version when its last
part is in, with the rows in part order. The row limit is lowered here (``max_rows``) so the files
stay small; the mechanism is the same at the real limit.
"""

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.domain.errors import ConflictError, ValidationError
from registry.domain.organisations import CompanyCategory, CompanySize, OrganisationKind
from registry.reportfile import ReportFileError
from tests.integration.report_files import csv_bytes, factory_row, unknown_quarry_row

TODAY = dt.date(2025, 4, 1)


def rows(n: int, start: int = 0) -> list[dict[str, str]]:
    return [factory_row(chain=f"C{i}") if i % 2 else unknown_quarry_row(chain=f"C{i}") for i in range(start, start + n)]


def stored_position(registry) -> int:
    return registry.recorder.max_notification_id() or 0


def chains(content) -> list[str]:
    return [link.chain for link in content.links]


def versions(registry, member, year=2024) -> int:
    try:
        return len(registry.report(member, year).versions)
    except Exception:  # noqa: BLE001 - no report at all yet
        return 0


def test_a_report_over_the_limit_is_refused_naming_parts_and_then_imported_in_parts(registry, member, content_of):
    with pytest.raises(ReportFileError) as caught:
        registry.import_report(member, 2024, csv_bytes(rows(7)), "big.csv", submitted_on=TODAY, max_rows=3)
    (error,) = caught.value.errors
    assert "more than 3 link rows" in error.message
    assert "--part 1 --of N" in error.message and "?part=1&of=N" in error.message

    parts = [rows(3, 0), rows(3, 3), rows(1, 6)]
    first = registry.import_report(
        member, 2024, csv_bytes(parts[0]), "p1.csv", submitted_on=TODAY, max_rows=3, part=(1, 3)
    )
    assert (first.changed, first.parts_missing) == (False, (2, 3))
    assert versions(registry, member) == 0
    second = registry.import_report(
        member, 2024, csv_bytes(parts[1]), "p2.csv", submitted_on=TODAY, max_rows=3, part=(2, 3)
    )
    assert (second.changed, second.parts_missing) == (False, (3,))
    assert versions(registry, member) == 0
    last = registry.import_report(
        member, 2024, csv_bytes(parts[2]), "p3.csv", submitted_on=TODAY, max_rows=3, part=(3, 3)
    )
    assert (last.changed, last.version, last.parts_missing) == (True, 1, ())
    assert chains(content_of(member, 2024)) == ["C0", "C1", "C2", "C3", "C4", "C5", "C6"]


def test_parts_may_come_in_any_order_after_the_first(registry, member, content_of):
    registry.import_report(member, 2024, csv_bytes(rows(2, 0)), "p1.csv", submitted_on=TODAY, part=(1, 3))
    registry.import_report(member, 2024, csv_bytes(rows(2, 4)), "p3.csv", submitted_on=TODAY, part=(3, 3))
    done = registry.import_report(member, 2024, csv_bytes(rows(2, 2)), "p2.csv", submitted_on=TODAY, part=(2, 3))
    assert done.changed
    assert chains(content_of(member, 2024)) == ["C0", "C1", "C2", "C3", "C4", "C5"]


def test_a_bad_part_is_refused_whole_and_the_parts_before_it_are_kept(registry, member, content_of):
    registry.import_report(member, 2024, csv_bytes(rows(2, 0)), "p1.csv", submitted_on=TODAY, part=(1, 2))
    before = stored_position(registry)
    bad = rows(2, 2)
    bad[1]["tier"] = "first"
    with pytest.raises(ReportFileError):
        registry.import_report(member, 2024, csv_bytes(bad), "p2.csv", submitted_on=TODAY, part=(2, 2))
    assert stored_position(registry) == before
    done = registry.import_report(member, 2024, csv_bytes(rows(2, 2)), "p2.csv", submitted_on=TODAY, part=(2, 2))
    assert done.changed
    assert chains(content_of(member, 2024)) == ["C0", "C1", "C2", "C3"]


def test_the_same_part_again_records_nothing(registry, member):
    registry.import_report(member, 2024, csv_bytes(rows(2, 0)), "p1.csv", submitted_on=TODAY, part=(1, 2))
    before = stored_position(registry)
    again = registry.import_report(member, 2024, csv_bytes(rows(2, 0)), "p1.csv", submitted_on=TODAY, part=(1, 2))
    assert (again.changed, again.parts_missing) == (False, (2,))
    assert stored_position(registry) == before


def test_the_same_set_of_parts_again_records_no_new_version(registry, member):
    for _ in range(2):
        registry.import_report(member, 2024, csv_bytes(rows(2, 0)), "p1.csv", submitted_on=TODAY, part=(1, 2))
        registry.import_report(member, 2024, csv_bytes(rows(2, 2)), "p2.csv", submitted_on=TODAY, part=(2, 2))
    report = registry.report(member, 2024)
    assert len(report.versions) == 1
    assert report.missing_parts == []


def test_a_part_that_does_not_fit_the_upload_under_way_is_refused_saying_what_fits(registry, member):
    with pytest.raises(ConflictError, match="start with part 1"):
        registry.import_report(member, 2024, csv_bytes(rows(2, 2)), "p2.csv", submitted_on=TODAY, part=(2, 3))
    registry.import_report(member, 2024, csv_bytes(rows(2, 0)), "p1.csv", submitted_on=TODAY, part=(1, 3))
    with pytest.raises(ConflictError, match="has 3 parts: send part 2 of 3"):
        registry.import_report(member, 2024, csv_bytes(rows(2, 2)), "p2.csv", submitted_on=TODAY, part=(2, 4))
    with pytest.raises(ValidationError, match="part number is 1 to 3"):
        registry.import_report(member, 2024, csv_bytes(rows(2, 2)), "p4.csv", submitted_on=TODAY, part=(4, 3))
    with pytest.raises(ValidationError, match="2 to 10 parts"):
        registry.import_report(member, 2024, csv_bytes(rows(2, 0)), "p1.csv", submitted_on=TODAY, part=(1, 11))


def test_part_one_of_another_count_starts_the_upload_again(registry, member, content_of):
    registry.import_report(member, 2024, csv_bytes(rows(2, 0)), "p1.csv", submitted_on=TODAY, part=(1, 3))
    registry.import_report(member, 2024, csv_bytes(rows(2, 2)), "p2.csv", submitted_on=TODAY, part=(2, 3))
    restarted = registry.import_report(member, 2024, csv_bytes(rows(1, 10)), "q1.csv", submitted_on=TODAY, part=(1, 2))
    assert restarted.parts_missing == (2,)
    registry.import_report(member, 2024, csv_bytes(rows(1, 11)), "q2.csv", submitted_on=TODAY, part=(2, 2))
    assert chains(content_of(member, 2024)) == ["C10", "C11"]


def test_a_whole_file_ends_an_upload_in_parts(registry, member, content_of):
    registry.import_report(member, 2024, csv_bytes(rows(2, 0)), "p1.csv", submitted_on=TODAY, part=(1, 3))
    whole = registry.import_report(member, 2024, csv_bytes(rows(3, 20)), "whole.csv", submitted_on=TODAY)
    assert (whole.changed, whole.version) == (True, 1)
    assert registry.report(member, 2024).missing_parts == []
    with pytest.raises(ConflictError, match="start with part 1"):
        registry.import_report(member, 2024, csv_bytes(rows(2, 2)), "p2.csv", submitted_on=TODAY, part=(2, 3))
    assert chains(content_of(member, 2024)) == ["C20", "C21", "C22"]


_companies = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(total=st.integers(min_value=2, max_value=12), limit=st.integers(min_value=1, max_value=5), data=st.data())
def test_any_report_split_into_parts_equals_the_same_report_imported_whole(registry, content_of, total, limit, data):
    """The property: whatever the split and the order after part 1, the parts make the same report as
    the whole file, and the report has no version until the last part is in."""
    member = f"splitter-{next(_companies)}"  # a fresh member per example: nothing under way
    registry.register_organisation(member, member.title(), OrganisationKind.MEMBER_COMPANY, "BE")
    registry.join(member, dt.date(2021, 3, 1), CompanyCategory.C, CompanySize.SMALL)
    all_rows = rows(total)
    size = max(min(limit, total - 1), -(-total // 10))  # two to ten parts
    pieces = [all_rows[i : i + size] for i in range(0, total, size)]
    of = len(pieces)
    order = [1] + data.draw(st.permutations(list(range(2, of + 1))), label="order after part 1")
    for position, number in enumerate(order):
        result = registry.import_report(
            member,
            2024,
            csv_bytes(pieces[number - 1]),
            f"p{number}.csv",
            submitted_on=TODAY,
            max_rows=size,
            part=(number, of),
        )
        last = position == of - 1
        assert (result.changed, versions(registry, member)) == (last, 1 if last else 0)
    assert chains(content_of(member, 2024)) == [row["chain"] for row in all_rows]
