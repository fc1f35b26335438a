"""Dependencies shared by the routers: the use cases, and the request id every log entry carries.

A route names the one use case it calls (``OrganisationsDep``), never the whole composition: each
``XDep`` is made by ``_use_case`` from the field of the services that holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar, cast

from fastapi import Depends, Request

from grievance.usecases.cases import GrievanceCases
from grievance.usecases.desk import CaseDesk
from keys.access.log_reading import AccessLogReading
from keys.encryption.administration import KeyAdministration
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
from registry.usecases.retention import Retention
from registry.usecases.shredding import CompanyShredding
from registry.usecases.statements import EvidenceStatements
from registry.usecases.tender_signals import TenderSignals
from registry.usecases.tenders import Tenders
from registry.usecases.verification import Verification
from registry.usecases.waiting import WaitingForMe
from trustone.bootstrap import Services
from trustone.web.logging import request_id_of

T = TypeVar("T")


def get_services(request: Request) -> Services:
    return cast(Services, request.app.state.services)


def get_request_id(request: Request) -> str:
    """Made by ``RequestLog`` (trustone/web/logging.py): the same id in the ``X-Request-ID`` header,
    the server's log line and every access-log entry of the request."""
    return request_id_of(request.scope)


def _use_case(kind: type[T], field: str) -> Callable[[Request], T]:
    """The dependency that hands a route the use case in the services' ``field``. Its ``request``
    is typed: FastAPI reads an untyped parameter as a required query parameter (every route 422)."""
    if field not in Services.__dataclass_fields__:
        raise AttributeError(f"the services have no {field!r}")  # a typo fails at import, not per request

    def dependency(request: Request) -> T:
        use_case = getattr(get_services(request), field)
        if not isinstance(use_case, kind):
            raise TypeError(f"the services' {field} is a {type(use_case).__name__}, not a {kind.__name__}")
        return use_case

    dependency.__name__ = f"get_{field}"
    return dependency


RequestIdDep = Annotated[str, Depends(get_request_id)]

OrganisationsDep = Annotated[Organisations, Depends(_use_case(Organisations, "organisations"))]
AccountsDep = Annotated[Accounts, Depends(_use_case(Accounts, "accounts"))]
ReportAssessmentDep = Annotated[ReportAssessment, Depends(_use_case(ReportAssessment, "assessment"))]
HeldDuplicatesDep = Annotated[HeldDuplicates, Depends(_use_case(HeldDuplicates, "duplicates"))]
PublishingDep = Annotated[Publishing, Depends(_use_case(Publishing, "publishing"))]
AggregatedListPagesDep = Annotated[AggregatedListPages, Depends(_use_case(AggregatedListPages, "aggregated_pages"))]
LinkedListSearchDep = Annotated[LinkedListSearch, Depends(_use_case(LinkedListSearch, "linked_search"))]
PublishedListsDep = Annotated[PublishedLists, Depends(_use_case(PublishedLists, "published"))]
AccessLogReadingDep = Annotated[AccessLogReading, Depends(_use_case(AccessLogReading, "access_log_reading"))]
KeyAdministrationDep = Annotated[KeyAdministration, Depends(_use_case(KeyAdministration, "key_administration"))]
CompanyShreddingDep = Annotated[CompanyShredding, Depends(_use_case(CompanyShredding, "shredding"))]
GrievanceCasesDep = Annotated[GrievanceCases, Depends(_use_case(GrievanceCases, "grievance_cases"))]
CaseDeskDep = Annotated[CaseDesk, Depends(_use_case(CaseDesk, "case_desk"))]
DeclarationsDep = Annotated[Declarations, Depends(_use_case(Declarations, "declarations"))]
CompanyReportsDep = Annotated[CompanyReports, Depends(_use_case(CompanyReports, "reports"))]
WaitingForMeDep = Annotated[WaitingForMe, Depends(_use_case(WaitingForMe, "waiting"))]
DataAccessDep = Annotated[DataAccess, Depends(_use_case(DataAccess, "data_access"))]
MemberStatusCheckDep = Annotated[MemberStatusCheck, Depends(_use_case(MemberStatusCheck, "member_status"))]
HealthCheckDep = Annotated[HealthCheck, Depends(_use_case(HealthCheck, "health"))]
EvidenceStatementsDep = Annotated[EvidenceStatements, Depends(_use_case(EvidenceStatements, "statements"))]
TendersDep = Annotated[Tenders, Depends(_use_case(Tenders, "tenders"))]
TenderSignalsDep = Annotated[TenderSignals, Depends(_use_case(TenderSignals, "tender_signals"))]
VerificationDep = Annotated[Verification, Depends(_use_case(Verification, "verification"))]
RetentionDep = Annotated[Retention, Depends(_use_case(Retention, "retention"))]
ContributionsDep = Annotated[Contributions, Depends(_use_case(Contributions, "contributions"))]
