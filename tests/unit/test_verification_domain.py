"""The verification round and field check lifecycles (issue 16), from the issue's own words:
a round is opened (frame frozen), drawn once the beacon's value is public, then its figures are
published; a check is drawn, assigned through an NGO or union party, its findings recorded (a link
not confirmed asks the company for a correction), and the company answers: corrected or maintained.
Expected states are literals from that text, never read from the module."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from registry.domain.errors import ConflictError, ValidationError
from registry.domain.verification import FieldCheck, IllegalCheckStepError, VerificationRound

TODAY = dt.date(2025, 3, 3)
FRAME = [["a" * 32, "IN", "quarry", "claimed"], ["b" * 32, "CN", "factory", ""]]


def a_round(**changes) -> VerificationRound:
    values = {
        "year": 2024,
        "dimensions": ["country"],
        "sample_size": 1,
        "frame": FRAME,
        "frame_digest": "d" * 64,
        "members": [],
        "companies": 2,
        "beacon_source": "EuroJackpot, 7 maart 2025",
        "beacon_on": dt.date(2025, 3, 7),
        "on": TODAY,
        "by": "secretariaat.user",
        **changes,
    }
    return VerificationRound.open(**values)


def a_check() -> FieldCheck:
    return FieldCheck(
        round_id=uuid.uuid4(),
        year=2024,
        token="a" * 32,
        country="IN",
        site_kind="quarry",
        recipient_tag="t" * 43,
        key_owner=uuid.uuid4(),
        link={"site_id": "IN-RJ-X"},
        on=TODAY,
    )


def findings(outcome: str, **changes) -> dict:
    values = {
        "site_exists": "yes",
        "site_as_reported": "yes",
        "link": outcome,
        "checked_on": TODAY,
        "partner": "Bhilwara Mines Workers Collective",
        "notes": "",
        "attachments": [],
        "today": TODAY,
        **changes,
    }
    return FieldCheck.clean_findings(**values)


def test_a_round_goes_frozen_drawn_published():
    verification_round = a_round()
    assert verification_round.status == "frozen"
    with pytest.raises(ConflictError, match="2025-03-07"):
        verification_round.check_drawable("7 19 23", dt.date(2025, 3, 6))  # the day before the beacon
    assert verification_round.check_drawable(" 7 19 23 ", dt.date(2025, 3, 7)) == "7 19 23"
    with pytest.raises(ConflictError, match="draw the round first"):
        verification_round.publish(on=dt.date(2025, 3, 7), by="s")
    verification_round.record_draw(
        beacon_value="7 19 23", seed="e" * 64, sample=["a" * 32], checks={"a" * 32: uuid.uuid4()}, on=TODAY, by="s"
    )
    assert verification_round.status == "drawn"
    with pytest.raises(ConflictError, match="drawn already"):
        verification_round.check_drawable("1 2 3", dt.date(2025, 3, 8))
    verification_round.publish(on=dt.date(2025, 4, 1), by="s")
    assert (verification_round.status, verification_round.published_on) == ("published", dt.date(2025, 4, 1))
    with pytest.raises(ConflictError, match="published already"):
        verification_round.publish(on=dt.date(2025, 4, 2), by="s")


@pytest.mark.parametrize("beacon_on", [TODAY, TODAY - dt.timedelta(days=1)])
def test_a_beacon_already_public_when_the_frame_is_frozen_is_refused(beacon_on):
    with pytest.raises(ValidationError) as refused:
        a_round(beacon_on=beacon_on)
    assert refused.value.field == "beacon_on"


def test_an_empty_frame_is_nothing_to_sample():
    with pytest.raises(ConflictError, match="nothing to sample"):
        a_round(frame=[])


def test_a_confirmed_check_goes_drawn_assigned_checked_and_keeps_its_mark():
    check = a_check()
    assert check.status == "drawn"
    with pytest.raises(IllegalCheckStepError):
        check.record_findings(findings=findings("confirmed"), verified_tag="m", on=TODAY, by="ngo")
    check.assign(party_id=uuid.uuid4(), method="site_visit", on=TODAY, by="s")
    assert check.status == "assigned"
    check.assign(party_id=uuid.uuid4(), method="document_check", on=TODAY, by="s")  # handed to another party
    assert (check.status, check.method) == ("assigned", "document_check")
    check.record_findings(findings=findings("confirmed"), verified_tag="mark", on=TODAY, by="ngo")
    assert (check.status, check.outcome, check.verified_tag) == ("checked", "confirmed", "mark")
    for step in (
        lambda: check.assign(party_id=uuid.uuid4(), method="site_visit", on=TODAY, by="s"),
        lambda: check.answer_correction(
            answer="maintained", explanation="x" * 20, report_version=None, on=TODAY, by="c"
        ),
    ):
        with pytest.raises(IllegalCheckStepError):
            step()


@pytest.mark.parametrize("outcome", ["unclear", "not_confirmed"])
def test_only_a_confirmed_link_is_marked_verified(outcome):
    check = a_check()
    check.assign(party_id=uuid.uuid4(), method="site_visit", on=TODAY, by="s")
    check.record_findings(findings=findings(outcome), verified_tag="mark", on=TODAY, by="ngo")
    assert check.verified_tag is None
    assert check.status == {"unclear": "checked", "not_confirmed": "correction_requested"}[outcome]


def test_a_not_confirmed_link_is_corrected_only_with_a_later_report_version():
    check = a_check()
    check.assign(party_id=uuid.uuid4(), method="site_visit", on=TODAY, by="s")
    check.record_findings(findings=findings("not_confirmed"), verified_tag=None, on=TODAY, by="ngo")
    with pytest.raises(ConflictError, match="submit a corrected report after 2025-03-03"):
        check.answer_correction(answer="corrected", explanation="", report_version=None, on=TODAY, by="c")
    check.answer_correction(answer="corrected", explanation="", report_version=3, on=TODAY, by="c")
    assert (check.status, check.answer["report_version"]) == ("corrected", 3)


def test_a_maintained_link_needs_an_explanation_of_ten_characters():
    check = a_check()
    check.assign(party_id=uuid.uuid4(), method="site_visit", on=TODAY, by="s")
    check.record_findings(findings=findings("not_confirmed"), verified_tag=None, on=TODAY, by="ngo")
    with pytest.raises(ValidationError) as refused:
        check.answer_correction(answer="maintained", explanation="klopt", report_version=None, on=TODAY, by="c")
    assert refused.value.field == "explanation"
    check.answer_correction(
        answer="maintained", explanation="De levering loopt via Kota.", report_version=None, on=TODAY, by="c"
    )
    assert check.status == "maintained"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"site_exists": "maybe"}, "site_exists"),
        ({"site_as_reported": ""}, "site_as_reported"),
        ({"link": "yes"}, "link"),
        ({"checked_on": TODAY + dt.timedelta(days=1)}, "checked_on"),
        ({"checked_on": "2025-03-01"}, "checked_on"),
        ({"partner": ""}, "partner"),
        ({"attachments": [{}] * 6}, "attachments"),
    ],
)
def test_bad_findings_name_the_field(changes, field):
    with pytest.raises(ValidationError) as refused:
        findings("confirmed", **changes)
    assert refused.value.field == field


def test_a_method_other_than_a_visit_or_a_document_check_is_refused():
    with pytest.raises(ValidationError) as refused:
        a_check().assign(party_id=uuid.uuid4(), method="phone_call", on=TODAY, by="s")
    assert refused.value.field == "method"
