"""The dates of a declaration, to the day (docs/lifecycles.md, "Declarations"), on both stores.

``valid_until`` is the first day a declaration no longer counts (exclusive). A revocation takes effect
from a day that has come, or today: never a later day, so a mistyped year cannot leave the declaration
valid and then block the correction as "revoked already". A store of before may hold a revocation set
for a later day; it counts as the declaration's end in the "expiring within 30 days" selection.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from keys.access.principal import SystemPrincipal
from keys.access.visibility import DeskShare
from registry.domain.accounts import Role
from registry.domain.declarations import Declaration, DeclarationIndex, IndexEntry
from registry.domain.errors import ValidationError
from registry.usecases.declarations import DeclarationView
from registry.usecases.waiting import Asker, declarations_expiring
from tests.integration.test_declarations_usecases import (  # noqa: F401 - the fixture is used by name
    TODAY,
    entries_since,
    log_length,
    person,
    record,
    world,
)
from trustone.cli_declarations import _line


def test_a_revocation_dated_after_today_is_refused_and_the_corrected_one_is_taken(world):
    view = record(world, until=TODAY + dt.timedelta(days=365))
    secretariat = person(world, "secretariat.user")
    before = log_length(world)
    with pytest.raises(ValidationError) as refused:
        world.declarations.revoke(secretariat, view.id, dt.date(2099, 6, 2), "left the organisation")
    assert refused.value.field == "on"
    assert entries_since(world, before) == []  # checked before the grant: nothing logged, nothing saved
    assert world.declarations.get(secretariat, view.id).revoked_on is None
    corrected = world.declarations.revoke(secretariat, view.id, TODAY, "left the organisation")
    assert (corrected.status, corrected.revoked_on) == ("revoked", TODAY)
    assert not world.registry.valid_declaration("ngo.arisa", TODAY)


def test_a_revocation_on_today_or_a_past_day_is_taken(world):
    secretariat = person(world, "secretariat.user")
    today = record(world)
    past = record(world, login="ngo.actionaid", signed_on=TODAY - dt.timedelta(days=40))
    assert world.declarations.revoke(secretariat, today.id, TODAY, "left").revoked_on == TODAY
    assert world.declarations.revoke(secretariat, past.id, TODAY - dt.timedelta(days=10), "left").status == "revoked"


def _revoke_as_a_store_of_before(world, declaration_id, on: dt.date) -> None:
    """What the registry recorded before revocations were limited to today: a later day."""
    registry = world.registry
    declaration = registry.declaration(declaration_id)
    declaration._revoked(on=on, reason="leaves the organisation")  # noqa: SLF001 - the event as it was
    index = registry.declaration_index()
    index.revoke(declaration_id=declaration.id, on=on)
    registry.save(index, declaration)


def test_a_revocation_set_for_a_later_day_counts_as_the_declarations_end(world):
    ending = record(world, until=TODAY + dt.timedelta(days=200))
    _revoke_as_a_store_of_before(world, ending.id, TODAY + dt.timedelta(days=5))
    record(world, login="ngo.actionaid", until=TODAY + dt.timedelta(days=200))  # not ending soon
    expiring = world.declarations.expiring(person(world, "secretariat.user"), TODAY)
    assert [(e.id, e.days_left) for e in expiring] == [(ending.id, 5)]
    listed = world.declarations.search(person(world, "secretariat.user"), expiring_within_days=30)
    assert [view.id for view in listed] == [ending.id]
    asker = Asker(SystemPrincipal("test"), Role.SECRETARIAT, None, DeskShare.EVERY)
    desk = declarations_expiring(world.registry)(asker, TODAY)
    assert [(item.ref, item.on) for item in desk] == [("ngo.arisa", TODAY + dt.timedelta(days=5))]


def test_valid_until_is_the_first_day_it_no_longer_counts(world):
    view = record(world, until=dt.date(2025, 7, 1))
    assert world.registry.valid_declaration("ngo.arisa", dt.date(2025, 6, 30))
    assert not world.registry.valid_declaration("ngo.arisa", dt.date(2025, 7, 1))
    # Ending within 30 days of 2025-06-02 means ending on or before 2025-07-02.
    assert [e.days_left for e in world.declarations.expiring(person(world, "secretariat.user"), TODAY)] == [29]
    assert view.valid_until == dt.date(2025, 7, 1)


def test_the_command_lines_list_says_from_which_day_it_no_longer_counts():
    view = DeclarationView(
        id=uuid.UUID(int=1),
        login="ngo.arisa",
        organisation="arisa",
        document_title="Verklaring",
        document_version="2025-1",
        document_sha256="a" * 64,
        document_media_type="application/pdf",
        signed_on=dt.date(2025, 6, 1),
        valid_until=dt.date(2026, 6, 1),
        revoked_on=None,
        revocation_reason=None,
        status="valid",
    )
    line = _line(view)
    assert "signed 2025-06-01" in line
    assert "no longer counts from 2026-06-01" in line
    assert ".." not in line


@hypothesis_settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=1, max_value=90), st.none() | st.integers(min_value=0, max_value=90)),
        min_size=1,
        max_size=6,
    )
)
def test_the_index_ends_a_declaration_on_the_earlier_of_valid_until_and_its_revocation(declarations):
    """Whatever the days, "expiring within 30 days" of 2025-06-02 is exactly the declarations valid
    that day whose end (valid_until, or a revocation's day when earlier) is on or before 2025-07-02."""
    index = DeclarationIndex(entries=[])
    ends = {}
    for n, (valid_days, revoked_days) in enumerate(declarations):
        declaration = Declaration.sign(
            uuid.uuid4(), uuid.uuid4(), "T", "1", "a" * 64, dt.date(2025, 6, 1),
            dt.date(2025, 6, 2) + dt.timedelta(days=valid_days), signer_role=Role.NGO,
        )  # fmt: skip
        index.add(
            IndexEntry(declaration.id, f"user{n}", declaration.organisation_id, "org", declaration.signed_on,
                       declaration.valid_until)
        )  # fmt: skip
        end = declaration.valid_until
        if revoked_days is not None:
            revoked_on = dt.date(2025, 6, 2) + dt.timedelta(days=revoked_days)
            index.revoke(declaration_id=declaration.id, on=revoked_on)  # as a store of before may hold
            end = min(end, revoked_on)
        if end > dt.date(2025, 6, 2) and end <= dt.date(2025, 7, 2):
            ends[declaration.id] = end
    chosen = index.select(valid_on=dt.date(2025, 6, 2), expiring_by=dt.date(2025, 7, 2))
    assert {entry.declaration_id: entry.ends_on for entry in chosen} == ends
    assert [entry.ends_on for entry in chosen] == sorted(ends.values())
