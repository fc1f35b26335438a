"""The lifecycle of a report about a tender (art. 7 lid 12; docs/tender-signals.md): received ->
contacted -> resolved, each step once, each with its day and who took it; any other step is a 409
naming what is allowed; bad input is a 422 naming its field."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from registry.domain.errors import ConflictError, ValidationError
from registry.domain.tender_signals import CONFIDENTIAL_EVENTS, TenderSignal

ORG = uuid.UUID("00000000-0000-4000-8000-000000000001")
DAY = dt.date(2026, 3, 2)


def reported(**changes) -> TenderSignal:
    values = {
        "organisation_id": ORG,
        "reporter_login": "demo.arisa",
        "reporter_organisation": "Arisa",
        "authority": "Gemeente Voorbeeld",
        "title": "Herinrichting Marktplein, natuursteen bestrating",
        "reference": "https://www.tenderned.nl/aankondigingen/overzicht/123456",
        "missing": "Geen eis van due diligence of ISV-clausule in het bestek.",
        "tender_date": dt.date(2026, 2, 1),
        "on": DAY,
    }
    return TenderSignal.report(**{**values, **changes})


def test_a_report_is_received_with_its_day_and_reporter():
    signal = reported()
    assert signal.status == "received"
    assert signal.received_on == DAY
    assert signal.reporter == {"login": "demo.arisa", "organisation": "Arisa"}
    assert signal.tender["authority"] == "Gemeente Voorbeeld"
    assert signal.tender["tender_date"] == "2026-02-01"
    assert signal.reporter_organisation_id == ORG


def test_contacted_then_resolved_each_with_its_day_and_who():
    signal = reported()
    signal.record_contact(note="Gebeld met de inkoper op 3 maart.", on=dt.date(2026, 3, 3), by="demo.secretariaat")
    assert signal.status == "contacted"
    assert signal.contact == {
        "on": dt.date(2026, 3, 3),
        "by": "demo.secretariaat",
        "note": "Gebeld met de inkoper op 3 maart.",
    }
    signal.resolve(outcome="De gemeente neemt de ISV op in het volgende bestek.", on=dt.date(2026, 4, 1), by="s2")
    assert signal.status == "resolved"
    assert signal.resolution == {
        "on": dt.date(2026, 4, 1),
        "by": "s2",
        "outcome": "De gemeente neemt de ISV op in het volgende bestek.",
    }


def test_resolving_before_contact_is_a_conflict_naming_the_allowed_step():
    signal = reported()
    with pytest.raises(ConflictError) as refused:
        signal.resolve(outcome="klaar", on=DAY, by="s")
    assert refused.value.allowed == ["contact"]
    assert signal.status == "received"


def test_no_step_after_resolved_and_no_second_contact():
    signal = reported()
    signal.record_contact(note="gebeld", on=DAY, by="s")
    with pytest.raises(ConflictError) as twice:
        signal.record_contact(note="nog eens", on=DAY, by="s")
    assert twice.value.allowed == ["resolve"]
    signal.resolve(outcome="opgelost", on=DAY, by="s")
    for step in (
        lambda: signal.record_contact(note="x", on=DAY, by="s"),
        lambda: signal.resolve(outcome="x", on=DAY, by="s"),
    ):
        with pytest.raises(ConflictError) as after:
            step()
        assert after.value.allowed == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("authority", ""),
        ("authority", "x" * 201),
        ("title", "   "),
        ("reference", "r" * 201),
        ("missing", "te kort"),  # fewer than 10 characters
        ("missing", "m" * 2001),
        ("tender_date", "2026-02-01"),  # a date, not text
    ],
)
def test_bad_input_names_its_field(field, value):
    with pytest.raises(ValidationError) as refused:
        reported(**{field: value})
    assert refused.value.field == field


def test_an_empty_note_or_outcome_is_refused_and_changes_nothing():
    signal = reported()
    with pytest.raises(ValidationError) as no_note:
        signal.record_contact(note=" ", on=DAY, by="s")
    assert no_note.value.field == "note"
    assert signal.status == "received"
    signal.record_contact(note="gebeld", on=DAY, by="s")
    with pytest.raises(ValidationError) as no_outcome:
        signal.resolve(outcome="", on=DAY, by="s")
    assert no_outcome.value.field == "outcome"


def test_the_tender_date_is_optional():
    assert reported(tender_date=None).tender["tender_date"] is None


def test_the_reporter_the_tender_and_the_notes_are_sealed_under_the_reporting_organisations_key():
    assert CONFIDENTIAL_EVENTS == {
        "TenderSignal.Reported": ("reporter_organisation_id", ("reporter", "tender")),
        "TenderSignal.Contacted": ("reporter_organisation_id", ("note",)),
        "TenderSignal.Resolved": ("reporter_organisation_id", ("outcome",)),
    }
