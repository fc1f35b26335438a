"""The access policy: the one place that decides who may do what (docs/access.md).

Every cell of the matrix is a row of ``RULES``: action -> role -> rule. A rule is ``ALLOW``,
``DENY`` or a condition on the ``Facts`` of the request (whose data it is, whether a signed
declaration is valid, whether the subject is in a case file...). Facts are gathered by the caller;
the decision is made here and nowhere else. Anything not listed is denied.

Each condition carries the text of what it requires, so a refusal can say what is missing
(``Decision.missing``, shown to the caller): "an NGO party needs a valid signed confidentiality
declaration to read the linked list", rather than one text for everything. The texts name the
requirement only, never a value of the request (no company, site or case). A role that is not in a
row at all is told "not allowed for your role".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from keys.access.principal import Principal, SystemPrincipal
from registry.domain.accounts import Role


class Action(StrEnum):
    SUBMIT_REPORT = "submit_report"
    READ_REPORT = "read_report"
    READ_LINKED_LIST = "read_linked_list"
    READ_AGGREGATED_LIST = "read_aggregated_list"
    REQUEST_RELEASE = "request_release"
    APPROVE_RELEASE = "approve_release"
    READ_PUBLIC = "read_public"
    FILE_GRIEVANCE = "file_grievance"
    NOTIFY_COMPANIES = "notify_companies"
    SEE_NOTIFIED_COMPANIES = "see_notified_companies"
    RECORD_COMMITTEE_DECISION = "record_committee_decision"
    READ_ACCESS_LOG = "read_access_log"
    VERIFY_MEMBER_STATUS = "verify_member_status"
    ADMINISTER_KEYS = "administer_keys"
    READ_KEY_REPORT = "read_key_report"
    ADMINISTER_USERS = "administer_users"
    READ_CREDENTIAL = "read_credential"  # a login's own second-factor secret, for the login check
    # grievance cases (docs/lifecycles.md): refinements of the matrix's grievance rows
    READ_CASE = "read_case"  # a case's file: stage, sites, allegation, messages (not the reporter)
    READ_CASE_QUEUE = "read_case_queue"  # the cases on one's own desk, with deadlines
    MANAGE_CASE = "manage_case"  # the secretariat's steps: acknowledge, match, remediation, resolve, close
    RESPOND_TO_CASE = "respond_to_case"  # a notified company: response, remediation, progress
    REFER_TO_COMMITTEE = "refer_to_committee"
    READ_REPORTER_IDENTITY = "read_reporter_identity"  # the local partner's identity and contact
    READ_EVIDENCE = "read_evidence"
    # the secretariat's duties (issue 13; docs/access.md, "The secretariat's duties")
    MANAGE_ORGANISATIONS = "manage_organisations"  # register, join, withdraw, exclude, contact address
    READ_ORGANISATIONS = "read_organisations"  # the register of organisations: list and look up
    MANAGE_DECLARATIONS = "manage_declarations"  # record and revoke a signed confidentiality declaration
    READ_DECLARATIONS = "read_declarations"  # the declarations on record (an NGO party: its own)
    READ_ASSESSMENT_QUEUE = "read_assessment_queue"  # submitted reports awaiting assessment
    ASSESS_REPORT = "assess_report"  # the due-diligence score in, the level out
    EXPLAIN_DELAY = "explain_delay"  # a late report's explanation
    READ_DUPLICATE_QUEUE = "read_duplicate_queue"  # held sites with their candidate, side by side
    DECIDE_DUPLICATE = "decide_duplicate"  # same site or a distinct one
    PUBLISH_LIST = "publish_list"  # preview and freeze a year's quarry-region list
    READ_WAITING = "read_waiting"  # the "waiting for me" summary: one's own queues
    # public buyers (issue 15; docs/tenders.md)
    ISSUE_STATEMENT = "issue_statement"  # a signed evidence statement about a company on a date
    RECORD_TENDER = "record_tender"  # a member government's own tender register (art. 7 lid 7)
    READ_TENDER_REGISTER = "read_tender_register"
    PUBLISH_TENDER_REPORT = "publish_tender_report"  # the aggregated public report (art. 7 lid 14)
    REPORT_TENDER = "report_tender"  # a tender that ignores due diligence (art. 7 lid 12)
    READ_TENDER_SIGNALS = "read_tender_signals"  # reports about tenders: the secretariat all, others their own
    TRACK_TENDER_SIGNALS = "track_tender_signals"  # received -> contacted -> resolved
    # sample verification of reported links with local partners (issue 16; docs/verification.md)
    MANAGE_VERIFICATION = "manage_verification"  # open a round, draw, assign checks, publish statistics
    READ_VERIFICATION_ROUND = "read_verification_round"  # the frozen frame and the draw, to redraw it
    READ_FIELD_CHECKS = "read_field_checks"  # the secretariat all; a party those assigned to it; a company its own
    RECORD_FIELD_CHECK = "record_field_check"  # a party records a local partner's findings on its check
    ANSWER_CORRECTION = "answer_correction"  # a company answers a correction request on its own report
    # the retention schedule (issue 16; docs/retention.md)
    MANAGE_RETENTION = "manage_retention"  # extend a record's period with a reason, run the erasure
    READ_RETENTION = "read_retention"  # the schedule, what expires when, the erasure records
    # regimes and yearly contributions (issue 17; docs/contributions.md)
    MANAGE_CONTRIBUTIONS = "manage_contributions"  # the risk-country list, a company's basis, prepare statements
    READ_CONTRIBUTIONS = "read_contributions"  # contribution statements: the secretariat all, a company its own


@dataclass(frozen=True)
class Facts:
    """What the caller established about this request; every fact defaults to the safe side."""

    own_data: bool = False  # the subject is the principal's own organisation's data
    valid_declaration: bool = False  # the principal has a valid signed confidentiality declaration
    in_case_file: bool = False  # the subject is part of a case file before the committee
    is_dispute: bool = False  # a company files a dispute (not a complaint about a site)
    own_entries_only: bool = False  # an access-log read limited to the principal's own entries
    about_own_data_only: bool = False  # an access-log read limited to entries about own data
    secretariat_is_party: bool = False  # a dispute between a company and the secretariat
    is_filer: bool = False  # the principal's organisation filed the case (own_data also covers notified companies)
    in_remit: bool = False  # a login of a role the administrator may administer (keys/access/visibility.py)


Rule = Callable[[Facts], bool]
ALLOW: Rule = lambda facts: True  # noqa: E731, ARG005
DENY: Rule = lambda facts: False  # noqa: E731, ARG005


@dataclass(frozen=True)
class Condition:
    """A rule that holds on some facts, with the text of what it requires when it does not.

    The text says what is missing in words that leak nothing (no company, site or case). Where it
    depends on the action, ``requires`` has one ``{}`` and ``words`` gives each action's filling."""

    test: Callable[[Facts], bool]
    requires: str
    words: dict[Action, str] | None = None

    def __call__(self, facts: Facts) -> bool:
        return self.test(facts)

    def missing(self, action: Action) -> str:
        return self.requires.format(self.words[action]) if self.words is not None else self.requires


def _when(condition: Callable[[Facts], bool], requires: str, words: dict[Action, str] | None = None) -> Rule:
    return Condition(condition, requires, words)


# What "own" is about, per action that has an "own only" cell.
OWN_SUBJECT = {
    Action.SUBMIT_REPORT: "report",
    Action.READ_REPORT: "report",
    Action.REQUEST_RELEASE: "data-access request",
    Action.READ_CREDENTIAL: "login",
    Action.EXPLAIN_DELAY: "report",
    Action.READ_DECLARATIONS: "declaration",
    Action.READ_CASE: "case",
    Action.RESPOND_TO_CASE: "case",
    Action.REFER_TO_COMMITTEE: "case",
    Action.READ_REPORTER_IDENTITY: "case",
    Action.READ_EVIDENCE: "case",
    Action.RECORD_TENDER: "tender register",
    Action.READ_TENDER_REGISTER: "tender register",
    Action.READ_TENDER_SIGNALS: "report about a tender",
    Action.READ_FIELD_CHECKS: "field check",
    Action.RECORD_FIELD_CHECK: "field check",
    Action.ANSWER_CORRECTION: "field check",
    Action.READ_CONTRIBUTIONS: "contribution statement",
}
# What a valid declaration unlocks, per action that needs one.
DECLARED_FOR = {Action.READ_LINKED_LIST: "read the linked list"}

OWN = _when(lambda f: f.own_data, "not your organisation's {}", OWN_SUBJECT)
DECLARED = _when(
    lambda f: f.valid_declaration, "an NGO party needs a valid signed confidentiality declaration to {}", DECLARED_FOR
)
CASE_FILE = _when(lambda f: f.in_case_file, "only a case file before the committee")
DISPUTE = _when(lambda f: f.is_dispute, "companies may file disputes only")
OWN_ENTRIES = _when(lambda f: f.own_entries_only, "only your own entries of the access log")
ABOUT_OWN_DATA = _when(lambda f: f.about_own_data_only, "only the access-log entries about your organisation's data")
FILER = _when(lambda f: f.is_filer, "a company reads the evidence of its own dispute only")
# Which companies were notified is the linked list's answer for one case's sites: an NGO party with
# linked-list rights sees it for the cases it filed, not for every case (issue 11).
FILER_DECLARED = _when(
    lambda f: f.is_filer and f.valid_declaration,
    "an NGO party sees which companies were notified of a case it filed only, "
    "with a valid signed confidentiality declaration",
)
# Who administers whose logins (keys/access/visibility.py, ACCOUNT_REMIT): the secretariat those of the
# parties it serves; the secretariat's own, the auditor's and the committee's are the installation's.
REMIT = _when(
    lambda f: f.in_remit,
    "the secretariat administers the logins of member companies, NGO and union parties and public buyers only",
)
# a company hands its own statement to a buyer (snelgids box 5); about another company it asks nothing
ITSELF = _when(lambda f: f.own_data, "a company asks for evidence statements about itself only")
# a party to a dispute cannot run its case
NOT_A_PARTY = _when(lambda f: not f.secretariat_is_party, "the secretariat is a party to this dispute")

S, N, U, C, K, A, B = (Role.SECRETARIAT, Role.NGO, Role.UNION, Role.COMPANY, Role.COMMITTEE, Role.AUDITOR, Role.BUYER)
EVERY_ROLE = {role: ALLOW for role in Role}

# action -> role -> rule. Roles left out of a row are denied.
RULES: dict[Action, dict[Role, Rule]] = {
    Action.SUBMIT_REPORT: {C: OWN},
    Action.READ_REPORT: {S: ALLOW, C: OWN, K: CASE_FILE},
    Action.READ_LINKED_LIST: {S: ALLOW, N: DECLARED, K: CASE_FILE},  # art. 6 lid 3: NGOs, not unions
    Action.READ_AGGREGATED_LIST: {S: ALLOW, N: ALLOW, U: ALLOW, K: ALLOW},
    Action.REQUEST_RELEASE: {N: OWN, U: OWN},  # a new request is own; then the requesting party's only
    Action.APPROVE_RELEASE: {S: ALLOW},
    Action.READ_PUBLIC: EVERY_ROLE,
    Action.FILE_GRIEVANCE: {N: ALLOW, U: ALLOW, C: DISPUTE},
    Action.NOTIFY_COMPANIES: {S: NOT_A_PARTY},
    Action.SEE_NOTIFIED_COMPANIES: {S: ALLOW, K: CASE_FILE, N: FILER_DECLARED},  # case-scoped
    Action.RECORD_COMMITTEE_DECISION: {K: ALLOW},
    Action.READ_ACCESS_LOG: {S: OWN_ENTRIES, N: OWN_ENTRIES, U: OWN_ENTRIES, C: ABOUT_OWN_DATA, A: ALLOW},
    Action.VERIFY_MEMBER_STATUS: EVERY_ROLE,
    Action.ADMINISTER_KEYS: {S: ALLOW},
    Action.READ_KEY_REPORT: {S: ALLOW, A: ALLOW},
    Action.ADMINISTER_USERS: {S: REMIT},
    Action.READ_CREDENTIAL: {role: OWN for role in Role},
    # "own" for a case: the filing party, or a company that was notified or is a party to it
    Action.READ_CASE: {S: ALLOW, N: OWN, U: OWN, C: OWN, K: CASE_FILE},
    Action.READ_CASE_QUEUE: {S: ALLOW, N: ALLOW, U: ALLOW, C: ALLOW, K: ALLOW},
    Action.MANAGE_CASE: {S: NOT_A_PARTY},
    Action.RESPOND_TO_CASE: {C: OWN},
    Action.REFER_TO_COMMITTEE: {S: NOT_A_PARTY, N: OWN, U: OWN},
    Action.READ_REPORTER_IDENTITY: {N: OWN, U: OWN, K: CASE_FILE},  # never the secretariat or a company
    # photos can identify the reporter: not for notified companies; a company reads its own dispute's
    Action.READ_EVIDENCE: {S: ALLOW, N: OWN, U: OWN, C: FILER, K: CASE_FILE},
    # the secretariat's duties: its own, except what a party reads or writes of its own
    Action.MANAGE_ORGANISATIONS: {S: ALLOW},
    Action.READ_ORGANISATIONS: {S: ALLOW},
    Action.MANAGE_DECLARATIONS: {S: ALLOW},
    Action.READ_DECLARATIONS: {S: ALLOW, N: OWN},
    Action.READ_ASSESSMENT_QUEUE: {S: ALLOW},
    Action.ASSESS_REPORT: {S: ALLOW},
    Action.EXPLAIN_DELAY: {S: ALLOW, C: OWN},  # the company explains, or the secretariat records it
    Action.READ_DUPLICATE_QUEUE: {S: ALLOW},
    Action.DECIDE_DUPLICATE: {S: ALLOW},
    Action.PUBLISH_LIST: {S: ALLOW},
    Action.READ_WAITING: EVERY_ROLE,  # what is on one's own desk (keys/access/visibility.py)
    # public buyers (issue 15): a statement names the company's published standing and insight
    # figures, never a site; the buyer asks about any member, a company about itself (snelgids box 5:
    # the contractor supplies the evidence), the secretariat advises buyers (art. 6 lid 1)
    Action.ISSUE_STATEMENT: {S: ALLOW, C: ITSELF, B: ALLOW},
    Action.RECORD_TENDER: {B: OWN},
    Action.READ_TENDER_REGISTER: {S: ALLOW, B: OWN},
    Action.PUBLISH_TENDER_REPORT: {S: ALLOW},
    Action.REPORT_TENDER: EVERY_ROLE,  # "anyone logged in" (art. 7 lid 12: "bij het secretariaat")
    Action.READ_TENDER_SIGNALS: {S: ALLOW, **{role: OWN for role in Role if role is not Role.SECRETARIAT}},
    Action.TRACK_TENDER_SIGNALS: {S: ALLOW},
    # verification (issue 16): the secretariat's duty ("steekproefsgewijze verificatie"), with the NGO
    # and union parties whose local partners check; "own" is a check assigned to the party's
    # organisation, or a link of the company's own report. The auditor redraws a round's sample.
    Action.MANAGE_VERIFICATION: {S: ALLOW},
    Action.READ_VERIFICATION_ROUND: {S: ALLOW, A: ALLOW},
    Action.READ_FIELD_CHECKS: {S: ALLOW, N: OWN, U: OWN, C: OWN},
    Action.RECORD_FIELD_CHECK: {N: OWN, U: OWN},
    Action.ANSWER_CORRECTION: {C: OWN},
    # retention (issue 16): an administrative duty of the secretariat; the auditor reads the report
    Action.MANAGE_RETENTION: {S: ALLOW},
    Action.READ_RETENTION: {S: ALLOW, A: ALLOW},
    # contributions (issue 17): the secretariat invoices (bijlage 4); a company reads its own statement.
    # A chain count tells the size of a company's sourcing: no party, committee, auditor or buyer.
    Action.MANAGE_CONTRIBUTIONS: {S: ALLOW},
    Action.READ_CONTRIBUTIONS: {S: ALLOW, C: OWN},
}

# Anonymous visitors: the published lists and published member fields only.
ANONYMOUS_ACTIONS = frozenset({Action.READ_PUBLIC, Action.VERIFY_MEMBER_STATUS})

# Background readers and what each may read (no person behind them, still logged by the filter).
SYSTEM_GRANTS: dict[str, frozenset[Action]] = {
    "projection": frozenset({Action.READ_REPORT, Action.READ_LINKED_LIST}),
    "authentication": frozenset({Action.READ_CREDENTIAL}),
    "registry": frozenset({Action.READ_REPORT}),
    "grievance": frozenset({Action.NOTIFY_COMPANIES, Action.READ_CASE}),  # mailer, reminders, withdrawal check
    # the operator's CLI on the server, who holds the keyring: keys, and the retention schedule's
    # daily erasure by destroying keys (``trustone retention``, issue 16)
    "keys-admin": frozenset(
        {Action.ADMINISTER_KEYS, Action.READ_KEY_REPORT, Action.MANAGE_RETENTION, Action.READ_RETENTION}
    ),
    # The secretariat's duties run from the command line by an operator on the server; no case,
    # key or list: those stay with a person's login.
    "secretariat-cli": frozenset(
        {
            Action.MANAGE_ORGANISATIONS,
            Action.READ_ORGANISATIONS,
            Action.MANAGE_DECLARATIONS,
            Action.READ_DECLARATIONS,
            Action.READ_ASSESSMENT_QUEUE,
            Action.ASSESS_REPORT,
            Action.EXPLAIN_DELAY,
            Action.READ_DUPLICATE_QUEUE,
            Action.DECIDE_DUPLICATE,
            Action.PUBLISH_LIST,
            Action.READ_WAITING,
        }
    ),
    # Every role's logins, the secretariat's, the auditor's and the committee's included: the
    # installation's operator on the server (``trustone users``), who holds the keyring anyway.
    "accounts-cli": frozenset({Action.ADMINISTER_USERS}),
    "import-cli": frozenset({Action.SUBMIT_REPORT}),  # `trustone import-report`, on the operator's word
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    missing: str = ""  # a denial: what the rule requires, for the caller ("" when the role is not in the row)


def decide(principal: Principal | SystemPrincipal | None, action: Action, facts: Facts = Facts()) -> Decision:
    if principal is None:
        return Decision(action in ANONYMOUS_ACTIONS)
    if isinstance(principal, SystemPrincipal):
        family = principal.name.partition(":")[0]
        return Decision(action in SYSTEM_GRANTS.get(family, frozenset()))
    rule = RULES[action].get(principal.role, DENY)
    if rule(facts):
        return Decision(True)
    return Decision(False, rule.missing(action) if isinstance(rule, Condition) else "")
