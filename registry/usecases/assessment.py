"""The reports awaiting assessment, the assessment (due-diligence score in, level out) and delay explanations.

The assessment reads no report content: the insight percentages are in clear on each version (they
were computed at submission, registry/domain/assessment.py), and the level and the next due date
follow from them and the score (``RegistryApplication.assess_report``). The assessor reads the
report itself as before, through the filter as ``read_report`` (``GET /api/v1/companies/{ref}/reports/{year}``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from registry.application import RegistryApplication
from registry.assessment_queue import ReportAwaitingAssessment
from registry.domain.reports import AssessmentRecord
from registry.usecases.decisions import checked

__all__ = ["DelayExplanation", "ReportAssessed", "ReportAssessment", "ReportAwaitingAssessment"]


@dataclass(frozen=True)
class ReportAssessed:
    """A report's assessment as recorded: ``assessment`` is the registry's own record of it."""

    company: str
    year: int
    assessment: AssessmentRecord


@dataclass(frozen=True)
class DelayExplanation:
    company: str
    year: int
    explanation: str  # as recorded: whitespace folded


class ReportAssessment:
    def __init__(
        self,
        registry: RegistryApplication,
        guard: ConfidentialFilter,
        clock: Callable[[], dt.date],
    ) -> None:
        """``clock``: today by the services' one clock (``ServiceClock.today``): the day an
        assessment is recorded on and the queue counts its days waiting to."""
        self._registry = registry
        self._guard = guard
        self._clock = clock

    def queue(self, principal: Principal | SystemPrincipal, request_id: str = "") -> list[ReportAwaitingAssessment]:
        """Every submitted report not yet assessed, the longest waiting first."""
        self._guard.authorise(
            principal,
            Action.READ_ASSESSMENT_QUEUE,
            Facts(),
            Audit(subject_kind="assessment_queue", purpose="reports awaiting assessment", request_id=request_id),
        )
        return self._registry.reports_awaiting_assessment(self._clock())

    def assess(
        self,
        principal: Principal | SystemPrincipal,
        company_ref: str,
        year: int,
        version: int,
        due_diligence_score: Decimal,
        request_id: str = "",
    ) -> ReportAssessed:
        """Record the score for ``version`` (the one the assessor read; 409 when a later one came in,
        or when it is assessed already). The policy first; the grant is logged once every check passed."""
        audit = Audit(
            subject_kind="report",
            subject_ref=f"{company_ref}/{year}/v{version}",
            company=company_ref,
            purpose="assess report",
            request_id=request_id,
        )
        attempt = checked(self._guard, principal, Action.ASSESS_REPORT, audit)
        record = self._registry.assess_report(
            company_ref,
            year,
            due_diligence_score,
            assessed_on=self._clock(),
            assessed_by=principal.login,
            version=version,
            before_write=attempt.grant,
        )
        return ReportAssessed(company=company_ref, year=year, assessment=record)

    def explain_delay(
        self,
        principal: Principal | SystemPrincipal,
        company_ref: str,
        year: int,
        explanation: str,
        request_id: str = "",
    ) -> DelayExplanation:
        """Why a company is late for ``year`` (art. 5 lid 11), shown on the public member listing: the
        company for itself, or the secretariat."""
        own = isinstance(principal, Principal) and principal.organisation_id == self._registry.organisation_id(
            company_ref
        )
        facts = Facts(own_data=own)
        audit = Audit(
            subject_kind="delay_explanation",
            subject_ref=f"{company_ref}/{year}",
            company=company_ref,
            purpose="explain delay",
            request_id=request_id,
        )
        attempt = checked(self._guard, principal, Action.EXPLAIN_DELAY, audit, facts)
        self._registry.explain_delay(
            company_ref,
            year,
            explanation,
            by=principal.login,
            before_write=attempt.grant,
        )
        return DelayExplanation(company_ref, year, self._registry.company(company_ref).delay_explanations[str(year)])
