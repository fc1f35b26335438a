"""Composition root: builds the applications and the key machinery from settings.

Order matters: the registry seals and opens its confidential fields through the vault, and the
vault's filter logs every access to the access log, which signs with the keyring.
Tests pass their own settings; nothing happens at import time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from grievance.application import GrievanceApplication
from grievance.outbox import NoticeOutbox
from grievance.usecases.cases import GrievanceCases
from grievance.usecases.committee import BeforeCommittee
from grievance.usecases.desk import CaseDesk
from grievance.usecases.facts import CaseFacts
from grievance.usecases.notices import NoticeDelivery
from grievance.usecases.waiting_cases import cases_by_deadline
from keys.access.accesslog import AccessLog
from keys.access.filter import ConfidentialFilter
from keys.access.log_reading import AccessLogReading
from keys.access.visibility import Desk
from keys.encryption.administration import KeyAdministration
from keys.encryption.datakeys import DataKeyStore
from keys.encryption.keyring import FileKeyring, KeyringError
from keys.encryption.vault import Vault
from keys.logins.sessions import SessionStore
from keys.storage.append_only import protect_event_tables
from keys.storage.sql import PostgresSqlStore, SQLiteSqlStore, SqlStore
from projections.aggregated_list import AggregatedListView
from projections.aggregated_reads import AggregatedList
from projections.cases import CaseBoard, CaseView
from projections.linked_list import LinkedList, LinkedListView
from projections.member_listing import MemberListing, MemberListingView
from projections.quarry_regions import PublishedQuarryRegions
from projections.readers import report_plan_reader, report_site_reader
from projections.runner import ProjectionRunner, view_recorder
from registry.application import RegistryApplication
from registry.domain.clock import ServiceClock
from registry.usecases.accounts import Accounts
from registry.usecases.assessment import ReportAssessment
from registry.usecases.contributions import Contributions
from registry.usecases.data_access import DataAccess
from registry.usecases.declarations import Declarations
from registry.usecases.duplicates import HeldDuplicates
from registry.usecases.health import HealthCheck
from registry.usecases.lists import AggregatedListPages, LinkedListSearch, PublishedLists
from registry.usecases.member_status import MemberStatusCheck
from registry.usecases.organisations import Organisations
from registry.usecases.publishing import Publishing
from registry.usecases.reports import CompanyReports
from registry.usecases.retention import Retention, build_retention
from registry.usecases.shredding import CompanyShredding
from registry.usecases.statements import EvidenceStatements
from registry.usecases.tender_signals import TenderSignals
from registry.usecases.tenders import Tenders
from registry.usecases.verification import Verification
from registry.usecases.waiting import WaitingForMe, registry_sources
from trustone.retention_mail import secretariat_notifier
from trustone.settings import Settings
from trustone.storage_errors import probe_write
from trustone.web import pages as cursors


@dataclass
class Services:
    settings: Settings
    clock: ServiceClock  # the one clock of these services: set it to set the time for all of them
    registry: RegistryApplication
    sql: SqlStore
    keyring: FileKeyring
    datakeys: DataKeyStore
    access_log: AccessLog
    filter: ConfidentialFilter
    vault: Vault
    projections: ProjectionRunner
    aggregated_list: AggregatedList
    linked_list: LinkedList
    member_listing: MemberListing
    quarry_regions: PublishedQuarryRegions
    grievance: GrievanceApplication
    case_projections: ProjectionRunner  # follows the grievance application
    cases: CaseBoard
    outbox: NoticeOutbox  # which notice e-mails went out (grievance/outbox.py)
    # the grievance cases' use cases (grievance/usecases)
    grievance_cases: GrievanceCases
    case_desk: CaseDesk
    notice_delivery: NoticeDelivery
    # the registry's use cases (registry/usecases): each built once with the narrow dependencies it names
    shredding: CompanyShredding
    reports: CompanyReports
    organisations: Organisations
    accounts: Accounts
    declarations: Declarations
    data_access: DataAccess
    assessment: ReportAssessment
    duplicates: HeldDuplicates
    publishing: Publishing
    waiting: WaitingForMe
    member_status: MemberStatusCheck
    # public buyers (issue 15): evidence statements, the tender register, reports about tenders
    statements: EvidenceStatements
    tenders: Tenders
    tender_signals: TenderSignals
    verification: Verification
    retention: Retention  # the retention schedule (issue 16; docs/retention.md)
    contributions: Contributions  # regimes and yearly contributions (issue 17; docs/contributions.md)
    health: HealthCheck
    # the lists, the access log and the keys as read over HTTP (registry/usecases/lists.py, keys/access/log_reading.py)
    aggregated_pages: AggregatedListPages
    linked_search: LinkedListSearch
    published: PublishedLists
    access_log_reading: AccessLogReading
    key_administration: KeyAdministration

    @property
    def runners(self) -> tuple[ProjectionRunner, ...]:
        return (self.projections, self.case_projections)

    def catch_up(self) -> None:
        for runner in self.runners:
            runner.catch_up()

    def serving(self) -> None:
        """From now on a reader waits for the background runner to bring its views up to the writes
        before its request, instead of applying them itself: one worker process of the server
        follows (trustone/followers.py), maybe another one than the reader's."""
        for runner in self.runners:
            runner.followed_elsewhere = True

    def close(self) -> None:
        for runner in self.runners:
            runner.stop()
            for recorder in runner.recorders.values():
                recorder.datastore.close()
        self.grievance.close()
        self.registry.close()
        self.sql.close()


def sql_store(settings: Settings, read_only: bool = False) -> SqlStore:
    if settings.database_url:
        return PostgresSqlStore(settings.postgres_params(), read_only=read_only)
    return SQLiteSqlStore(settings.sqlite_path, read_only=read_only)


@dataclass
class AuditServices:
    """What ``trustone audit verify`` needs, opened to read only (``open_for_audit``)."""

    sql: SqlStore
    keyring: FileKeyring
    access_log: AccessLog

    def close(self) -> None:
        self.sql.close()


def open_for_audit(settings: Settings) -> AuditServices:
    """The access log of an existing store, opened without writing anything: no directory, no
    keyring, no table or trigger is created, no file's mode is changed, and the database is opened
    read-only. An auditor verifies a copy on read-only media this way. A missing keyring is an
    error here, never made anew."""
    if not settings.database_url and not settings.sqlite_path.exists():
        raise KeyringError(f"no store at {settings.data_dir}: nothing to verify (set TRUSTONE_DATA_DIR)")
    sql = sql_store(settings, read_only=True)
    keyring = FileKeyring.load(settings.keyring_file)
    datakeys = DataKeyStore(sql, keyring)
    return AuditServices(sql=sql, keyring=keyring, access_log=AccessLog(sql, datakeys, keyring))


def open_keyring(settings: Settings, has_data_keys: bool) -> FileKeyring:
    """Load the master keyring; create one only for a system that has no data keys yet.

    A missing keyring on a system with data would otherwise be silently replaced, and every
    confidential value written before would be unreadable.
    """
    path = settings.keyring_file
    if path.exists():
        return FileKeyring.load(path)
    if has_data_keys:
        raise KeyringError(
            f"keyring {path} not found, but the database holds wrapped data keys: "
            "restore the keyring file (or set TRUSTONE_KEYRING)"
        )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return FileKeyring.create(path)


@contextmanager
def _one_bootstrap_at_a_time(settings: Settings) -> Iterator[None]:
    """Creating the tables, triggers and keyring is done by one process at a time per store.

    ``trustone serve`` starts its workers side by side, each bootstrapping the same store; two
    ``CREATE ... IF NOT EXISTS`` (or the library's ``CREATE OR REPLACE FUNCTION``) at once fail on
    PostgreSQL ("tuple concurrently updated", a duplicate type name), and a worker died at startup.
    PostgreSQL: a session advisory lock per schema, on a connection of its own, held while the
    services are built. SQLite serialises its schema changes itself (each file's write lock)."""
    if not settings.database_url:
        yield
        return
    import psycopg
    from psycopg.conninfo import make_conninfo

    params = settings.postgres_params()
    conninfo = make_conninfo(
        dbname=params["POSTGRES_DBNAME"],
        host=params["POSTGRES_HOST"],
        port=params["POSTGRES_PORT"],
        user=params["POSTGRES_USER"] or None,
        password=params["POSTGRES_PASSWORD"] or None,
    )
    key = f"trustone bootstrap {params.get('POSTGRES_SCHEMA') or 'public'}"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))


def bootstrap(settings: Settings | None = None) -> Services:
    settings = settings or Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _one_bootstrap_at_a_time(settings):
        return _built(settings)


def _built(settings: Settings) -> Services:
    """One pass, in order: the clock, the stores and keys, the registry and its views, the grievance
    application and its case view, then every use case with the narrow things it names, and last
    the services in one call. Nothing is patched in afterwards and no use case reads the services."""
    clock = ServiceClock()  # the one clock: a test sets it once, every use case below sees it
    sql = sql_store(settings)
    DataKeyStore.create_tables(sql)
    keyring = open_keyring(settings, has_data_keys=DataKeyStore.has_keys(sql))
    datakeys = DataKeyStore(sql, keyring)
    access_log = AccessLog(sql, datakeys, keyring)
    access_log.create_tables()
    sessions = SessionStore(sql)  # the login sessions a second factor's reset ends (the web app issues them)
    sessions.create_tables()
    confidential_filter = ConfidentialFilter(access_log, datakeys)
    vault = Vault(datakeys, confidential_filter)
    outbox = NoticeOutbox(sql)
    outbox.create_tables()
    quarry_regions = PublishedQuarryRegions(sql)
    quarry_regions.create_tables()
    # the registry and its views
    registry = RegistryApplication(env=settings.application_env(RegistryApplication.name), vault=vault)
    registry.site_release_k = settings.publish_k
    aggregated = view_recorder(
        settings, AggregatedListView(report_site_reader(registry, vault, "aggregated-list"), k=settings.publish_k)
    )
    linked = view_recorder(settings, LinkedListView())
    members = view_recorder(settings, MemberListingView(report_plan_reader(registry, vault, "member-listing")))
    projections = ProjectionRunner(registry, [aggregated, linked, members])
    aggregated_reads, linked_reads = AggregatedList(aggregated), LinkedList(linked)
    member_reads = MemberListing(members)
    # the grievance application, what the committee has before it, and the case view
    limits = settings.deadline_limits()
    case_facts = CaseFacts(vault, registry)  # the facts of a case, for its use cases and its commands
    grievance = GrievanceApplication(
        env=settings.application_env(GrievanceApplication.name),
        vault=vault,
        directory=registry,
        facts=case_facts,
        clock=clock,
        limits=limits,
    )
    before_committee = BeforeCommittee(grievance, registry)
    case_view = view_recorder(settings, CaseView())
    case_projections = ProjectionRunner(grievance, [case_view])
    cases = CaseBoard(case_view, limits)
    # the use cases
    verification = Verification(registry, confidential_filter, clock.today, settings.publish_k)
    shredding = CompanyShredding(
        registry,
        confidential_filter,
        datakeys,
        grievance.key_owner_for,
        projections.rebuild,
        clock.today,
        verification_key_owner=verification.key_owner_for,
    )
    linked_search = LinkedListSearch(
        confidential_filter,
        linked_reads,
        aggregated_reads,
        projections.wait,
        registry,
        committee_sites=before_committee.sites,
        today=clock.today,
        cursors=cursors,
        verified=verification.overlay,
    )
    retention = build_retention(
        registry,
        confidential_filter,
        settings.retention_schedule(),
        datakeys.shred,
        sessions,
        clock,
        cases=lambda: map(grievance.case, grievance.references()),
        case_key_owner=lambda reference: grievance.case(reference).id,
        shred_company=shredding.shred,
        notify=secretariat_notifier(settings, clock),
    )
    services = Services(
        settings=settings,
        clock=clock,
        registry=registry,
        sql=sql,
        keyring=keyring,
        datakeys=datakeys,
        access_log=access_log,
        filter=confidential_filter,
        vault=vault,
        projections=projections,
        aggregated_list=aggregated_reads,
        linked_list=linked_reads,
        member_listing=member_reads,
        quarry_regions=quarry_regions,
        grievance=grievance,
        case_projections=case_projections,
        cases=cases,
        outbox=outbox,
        grievance_cases=GrievanceCases(grievance, confidential_filter, case_facts, linked_search.grievance_buyers),
        case_desk=CaseDesk(cases, case_projections.wait, confidential_filter, case_facts, clock),
        notice_delivery=NoticeDelivery(
            cases,
            case_projections.wait,
            confidential_filter,
            outbox,
            lambda ref: registry.organisation(ref).contact_email,
            settings.mail_environ,
        ),
        shredding=shredding,
        organisations=Organisations(registry, confidential_filter, before_committee.company, clock.today),
        accounts=Accounts(registry, confidential_filter, sessions.revoke_all),
        reports=CompanyReports(registry, before_committee.company, clock.today, verification.is_verified),
        declarations=Declarations(registry, confidential_filter, clock.today),
        data_access=DataAccess(registry, confidential_filter, aggregated_reads, projections.wait, clock.today),
        assessment=ReportAssessment(registry, confidential_filter, clock.today),
        duplicates=HeldDuplicates(registry, confidential_filter),
        publishing=Publishing(
            confidential_filter, projections, aggregated_reads, quarry_regions, settings.publish_k, clock.today
        ),
        waiting=WaitingForMe(
            confidential_filter,
            {
                **registry_sources(registry),
                Desk.CASES: cases_by_deadline(cases, case_projections.wait, case_facts, clock),
            },
            clock.today,
        ),
        member_status=MemberStatusCheck(registry, clock.today, confidential_filter),
        statements=EvidenceStatements(registry, confidential_filter, keyring, clock, settings.public_url),
        tenders=Tenders(registry, confidential_filter, clock.today),
        tender_signals=TenderSignals(registry, confidential_filter, clock.today),
        verification=verification,
        retention=retention,
        contributions=Contributions(registry, confidential_filter, clock.today, settings.deadline()),
        health=HealthCheck(
            registry.recorder,
            partial(probe_write, sql, None if settings.database_url else settings.data_dir),
            settings.backend,
        ),
        aggregated_pages=AggregatedListPages(confidential_filter, aggregated_reads, projections.wait, cursors),
        linked_search=linked_search,
        published=PublishedLists(quarry_regions, member_reads, projections.wait),
        access_log_reading=AccessLogReading(access_log, confidential_filter, cursors),
        key_administration=KeyAdministration(confidential_filter, keyring, datakeys),
    )
    protect_event_tables(
        sql,
        (registry, grievance),
        (lambda name: settings.application_env(name)["SQLITE_DBNAME"]) if settings.backend == "sqlite" else None,
    )
    _make_store_files_private(settings)
    return services


def _make_store_files_private(settings: Settings) -> None:
    """SQLite files hold sealed data and the access log: owner-only, like the keyring."""
    for path in settings.data_dir.glob("*.sqlite3*"):
        path.chmod(0o600)
