"""What a role sees of a grievance case and which cases are on its desk (keys/access/visibility.py),
checked against the documents' own words: docs/access.md, "Grievance cases in finer detail", and
docs/lifecycles.md, "Who files, and what is kept secret". Expected values are literals from there."""

from __future__ import annotations

import pytest

from keys.access.policy import RULES, Action, Facts
from keys.access.visibility import (
    CASE_QUEUE_SCOPE,
    CasePart,
    CaseStanding,
    QueueScope,
    case_parts,
    may_be_addressed,
    queue_scope,
)
from registry.domain.accounts import Role

NOBODY: frozenset[CaseStanding] = frozenset()
FILER = frozenset({CaseStanding.FILER})
ADDRESSED = frozenset({CaseStanding.ADDRESSED})


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.COMMITTEE])
def test_the_secretariat_and_the_committee_read_the_file_and_every_part_of_a_ruling(role):
    # access.md: "the file: stage, sites, allegation, messages, not the reporter";
    # "the committee and the secretariat read every part" (of a ruling)
    assert case_parts(role, NOBODY) == {
        CasePart.DESCRIPTION,
        CasePart.STAGE_REASONS,
        CasePart.MESSAGES,
        CasePart.RULING,
        CasePart.RULING_PARTS,
    }


@pytest.mark.parametrize("role", [Role.NGO, Role.UNION])
def test_a_filing_party_reads_its_own_filing_and_the_general_text_of_a_ruling(role):
    # access.md: "the filer reads the general text"; design notes: "the filer its own filing and the stages"
    assert case_parts(role, FILER) == {CasePart.DESCRIPTION, CasePart.RULING}
    assert case_parts(role, NOBODY) == set()


def test_a_notified_company_reads_its_own_notice_its_own_messages_and_its_own_part():
    # access.md: "A notified company or a party reads the general text and its own part"
    assert case_parts(Role.COMPANY, ADDRESSED) == {
        CasePart.OWN_NOTICE,
        CasePart.OWN_MESSAGES,
        CasePart.RULING,
        CasePart.OWN_RULING_PART,
    }


def test_a_company_that_filed_a_dispute_reads_its_filing_and_its_own_part_of_the_ruling():
    assert case_parts(Role.COMPANY, FILER) == {CasePart.DESCRIPTION, CasePart.RULING, CasePart.OWN_RULING_PART}
    assert case_parts(Role.COMPANY, FILER | ADDRESSED) == case_parts(Role.COMPANY, FILER)  # the filer comes first
    assert case_parts(Role.COMPANY, NOBODY) == set()


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.BUYER])
def test_the_auditor_and_a_public_buyer_see_nothing_of_a_case_file(role):
    assert case_parts(role, FILER | ADDRESSED) == set()


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("standings", [NOBODY, FILER, ADDRESSED, FILER | ADDRESSED])
def test_nobody_reads_another_companys_notice_or_messages_without_reading_the_whole_file(role, standings):
    parts = case_parts(role, standings)
    if CasePart.MESSAGES in parts or CasePart.RULING_PARTS in parts:
        assert role in (Role.SECRETARIAT, Role.COMMITTEE)


def test_the_reporters_identity_is_no_part_of_a_case_read():
    # lifecycles.md: "Only the filing party and the committee can read them" -- a read of its own;
    # access.md: "never the secretariat, never a company"
    assert {part.value for part in CasePart} == {
        "description",
        "stage reasons",
        "messages",
        "own notice",
        "own messages",
        "ruling",
        "ruling parts",
        "own ruling part",
    }
    reporter = RULES[Action.READ_REPORTER_IDENTITY]
    assert Role.SECRETARIAT not in reporter
    assert Role.COMPANY not in reporter
    assert not reporter[Role.NGO](Facts()) and reporter[Role.NGO](Facts(own_data=True))
    assert reporter[Role.COMMITTEE](Facts(in_case_file=True))


def test_only_a_company_is_ever_addressed_by_a_case():
    # lifecycles.md: "Each company found gets a notice of its own"; disputes are against companies
    assert [role for role in Role if may_be_addressed(role)] == [Role.COMPANY]


def test_each_role_has_its_desk():
    # access.md: read_case_queue "secretariat, NGO, union, company, committee"
    assert dict(CASE_QUEUE_SCOPE) == {
        Role.SECRETARIAT: QueueScope.EVERY_CASE,
        Role.COMMITTEE: QueueScope.BEFORE_COMMITTEE,
        Role.NGO: QueueScope.FILED,
        Role.UNION: QueueScope.FILED,
        Role.COMPANY: QueueScope.FILED_NOTIFIED_OR_PARTY,
        Role.AUDITOR: QueueScope.NONE,
        Role.BUYER: QueueScope.NONE,
    }


def test_a_desk_matches_the_policys_queue_row():
    queue_readers = {role for role in Role if QueueScope.NONE != queue_scope(role)}
    assert queue_readers == set(RULES[Action.READ_CASE_QUEUE])


def test_anything_that_is_not_a_role_has_no_desk():
    assert queue_scope("janitor") is QueueScope.NONE
    assert queue_scope("company") is QueueScope.FILED_NOTIFIED_OR_PARTY
