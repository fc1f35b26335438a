"""Every cell of the DESIGN.md section 3 matrix, allowed and denied, at the policy level.

The expectations below are transcribed from the design brief, not derived from ``RULES``: a change
to the policy that the brief does not allow makes a cell fail here.
"""

import dataclasses
import uuid

import pytest

from keys.policy import Action, Facts, decide
from keys.principal import Principal, SystemPrincipal
from registry.domain.accounts import Role

ALWAYS, NEVER = "always", "never"
UNLESS_PARTY = "unless the secretariat is a party"  # a dispute with the secretariat: it cannot run the case
ROLES = ["secretariat", "ngo", "union", "company", "committee", "auditor", "buyer"]

# action: expectation per role, in ROLES order; a string naming a Facts field means "only when it holds".
MATRIX = {
    Action.SUBMIT_REPORT: [NEVER, NEVER, NEVER, "own_data", NEVER, NEVER, NEVER],
    Action.READ_REPORT: [ALWAYS, NEVER, NEVER, "own_data", "in_case_file", NEVER, NEVER],
    Action.READ_LINKED_LIST: [ALWAYS, "valid_declaration", NEVER, NEVER, "in_case_file", NEVER, NEVER],
    Action.READ_AGGREGATED_LIST: [ALWAYS, ALWAYS, ALWAYS, NEVER, ALWAYS, NEVER, NEVER],
    Action.REQUEST_RELEASE: [NEVER, "own_data", "own_data", NEVER, NEVER, NEVER, NEVER],
    Action.APPROVE_RELEASE: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.READ_PUBLIC: [ALWAYS] * 7,
    Action.FILE_GRIEVANCE: [NEVER, ALWAYS, ALWAYS, "is_dispute", NEVER, NEVER, NEVER],
    Action.NOTIFY_COMPANIES: [UNLESS_PARTY, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.SEE_NOTIFIED_COMPANIES: [ALWAYS, "valid_declaration", NEVER, NEVER, ALWAYS, NEVER, NEVER],
    Action.RECORD_COMMITTEE_DECISION: [NEVER, NEVER, NEVER, NEVER, ALWAYS, NEVER, NEVER],
    Action.READ_ACCESS_LOG: ["own_entries_only", "own_entries_only", "own_entries_only",
                             "about_own_data_only", NEVER, ALWAYS, NEVER],
    Action.VERIFY_MEMBER_STATUS: [ALWAYS] * 7,
    Action.ADMINISTER_KEYS: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.READ_KEY_REPORT: [ALWAYS, NEVER, NEVER, NEVER, NEVER, ALWAYS, NEVER],
    Action.ADMINISTER_USERS: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.READ_CREDENTIAL: ["own_data"] * 7,
    Action.READ_CASE: [ALWAYS, "own_data", "own_data", "own_data", "in_case_file", NEVER, NEVER],
    Action.READ_CASE_QUEUE: [ALWAYS, ALWAYS, ALWAYS, ALWAYS, ALWAYS, NEVER, NEVER],
    Action.MANAGE_CASE: [UNLESS_PARTY, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.RESPOND_TO_CASE: [NEVER, NEVER, NEVER, "own_data", NEVER, NEVER, NEVER],
    Action.REFER_TO_COMMITTEE: [UNLESS_PARTY, "own_data", "own_data", NEVER, NEVER, NEVER, NEVER],
    # DESIGN.md section 6: "shown only to the filing party and the committee"
    Action.READ_REPORTER_IDENTITY: [NEVER, "own_data", "own_data", NEVER, "in_case_file", NEVER, NEVER],
    Action.READ_EVIDENCE: [ALWAYS, "own_data", "own_data", "is_filer", "in_case_file", NEVER, NEVER],
}
ALL_FACTS = {field.name: True for field in dataclasses.fields(Facts)}
CELLS = [(action, role, expectation) for action, row in MATRIX.items() for role, expectation in zip(ROLES, row)]


def principal(role: str) -> Principal:
    return Principal(login=f"{role}-1", role=Role(role), organisation_id=uuid.uuid4(), organisation_ref=f"{role}-org")


def test_the_matrix_covers_every_action():
    assert set(MATRIX) == set(Action)


@pytest.mark.parametrize(("action", "role", "expectation"), CELLS, ids=[f"{a.value}-{r}" for a, r, _ in CELLS])
def test_each_cell_allows_exactly_what_the_brief_says(action, role, expectation):
    who = principal(role)
    if expectation == ALWAYS:
        assert decide(who, action, Facts()).allowed
    elif expectation == NEVER:
        assert not decide(who, action, Facts(**ALL_FACTS)).allowed
    elif expectation == UNLESS_PARTY:
        assert decide(who, action, Facts(**{**ALL_FACTS, "secretariat_is_party": False})).allowed
        assert not decide(who, action, Facts(secretariat_is_party=True)).allowed
    else:
        assert decide(who, action, Facts(**{expectation: True})).allowed
        assert not decide(who, action, Facts(**{**ALL_FACTS, expectation: False})).allowed


@pytest.mark.parametrize("action", list(Action))
def test_anonymous_visitors_get_only_published_data(action):
    expected = action in (Action.READ_PUBLIC, Action.VERIFY_MEMBER_STATUS)
    assert decide(None, action, Facts(**ALL_FACTS)).allowed is expected


def test_unions_never_see_the_linked_list_even_with_a_declaration():
    """Art. 6 lid 3 names NGOs only."""
    assert not decide(principal("union"), Action.READ_LINKED_LIST, Facts(valid_declaration=True)).allowed


@pytest.mark.parametrize(("system", "action", "allowed"), [
    ("projection:linked-list", Action.READ_REPORT, True),
    ("projection:linked-list", Action.NOTIFY_COMPANIES, False),
    ("authentication", Action.READ_CREDENTIAL, True),
    ("authentication", Action.READ_REPORT, False),
    ("unknown-job", Action.READ_PUBLIC, False),
    ("grievance:mailer", Action.NOTIFY_COMPANIES, True),
    ("grievance:mailer", Action.READ_REPORTER_IDENTITY, False),
    ("grievance:mailer", Action.READ_LINKED_LIST, False),
])
def test_system_principals_have_only_their_named_grants(system, action, allowed):
    assert decide(SystemPrincipal(system), action).allowed is allowed
