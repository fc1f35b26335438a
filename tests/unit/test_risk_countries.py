"""The risk-country list: the covenant's default, dated changes, and which version judges a year (issue 17).

Covenant art. 5 lid 2a: "Vooralsnog focussen partijen op risicolanden buiten de EER. Partijen kunnen
de lijst van risicolanden aanpassen." A report year is judged on the version in force on its
reporting deadline (1 May of the next year unless the secretariat sets another day).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from registry.domain.errors import ValidationError
from registry.domain.risk_countries import (
    DEFAULT_VERSION,
    EEA,
    RiskCountryList,
    check_change,
    in_force_on,
    judged_on,
    parse_deadline,
)

TODAY = dt.date(2026, 5, 1)

# The 27 EU member states, Iceland, Liechtenstein and Norway.
EEA_CODES = {
    *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE"),
    *("IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
    *("IS", "LI", "NO"),
}


def test_eea_is_exactly_the_thirty():
    assert len(EEA_CODES) == 30
    assert EEA == EEA_CODES


@pytest.mark.parametrize("code", ["IN", "CN", "ZW", "TR", "CH", "GB", "US", "in"])
def test_default_version_outside_the_eea_is_risk(code):
    assert DEFAULT_VERSION.is_risk(code)


@pytest.mark.parametrize("code", sorted(EEA_CODES) + ["nl", "be"])
def test_default_version_inside_the_eea_is_not_risk(code):
    assert not DEFAULT_VERSION.is_risk(code)


def test_default_version_is_the_covenant_s():
    assert DEFAULT_VERSION.number == 1
    assert DEFAULT_VERSION.by == "covenant"
    assert DEFAULT_VERSION.in_force_from == dt.date(2019, 5, 1)  # the covenant's first term
    assert DEFAULT_VERSION.recorded_on is None
    assert RiskCountryList().versions == [DEFAULT_VERSION]


def test_a_version_is_a_value():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_VERSION.number = 2  # type: ignore[misc]


# --- changing the list -----------------------------------------------------------------------------


def change(risk_list: RiskCountryList, **overrides):
    arguments = {
        "in_force_from": dt.date(2026, 6, 1),
        "become_risk": ["BE"],
        "stop_being_risk": ["CH"],
        "reason": "parties agreed at the annual meeting",
        "by": "secretariat",
        "today": TODAY,
        **overrides,
    }
    return risk_list.change(**arguments)


def refused(risk_list: RiskCountryList, **overrides) -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        change(risk_list, **overrides)
    return raised.value


def test_a_change_is_version_two():
    risk_list = RiskCountryList()
    version = change(risk_list, reason="  parties   agreed\nat the meeting ")
    assert version.number == 2
    assert version.in_force_from == dt.date(2026, 6, 1)
    assert version.is_risk("BE") and not version.is_risk("CH")
    assert version.is_risk("IN") and not version.is_risk("NL")
    assert version.not_risk == (EEA_CODES - {"BE"}) | {"CH"}
    assert version.reason == "parties agreed at the meeting"  # white space folded
    assert (version.by, version.recorded_on) == ("secretariat", TODAY)
    assert risk_list.versions == [DEFAULT_VERSION, version]
    assert [type(e).__qualname__ for e in risk_list.collect_events()] == [
        "RiskCountryList.Created",
        "RiskCountryList.Changed",
    ]


def test_a_second_change_is_version_three_and_builds_on_the_second():
    risk_list = RiskCountryList()
    change(risk_list)
    third = change(risk_list, in_force_from=dt.date(2026, 7, 1), become_risk=["DE"], stop_being_risk=[])
    assert third.number == 3
    assert risk_list.versions[-1] == third
    assert third.is_risk("BE") and third.is_risk("DE") and not third.is_risk("CH")


def test_a_change_may_take_effect_today_and_on_the_last_version_s_day():
    risk_list = RiskCountryList()
    change(risk_list, in_force_from=TODAY)
    again = change(risk_list, in_force_from=TODAY, become_risk=["DE"], stop_being_risk=[])
    assert again.number == 3


def test_the_list_cannot_change_for_a_day_already_past():
    error = refused(RiskCountryList(), in_force_from=dt.date(2026, 4, 30))
    assert error.field == "in_force_from"


def test_not_before_the_last_version_s_day():
    risk_list = RiskCountryList()
    change(risk_list, in_force_from=dt.date(2026, 9, 1))
    error = refused(risk_list, in_force_from=dt.date(2026, 8, 31), become_risk=["DE"], stop_being_risk=[])
    assert error.field == "in_force_from"
    assert error.message == "on or after 2026-09-01, the day the last version took effect"


def test_in_force_from_must_be_a_date():
    error = refused(RiskCountryList(), in_force_from="2026-06-01")
    assert (error.field, error.message) == ("in_force_from", "a date")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"become_risk": ["XQ"]}, "become_risk"),
        ({"become_risk": ["BEL"]}, "become_risk"),
        ({"stop_being_risk": ["ZZ"]}, "stop_being_risk"),
    ],
)
def test_unknown_country_code_is_refused(overrides, field):
    assert refused(RiskCountryList(), **overrides).field == field


@pytest.mark.parametrize("code", ["BE", "IN"])  # one not a risk country, one a risk country
def test_add_and_take_off_the_same_country_is_refused(code):
    error = refused(RiskCountryList(), become_risk=[code], stop_being_risk=[code.lower()])
    assert error.field == "stop_being_risk"
    assert error.message == "a country cannot be added and taken off at once"


def test_adding_a_country_already_risk_is_refused():
    error = refused(RiskCountryList(), become_risk=["IN", "CN", "BE"], stop_being_risk=[])
    assert error.field == "become_risk"
    assert error.message == "already a risk country: CN, IN"


def test_taking_off_a_country_that_is_not_risk_is_refused():
    error = refused(RiskCountryList(), become_risk=[], stop_being_risk=["NL", "DE", "CH"])
    assert error.field == "stop_being_risk"
    assert error.message == "not a risk country: DE, NL"


def test_a_change_judges_against_the_version_in_force_on_its_day():
    risk_list = RiskCountryList()
    change(risk_list)  # BE risk from 2026-06-01
    error = refused(risk_list, in_force_from=dt.date(2026, 7, 1), become_risk=["BE"], stop_being_risk=[])
    assert error.field == "become_risk"


@pytest.mark.parametrize("reason", ["too short", "  too   short ", "", None])
def test_reason_under_ten_characters_is_refused(reason):
    assert refused(RiskCountryList(), reason=reason).field == "reason"


def test_reason_bounds():
    assert change(RiskCountryList(), reason="x" * 10).reason == "x" * 10
    assert change(RiskCountryList(), reason="x" * 2000).reason == "x" * 2000
    assert refused(RiskCountryList(), reason="x" * 2001).field == "reason"


def test_naming_no_country_is_refused():
    error = refused(RiskCountryList(), become_risk=[], stop_being_risk=[])
    assert error.field == "become_risk"


@pytest.mark.parametrize(("become", "stop"), [(["DE"], []), ([], ["CH"])])
def test_one_side_alone_is_a_change(become, stop):
    assert change(RiskCountryList(), become_risk=become, stop_being_risk=stop).number == 2


def test_check_change_leaves_recording_to_the_aggregate():
    new = check_change([DEFAULT_VERSION], dt.date(2026, 6, 1), ["BE"], [], "parties agreed", TODAY)
    assert (new.number, new.by, new.recorded_on) == (2, "", TODAY)


# --- which version is in force ----------------------------------------------------------------------


def test_in_force_on_the_day_before_on_and_after():
    risk_list = RiskCountryList()
    second = change(risk_list, in_force_from=dt.date(2026, 6, 1))
    third = change(risk_list, in_force_from=dt.date(2026, 9, 1), become_risk=["DE"], stop_being_risk=[])
    versions = risk_list.versions
    assert in_force_on(versions, dt.date(2019, 4, 30)) == DEFAULT_VERSION  # before any: the default
    assert in_force_on(versions, dt.date(2026, 5, 31)) == DEFAULT_VERSION
    assert in_force_on(versions, dt.date(2026, 6, 1)) == second
    assert in_force_on(versions, dt.date(2026, 6, 2)) == second
    assert in_force_on(versions, dt.date(2026, 8, 31)) == second
    assert in_force_on(versions, dt.date(2026, 9, 1)) == third
    assert in_force_on(versions, dt.date(2030, 1, 1)) == third


def test_a_change_between_two_report_years():
    risk_list = RiskCountryList()
    change(risk_list, in_force_from=dt.date(2026, 6, 1), become_risk=["BE"], stop_being_risk=["CH"])
    versions = risk_list.versions

    # report year 2024, judged on 2025-05-01: the default
    assert judged_on(2024) == dt.date(2025, 5, 1)
    year_2024 = in_force_on(versions, dt.date(2025, 5, 1))
    assert year_2024.number == 1 and not year_2024.is_risk("BE") and year_2024.is_risk("CH")

    # report year 2025, judged on 2026-05-01: still the default (the change comes a month later)
    year_2025 = in_force_on(versions, judged_on(2025))
    assert year_2025.number == 1 and not year_2025.is_risk("BE") and year_2025.is_risk("CH")

    # report year 2026, judged on 2027-05-01: the new version
    assert judged_on(2026) == dt.date(2027, 5, 1)
    year_2026 = in_force_on(versions, judged_on(2026))
    assert year_2026.number == 2 and year_2026.is_risk("BE") and not year_2026.is_risk("CH")


# --- the reporting deadline -------------------------------------------------------------------------


def test_judged_on():
    assert judged_on(2025) == dt.date(2026, 5, 1)
    assert judged_on(2025, (7, 1)) == dt.date(2026, 7, 1)
    assert judged_on(2025, (12, 31)) == dt.date(2026, 12, 31)


@pytest.mark.parametrize(("value", "expected"), [("05-01", (5, 1)), (" 07-01 ", (7, 1)), ("12-31", (12, 31))])
def test_parse_deadline(value, expected):
    assert parse_deadline(value) == expected


@pytest.mark.parametrize("value", ["13-01", "02-29", "x", "05", "05-01-01", "", "04-31"])
def test_parse_deadline_refuses_bad_values(value):
    with pytest.raises(ValidationError) as raised:
        parse_deadline(value)
    assert raised.value.field == "reporting_deadline"
    assert raised.value.message == "a day as MM-DD, e.g. 05-01"
