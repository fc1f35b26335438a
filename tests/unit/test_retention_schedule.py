"""The retention schedule (registry/domain/retention.py): its periods, the override, the expiry, with literal dates."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from registry.domain.errors import ConflictError, ValidationError
from registry.domain.retention import (
    DEFAULT_SCHEDULE,
    Erasing,
    ErasureRecord,
    Extension,
    Record,
    RecordKind,
    RetentionLedger,
    Rule,
    Schedule,
    Standing,
    WarningGiven,
    check_extension,
    erased_from,
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
    assert ledger.warned_on(RecordKind.CLOSED_CASE, "TS-2025-0001", dt.date(2028, 1, 1)) == dt.date(2027, 12, 5)
    assert ledger.warned_on(RecordKind.CLOSED_CASE, "TS-2025-0001", dt.date(2029, 1, 1)) is None
    assert ledger.warned_on(RecordKind.DATA_ACCESS_RELEASE, "TS-2025-0001", dt.date(2028, 1, 1)) is None
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


@pytest.mark.parametrize(
    ("warned_on", "expected"),
    [
        (None, None),  # never warned of this expiry: not erased
        (dt.date(2027, 2, 1), dt.date(2027, 3, 3)),  # warned on the window's first day: erased on its expiry
        (dt.date(2027, 3, 2), dt.date(2027, 4, 1)),  # warned a day before: a whole window (30 days) after
        (dt.date(2027, 4, 12), dt.date(2027, 5, 12)),  # warned after its expiry: a whole window after
    ],
)
def test_a_record_is_erased_on_its_expiry_but_never_before_a_whole_window_after_its_warning(warned_on, expected):
    assert erased_from(dt.date(2027, 3, 3), warned_on, 30) == expected


def test_an_erasure_begun_stays_unfinished_until_it_is_recorded():
    ledger = RetentionLedger()
    ledger.begin_erasing(RecordKind.CLOSED_CASE, "TS-2025-0001", dt.date(2025, 3, 3), dt.date(2027, 3, 3), "anna")
    [begun] = ledger.unfinished()
    assert (begun.kind, begun.ref, begun.started_on, begun.on, begun.by) == (
        RecordKind.CLOSED_CASE,
        "TS-2025-0001",
        dt.date(2025, 3, 3),
        dt.date(2027, 3, 3),
        "anna",
    )
    assert not ledger.erased(RecordKind.CLOSED_CASE, "TS-2025-0001")
    ledger.erase(RecordKind.CLOSED_CASE, "TS-2025-0001", 1, dt.date(2027, 3, 4), "ben")
    assert ledger.unfinished() == ()
    assert ledger.erased(RecordKind.CLOSED_CASE, "TS-2025-0001")


# --- the bounds and the words docs/retention.md gives -----------------------------------------------

KNOWN = "closed_case, data_access_release, withdrawn_company, session, warn"  # the kinds with a period, and warn


def test_a_period_is_a_whole_number_of_days_from_1_to_36500():
    assert parse_overrides("closed_case=1").days(RecordKind.CLOSED_CASE) == 1
    assert parse_overrides("closed_case=36500").days(RecordKind.CLOSED_CASE) == 36500
    assert parse_overrides("warn=36500").warning_days == 36500
    for text in ("closed_case=0", "closed_case=36501"):
        with pytest.raises(ValidationError) as error:
            parse_overrides(text)
        assert str(error.value) == "closed_case: a whole number of days from 1 to 36500"


def test_the_messages_of_a_bad_override_say_what_to_write():
    with pytest.raises(ValidationError) as error:
        parse_overrides("closed_cases=700")
    assert str(error.value) == f"closed_cases: not a record kind with a period ({KNOWN})"
    with pytest.raises(ValidationError) as error:
        parse_overrides("closed_case")
    assert str(error.value) == "closed_case: expected kind=days"
    with pytest.raises(ValidationError) as error:
        parse_overrides("reporter_identity=365")
    assert str(error.value).startswith("reporter_identity: has no period of its own: sealed under the case's own key")


def test_a_kind_without_a_period_of_its_own_has_no_days():
    schedule = parse_overrides("")
    for kind in ("reporter_identity", "access_log_details"):  # docs/retention.md: kept with its case / the term
        with pytest.raises(ValueError) as error:
            schedule.days(RecordKind(kind))
        assert str(error.value) == f"{kind}: no period of its own"


def test_the_schedule_says_when_the_clock_starts_as_the_table_does():
    starts = {rule.kind.value: rule.starts for rule in DEFAULT_SCHEDULE}
    assert starts["reporter_identity"] == "the day its case closed"
    assert starts["session"] == "the session's expiry time"


def test_the_standings_as_the_api_names_them():
    assert [standing.value for standing in Standing] == ["kept", "expiring", "due"]


def test_an_extension_ends_at_most_a_hundred_years_from_today():
    today = dt.date(2027, 2, 10)
    hundred_years = today + dt.timedelta(days=36500)
    assert check_extension(dt.date(2027, 3, 3), hundred_years, today, "a related case is open")
    with pytest.raises(ValidationError) as error:
        check_extension(dt.date(2027, 3, 3), hundred_years + dt.timedelta(days=1), today, "a related case is open")
    assert (error.value.field, error.value.message) == ("until", "at most a hundred years from today")


def test_an_extensions_reason_is_10_to_500_characters():
    current, until, today = dt.date(2027, 3, 3), dt.date(2027, 9, 1), dt.date(2027, 2, 10)
    assert check_extension(current, until, today, "r" * 10) == "r" * 10
    assert check_extension(current, until, today, "r" * 500) == "r" * 500
    for reason in ("r" * 9, "r" * 501):
        with pytest.raises(ValidationError) as error:
            check_extension(current, until, today, reason)
        assert str(error.value) == "reason: 10-500 characters"


def test_a_records_extensions_are_its_own_of_its_own_kind():
    ledger = RetentionLedger()
    day = dt.date(2027, 2, 1)
    ledger.extend(RecordKind.CLOSED_CASE, "TS-2025-0001", dt.date(2028, 1, 1), "a related case", "anna", day)
    ledger.extend(RecordKind.CLOSED_CASE, "TS-2025-0002", dt.date(2029, 1, 1), "another case", "anna", day)
    ledger.extend(RecordKind.WITHDRAWN_COMPANY, "TS-2025-0001", dt.date(2030, 1, 1), "a dispute", "anna", day)
    own = ledger.extensions_of(RecordKind.CLOSED_CASE, "TS-2025-0001")
    assert [(ext.kind, ext.ref, ext.until) for ext in own] == [
        (RecordKind.CLOSED_CASE, "TS-2025-0001", dt.date(2028, 1, 1))
    ]
    assert ledger.extensions_of(RecordKind.DATA_ACCESS_RELEASE, "TS-2025-0001") == ()


def test_extending_what_was_erased_names_it():
    ledger = RetentionLedger()
    ledger.erase(RecordKind.CLOSED_CASE, "TS-2025-0001", 1, dt.date(2028, 1, 2), "anna")
    with pytest.raises(ConflictError) as error:
        ledger.extend(
            RecordKind.CLOSED_CASE, "TS-2025-0001", dt.date(2029, 1, 1), "too late now", "anna", dt.date(2028, 1, 3)
        )
    assert str(error.value) == "closed_case TS-2025-0001 was erased already"


def test_the_ledgers_events_keep_their_stored_names():
    """The names are part of what is stored: a renamed event would no longer load the ledger's history."""
    ledger = RetentionLedger()
    day = dt.date(2027, 3, 3)
    ledger.extend(RecordKind.CLOSED_CASE, "TS-2025-0001", day, "a related case", "anna", day)
    ledger.warn(RecordKind.CLOSED_CASE, "TS-2025-0001", day, day)
    ledger.begin_erasing(RecordKind.CLOSED_CASE, "TS-2025-0001", day, day, "anna")
    ledger.erase(RecordKind.CLOSED_CASE, "TS-2025-0001", 1, day, "anna")
    ledger.ran(day, "anna")
    assert [type(event).__qualname__ for event in ledger.collect_events()] == [
        "RetentionLedger.Opened",
        "RetentionLedger.Extended",
        "RetentionLedger.Warned",
        "RetentionLedger.Erasing",
        "RetentionLedger.Erased",
        "RetentionLedger.Ran",
    ]


def test_what_the_schedule_and_the_ledger_hold_cannot_be_changed_in_place():
    """The rules are shared by every request; a ledger entry is a record of what was done."""
    day = dt.date(2027, 3, 3)
    kind = RecordKind.CLOSED_CASE
    values = [
        DEFAULT_SCHEDULE[0],
        parse_overrides(""),
        Record(kind, "TS-2025-0001", day),
        Extension(kind, "TS-2025-0001", day, "a related case", "anna", day),
        ErasureRecord(kind, "TS-2025-0001", 1, day, "anna"),
        WarningGiven(day, day),
        Erasing(kind, "TS-2025-0001", day, day, "anna"),
    ]
    assert [type(value) for value in values] == [
        Rule,
        Schedule,
        Record,
        Extension,
        ErasureRecord,
        WarningGiven,
        Erasing,
    ]
    for value in values:
        field = dataclasses.fields(value)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, field, None)
