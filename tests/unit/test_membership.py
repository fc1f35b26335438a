import datetime as dt

import pytest

from registry.domain.errors import ConflictError, ValidationError
from registry.domain.organisations import CompanyCategory, CompanySize, Organisation, OrganisationKind, Standing

D = dt.date


def company() -> Organisation:
    return Organisation(
        ref="de-steenhouwer", name="De Steenhouwer BV", kind=OrganisationKind.MEMBER_COMPANY, country="NL"
    )


def joined(on=D(2021, 3, 1)) -> Organisation:  # noqa: B008 - a date is immutable
    org = company()
    org.join(on=on, category=CompanyCategory.C, size=CompanySize.MEDIUM)
    return org


def test_a_company_is_a_member_from_the_day_it_joins():
    org = joined(D(2021, 3, 1))
    assert not org.was_member_on(D(2021, 2, 28))
    assert org.was_member_on(D(2021, 3, 1))
    assert org.was_member_on(D(2030, 1, 1))


def test_a_withdrawn_company_is_a_member_until_the_day_before_it_withdrew():
    org = joined(D(2021, 3, 1))
    org.withdraw(D(2024, 7, 1))
    assert org.was_member_on(D(2024, 6, 30))
    assert not org.was_member_on(D(2024, 7, 1))
    assert org.was_member_on(D(2022, 1, 1))  # history stays answerable


def test_a_company_that_rejoins_has_two_periods_and_a_gap_between_them():
    org = joined(D(2021, 3, 1))
    org.exclude(D(2022, 1, 1))
    org.join(on=D(2023, 5, 1), category=CompanyCategory.B, size=CompanySize.SMALL)
    assert not org.was_member_on(D(2022, 6, 1))
    assert org.was_member_on(D(2023, 5, 1))
    assert org.period_on(D(2023, 5, 1)).category == CompanyCategory.B
    assert org.periods[0].end_reason.value == "excluded"


def test_joining_twice_is_refused():
    org = joined()
    with pytest.raises(ConflictError):
        org.join(on=D(2022, 1, 1), category=CompanyCategory.C, size=CompanySize.LARGE)


def test_withdrawing_a_company_that_is_not_a_member_is_refused():
    with pytest.raises(ConflictError):
        company().withdraw(D(2022, 1, 1))


def test_withdrawing_on_or_before_the_join_date_names_the_field():
    org = joined(D(2021, 3, 1))
    with pytest.raises(ValidationError) as caught:
        org.withdraw(D(2021, 3, 1))
    assert caught.value.field == "withdrawn_on"


def test_rejoining_before_the_previous_membership_ended_is_refused():
    org = joined(D(2021, 3, 1))
    org.withdraw(D(2022, 1, 1))
    with pytest.raises(ValidationError):
        org.join(on=D(2021, 12, 1), category=CompanyCategory.C, size=CompanySize.LARGE)


def test_only_member_companies_can_join():
    ngo = Organisation(ref="arisa", name="Arisa", kind=OrganisationKind.NGO_PARTY, country="NL")
    with pytest.raises(ConflictError):
        ngo.join(on=D(2021, 1, 1), category=CompanyCategory.C, size=CompanySize.SMALL)


def test_standing_on_a_date_says_member_withdrawn_excluded_or_not_yet_member_with_the_period():
    org = joined(D(2021, 3, 1))
    org.exclude(D(2022, 1, 1))
    org.join(on=D(2023, 5, 1), category=CompanyCategory.B, size=CompanySize.SMALL)
    org.withdraw(D(2024, 7, 1))
    assert org.standing_on(D(2021, 2, 28)) == (Standing.NOT_YET_MEMBER, None)
    standing, period = org.standing_on(D(2021, 3, 1))
    assert (standing, period.joined_on, period.category) == (Standing.MEMBER, D(2021, 3, 1), CompanyCategory.C)
    standing, period = org.standing_on(D(2022, 1, 1))  # the day of the exclusion: no longer a member
    assert (standing, period.ended_on) == (Standing.EXCLUDED, D(2022, 1, 1))
    assert org.standing_on(D(2023, 4, 30))[0] == Standing.EXCLUDED
    assert org.standing_on(D(2023, 5, 1))[0] == Standing.MEMBER
    standing, period = org.standing_on(D(2030, 1, 1))
    assert (standing, period.ended_on, period.joined_on) == (Standing.WITHDRAWN, D(2024, 7, 1), D(2023, 5, 1))


def test_a_registered_company_that_never_joined_is_not_yet_a_member():
    assert company().standing_on(D(2025, 1, 1)) == (Standing.NOT_YET_MEMBER, None)
