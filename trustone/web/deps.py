"""Dependencies shared by the routers: the services, and the request id every log entry carries."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from grievance.usecases.cases import GrievanceCases
from grievance.usecases.desk import CaseDesk
from keys.access.log_reading import AccessLogReading
from keys.encryption.administration import KeyAdministration
from registry.usecases.accounts import Accounts
from registry.usecases.assessment import ReportAssessment
from registry.usecases.data_access import DataAccess
from registry.usecases.declarations import Declarations
from registry.usecases.duplicates import HeldDuplicates
from registry.usecases.lists import AggregatedListPages, LinkedListSearch, PublishedLists
from registry.usecases.organisations import Organisations
from registry.usecases.publishing import Publishing
from registry.usecases.reports import CompanyReports
from registry.usecases.shredding import CompanyShredding
from registry.usecases.waiting import WaitingForMe
from trustone.bootstrap import Services
from trustone.web.logging import request_id_of


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_request_id(request: Request) -> str:
    """Made by ``RequestLog`` (trustone/web/logging.py): the same id in the ``X-Request-ID`` header,
    the server's log line and every access-log entry of the request."""
    return request_id_of(request.scope)


ServicesDep = Annotated[Services, Depends(get_services)]
RequestIdDep = Annotated[str, Depends(get_request_id)]


# One dependency per use case: a route names the one it calls, never the whole composition.
def get_organisations(request: Request) -> Organisations:
    return get_services(request).organisations  # a typed ``request``: an untyped one is read as a query parameter


def get_accounts(request: Request) -> Accounts:
    return get_services(request).accounts


OrganisationsDep = Annotated[Organisations, Depends(get_organisations)]
AccountsDep = Annotated[Accounts, Depends(get_accounts)]


def get_assessment(request: Request) -> ReportAssessment:
    return get_services(request).assessment  # a typed ``request``: an untyped one is read as a query parameter


def get_duplicates(request: Request) -> HeldDuplicates:
    return get_services(request).duplicates


def get_publishing(request: Request) -> Publishing:
    return get_services(request).publishing


ReportAssessmentDep = Annotated[ReportAssessment, Depends(get_assessment)]
HeldDuplicatesDep = Annotated[HeldDuplicates, Depends(get_duplicates)]
PublishingDep = Annotated[Publishing, Depends(get_publishing)]


# The lists, the access log and the keys (a typed ``request``: FastAPI would read an untyped one as a
# query parameter).
def get_aggregated_pages(request: Request) -> AggregatedListPages:
    return get_services(request).aggregated_pages


def get_linked_search(request: Request) -> LinkedListSearch:
    return get_services(request).linked_search


def get_published_lists(request: Request) -> PublishedLists:
    return get_services(request).published


def get_access_log_reading(request: Request) -> AccessLogReading:
    return get_services(request).access_log_reading


def get_key_administration(request: Request) -> KeyAdministration:
    return get_services(request).key_administration


def get_shredding(request: Request) -> CompanyShredding:
    return get_services(request).shredding


AggregatedListPagesDep = Annotated[AggregatedListPages, Depends(get_aggregated_pages)]
LinkedListSearchDep = Annotated[LinkedListSearch, Depends(get_linked_search)]
PublishedListsDep = Annotated[PublishedLists, Depends(get_published_lists)]
AccessLogReadingDep = Annotated[AccessLogReading, Depends(get_access_log_reading)]
KeyAdministrationDep = Annotated[KeyAdministration, Depends(get_key_administration)]
CompanyShreddingDep = Annotated[CompanyShredding, Depends(get_shredding)]


# the grievance cases (grievance/usecases); a typed ``request``: an untyped one is read as a query parameter
def get_grievance_cases(request: Request) -> GrievanceCases:
    return get_services(request).grievance_cases


def get_case_desk(request: Request) -> CaseDesk:
    return get_services(request).case_desk


GrievanceCasesDep = Annotated[GrievanceCases, Depends(get_grievance_cases)]
CaseDeskDep = Annotated[CaseDesk, Depends(get_case_desk)]


def get_declarations(request: Request) -> Declarations:
    return get_services(request).declarations


DeclarationsDep = Annotated[Declarations, Depends(get_declarations)]


def get_reports(request: Request) -> CompanyReports:
    return get_services(request).reports  # typed: an untyped ``request`` is read as a query parameter


CompanyReportsDep = Annotated[CompanyReports, Depends(get_reports)]


def get_waiting(request: Request) -> WaitingForMe:
    return get_services(request).waiting


WaitingForMeDep = Annotated[WaitingForMe, Depends(get_waiting)]


def get_data_access(request: Request) -> DataAccess:
    return get_services(request).data_access  # typed: an untyped ``request`` is read as a query parameter


DataAccessDep = Annotated[DataAccess, Depends(get_data_access)]
