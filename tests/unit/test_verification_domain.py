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
from registry.domain.verification import (
    CONFIDENTIAL_EVENTS,
    LIFECYCLE,
    CheckStatus,
    CheckStep,
    FieldCheck,
    FrameShare,
    IllegalCheckStepError,
    VerificationRegister,
    VerificationRound,
)

TODAY = dt.date(2025, 3, 3)
FRAME = [["a" * 32, "IN", "quarry", "claimed"], ["b" * 32, "CN", "factory", ""]]


def a_round(**changes) -> VerificationRound:
    values = {
        "year": 2024,
        "dimensions": ["country"],
        "sample_size": 1,
        "frame": FRAME,
        "frame_digest": "d" * 64,
        "shares": [],
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
        company_tag="t" * 43,
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
    with pytest.raises(ConflictError, match="^draw the round first$"):
        verification_round.publish(on=dt.date(2025, 3, 7), by="s")
    verification_round.record_draw(
        beacon_value="7 19 23", seed="e" * 64, sample=["a" * 32], checks={"a" * 32: uuid.uuid4()}, on=TODAY, by="s"
    )
    assert verification_round.status == "drawn"
    with pytest.raises(ConflictError, match="^the round is drawn already$"):
        verification_round.check_drawable("1 2 3", dt.date(2025, 3, 8))
    verification_round.publish(on=dt.date(2025, 4, 1), by="s")
    assert (verification_round.status, verification_round.published_on) == ("published", dt.date(2025, 4, 1))
    with pytest.raises(ConflictError, match="^the round is published already$"):
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
    assert (check.status, check.answer["detail"]["report_version"]) == ("corrected", 3)


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


def test_what_is_sealed_and_under_whose_key():
    """DESIGN 8a: each company's part of the frame's token -> company map, the link and the company's
    answer (who gave it, the report version) under the company's key owner; the local partner, the
    notes and the files under the check's own key."""
    assert CONFIDENTIAL_EVENTS == {
        "FrameShare.Recorded": ("key_owner", ("members",)),
        "FieldCheck.Drawn": ("key_owner", ("link",)),
        "FieldCheck.FindingsRecorded": ("originator_id", ("partner", "notes", "attachments")),
        "FieldCheck.CorrectionAnswered": ("key_owner", ("detail",)),
    }


def test_the_findings_are_kept_as_recorded():
    check = a_check()
    check.assign(party_id=uuid.uuid4(), method="site_visit", on=TODAY, by="s")
    files = [{"filename": "groeve.jpg", "content_type": "image/jpeg", "data": "/9j/"}]
    recorded = findings("confirmed", site_exists="unclear", site_as_reported="no", notes=" Gezien. ", attachments=files)
    check.record_findings(findings=recorded, verified_tag="mark", on=dt.date(2025, 3, 4), by="ngo.user")
    assert check.findings == {
        "site_exists": "unclear",
        "site_as_reported": "no",
        "link": "confirmed",
        "checked_on": TODAY,
        "partner": "Bhilwara Mines Workers Collective",
        "notes": "Gezien.",
        "attachments": files,
        "recorded_on": dt.date(2025, 3, 4),
        "by": "ngo.user",
    }
    assert findings("unclear", notes="")["notes"] == ""


def test_the_answer_is_kept_with_who_gave_it_sealed_beside_the_explanation():
    check = a_check()
    check.assign(party_id=uuid.uuid4(), method="site_visit", on=TODAY, by="s")
    check.record_findings(findings=findings("not_confirmed"), verified_tag=None, on=TODAY, by="ngo")
    with pytest.raises(ValidationError) as refused:
        check.answer_correction(answer="corrected", explanation="   ", report_version=2, on=TODAY, by="c")
    assert refused.value.field == "explanation"
    with pytest.raises(ValidationError) as refused:
        check.answer_correction(answer="withdrawn", explanation="", report_version=2, on=TODAY, by="c")
    assert refused.value.field == "answer"
    check.answer_correction(answer="corrected", explanation="", report_version=2, on=dt.date(2025, 3, 9), by="c.user")
    assert check.answer == {
        "answer": "corrected",
        "detail": {"explanation": "", "by": "c.user", "report_version": 2},
        "on": dt.date(2025, 3, 9),
    }


@pytest.mark.parametrize(("source", "accepted"), [("abcd", False), ("abcde", True)])
def test_the_beacon_source_says_at_least_five_characters(source, accepted):
    if accepted:
        assert a_round(beacon_source=source).beacon_source == source
        return
    with pytest.raises(ValidationError) as refused:
        a_round(beacon_source=source)
    assert refused.value.field == "beacon_source"


def test_the_messages_say_what_to_do():
    verification_round = a_round()
    with pytest.raises(ConflictError) as refused:
        verification_round.check_drawable("7", dt.date(2025, 3, 6))
    assert str(refused.value) == "the beacon value is published on 2025-03-07: draw on or after it"
    with pytest.raises(ValidationError) as refused:
        a_round(beacon_on="2025-03-07")
    assert (refused.value.field, refused.value.message) == ("beacon_on", "a date (YYYY-MM-DD)")
    with pytest.raises(ValidationError) as refused:
        verification_round.check_drawable("", dt.date(2025, 3, 7))
    assert refused.value.field == "beacon_value"
    with pytest.raises(ValidationError) as refused:
        findings("confirmed", checked_on=TODAY + dt.timedelta(days=1))
    assert refused.value.message == "not after today"
    with pytest.raises(ValidationError) as refused:
        findings("confirmed", checked_on="2025-03-01")
    assert refused.value.message == "a date (YYYY-MM-DD)"
    with pytest.raises(ValidationError) as refused:
        findings("confirmed", attachments=[{}] * 6)
    assert refused.value.message == "at most 5 files"
    with pytest.raises(ValidationError) as refused:
        findings("probably")
    assert refused.value.message == "one of confirmed, not_confirmed, unclear"
    check = a_check()
    with pytest.raises(IllegalCheckStepError) as illegal:
        check.require(CheckStep.ANSWER)
    assert str(illegal.value) == f"field check {check.id} is drawn: 'answer' is not allowed; allowed next: assign"
    check.assign(party_id=uuid.uuid4(), method="site_visit", on=TODAY, by="s")
    check.record_findings(findings=findings("not_confirmed"), verified_tag=None, on=TODAY, by="ngo")
    with pytest.raises(ConflictError) as refused:
        check.answer_correction(answer="corrected", explanation="", report_version=None, on=TODAY, by="c")
    assert str(refused.value) == "submit a corrected report after 2025-03-03 first, then answer 'corrected'"
    check.answer_correction(
        answer="maintained", explanation="De levering loopt via Kota.", report_version=None, on=TODAY, by="c"
    )
    with pytest.raises(IllegalCheckStepError) as illegal:
        check.require(CheckStep.ASSIGN)
    assert str(illegal.value) == (
        f"field check {check.id} is maintained: 'assign' is not allowed; allowed next: none (the check is done)"
    )


def test_the_event_names_are_the_stored_format_and_the_sealing_maps_keys():
    """A renamed event would be stored under a topic the sealing map does not name: in clear."""
    check = a_check()
    check.assign(party_id=uuid.uuid4(), method="site_visit", on=TODAY, by="s")
    check.record_findings(findings=findings("not_confirmed"), verified_tag=None, on=TODAY, by="ngo")
    check.answer_correction(answer="corrected", explanation="x", report_version=2, on=TODAY, by="c")  # 1 character
    assert [type(e).__qualname__ for e in check.collect_events()] == [
        "FieldCheck.Drawn",
        "FieldCheck.Assigned",
        "FieldCheck.FindingsRecorded",
        "FieldCheck.CorrectionAnswered",
    ]
    verification_round = a_round()
    verification_round.record_draw(beacon_value="7", seed="e" * 64, sample=[], checks={}, on=TODAY, by="s")
    verification_round.publish(on=TODAY, by="s")
    assert [type(e).__qualname__ for e in verification_round.collect_events()] == [
        "VerificationRound.Opened",
        "VerificationRound.Drawn",
        "VerificationRound.Published",
    ]
    share = FrameShare(key_owner=uuid.uuid4(), company_tag="t" * 43, members=[["a" * 32, "company", 1, 0]])
    assert [type(e).__qualname__ for e in share.collect_events()] == ["FrameShare.Recorded"]
    assert a_round(shares=[share.id]).shares == [share.id]
    register = VerificationRegister()
    register.add(round_id=uuid.uuid4(), year=2024)
    register.mark_verified(tag="mark")
    assert [type(e).__qualname__ for e in register.collect_events()] == [
        "VerificationRegister.Opened",
        "VerificationRegister.RoundAdded",
        "VerificationRegister.LinkVerified",
    ]
    register.mark_verified(tag="mark")  # a link confirmed again is marked once
    assert register.verified == ["mark"]


def test_five_files_are_accepted_and_long_notes_are_named():
    assert len(findings("confirmed", attachments=[{"filename": "f"}] * 5)["attachments"]) == 5
    assert findings("confirmed", notes="x" * 4000)["notes"] == "x" * 4000
    with pytest.raises(ValidationError) as refused:
        findings("confirmed", notes="x" * 4001)
    assert refused.value.field == "notes"


@pytest.mark.parametrize(("length", "accepted"), [(9, False), (10, True), (4000, True), (4001, False)])
def test_a_maintained_link_is_explained_in_ten_to_four_thousand_characters(length, accepted):
    check = a_check()
    check.assign(party_id=uuid.uuid4(), method="site_visit", on=TODAY, by="s")
    check.record_findings(findings=findings("not_confirmed"), verified_tag=None, on=TODAY, by="ngo")
    answer = {"answer": "maintained", "explanation": "k" * length, "report_version": None, "on": TODAY, "by": "c"}
    if accepted:
        check.answer_correction(**answer)
        assert check.status == "maintained"
        return
    with pytest.raises(ValidationError) as refused:
        check.answer_correction(**answer)
    assert refused.value.field == "explanation"


def test_the_steps_allowed_next_are_named_as_the_api_answers_them():
    assert {status.value: LIFECYCLE.allowed(status) for status in CheckStatus} == {
        "drawn": ["assign"],
        "assigned": ["assign", "record_findings"],
        "checked": [],
        "correction_requested": ["answer"],
        "corrected": [],
        "maintained": [],
    }


@pytest.mark.parametrize(("length", "accepted"), [(300, True), (301, False)])
def test_the_local_partner_is_named_in_at_most_three_hundred_characters(length, accepted):
    if accepted:
        assert findings("confirmed", partner="p" * length)["partner"] == "p" * length
        return
    with pytest.raises(ValidationError) as refused:
        findings("confirmed", partner="p" * length)
    assert refused.value.field == "partner"


@pytest.mark.parametrize(("length", "accepted"), [(500, True), (501, False)])
def test_the_beacon_is_described_and_given_in_at_most_five_hundred_characters(length, accepted):
    verification_round = a_round(beacon_source="s" * 500)
    if accepted:
        assert a_round(beacon_source="s" * length).beacon_source == "s" * length
        assert verification_round.check_drawable("7" * length, dt.date(2025, 3, 7)) == "7" * length
        return
    with pytest.raises(ValidationError):
        a_round(beacon_source="s" * length)
    with pytest.raises(ValidationError) as refused:
        verification_round.check_drawable("7" * length, dt.date(2025, 3, 7))
    assert refused.value.field == "beacon_value"
