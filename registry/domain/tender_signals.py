"""Reports about tenders that ignore due diligence (art. 7 lid 12). Skeleton: filled in with issue 15.

``CONFIDENTIAL_EVENTS``: event class name -> (owner attribute, sealed field names), as in
registry/domain/reports.py; the registry application seals these on the way into the store."""

from __future__ import annotations

CONFIDENTIAL_EVENTS: dict[str, tuple[str, tuple[str, ...]]] = {}
