"""The site's one vocabulary: the name of each of the domain's values (a site kind, a case stage, a
theme, a role ...), the same on every page.

Each kind of value maps the domain's enum members (imported, never retyped) to an English msgid
marked with ``N_``; templates show a value with the ``named`` filter, in the page's language::

    {{ link.site_kind|named("site_kind") }}            {# quarry / groeve #}
    {{ code|named("theme", capital=True) }}            {# Child labour: a label on its own #}
    {{ field(..., options=named_choices("organisation_kind", kinds)) }}

Names used inside a sentence or a list (kinds, themes, roles, channels, deadlines) are lower case; a
template that shows one on its own capitalises it with ``capital=True``. Names that are a phrase of
their own (a stage, a step, a case type) start with a capital. The stage names are the plain words
of the follow-up page, which local partners read in ten languages (``follow_up.py``).

A value no mapping knows (a newer server's) is shown as it is. tests/unit/test_vocabulary.py checks
that every member of each enum has a name, so a new member without one fails a test.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from jinja2 import Environment

from grievance.domain.case import CaseType, MessageKind, Theme
from grievance.domain.deadlines import Deadline
from grievance.domain.stages import Stage, Step
from registry.domain.access_requests import Status as AccessStatus
from registry.domain.accounts import Role
from registry.domain.organisations import CompanySize, MembershipEnd, OrganisationKind
from registry.domain.reports import Channel, OriginConfidence
from registry.domain.sites import SiteKind
from trustone.web.ui.i18n import N_

SITE_KIND: dict[str, str] = {
    SiteKind.QUARRY: N_("quarry"),
    SiteKind.FACTORY: N_("factory"),
    SiteKind.COBBLE_YARD: N_("cobble yard"),
    SiteKind.EXPORTER: N_("exporter"),
    SiteKind.TRADER: N_("trader"),
    SiteKind.STONE_MARKET: N_("stone market"),
    SiteKind.OTHER: N_("other"),
}

CHANNEL: dict[str, str] = {
    Channel.DIRECT: N_("direct"),
    Channel.TRADER: N_("through a trader"),
    Channel.STONE_MARKET: N_("through a stone market"),
}

ORIGIN_CONFIDENCE: dict[str, str] = {
    OriginConfidence.CLAIMED: N_("claimed by the supplier"),
    OriginConfidence.PARTLY_KNOWN: N_("partly checked"),
    OriginConfidence.VERIFIED: N_("verified"),
}

ORGANISATION_KIND: dict[str, str] = {
    OrganisationKind.MEMBER_COMPANY: N_("member company"),
    OrganisationKind.NGO_PARTY: N_("NGO party"),
    OrganisationKind.UNION_PARTY: N_("union party"),
    OrganisationKind.PUBLIC_BUYER: N_("public buyer"),
    OrganisationKind.SECRETARIAT: N_("secretariat"),
    OrganisationKind.COMPLAINTS_COMMITTEE: N_("complaints committee"),
    OrganisationKind.AUDITOR: N_("auditor"),
}

# A login's role is named after the kind of organisation it works for.
ROLE: dict[str, str] = {
    Role.COMPANY: N_("member company"),
    Role.NGO: N_("NGO party"),
    Role.UNION: N_("union party"),
    Role.BUYER: N_("public buyer"),
    Role.SECRETARIAT: N_("secretariat"),
    Role.COMMITTEE: N_("complaints committee"),
    Role.AUDITOR: N_("auditor"),
}

COMPANY_SIZE: dict[str, str] = {
    CompanySize.SMALL: N_("small"),
    CompanySize.MEDIUM: N_("medium"),
    CompanySize.LARGE: N_("large"),
}

MEMBERSHIP_END: dict[str, str] = {
    MembershipEnd.WITHDRAWN: N_("withdrawn"),
    MembershipEnd.EXCLUDED: N_("excluded"),
}

# A volume's unit in a yearly report (registry/reportfile.py ``_VOLUME_UNITS``; no enum).
VOLUME_UNIT: dict[str, str] = {
    "m3": N_("m³"),
    "t": N_("tonnes"),
    "m2": N_("m²"),
    "pieces": N_("pieces"),
}

# A declaration's status on a day is a plain string (registry/domain/declarations.py ``status_on``).
DECLARATION_STATUS: dict[str, str] = {
    "valid": N_("valid"),
    "not_yet_valid": N_("not yet valid"),
    "expired": N_("expired"),
    "revoked": N_("revoked"),
}

ACCESS_STATUS: dict[str, str] = {
    AccessStatus.REQUESTED: N_("Requested"),
    AccessStatus.CLAUSE_SIGNED: N_("Clause signed, awaiting a decision"),
    AccessStatus.APPROVED: N_("Approved"),
    AccessStatus.REFUSED: N_("Refused"),
    AccessStatus.RELEASED: N_("Released"),
    AccessStatus.EXPIRED: N_("Expired"),
    AccessStatus.REVOKED: N_("Revoked"),
}

STAGE: dict[str, str] = {
    Stage.FILED: N_("Report received"),
    Stage.ACKNOWLEDGED: N_("Confirmed by the secretariat"),
    Stage.INADMISSIBLE: N_("Not taken up"),
    Stage.MATCHED: N_("Buying companies found"),
    Stage.NOT_IN_MEMBER_CHAINS: N_("No member company buys here"),
    Stage.COMPANIES_NOTIFIED: N_("Companies informed"),
    Stage.IN_DIALOGUE: N_("In talks with the companies"),
    Stage.REMEDIATION_AGREED: N_("Remedy agreed"),
    Stage.REMEDIATION_MONITORED: N_("Remedy being checked"),
    Stage.RESOLVED: N_("Resolved"),
    Stage.REFERRED: N_("Sent to the complaints committee"),
    Stage.ADMITTED: N_("Accepted by the committee"),
    Stage.HEARING_SCHEDULED: N_("Hearing planned"),
    Stage.RULED: N_("The committee has decided"),
    Stage.REMINDED: N_("Reminder sent"),
    Stage.MEMBERSHIP_END_PROPOSED: N_("End of membership proposed"),
    Stage.CLOSED: N_("Closed"),
}

STEP: dict[str, str] = {
    Step.ACKNOWLEDGE: N_("Acknowledge receipt"),
    Step.DECLARE_INADMISSIBLE: N_("Declare inadmissible"),
    Step.MATCH: N_("Match to member companies"),
    Step.NOTIFY_COMPANIES: N_("Notify the companies"),
    Step.RESPOND: N_("Respond"),
    Step.AGREE_REMEDIATION: N_("Record agreed remediation"),
    Step.MONITOR_REMEDIATION: N_("Record remediation monitoring"),
    Step.RESOLVE: N_("Resolve"),
    Step.CLOSE: N_("Close the case"),
    Step.REFER_TO_COMMITTEE: N_("Refer to the committee"),
    Step.ADMIT: N_("Decide on admissibility"),
    Step.SCHEDULE_HEARING: N_("Schedule a hearing"),
    Step.RULE: N_("Record the ruling"),
    Step.SEND_REMINDER: N_("Send a reminder"),
    Step.PROPOSE_MEMBERSHIP_END: N_("Propose ending the membership"),
    Step.RECORD_COMPLIANCE: N_("Record compliance"),
}

CASE_TYPE: dict[str, str] = {
    CaseType.COMPLAINT: N_("Report about a site"),
    CaseType.DISPUTE_BETWEEN_PARTIES: N_("Dispute between parties"),
    CaseType.DISPUTE_WITH_SECRETARIAT: N_("Dispute with the secretariat"),
}

THEME: dict[str, str] = {
    Theme.DISCRIMINATION_AND_GENDER: N_("discrimination and gender"),
    Theme.CHILD_LABOUR: N_("child labour"),
    Theme.FORCED_LABOUR: N_("forced labour"),
    Theme.LIVING_WAGE: N_("living wage"),
    Theme.FREEDOM_OF_ASSOCIATION: N_("freedom of association"),
    Theme.HEALTH_AND_SAFETY: N_("health and safety"),
    Theme.LAND_RIGHTS_AND_ENVIRONMENT: N_("land rights and environment"),
    Theme.OTHER: N_("other"),
}

MESSAGE_KIND: dict[str, str] = {
    MessageKind.RESPONSE: N_("Response"),
    MessageKind.REMEDIATION_PROPOSAL: N_("Remediation proposal"),
    MessageKind.PROGRESS: N_("Progress report"),
}

# Whose turn it is: the deadline a case waits on.
DEADLINE: dict[str, str] = {
    Deadline.ACKNOWLEDGE: N_("acknowledgement by the secretariat"),
    Deadline.MATCH_AND_NOTIFY: N_("finding and notifying the companies"),
    Deadline.FIRST_RESPONSE: N_("the companies' first response"),
    Deadline.ADMISSIBILITY: N_("the committee's decision on admissibility"),
    Deadline.RULING: N_("the committee's ruling"),
    Deadline.COMPLIANCE: N_("compliance with the ruling"),
}

VOCABULARY: dict[str, dict[str, str]] = {
    "site_kind": SITE_KIND,
    "channel": CHANNEL,
    "origin_confidence": ORIGIN_CONFIDENCE,
    "organisation_kind": ORGANISATION_KIND,
    "role": ROLE,
    "company_size": COMPANY_SIZE,
    "membership_end": MEMBERSHIP_END,
    "declaration_status": DECLARATION_STATUS,
    "volume_unit": VOLUME_UNIT,
    "access_status": ACCESS_STATUS,
    "stage": STAGE,
    "step": STEP,
    "case_type": CASE_TYPE,
    "theme": THEME,
    "message_kind": MESSAGE_KIND,
    "deadline": DEADLINE,
}

# The enum each kind names in full (a declaration's status and a volume's unit have none).
ENUMS: dict[str, type[StrEnum]] = {
    "site_kind": SiteKind,
    "channel": Channel,
    "origin_confidence": OriginConfidence,
    "organisation_kind": OrganisationKind,
    "role": Role,
    "company_size": CompanySize,
    "membership_end": MembershipEnd,
    "access_status": AccessStatus,
    "stage": Stage,
    "step": Step,
    "case_type": CaseType,
    "theme": Theme,
    "message_kind": MessageKind,
    "deadline": Deadline,
}


def msgid(kind: str, value: Any) -> str:
    """The English msgid of ``value``'s name; an unknown value as it is. An unknown ``kind`` is a
    template's mistake: a KeyError, so a test finds it."""
    code = str(value.value if isinstance(value, StrEnum) else value)
    return VOCABULARY[kind].get(code, code)


def _capitalised(text: str) -> str:
    """The first letter upper case, the rest untouched ("NGO party" stays "NGO party"; Jinja's
    ``capitalize`` would make it "Ngo party")."""
    return text[:1].upper() + text[1:]


def named(value: Any, kind: str, capital: bool = False, *, translations: Any) -> str:
    """The ``named`` filter: ``value``'s name in the page's language (no value: nothing)."""
    if value is None:
        return ""
    text = str(translations.gettext(msgid(kind, value)))
    return _capitalised(text) if capital else text


def named_choices(
    kind: str, values: Iterable[Any] | None = None, capital: bool = False, *, translations: Any
) -> list[tuple[str, str]]:
    """(value, name) pairs for a select: of ``values`` in their order, or of every named value."""
    codes: Iterable[Any] = VOCABULARY[kind] if values is None else values
    return [(str(code), named(code, kind, capital, translations=translations)) for code in codes]


def install(env: Environment, translations: Any) -> None:
    """Adds ``named`` and ``capital`` (filters) and ``named_choices`` (global) to a language's template environment."""
    env.filters["named"] = functools.partial(named, translations=translations)
    env.filters["capital"] = _capitalised  # for a name already translated (a chart's label)
    env.globals["named_choices"] = functools.partial(named_choices, translations=translations)
