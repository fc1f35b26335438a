"""The tender register's rules (registry/domain/tenders.py; covenant art. 7 lid 7 and 14, bijlage 3,
the snelgids's type 1 / type 2): bad input is refused naming the field, a year is fixed once
submitted, a year can be submitted once it is over, and the public counts leave out the value
bands below three governments."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.domain.errors import ConflictError, NotFoundError, ValidationError
from registry.domain.organisations import Organisation
from registry.domain.tenders import CONFIDENTIAL_EVENTS, TenderYear, check_entry, count_report

TODAY = dt.date(2026, 3, 1)


def entry(**changes):
    values = {
        "title": "Herinrichting Neude: natuursteen bestrating",
        "date": dt.date(2025, 5, 12),
        "reference": "TenderNed 412345",
        "value_band": "250k_1m",
        "criteria": ["award_significant", "contract_basis"],
        "purchase_type": "type_2",
    }
    values.update(changes)
    return check_entry(**values, today=TODAY)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"date": dt.date(2026, 3, 2)}, "date"),  # tomorrow: a publication date is never in the future
        ({"date": "2025-05-12"}, "date"),
        ({"reference": "r" * 501}, "reference"),
        ({"value_band": "EUR 300.000"}, "value_band"),
        ({"value_band": None}, "value_band"),
        ({"criteria": []}, "criteria"),
        ({"criteria": ["bijlage X"]}, "criteria"),
        ({"criteria": ["none", "isv"]}, "criteria"),
        ({"criteria": "isv"}, "criteria"),
        ({"purchase_type": "type_3"}, "purchase_type"),
        ({"purchase_type": ""}, "purchase_type"),
    ],
)
def test_bad_input_names_its_field(changes, field):
    with pytest.raises(ValidationError) as refused:
        entry(**changes)
    assert refused.value.field == field


def test_good_input_is_kept_and_criteria_in_the_table_order():
    cleaned = entry(reference="  ", criteria=["isv", "award_basis", "isv"], title="  Plein   herinrichting ")
    assert cleaned["reference"] is None
    assert [c.value for c in cleaned["criteria"]] == ["award_basis", "isv"]
    assert cleaned["title"] == "Plein herinrichting"
    assert entry(criteria=["none"])["criteria"][0].value == "none"
    assert entry(date=TODAY)["date"] == TODAY  # today is not in the future


def test_record_correct_remove_while_open_then_fixed_once_submitted():
    year = TenderYear(government="gemeente-utrecht", year=2025)
    first = year.record(entry=entry(), on=TODAY, by="buyer.user")
    second = year.record(entry=entry(title="Kademuren", purchase_type="type_1"), on=TODAY, by="buyer.user")
    year.correct(entry_id=first, entry=entry(value_band="1m_5_5m"), on=TODAY, by="buyer.user")
    assert year.entries[first]["details"]["value_band"] == "1m_5_5m"
    assert year.entries[first]["corrected_on"] == TODAY
    year.remove(entry_id=second, on=TODAY, by="buyer.user")
    assert list(year.entries) == [first]
    year.submit(on=TODAY, by="buyer.user")
    assert year.status.value == "submitted"
    with pytest.raises(ConflictError):
        year.record(entry=entry(), on=TODAY, by="buyer.user")
    with pytest.raises(ConflictError):
        year.correct(entry_id=first, entry=entry(), on=TODAY, by="buyer.user")
    with pytest.raises(ConflictError):
        year.remove(entry_id=first, on=TODAY, by="buyer.user")
    with pytest.raises(ConflictError):
        year.submit(on=TODAY, by="buyer.user")


def test_a_year_is_submitted_once_it_is_over_and_entries_stay_in_their_year():
    year = TenderYear(government="gemeente-utrecht", year=2026)
    with pytest.raises(ConflictError):
        year.submit(on=dt.date(2026, 12, 31), by="buyer.user")
    with pytest.raises(ValidationError) as refused:
        year.record(entry=entry(date=dt.date(2025, 12, 31)), on=TODAY, by="buyer.user")
    assert refused.value.field == "date"
    with pytest.raises(NotFoundError):
        year.remove(entry_id="no-such-entry", on=TODAY, by="buyer.user")
    year.submit(on=dt.date(2027, 1, 1), by="buyer.user")  # an empty year is a report too


def test_title_reference_and_value_band_are_sealed_date_criteria_and_type_are_not():
    assert CONFIDENTIAL_EVENTS == {
        "TenderYear.EntryRecorded": ("key_owner", ("details",)),
        "TenderYear.EntryCorrected": ("key_owner", ("details",)),
    }
    year = TenderYear(government="gemeente-utrecht", year=2025)
    year.record(entry=entry(), on=TODAY, by="buyer.user")
    recorded = year.collect_events()[-1]
    assert recorded.details == {
        "title": "Herinrichting Neude: natuursteen bestrating",
        "reference": "TenderNed 412345",
        "value_band": "250k_1m",
    }
    assert not hasattr(recorded, "title")
    # sealed under the government's data key, named by the organisation's id (a data key is unwrapped with it)
    assert recorded.key_owner == Organisation.create_id("gemeente-utrecht")


def _rows(governments: int):
    tender = {"criteria": ["award_significant", "contract_basis"], "purchase_type": "type_2", "value_band": "250k_1m"}
    other = {"criteria": ["none"], "purchase_type": "type_1", "value_band": "under_50k"}
    return [(f"gemeente-{n}", [tender, other]) for n in range(governments)]


def test_counts_per_criterion_type_and_band_at_three_governments():
    counts = count_report(2025, _rows(3))
    assert counts["governments"] == 3
    assert counts["tenders"] == 6
    assert counts["by_criterion"] == {
        "award_basis": 0,
        "award_significant": 3,
        "award_ambitious": 0,
        "contract_basis": 3,
        "contract_significant": 0,
        "contract_ambitious": 0,
        "isv": 0,
        "comparable": 0,
        "none": 3,
    }
    assert counts["by_purchase_type"] == {"type_1": 3, "type_2": 3}
    assert counts["by_value_band"] == {"under_50k": 3, "50k_250k": 0, "250k_1m": 3, "1m_5_5m": 0, "over_5_5m": 0}
    assert counts["value_bands_suppressed"] is False


@pytest.mark.parametrize("governments", [0, 1, 2])
def test_value_bands_are_left_out_below_three_governments(governments):
    counts = count_report(2025, _rows(governments))
    assert counts["by_value_band"] is None
    assert counts["value_bands_suppressed"] is True
    assert counts["threshold"] == 3
    assert counts["tenders"] == 2 * governments


def test_governments_with_an_empty_year_do_not_count_towards_the_threshold():
    """Review finding: two empty registers beside one full one must not publish that one's bands."""
    one_tender = {"criteria": ["award_significant"], "purchase_type": "type_2", "value_band": "over_5_5m"}
    counts = count_report(2025, [("gemeente-a", [one_tender]), ("gemeente-b", []), ("gemeente-c", [])])
    assert counts["governments"] == 3  # three reported
    assert counts["by_value_band"] is None and counts["value_bands_suppressed"] is True
