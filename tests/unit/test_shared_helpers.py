"""The helpers that live once (issue 13, item 2): the clock, bounded text and the lifecycle table.
Every layer uses these; the expected values are written out here, not read from the modules."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from registry.domain.clock import iso_utc, parse_iso_utc, utc_now
from registry.domain.errors import ConflictError, ValidationError
from registry.domain.text import free_text, one_line
from registry.domain.transitions import Lifecycle, StepNotAllowedError

# --- the clock ---------------------------------------------------------------------------------


def test_a_moment_is_written_as_fixed_width_utc_text():
    amsterdam_winter = dt.timezone(dt.timedelta(hours=1))
    assert iso_utc(dt.datetime(2025, 3, 1, 10, 0, tzinfo=amsterdam_winter)) == "2025-03-01T09:00:00.000000Z"
    assert parse_iso_utc("2025-03-01T09:00:00.000000Z") == dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        iso_utc(dt.datetime(2025, 3, 1, 9, 0))


def test_now_is_timezone_aware_utc():
    assert utc_now().utcoffset() == dt.timedelta(0)


# Local times in any zone; a clock never returns one that does not exist (in a DST gap).
moments = st.datetimes(
    min_value=dt.datetime(1970, 1, 2),
    max_value=dt.datetime(2200, 1, 1),
    timezones=st.timezones(),
    allow_imaginary=False,
)


AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@given(moments, moments)
# 02:30 on 26 October 2025 happens twice in Amsterdam: the second time (fold=1) is an hour later
@example(dt.datetime(2025, 10, 26, 2, 30, tzinfo=AMSTERDAM), dt.datetime(2025, 10, 26, 2, 30, fold=1, tzinfo=AMSTERDAM))
def test_the_text_sorts_as_the_moments_do_and_reads_back(first, second):
    # compared in UTC: Python's == between zones is False for a time a DST change makes ambiguous
    first_utc, second_utc = first.astimezone(dt.UTC), second.astimezone(dt.UTC)
    assert (iso_utc(first) < iso_utc(second)) == (first_utc < second_utc)
    assert parse_iso_utc(iso_utc(first)) == first_utc


# --- bounded text ------------------------------------------------------------------------------


def test_one_line_folds_every_run_of_white_space():
    assert one_line("  Atlas \n\t Stone  ", "name", 20) == "Atlas Stone"


def test_free_text_keeps_its_lines_and_trims_the_ends():
    assert free_text("  first line\n\nsecond line \n", "description", 100) == "first line\n\nsecond line"


@pytest.mark.parametrize("check", [one_line, free_text])
def test_text_out_of_bounds_names_the_field_and_the_bounds(check):
    with pytest.raises(ValidationError) as too_long:
        check("abcdef", "title", 5)
    assert (too_long.value.field, too_long.value.message) == ("title", "1-5 characters")
    for empty in (None, "", "   "):
        with pytest.raises(ValidationError) as missing:
            check(empty, "reason", 2000)
        assert str(missing.value) == "reason: 1-2000 characters"
    with pytest.raises(ValidationError) as too_short:
        check("short", "purpose", 2000, shortest=10)
    assert str(too_short.value) == "purpose: 10-2000 characters"
    assert check("exactly10!", "purpose", 2000, shortest=10) == "exactly10!"


# --- the lifecycle table -----------------------------------------------------------------------


class Door(StrEnum):
    SHUT = "shut"
    OPEN = "open"
    AJAR = "ajar"
    GONE = "gone"


class Push(StrEnum):
    OPEN = "open"
    SHUT = "shut"
    REMOVE = "remove"


DOOR = Lifecycle[Door, Push](
    {
        Door.SHUT: {Push.OPEN: (Door.OPEN, Door.AJAR), Push.REMOVE: (Door.GONE,)},
        Door.OPEN: {Push.SHUT: (Door.SHUT,)},
        Door.AJAR: {Push.SHUT: (Door.SHUT,), Push.OPEN: (Door.OPEN,)},
        Door.GONE: {},
    }
)


def test_a_step_leads_to_its_usual_state_or_the_outcome_named():
    assert DOOR.target(Door.SHUT, Push.OPEN) == Door.OPEN
    assert DOOR.target(Door.SHUT, Push.OPEN, Door.AJAR) == Door.AJAR
    assert DOOR.target(Door.OPEN, Push.SHUT) == Door.SHUT


def test_a_step_the_table_does_not_have_leads_nowhere():
    assert DOOR.target(Door.OPEN, Push.REMOVE) is None
    assert DOOR.target(Door.GONE, Push.OPEN) is None


def test_an_outcome_the_step_cannot_have_is_a_programming_error():
    with pytest.raises(ValueError) as wrong:
        DOOR.target(Door.SHUT, Push.OPEN, Door.GONE)
    assert str(wrong.value) == "open cannot lead to gone"


def test_the_allowed_steps_in_the_tables_order_and_the_terminal_states():
    assert DOOR.allowed(Door.AJAR) == ["shut", "open"]
    assert DOOR.allowed(Door.GONE) == []
    assert DOOR.terminal == frozenset({Door.GONE})


def test_the_refusal_is_a_conflict_naming_what_is_allowed():
    refused = StepNotAllowedError("door 7", Door.OPEN, "remove", ["shut"], "the door is gone")
    assert isinstance(refused, ConflictError)
    assert str(refused) == "door 7 is open: 'remove' is not allowed; allowed next: shut"
    assert (refused.step, refused.allowed) == ("remove", ["shut"])
    ended = StepNotAllowedError("door 7", Door.GONE, "open", [], "the door is gone")
    assert str(ended) == "door 7 is gone: 'open' is not allowed; allowed next: none (the door is gone)"
