"""Grievance cases through the application, on the demo data (docs/access.md and docs/lifecycles.md).

Who may read the reporter's identity, whom matching finds (through the filter, logged per company),
what each notified company sees, disputes the secretariat cannot touch, withdrawal blocked by a
pending case, the anonymised ruling summary, who may file what, and the evidence.

Principals are built directly (no login); extra users are created as accounts so that the registry
knows them (an NGO's declaration is looked up by login).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from grievance.domain.filing import Attachment, Filing, Reporter
from keys.access.filter import AccessDeniedError
from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.errors import ConflictError, NotFoundError, ValidationError
from tests.clock import FakeClock
from tests.principals import of_account

NOW = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)  # the NGO's declaration is valid 2025-03-01..2027-03-01
REPORTER = Reporter("Sangh Kishanpura", "+91 98290 00000", "Kishanpura Mine Workers Collective")
DESCRIPTION = "Children seen carrying sandstone slabs at the quarry face in early November."
ALLEGATION = "Child labour was reported at this quarry in November 2025."
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


# --- helpers ------------------------------------------------------------------------------------


class Scenario:
    """The demo, a fake clock, and principals for its users (plus extra ones on demand)."""

    def __init__(self, services, demo):
        self.svc = services
        self.demo = demo
        self.clock = FakeClock(NOW)
        services.clock.set(self.clock)
        self.app = services.grievance
        self.buyers_of = services.linked_search.grievance_buyers  # how matching finds the buyers
        self.cases = services.grievance_cases  # the reads: as a role may see the case
        self.reg = services.registry
        self.S, self.N, self.U, self.C, self.K, self.A, self.B = (
            self.demo_principal(role)
            for role in ("secretariat", "ngo", "union", "company", "committee", "auditor", "buyer")
        )
        self.buyers = tuple(demo.rajasthan_buyers)
        assert self.C.organisation_ref == self.buyers[0]

    def demo_principal(self, role: str) -> Principal:
        return of_account(self.svc, self.demo.logins[role])

    def extra(self, login: str, role: Role, organisation_ref: str) -> Principal:
        self.reg.create_account(login, role, organisation_ref, f"Test user {login}", "x", None)
        return Principal(login, role, self.reg.organisation_id(organisation_ref), organisation_ref)

    def company(self, ref: str) -> Principal:
        return self.extra(f"user.{ref}", Role.COMPANY, ref)

    def file_complaint(self, filer: Principal | None = None, **changes) -> tuple[str, str]:
        filing = Filing(
            case_type="complaint",
            description=DESCRIPTION,
            themes=["child_labour"],
            site_ids=[self.demo.rajasthan_quarry],
            observed_on=dt.date(2025, 11, 2),
            language="hi",
            reporter=REPORTER,
        )
        if changes:
            import dataclasses

            filing = dataclasses.replace(filing, **changes)
        return self.app.file(filer or self.N, filing)

    def notified_complaint(self, filer: Principal | None = None, **changes) -> tuple[str, str]:
        ref, code = self.file_complaint(filer, **changes)
        self.clock.advance(days=1)
        assert self.app.advance(self.S, ref, "acknowledge", "received") == "acknowledged"
        self.clock.advance(days=1)
        assert self.app.match(
            self.S, ref, [self.demo.rajasthan_quarry], None, "site confirmed", buyers=self.buyers_of
        ) == {
            "stage": "matched",
            "companies_found": 2,
        }
        self.clock.advance(days=1)
        assert self.app.notify_companies(self.S, ref, ALLEGATION) == 2
        return ref, code

    def mark(self) -> int:
        entries = self.svc.access_log.entries(limit=100000)
        return entries[-1].seq if entries else 0

    def entries_since(self, seq: int, action: str | None = None) -> list:
        return [
            e for e in self.svc.access_log.entries(limit=100000, after_seq=seq) if action is None or e.action == action
        ]

    def details(self, entry) -> dict:  # entries() are opened by the application (keys.access.accesslog)
        return {"subject_kind": entry.subject_kind, "subject_ref": entry.subject_ref, "purpose": entry.purpose}

    def name_of(self, ref: str) -> str:
        return self.reg.organisation(ref).name


@pytest.fixture
def s(services, demo) -> Scenario:
    return Scenario(services, demo)


def denied(call, *args, **kwargs) -> AccessDeniedError:
    with pytest.raises(AccessDeniedError) as raised:
        call(*args, **kwargs)
    return raised.value


# --- the reporter's identity ----------------------------------------------------------------------


def test_the_reporter_is_known_to_the_filer_and_once_referred_the_committee(s: Scenario):
    ref, _ = s.notified_complaint()
    other_buyer = s.company(s.buyers[1])
    other_ngo = s.extra("user.actionaid", Role.NGO, "actionaid-nl")
    start = s.mark()

    expected = []
    assert s.cases.reporter(s.N, ref) == REPORTER.as_dict()
    expected.append((s.N.login, "granted"))
    for who in (s.S, s.C, other_buyer, other_ngo, s.U, s.A, s.B, s.K):  # the committee: not yet referred
        error = denied(s.cases.reporter, who, ref)
        assert not error.anonymous
        expected.append((who.login, "denied"))

    s.clock.advance(days=1)
    assert s.app.advance(s.N, ref, "refer_to_committee", "no remediation offered") == "referred"
    assert s.cases.reporter(s.K, ref) == REPORTER.as_dict()
    expected.append((s.K.login, "granted"))
    assert s.cases.reporter(s.N, ref) == REPORTER.as_dict()
    expected.append((s.N.login, "granted"))
    for who in (s.S, s.C, other_buyer, other_ngo, s.U, s.A, s.B):  # referral opens it to no one else
        denied(s.cases.reporter, who, ref)
        expected.append((who.login, "denied"))

    logged = s.entries_since(start, "read_reporter_identity")
    assert [(e.actor, str(e.outcome)) for e in logged] == expected
    for entry in logged:
        assert s.details(entry)["purpose"] == f"grievance case {ref}"
        assert s.details(entry)["subject_ref"] == ref


# --- matching and notices ----------------------------------------------------------------------------


def test_matching_finds_exactly_the_buyers_through_the_logged_linked_list(s: Scenario):
    ref, _ = s.file_complaint()
    s.app.advance(s.S, ref, "acknowledge", "received")
    assert s.cases.notified_companies(s.S, ref).companies == []
    start = s.mark()
    assert (
        s.app.match(s.S, ref, [s.demo.rajasthan_quarry], None, "site confirmed", buyers=s.buyers_of)["companies_found"]
        == 2
    )
    matching = s.entries_since(start)

    linked = [e for e in matching if e.action == "read_linked_list"]
    assert linked and all(str(e.outcome) == "granted" and e.actor == s.S.login for e in linked)
    assert {e.company for e in linked} == set(s.buyers)
    for buyer in s.buyers:
        assert any(e.company == buyer for e in linked)
    for entry in linked:
        assert s.details(entry)["purpose"] == f"grievance case {ref}"
    # the non-buyer's data did not reach the reader: it is in no entry of the matching
    assert all(e.company != s.demo.rajasthan_non_buyer for e in matching)
    assert s.demo.rajasthan_non_buyer not in {e.company for e in matching}

    # the same entries, opened through the filter's own access-log reader (as the auditor)
    from keys.access.filter import Audit
    from keys.access.policy import Facts

    stored = [row for row in s.svc.access_log.rows(limit=100000) if row.seq in {e.seq for e in linked}]
    opened = s.svc.filter.read_access_log(s.A, Facts(), Audit(subject_kind="access_log", purpose="test"), stored)
    assert {row["purpose"] for row in opened} == {f"grievance case {ref}"}
    assert {row["company"] for row in opened} == set(s.buyers)

    assert s.app.notify_companies(s.S, ref, ALLEGATION) == 2
    assert s.cases.notified_companies(s.S, ref).companies == sorted(s.buyers)
    assert s.cases.notified_companies(s.N, ref).companies == sorted(s.buyers)  # an NGO with a valid declaration
    for who in (s.U, s.C, s.A, s.B):
        denied(s.cases.notified_companies, who, ref)


def test_each_buyer_sees_its_own_notice_and_nothing_of_the_other(s: Scenario):
    ref, _ = s.notified_complaint()
    buyers = {s.buyers[0]: s.C, s.buyers[1]: s.company(s.buyers[1])}
    quarry = s.reg.site(s.demo.rajasthan_quarry)
    for own, principal in buyers.items():
        other = next(b for b in buyers if b != own)
        view = s.cases.read_case(principal, ref)
        notice = view["notice"]
        assert notice["company"] == own and notice["company_name"] == s.name_of(own)
        assert notice["reference"] == ref and notice["allegation"] == ALLEGATION
        assert [site["site_id"] for site in notice["sites"]] == [s.demo.rajasthan_quarry]
        assert notice["sites"][0]["name"] == quarry.name
        dump = json.dumps(view, ensure_ascii=False)
        for secret in (other, s.name_of(other), REPORTER.name, REPORTER.contact, REPORTER.organisation, DESCRIPTION):
            assert secret.casefold() not in dump.casefold(), secret
        assert "description" not in view

    # each company's messages stay its own
    assert s.app.company_writes(s.C, ref, "response", "Betuwe looks into it with the supplier.") == "in_dialogue"
    second = s.cases.read_case(buyers[s.buyers[1]], ref)
    assert second["messages"] == [] and "Betuwe looks into it" not in json.dumps(second)
    assert [m["text"] for m in s.cases.read_case(s.C, ref)["messages"]] == ["Betuwe looks into it with the supplier."]

    non_buyer = s.company(s.demo.rajasthan_non_buyer)
    start = s.mark()
    denied(s.cases.read_case, non_buyer, ref)
    denied(s.app.company_writes, non_buyer, ref, "response", "We were not notified.")
    assert [(e.actor, e.action, str(e.outcome)) for e in s.entries_since(start)] == [
        (non_buyer.login, "read_case", "denied"),
        (non_buyer.login, "respond_to_case", "denied"),
    ]


def test_a_site_nobody_buys_from_closes_as_not_in_member_chains_and_follow_up_says_so(s: Scenario):
    from registry.domain.geography import RegionPath
    from registry.domain.sites import SiteKind

    unbought = s.reg.register_site(
        SiteKind.QUARRY, "Akwapim Ridge Test Quarry", RegionPath.create("GH", "Eastern", "Akuapim North")
    ).public_id

    ref, code = s.file_complaint(site_ids=[unbought])
    follow = s.app.follow_up(code)
    assert set(follow) == {"stage", "filed_on", "stages"}
    assert follow["stage"] == "filed" and follow["filed_on"] == NOW.date().isoformat()
    assert follow["stages"] == [{"stage": "filed", "on": NOW.date().isoformat()}]

    s.clock.advance(days=2)
    s.app.advance(s.S, ref, "acknowledge", "received")
    s.clock.advance(days=3)
    assert s.app.match(s.S, ref, [unbought], None, "checked", buyers=s.buyers_of) == {
        "stage": "not_in_member_chains",
        "companies_found": 0,
    }
    assert s.cases.notified_companies(s.S, ref).companies == []
    follow = s.app.follow_up(code.lower().replace("-", " "))  # read out over the phone
    assert set(follow) == {"stage", "filed_on", "stages"}
    assert follow["stage"] == "not_in_member_chains"
    assert [entry["stage"] for entry in follow["stages"]] == ["filed", "acknowledged", "not_in_member_chains"]
    assert [entry["on"] for entry in follow["stages"]] == ["2026-01-12", "2026-01-14", "2026-01-17"]
    assert all(set(entry) == {"stage", "on"} for entry in follow["stages"])
    with pytest.raises(ConflictError):  # nothing follows a closure
        s.app.advance(s.S, ref, "close", "again")
    with pytest.raises(NotFoundError):
        s.app.follow_up("AAAA-BBBB-CCCC-DDDD")


def test_follow_up_shows_stages_and_dates_only(s: Scenario):
    ref, code = s.notified_complaint()
    s.app.company_writes(s.C, ref, "response", "We are investigating with our supplier.")
    s.app.advance(s.N, ref, "refer_to_committee", "no remediation")
    follow = s.app.follow_up(code)
    assert set(follow) == {"stage", "filed_on", "stages"}
    assert all(set(entry) == {"stage", "on"} for entry in follow["stages"])
    assert follow["stage"] == "referred"
    assert [e["stage"] for e in follow["stages"]] == [
        "filed",
        "acknowledged",
        "matched",
        "companies_notified",
        "in_dialogue",
        "referred",
    ]
    dump = json.dumps(follow)
    for secret in (
        *s.buyers,
        *(s.name_of(b) for b in s.buyers),
        REPORTER.name,
        "received",
        "site confirmed",
        "no remediation",
        ALLEGATION,
        s.demo.rajasthan_quarry,
    ):
        assert secret not in dump


# --- disputes -------------------------------------------------------------------------------------


def dispute_with_secretariat(s: Scenario) -> str:
    ref, _ = s.app.file(
        s.C,
        Filing(
            case_type="dispute_with_secretariat",
            description="The secretariat assessed our 2024 report on the wrong criteria.",
            themes=["other"],
        ),
    )
    return ref


def test_the_secretariat_cannot_touch_a_dispute_it_is_party_to(s: Scenario):
    ref = dispute_with_secretariat(s)
    assert s.cases.read_case(s.C, ref)["stage"] == "referred"
    start = s.mark()
    attempts = [
        ("manage_case", lambda: s.app.advance(s.S, ref, "acknowledge", "received")),
        ("record_committee_decision", lambda: s.app.advance(s.S, ref, "close", "closing it")),
        ("refer_to_committee", lambda: s.app.advance(s.S, ref, "refer_to_committee", "to the committee")),
        ("manage_case", lambda: s.app.flag_systemic(s.S, ref, "Joint project", "systemic")),
        ("notify_companies", lambda: s.app.notify_companies(s.S, ref, ALLEGATION)),
        ("manage_case", lambda: s.app.match(s.S, ref, [s.demo.rajasthan_quarry], None, "match", buyers=s.buyers_of)),
        ("record_committee_decision", lambda: s.app.admit(s.S, ref, True, "admissible")),
    ]
    for _, attempt in attempts:
        with pytest.raises(AccessDeniedError):
            attempt()
    assert [(e.actor, e.action, str(e.outcome)) for e in s.entries_since(start)] == [
        (s.S.login, action, "denied") for action, _ in attempts
    ]
    assert s.app.case(ref).stage.value == "referred"

    with pytest.raises(ConflictError):
        s.svc.organisations.withdraw(s.S, s.C.organisation_ref, dt.date(2026, 2, 1))

    assert s.app.admit(s.K, ref, True, "admissible") == "admitted"
    assert s.cases.read_case(s.C, ref)["stage"] == "admitted"
    assert (
        s.app.advance(s.K, ref, "schedule_hearing", "hearing", hearing_on=dt.date(2026, 2, 20)) == "hearing_scheduled"
    )
    s.clock.advance(days=40)
    assert (
        s.app.rule(
            s.K,
            ref,
            "The secretariat re-assesses the report.",
            dt.date(2026, 4, 1),
            "The committee ruled that a report is to be re-assessed.",
        )
        == "ruled"
    )
    with pytest.raises(ConflictError):
        s.svc.organisations.withdraw(s.S, s.C.organisation_ref, dt.date(2026, 2, 25))
    view = s.cases.read_case(s.C, ref)
    assert view["ruling"] == "The secretariat re-assesses the report."
    assert s.app.advance(s.K, ref, "record_compliance", "re-assessed") == "closed"
    s.svc.organisations.withdraw(s.S, s.C.organisation_ref, dt.date(2026, 3, 1))
    assert not s.reg.member_status_on(s.C.organisation_ref, dt.date(2026, 3, 2)).member


def test_a_referred_complaint_blocks_the_notified_companies_from_withdrawing(s: Scenario):
    ref, _ = s.notified_complaint()
    s.app.company_writes(s.C, ref, "response", "We are investigating with our supplier.")
    s.clock.advance(days=30)
    assert s.app.advance(s.N, ref, "refer_to_committee", "no remediation") == "referred"
    for buyer in s.buyers:
        with pytest.raises(ConflictError, match="pending"):
            s.svc.organisations.withdraw(s.S, buyer, dt.date(2026, 2, 15))
    s.svc.organisations.withdraw(s.S, s.demo.rajasthan_non_buyer, dt.date(2026, 2, 15))  # not a party: free to go

    assert s.app.admit(s.K, ref, True, "admissible") == "admitted"
    with pytest.raises(ConflictError):
        s.svc.organisations.withdraw(s.S, s.buyers[1], dt.date(2026, 2, 16))
    s.app.advance(s.K, ref, "schedule_hearing", "hearing", hearing_on=dt.date(2026, 3, 1))
    s.app.rule(
        s.K,
        ref,
        "The members fund remediation.",
        dt.date(2026, 4, 1),
        "The committee ruled that members must fund remediation at a quarry in India.",
    )
    s.app.advance(s.K, ref, "record_compliance", "remediation funded")
    assert s.app.case(ref).stage.value == "closed"
    s.svc.organisations.withdraw(s.S, s.buyers[1], dt.date(2026, 5, 1))


# --- the ruling's published summary -----------------------------------------------------------------


def test_a_published_summary_naming_a_party_or_the_reporter_is_refused(s: Scenario):
    ref, _ = s.notified_complaint()
    s.app.advance(s.N, ref, "refer_to_committee", "no remediation")
    s.app.admit(s.K, ref, True, "admissible")
    s.app.advance(s.K, ref, "schedule_hearing", "hearing", hearing_on=dt.date(2026, 2, 1))
    first, second = s.buyers
    for naming in (
        first,
        s.name_of(first),
        second.upper(),
        s.name_of(second).lower(),
        REPORTER.name,
        REPORTER.organisation,
    ):
        with pytest.raises(ValidationError) as raised:
            s.app.rule(
                s.K,
                ref,
                "The members fund remediation.",
                dt.date(2026, 4, 1),
                f"The committee ruled that {naming} must fund remediation at a quarry in India.",
            )
        assert raised.value.field == "published_summary"
        assert s.app.case(ref).stage.value == "hearing_scheduled"
    assert (
        s.app.rule(
            s.K,
            ref,
            "The members fund remediation.",
            dt.date(2026, 4, 1),
            "The committee ruled that two members must fund remediation at a quarry in India.",
        )
        == "ruled"
    )
    assert s.cases.read_case(s.S, ref)["published_summary"].startswith("The committee ruled that two members")


def test_a_published_summary_naming_the_company_in_a_dispute_is_refused(s: Scenario):
    """In a dispute with the secretariat the filing company is the party."""
    ref = dispute_with_secretariat(s)
    s.app.admit(s.K, ref, True, "admissible")
    s.app.advance(s.K, ref, "schedule_hearing", "hearing", hearing_on=dt.date(2026, 2, 1))
    company = s.C.organisation_ref
    for naming in (company, s.name_of(company)):
        with pytest.raises(ValidationError) as raised:
            s.app.rule(
                s.K,
                ref,
                "Re-assess.",
                dt.date(2026, 4, 1),
                f"The committee ruled that the report of {naming} is to be re-assessed.",
            )
        assert raised.value.field == "published_summary"
    assert s.app.case(ref).stage.value == "hearing_scheduled"


# --- who files what ----------------------------------------------------------------------------------


def _bare(role: Role, ref: str) -> Principal:
    return Principal(f"user.{ref}", role, uuid.uuid4(), ref)


def test_a_company_files_disputes_not_complaints(services):
    """The matrix: a company files disputes only. The policy refuses a complaint (403), and the
    refusal is in the access log like every other denial."""
    complaint = Filing(
        case_type="complaint", description=DESCRIPTION, themes=["child_labour"], country="IN", reporter=REPORTER
    )
    with pytest.raises(AccessDeniedError):
        services.grievance.file(_bare(Role.COMPANY, "betuwe-stone-import"), complaint)
    assert services.grievance.references() == []
    denied = [e for e in services.access_log.entries(limit=1000) if e.action == "file_grievance"]
    assert [str(e.outcome) for e in denied] == ["denied"]


def test_a_party_files_complaints_not_disputes_with_the_secretariat(services):
    dispute = Filing(
        case_type="dispute_with_secretariat",
        themes=["other"],
        description="The secretariat handled our previous report too slowly.",
    )
    for who in (_bare(Role.NGO, "arisa"), _bare(Role.UNION, "fnv")):
        with pytest.raises(ValidationError) as raised:
            services.grievance.file(who, dispute)
        assert raised.value.field == "case_type"
    assert services.grievance.references() == []


def test_a_union_files_a_complaint_and_others_cannot(s: Scenario):
    ref, _code = s.file_complaint(s.U)
    view = s.cases.read_case(s.U, ref)
    assert view["stage"] == "filed" and view["filer"] == "fnv" and view["case_type"] == "complaint"
    assert s.cases.reporter(s.U, ref) == REPORTER.as_dict()
    denied(s.cases.reporter, s.N, ref)  # another party's case
    denied(s.cases.read_case, s.N, ref)

    for who in (s.S, s.K, s.A, s.B):
        denied(
            s.app.file,
            who,
            Filing(
                case_type="complaint",
                description=DESCRIPTION,
                themes=["child_labour"],
                site_ids=[s.demo.rajasthan_quarry],
                reporter=REPORTER,
            ),
        )
    assert s.app.references() == [ref]


# --- evidence ------------------------------------------------------------------------------------------


def test_evidence_reaches_the_filer_the_secretariat_and_the_committee_only(s: Scenario):
    ref, _ = s.notified_complaint(attachments=[Attachment("quarry-face.png", "image/png", PNG)])
    assert s.cases.read_case(s.S, ref)["evidence"] == [{"number": 1, "media_type": "image/png", "size": len(PNG)}]
    for who in (s.N, s.S):
        assert s.cases.evidence(who, ref, 1) == ("quarry-face.png", "image/png", PNG)
    other_buyer = s.company(s.buyers[1])
    for who in (s.C, other_buyer, s.U, s.A, s.B, s.K):  # the committee: not before referral
        denied(s.cases.evidence, who, ref, 1)

    s.app.advance(s.N, ref, "refer_to_committee", "no remediation")
    assert s.cases.evidence(s.K, ref, 1) == ("quarry-face.png", "image/png", PNG)
    for who in (s.C, other_buyer):
        denied(s.cases.evidence, who, ref, 1)


def test_a_company_reads_back_the_evidence_of_its_own_dispute(services):
    company = _bare(Role.COMPANY, "betuwe-stone-import")
    ref, _ = services.grievance.file(
        company,
        Filing(
            case_type="dispute_with_secretariat",
            themes=["other"],
            description="The secretariat assessed our 2024 report on the wrong criteria.",
            attachments=[Attachment("assessment.png", "image/png", PNG)],
        ),
    )
    assert services.grievance_cases.read_case(company, ref)["evidence"] == [
        {"number": 1, "media_type": "image/png", "size": len(PNG)}
    ]
    assert services.grievance_cases.evidence(company, ref, 1) == ("assessment.png", "image/png", PNG)
    denied(services.grievance_cases.evidence, _bare(Role.COMPANY, "veluwe-natuursteen"), ref, 1)
