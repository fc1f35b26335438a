"""The retention schedule (registry/domain/retention.py): its periods, the override, the expiry, with literal dates."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.domain.errors import ConflictError, ValidationError
from registry.domain.retention import (
    DEFAULT_SCHEDULE,
    Extension,
    Record,
    RecordKind,
    RetentionLedger,
    Standing,
    check_extension,
    expires_on,
    parse_overrides,
    standing,
)

# docs/retention.md: the periods in days, and who erases each kind
PERIODS = {
    "closed_case": (730, "job"),
    "reporter_identity": (None, "with_its_case"),
    "data_access_release": (365, "job"),
    "declaration": (1825, "with_its_organisation"),
    "withdrawn_company": (730, "job"),
    "session": (30, "job"),
    "access_log_details": (None, "not_erased"),
}


def test_the_default_schedule_is_one_row_per_kind_with_its_period_and_its_reason():
    assert {rule.kind.value: (rule.days, rule.erased_by.value) for rule in DEFAULT_SCHEDULE} == PERIODS
    assert [rule.kind for rule in DEFAULT_SCHEDULE] == list(RecordKind)
    for rule in DEFAULT_SCHEDULE:
        assert rule.starts and rule.erasing and rule.why


def test_no_override_is_the_default_with_a_warning_window_of_30_days():
    schedule = parse_overrides("")
    assert schedule.rules == DEFAULT_SCHEDULE
    assert schedule.warning_days == 30
    assert schedule.configured == frozenset()


def test_an_override_sets_the_periods_and_the_warning_window_it_names():
    schedule = parse_overrides(" closed_case=1095, session=7,warn=14 ")
    assert schedule.days(RecordKind.CLOSED_CASE) == 1095
    assert schedule.days(RecordKind.SESSION) == 7
    assert schedule.days(RecordKind.DATA_ACCESS_RELEASE) == 365
    assert schedule.warning_days == 14
    assert schedule.configured == {RecordKind.CLOSED_CASE, RecordKind.SESSION}


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("closed_cases=700", "closed_cases", "not a record kind"),
        ("closed_case=two years", "closed_case", "whole number of days"),
        ("closed_case=0", "closed_case", "whole number of days"),
        ("session=-1", "session", "whole number of days"),
        ("warn=36501", "warn", "whole number of days"),
        ("closed_case", "closed_case", "kind=days"),
        ("reporter_identity=365", "reporter_identity", "sealed under the case's own key"),
        ("access_log_details=365", "access_log_details", "no period of its own"),
        ("declaration=365", "declaration", "no period of its own"),
    ],
)
def test_a_bad_override_names_the_kind(text, field, words):
    with pytest.raises(ValidationError) as error:
        parse_overrides(text)
    assert error.value.field == field
    assert words in str(error.value)


def test_a_record_expires_its_period_after_its_clock_started():
    schedule = parse_overrides("")
    closed = Record(RecordKind.CLOSED_CASE, "TS-2025-0001", dt.date(2025, 3, 3))
    assert expires_on(closed, schedule) == dt.date(2027, 3, 3)
    release = Record(RecordKind.DATA_ACCESS_RELEASE, "3f1c", dt.date(2024, 2, 29))
    assert expires_on(release, schedule) == dt.date(2025, 2, 28)


def test_an_extension_moves_the_expiry_only_of_its_own_record_and_only_later():
    schedule = parse_overrides("")
    closed = Record(RecordKind.CLOSED_CASE, "TS-2025-0001", dt.date(2025, 3, 3))
    own = Extension(
        RecordKind.CLOSED_CASE, "TS-2025-0001", dt.date(2028, 1, 1), "a related case", "anna", dt.date(2027, 2, 1)
    )
    other = Extension(
        RecordKind.CLOSED_CASE, "TS-2025-0002", dt.date(2030, 1, 1), "another case", "anna", dt.date(2027, 2, 1)
    )
    earlier = Extension(
        RecordKind.CLOSED_CASE, "TS-2025-0001", dt.date(2026, 1, 1), "shorter", "anna", dt.date(2025, 6, 1)
    )
    assert expires_on(closed, schedule, (own, other)) == dt.date(2028, 1, 1)
    assert expires_on(closed, schedule, (earlier,)) == dt.date(2027, 3, 3)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2027, 2, 1), Standing.KEPT),
        (dt.date(2027, 2, 2), Standing.EXPIRING),  # 29 days before
        (dt.date(2027, 3, 2), Standing.EXPIRING),
        (dt.date(2027, 3, 3), Standing.DUE),
        (dt.date(2030, 1, 1), Standing.DUE),
    ],
)
def test_the_standing_on_a_day(today, expected):
    assert standing(dt.date(2027, 3, 3), today, 29) is expected


def test_an_extension_must_end_later_and_say_why():
    current, today = dt.date(2027, 3, 3), dt.date(2027, 2, 10)
    assert (
        check_extension(current, dt.date(2027, 9, 1), today, "  a related case is open  ") == "a related case is open"
    )
    with pytest.raises(ValidationError, match="until: must be after the present expiry, 2027-03-03"):
        check_extension(current, dt.date(2027, 3, 3), today, "a related case is open")
    with pytest.raises(ValidationError, match="until: must be after today"):
        check_extension(dt.date(2020, 1, 1), dt.date(2027, 2, 10), today, "a related case is open")
    with pytest.raises(ValidationError) as error:
        check_extension(current, dt.date(2027, 9, 1), today, "because")
    assert error.value.field == "reason"


def test_the_ledger_records_extensions_warnings_erasures_and_refuses_to_extend_what_is_gone():
    ledger = RetentionLedger()
    ledger.extend(
        RecordKind.CLOSED_CASE, "TS-2025-0001", dt.date(2028, 1, 1), "a related case", "anna", dt.date(2027, 2, 1)
    )
    ledger.warn(RecordKind.CLOSED_CASE, "TS-2025-0001", dt.date(2028, 1, 1), dt.date(2027, 12, 5))
    assert ledger.was_warned(RecordKind.CLOSED_CASE, "TS-2025-0001", dt.date(2028, 1, 1))
    assert not ledger.was_warned(RecordKind.CLOSED_CASE, "TS-2025-0001", dt.date(2029, 1, 1))
    ledger.erase(RecordKind.CLOSED_CASE, "TS-2025-0001", 1, dt.date(2028, 1, 2), "anna")
    assert ledger.erased(RecordKind.CLOSED_CASE, "TS-2025-0001")
    assert not ledger.erased(RecordKind.DATA_ACCESS_RELEASE, "TS-2025-0001")
    with pytest.raises(ConflictError):
        ledger.extend(
            RecordKind.CLOSED_CASE, "TS-2025-0001", dt.date(2029, 1, 1), "too late now", "anna", dt.date(2028, 1, 3)
        )


def test_the_setting_is_read_at_start_up_and_a_bad_one_names_the_variable_and_the_kind(tmp_path):
    from trustone.settings import Settings, SettingsError

    settings = Settings.from_env({"TRUSTONE_DATA_DIR": str(tmp_path), "TRUSTONE_RETENTION": "session=7"})
    assert settings.retention_schedule().days(RecordKind.SESSION) == 7
    with pytest.raises(SettingsError, match="^TRUSTONE_RETENTION: withdrawn_company: a whole number of days"):
        Settings.from_env({"TRUSTONE_DATA_DIR": str(tmp_path), "TRUSTONE_RETENTION": "withdrawn_company=soon"})
