"""Sites held as possible duplicates: the queue with both candidates side by side, and the decision.

A held site is shown by its public facts only (name, kind, place, coordinates, stone types: what a
site is, ``AggregatedSite``), never by who described it: the site register names no company, and a
held site must not say which company's report brought it in (registry/domain/site_intake.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from keys.access.filter import Audit, ConfidentialFilter
from keys.access.policy import Action, Facts
from keys.access.principal import Principal, SystemPrincipal
from projections.aggregated_reads import AggregatedSite
from registry.application import RegistryApplication
from registry.domain.errors import ValidationError
from registry.domain.sites import ProductionSite
from registry.usecases.decisions import checked


class DuplicateDecision(StrEnum):
    SAME = "same"  # one site: the held one is merged into its candidate
    DISTINCT = "distinct"  # two sites: the held one becomes active as it is


@dataclass(frozen=True)
class HeldDuplicate:
    held: AggregatedSite  # the site waiting for a decision
    candidate: AggregatedSite  # the registered site it may be
    held_since: dt.date


@dataclass(frozen=True)
class DuplicateDecided:
    site_id: str  # the held site
    decision: DuplicateDecision
    site_id_now: str  # the id the site is known by from now on (the candidate's, when the same)


def public_facts(site: ProductionSite) -> AggregatedSite:
    coordinates = site.coordinates
    return AggregatedSite(
        site_id=site.public_id,
        kind=site.kind.value,
        name=site.name,
        country=site.region.country,
        province=site.region.province,
        district=site.region.district,
        latitude=coordinates.latitude if coordinates else None,
        longitude=coordinates.longitude if coordinates else None,
        stone_types=tuple(site.stone_types),
    )


def parse_decision(value: str) -> DuplicateDecision:
    try:
        return DuplicateDecision((value or "").strip().lower())
    except ValueError:
        raise ValidationError("decision", "same (one site) or distinct (two sites)") from None


class HeldDuplicates:
    def __init__(self, registry: RegistryApplication, guard: ConfidentialFilter) -> None:
        self._registry = registry
        self._guard = guard

    def queue(self, principal: Principal | SystemPrincipal, request_id: str = "") -> list[HeldDuplicate]:
        """Every held site beside its candidate, the longest held first."""
        self._guard.authorise(
            principal,
            Action.READ_DUPLICATE_QUEUE,
            Facts(),
            Audit(subject_kind="duplicate_queue", purpose="sites held as possible duplicates", request_id=request_id),
        )
        out = []
        for held_id, candidate_id in self._registry.sites_awaiting_review():  # in the order they were held
            held = self._registry.site(held_id)
            out.append(
                HeldDuplicate(
                    held=public_facts(held),
                    candidate=public_facts(self._registry.site(candidate_id)),
                    held_since=held.created_on.date(),
                )
            )
        return out

    def decide(
        self, principal: Principal | SystemPrincipal, site_id: str, decision: str, request_id: str = ""
    ) -> DuplicateDecided:
        """Same (merged into the candidate) or distinct; a site not waiting for a decision is 409."""
        audit = Audit(
            subject_kind="site", subject_ref=site_id, purpose="decide a held duplicate", request_id=request_id
        )
        attempt = checked(self._guard, principal, Action.DECIDE_DUPLICATE, audit)
        chosen = parse_decision(decision)
        now = self._registry.decide_duplicate(
            site_id,
            same_as_candidate=chosen == DuplicateDecision.SAME,
            decided_by=principal.login,
            before_write=attempt.grant,
        )
        return DuplicateDecided(site_id=site_id, decision=chosen, site_id_now=now)
