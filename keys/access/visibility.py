"""What a role sees: tables next to the policy (docs/access.md), read by the use cases.

The policy (keys/access/policy.py) decides *whether* a principal may read; these tables say *which
part* a read covers for each role, so that no route or use case scopes a read with a chain of role
checks. A use case looks its principal's scope up here, reads only that part, and hands the scope's
facts to the policy, which decides on them (and refuses a role whose scope is none).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from keys.access.policy import Facts
from keys.access.principal import Principal, SystemPrincipal
from registry.domain.accounts import Role

# --- the access log ---------------------------------------------------------------------------------


class LogScope(StrEnum):
    """The part of the access log a read covers (the values are the matrix's words)."""

    ALL = "all"
    OWN_ENTRIES = "own entries"  # the entries of the principal's own requests (by its login)
    ABOUT_OWN_DATA = "entries about own data"  # the entries about its organisation's data (by tag)
    NONE = "-"


# role -> scope: the matrix's row "access log: who read which company's supplier data". A role left
# out (committee, public buyer) has no scope: its read is refused by the policy, and logged.
ACCESS_LOG_SCOPE: Mapping[Role, LogScope] = MappingProxyType(
    {
        Role.SECRETARIAT: LogScope.OWN_ENTRIES,
        Role.NGO: LogScope.OWN_ENTRIES,
        Role.UNION: LogScope.OWN_ENTRIES,
        Role.COMPANY: LogScope.ABOUT_OWN_DATA,
        Role.AUDITOR: LogScope.ALL,
    }
)

_SCOPE_FACTS: Mapping[LogScope, Facts] = MappingProxyType(
    {
        LogScope.ALL: Facts(),
        LogScope.OWN_ENTRIES: Facts(own_entries_only=True),
        LogScope.ABOUT_OWN_DATA: Facts(about_own_data_only=True),
        LogScope.NONE: Facts(),
    }
)


def access_log_scope(principal: Principal | SystemPrincipal | None) -> LogScope:
    """The part of the access log ``principal`` reads; NONE for a system principal or a visitor."""
    if not isinstance(principal, Principal):
        return LogScope.NONE
    return ACCESS_LOG_SCOPE.get(principal.role, LogScope.NONE)


def facts_for(scope: LogScope) -> Facts:
    """What a read of ``scope`` establishes for the policy (it grants a role only the scope it may read)."""
    return _SCOPE_FACTS[scope]


# grievance cases: see grievance/usecases
