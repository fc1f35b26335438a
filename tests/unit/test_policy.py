"""Every cell of docs/access.md matrix, allowed and denied, at the policy level.

The expectations below are transcribed from the design brief, not derived from ``RULES``: a change
to the policy that the brief does not allow makes a cell fail here.
"""

import dataclasses
import itertools
import uuid

import pytest

from keys.access import policy
from keys.access.policy import Action, Facts, decide
from keys.access.principal import Principal, SystemPrincipal
from registry.domain.accounts import Role

ALWAYS, NEVER = "always", "never"
UNLESS_PARTY = "unless the secretariat is a party"  # a dispute with the secretariat: it cannot run the case
ROLES = ["secretariat", "ngo", "union", "company", "committee", "auditor", "buyer"]

# action: expectation per role, in ROLES order; a string naming a Facts field means "only when it holds",
# a tuple of them "only when all hold".
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
    # case-scoped (issue 11): the committee for a case before it; an NGO for a case it filed, declared
    Action.SEE_NOTIFIED_COMPANIES: [
        ALWAYS,
        ("is_filer", "valid_declaration"),
        NEVER,
        NEVER,
        "in_case_file",
        NEVER,
        NEVER,
    ],
    Action.RECORD_COMMITTEE_DECISION: [NEVER, NEVER, NEVER, NEVER, ALWAYS, NEVER, NEVER],
    Action.READ_ACCESS_LOG: [
        "own_entries_only",
        "own_entries_only",
        "own_entries_only",
        "about_own_data_only",
        NEVER,
        ALWAYS,
        NEVER,
    ],
    Action.VERIFY_MEMBER_STATUS: [ALWAYS] * 7,
    Action.ADMINISTER_KEYS: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.READ_KEY_REPORT: [ALWAYS, NEVER, NEVER, NEVER, NEVER, ALWAYS, NEVER],
    # the secretariat administers the logins of the parties it serves, not its own, the auditor's or
    # the committee's: those would let it read the whole access log or rule on cases (issue 13 review)
    Action.ADMINISTER_USERS: ["in_remit", NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.READ_CREDENTIAL: ["own_data"] * 7,
    Action.READ_CASE: [ALWAYS, "own_data", "own_data", "own_data", "in_case_file", NEVER, NEVER],
    Action.READ_CASE_QUEUE: [ALWAYS, ALWAYS, ALWAYS, ALWAYS, ALWAYS, NEVER, NEVER],
    Action.MANAGE_CASE: [UNLESS_PARTY, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.RESPOND_TO_CASE: [NEVER, NEVER, NEVER, "own_data", NEVER, NEVER, NEVER],
    Action.REFER_TO_COMMITTEE: [UNLESS_PARTY, "own_data", "own_data", NEVER, NEVER, NEVER, NEVER],
    # docs/lifecycles.md: "shown only to the filing party and the committee"
    Action.READ_REPORTER_IDENTITY: [NEVER, "own_data", "own_data", NEVER, "in_case_file", NEVER, NEVER],
    Action.READ_EVIDENCE: [ALWAYS, "own_data", "own_data", "is_filer", "in_case_file", NEVER, NEVER],
    # the secretariat's duties (issue 13): the secretariat's own work, with two "own" cells
    Action.MANAGE_ORGANISATIONS: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.READ_ORGANISATIONS: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.MANAGE_DECLARATIONS: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.READ_DECLARATIONS: [ALWAYS, "own_data", NEVER, NEVER, NEVER, NEVER, NEVER],  # an NGO: its own
    Action.READ_ASSESSMENT_QUEUE: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.ASSESS_REPORT: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.EXPLAIN_DELAY: [ALWAYS, NEVER, NEVER, "own_data", NEVER, NEVER, NEVER],  # a company: its own report
    Action.READ_DUPLICATE_QUEUE: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.DECIDE_DUPLICATE: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.PUBLISH_LIST: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.READ_WAITING: [ALWAYS] * 7,  # each role its own desk
    # public buyers (issue 15): a buyer asks about any member (art. 6 lid 1), a company hands its own
    # statement to a buyer (snelgids box 5), the secretariat advises; no party, committee or auditor
    Action.ISSUE_STATEMENT: [ALWAYS, NEVER, NEVER, "own_data", NEVER, NEVER, ALWAYS],
    # art. 7 lid 7: each member government reports its own tenders to the secretariat
    Action.RECORD_TENDER: [NEVER, NEVER, NEVER, NEVER, NEVER, NEVER, "own_data"],
    Action.READ_TENDER_REGISTER: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, "own_data"],
    Action.PUBLISH_TENDER_REPORT: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],  # art. 7 lid 14
    # art. 7 lid 12: anyone logged in reports a tender to the secretariat, and follows its own reports
    Action.REPORT_TENDER: [ALWAYS] * 7,
    Action.READ_TENDER_SIGNALS: [ALWAYS] + ["own_data"] * 6,
    Action.TRACK_TENDER_SIGNALS: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    # issue 16: "steekproefsgewijze verificatie" is the secretariat's, with the NGO and union parties'
    # local partners; a party reads and records only the checks assigned to it, a company its own links;
    # the auditor redraws a round (and reads, not runs, the retention schedule: DESIGN section 3)
    Action.MANAGE_VERIFICATION: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.READ_VERIFICATION_ROUND: [ALWAYS, NEVER, NEVER, NEVER, NEVER, ALWAYS, NEVER],
    Action.READ_FIELD_CHECKS: [ALWAYS, "own_data", "own_data", "own_data", NEVER, NEVER, NEVER],
    Action.RECORD_FIELD_CHECK: [NEVER, "own_data", "own_data", NEVER, NEVER, NEVER, NEVER],
    Action.ANSWER_CORRECTION: [NEVER, NEVER, NEVER, "own_data", NEVER, NEVER, NEVER],
    Action.MANAGE_RETENTION: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.READ_RETENTION: [ALWAYS, NEVER, NEVER, NEVER, NEVER, ALWAYS, NEVER],
    # issue 17: bijlage 4's contributions are invoiced by the secretariat; a chain count is
    # competition-sensitive, so a company reads its own statement and no other role any
    Action.MANAGE_CONTRIBUTIONS: [ALWAYS, NEVER, NEVER, NEVER, NEVER, NEVER, NEVER],
    Action.READ_CONTRIBUTIONS: [ALWAYS, NEVER, NEVER, "own_data", NEVER, NEVER, NEVER],
}
ALL_FACTS = {field.name: True for field in dataclasses.fields(Facts)}
CELLS = [(action, role, expectation) for action, row in MATRIX.items() for role, expectation in zip(ROLES, row)]


def principal(role: str) -> Principal:
    return Principal(login=f"{role}-1", role=Role(role), organisation_id=uuid.uuid4(), organisation_ref=f"{role}-org")


def test_the_matrix_covers_every_action():
    assert set(MATRIX) == set(Action)


FACT_NAMES = [field.name for field in dataclasses.fields(Facts)]
# every combination of the request's facts, each true and false: 2**9 requests per cell
EVERY_FACTS = [
    Facts(**dict(zip(FACT_NAMES, bits))) for bits in itertools.product([False, True], repeat=len(FACT_NAMES))
]


def expected(expectation: str, facts: Facts) -> bool:
    if expectation == ALWAYS:
        return True
    if expectation == NEVER:
        return False
    if expectation == UNLESS_PARTY:
        return not facts.secretariat_is_party
    if isinstance(expectation, tuple):
        return all(getattr(facts, fact) for fact in expectation)
    return getattr(facts, expectation)


@pytest.mark.parametrize(("action", "role", "expectation"), CELLS, ids=[f"{a.value}-{r}" for a, r, _ in CELLS])
def test_each_cell_allows_exactly_what_the_brief_says(action, role, expectation):
    """Allowed iff the brief's condition holds, for every combination of facts (the other facts never matter)."""
    who = principal(role)
    wrong = [facts for facts in EVERY_FACTS if decide(who, action, facts).allowed is not expected(expectation, facts)]
    assert not wrong, f"{action.value} by {role}: wrong for {wrong[0]}"


@pytest.mark.parametrize("action", list(Action))
def test_anonymous_visitors_get_only_published_data(action):
    allowed = action.value in ("read_public", "verify_member_status")
    for facts in (Facts(), Facts(**ALL_FACTS)):
        assert decide(None, action, facts).allowed is allowed


def test_unions_never_see_the_linked_list_even_with_a_declaration():
    """Art. 6 lid 3 names NGOs only."""
    assert not decide(principal("union"), Action.READ_LINKED_LIST, Facts(valid_declaration=True)).allowed


# Background readers (docs/design-notes.md, "System readers"): the principal's family (the part of
# its name before ":") -> the actions it is granted. Every other family, and every other action, is denied.
SYSTEM_GRANTS = {
    "projection": {"read_report", "read_linked_list"},  # the lists are built from the reports
    "authentication": {"read_credential"},  # the login check reads a login's own second factor
    "registry": {"read_report"},
    "grievance": {"notify_companies", "read_case"},  # mailer, reminders, withdrawal check
    # the operator's CLI (keys, and the retention schedule's erasure by destroying keys: issue 16)
    "keys-admin": {"administer_keys", "read_key_report", "manage_retention", "read_retention"},
    # the secretariat's duties from the command line (issue 13): not the cases, keys or any list
    "secretariat-cli": {
        "manage_organisations",
        "read_organisations",
        "manage_declarations",
        "read_declarations",
        "read_assessment_queue",
        "assess_report",
        "explain_delay",
        "read_duplicate_queue",
        "decide_duplicate",
        "publish_list",
        "read_waiting",
    },
    "accounts-cli": {"administer_users"},  # the installation's operator: every role's logins
    "import-cli": {"submit_report"},  # `trustone import-report`: an operator submits a company's file
}


@pytest.mark.parametrize("family", [*SYSTEM_GRANTS, "unknown-job", "secretariat", ""])
@pytest.mark.parametrize("suffix", ["", ":some-name"])
def test_system_principals_have_only_their_named_grants(family, suffix):
    who = SystemPrincipal(family + suffix)
    granted = {action.value for action in Action if decide(who, action, Facts(**ALL_FACTS)).allowed}
    assert granted == SYSTEM_GRANTS.get(family, set())
    for action in SYSTEM_GRANTS.get(family, set()):
        assert decide(who, Action(action), Facts()).allowed


# What a refusal says is missing (issue 10 item 10), per conditional cell: the condition's text,
# written out. A role not in a row, and an allowed request, carry no such text.
MISSING = {
    ("submit_report", "company"): "not your organisation's report",
    ("read_report", "company"): "not your organisation's report",
    ("read_report", "committee"): "only a case file before the committee",
    (
        "read_linked_list",
        "ngo",
    ): "an NGO party needs a valid signed confidentiality declaration to read the linked list",
    ("read_linked_list", "committee"): "only a case file before the committee",
    ("request_release", "ngo"): "not your organisation's data-access request",
    ("request_release", "union"): "not your organisation's data-access request",
    ("file_grievance", "company"): "companies may file disputes only",
    ("notify_companies", "secretariat"): "the secretariat is a party to this dispute",
    ("see_notified_companies", "ngo"): "an NGO party sees which companies were notified of a case it filed only, "
    "with a valid signed confidentiality declaration",
    ("see_notified_companies", "committee"): "only a case file before the committee",
    ("read_access_log", "secretariat"): "only your own entries of the access log",
    ("read_access_log", "ngo"): "only your own entries of the access log",
    ("read_access_log", "union"): "only your own entries of the access log",
    ("read_access_log", "company"): "only the access-log entries about your organisation's data",
    ("read_credential", "secretariat"): "not your organisation's login",
    ("read_credential", "ngo"): "not your organisation's login",
    ("read_credential", "union"): "not your organisation's login",
    ("read_credential", "company"): "not your organisation's login",
    ("read_credential", "committee"): "not your organisation's login",
    ("read_credential", "auditor"): "not your organisation's login",
    ("read_credential", "buyer"): "not your organisation's login",
    ("read_case", "ngo"): "not your organisation's case",
    ("read_case", "union"): "not your organisation's case",
    ("read_case", "company"): "not your organisation's case",
    ("read_case", "committee"): "only a case file before the committee",
    ("manage_case", "secretariat"): "the secretariat is a party to this dispute",
    ("respond_to_case", "company"): "not your organisation's case",
    ("refer_to_committee", "secretariat"): "the secretariat is a party to this dispute",
    ("refer_to_committee", "ngo"): "not your organisation's case",
    ("refer_to_committee", "union"): "not your organisation's case",
    ("read_reporter_identity", "ngo"): "not your organisation's case",
    ("read_reporter_identity", "union"): "not your organisation's case",
    ("read_reporter_identity", "committee"): "only a case file before the committee",
    ("read_evidence", "ngo"): "not your organisation's case",
    ("read_evidence", "union"): "not your organisation's case",
    ("read_declarations", "ngo"): "not your organisation's declaration",
    ("administer_users", "secretariat"): "the secretariat administers the logins of member companies, NGO and "
    "union parties and public buyers only",
    ("explain_delay", "company"): "not your organisation's report",
    ("read_evidence", "company"): "a company reads the evidence of its own dispute only",
    ("read_evidence", "committee"): "only a case file before the committee",
    ("issue_statement", "company"): "a company asks for evidence statements about itself only",
    ("record_tender", "buyer"): "not your organisation's tender register",
    ("read_tender_register", "buyer"): "not your organisation's tender register",
    ("read_field_checks", "ngo"): "not your organisation's field check",
    ("read_field_checks", "union"): "not your organisation's field check",
    ("read_field_checks", "company"): "not your organisation's field check",
    ("record_field_check", "ngo"): "not your organisation's field check",
    ("record_field_check", "union"): "not your organisation's field check",
    ("answer_correction", "company"): "not your organisation's field check",
    ("read_contributions", "company"): "not your organisation's contribution statement",
    **{
        ("read_tender_signals", role): "not your organisation's report about a tender"
        for role in ("ngo", "union", "company", "committee", "auditor", "buyer")
    },
}


@pytest.mark.parametrize(("action", "role"), list(MISSING), ids=[f"{a}-{r}" for a, r in MISSING])
def test_a_refused_condition_says_what_is_missing(action, role):
    refused = Facts(secretariat_is_party=True)  # every other fact false
    decision = decide(principal(role), Action(action), refused)
    assert not decision.allowed and decision.missing == MISSING[(action, role)]


def test_the_conditional_cells_are_those_of_the_matrix():
    conditional = {(a.value, r) for a, r, e in CELLS if e not in (ALWAYS, NEVER)}
    assert set(MISSING) == conditional


@pytest.mark.parametrize(
    ("action", "role"), [("read_linked_list", "union"), ("approve_release", "ngo"), ("read_case", "buyer")]
)
def test_a_role_outside_the_row_is_refused_without_a_missing_text(action, role):
    decision = decide(principal(role), Action(action), Facts())
    assert not decision.allowed and decision.missing == ""


def test_an_allowed_request_has_nothing_missing():
    assert decide(principal("secretariat"), Action.READ_REPORT, Facts()).missing == ""


def test_the_action_names_are_the_access_logs():
    """The action's value is what the access log records: a renamed action breaks every old entry's meaning."""
    assert {action.value for action in Action} == {
        "submit_report",
        "read_report",
        "read_linked_list",
        "read_aggregated_list",
        "request_release",
        "approve_release",
        "read_public",
        "file_grievance",
        "notify_companies",
        "see_notified_companies",
        "record_committee_decision",
        "read_access_log",
        "verify_member_status",
        "administer_keys",
        "read_key_report",
        "administer_users",
        "read_credential",
        "read_case",
        "read_case_queue",
        "manage_case",
        "respond_to_case",
        "refer_to_committee",
        "read_reporter_identity",
        "read_evidence",
        "manage_organisations",
        "read_organisations",
        "manage_declarations",
        "read_declarations",
        "read_assessment_queue",
        "assess_report",
        "explain_delay",
        "read_duplicate_queue",
        "decide_duplicate",
        "publish_list",
        "read_waiting",
        "issue_statement",
        "record_tender",
        "read_tender_register",
        "publish_tender_report",
        "report_tender",
        "read_tender_signals",
        "track_tender_signals",
        "manage_verification",
        "read_verification_round",
        "read_field_checks",
        "record_field_check",
        "answer_correction",
        "manage_retention",
        "read_retention",
        "manage_contributions",
        "read_contributions",
    }


def test_every_fact_defaults_to_false():
    assert Facts() == Facts(**{name: False for name in FACT_NAMES})


def test_facts_decisions_and_rules_cannot_be_changed_once_made():
    decision = decide(principal("company"), Action.READ_REPORT, Facts())
    rule = policy.RULES[Action.READ_REPORT][Role.COMPANY]
    for thing, field in ((Facts(), "own_data"), (decision, "allowed"), (rule, "requires")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(thing, field, True)
