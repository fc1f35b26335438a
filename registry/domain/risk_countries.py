"""The list of risk countries (covenant art. 5 lid 2a), dated and versioned.

"Vooralsnog focussen partijen op risicolanden buiten de EER. Partijen kunnen de lijst van
risicolanden aanpassen." So the list starts as *every country outside the EEA*, and each change is a
new version in force from a day on, with the reason and who recorded it. A version is kept as the
countries that are *not* risk countries: the covenant's own wording ("outside the EEA") stays true
of the default whatever ISO 3166 adds later.

A report year is judged against the version in force on that year's reporting deadline
(``judged_on``), so a change recorded later never changes how an earlier year was judged: a version
takes effect from today or a later day, never from a day already past.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from eventsourcing.domain import Aggregate, event

from registry.domain.errors import ValidationError
from registry.domain.geography import validate_country
from registry.domain.organisations import FIRST_TERM_BEGAN

# The European Economic Area: the 27 EU member states, Iceland, Liechtenstein and Norway.
EEA = frozenset(
    {
        *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"),
        *("IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"),
        *("IS", "LI", "NO"),
    }
)

DEFAULT_DEADLINE = (5, 1)
"""The reporting deadline of report year Y, as (month, day) of year Y + 1. The covenant names no date
(art. 5 lid 2b: "periodiek"); TRUSTONE_REPORTING_DEADLINE sets the secretariat's (``MM-DD``)."""

_ID = uuid.UUID("8f3d2a6e-4c1b-4e7a-9b05-2d6c8e1f3a97")


def judged_on(report_year: int, deadline: tuple[int, int] = DEFAULT_DEADLINE) -> dt.date:
    """The day whose risk-country list judges ``report_year``: its reporting deadline."""
    month, day = deadline
    return dt.date(report_year + 1, month, day)


def parse_deadline(value: str) -> tuple[int, int]:
    """``MM-DD`` (e.g. ``05-01``): the reporting deadline's day in the year after the report year."""
    try:
        month, day = (int(part) for part in value.strip().split("-"))
        dt.date(2001, month, day)  # not a leap year: 02-29 would not exist every year
    except ValueError:
        raise ValidationError("reporting_deadline", "a day as MM-DD, e.g. 05-01") from None
    return month, day


@dataclass(frozen=True)
class RiskListVersion:
    """One version: every country is a risk country except ``not_risk``."""

    number: int
    in_force_from: dt.date
    not_risk: frozenset[str]
    reason: str
    by: str
    recorded_on: dt.date | None

    def is_risk(self, country: str) -> bool:
        return country.upper() not in self.not_risk


DEFAULT_VERSION = RiskListVersion(
    number=1,
    in_force_from=FIRST_TERM_BEGAN,
    not_risk=EEA,
    reason="covenant art. 5 lid 2a: for now, the risk countries are those outside the EEA",
    by="covenant",
    recorded_on=None,
)


class RiskCountryList(Aggregate):
    """The one list. Its first version is the covenant's default and has no event: a store that
    never changed the list judges every year against the countries outside the EEA."""

    @staticmethod
    def create_id() -> uuid.UUID:
        return _ID

    @event("Created")
    def __init__(self) -> None:
        self.changes: list[RiskListVersion] = []

    @property
    def versions(self) -> list[RiskListVersion]:
        return [DEFAULT_VERSION, *self.changes]

    def change(
        self,
        *,
        in_force_from: dt.date,
        become_risk: list[str],
        stop_being_risk: list[str],
        reason: str,
        by: str,
        today: dt.date,
    ) -> RiskListVersion:
        """A new version from ``in_force_from`` (today or later, and not before the last version's
        day): ``become_risk`` are added to the risk countries, ``stop_being_risk`` taken off."""
        change = check_change(self.versions, in_force_from, become_risk, stop_being_risk, reason, today)
        self._changed(
            in_force_from=change.in_force_from,
            not_risk=sorted(change.not_risk),
            reason=change.reason,
            by=by,
            recorded_on=today,
        )
        return self.changes[-1]

    @event("Changed")
    def _changed(self, in_force_from: dt.date, not_risk: list[str], reason: str, by: str, recorded_on: dt.date) -> None:
        self.changes.append(
            RiskListVersion(
                number=len(self.changes) + 2,
                in_force_from=in_force_from,
                not_risk=frozenset(not_risk),
                reason=reason,
                by=by,
                recorded_on=recorded_on,
            )
        )


def in_force_on(versions: list[RiskListVersion], day: dt.date) -> RiskListVersion:
    """The version in force on ``day``: the last one whose day has come (the default before any)."""
    found = versions[0]
    for version in versions:
        if version.in_force_from <= day:
            found = version
    return found


def check_change(
    versions: list[RiskListVersion],
    in_force_from: dt.date,
    become_risk: list[str],
    stop_being_risk: list[str],
    reason: str,
    today: dt.date,
) -> RiskListVersion:
    """The new version (numbered and recorded by the aggregate), or a ValidationError naming the field."""
    if not isinstance(in_force_from, dt.date):
        raise ValidationError("in_force_from", "a date")
    if in_force_from < today:
        raise ValidationError("in_force_from", "today or a later day: a year already judged is not judged again")
    last = versions[-1]
    if in_force_from < last.in_force_from:
        raise ValidationError(
            "in_force_from", f"on or after {last.in_force_from.isoformat()}, the day the last version took effect"
        )
    added = {validate_country(code, "become_risk") for code in become_risk}
    removed = {validate_country(code, "stop_being_risk") for code in stop_being_risk}
    if not added and not removed:
        raise ValidationError("become_risk", "name at least one country to add to or take off the list")
    if added & removed:
        raise ValidationError("stop_being_risk", "a country cannot be added and taken off at once")
    base = in_force_on(versions, in_force_from)
    already = sorted(code for code in added if base.is_risk(code))
    if already:
        raise ValidationError("become_risk", f"already a risk country: {', '.join(already)}")
    not_listed = sorted(code for code in removed if not base.is_risk(code))
    if not_listed:
        raise ValidationError("stop_being_risk", f"not a risk country: {', '.join(not_listed)}")
    text = " ".join((reason or "").split())
    if not 10 <= len(text) <= 2000:
        raise ValidationError("reason", "10-2000 characters: why the parties changed the list")
    return RiskListVersion(
        number=last.number + 1,
        in_force_from=in_force_from,
        not_risk=frozenset((base.not_risk - added) | removed),
        reason=text,
        by="",
        recorded_on=today,
    )
