"""How projections read sealed report content: through the filter, as a named system principal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keys.access.filter import UNREADABLE
from keys.access.principal import SystemPrincipal


def report_site_reader(registry: Any, vault: Any, view_name: str):
    """For a VersionSubmitted event: (year, site ids of this version, site ids of the one before).

    The report is loaded as of that event, so a rebuild sees exactly what an incremental run saw.
    None when the content cannot be opened (the company's keys were shredded).
    """
    principal = SystemPrincipal(f"projection:{view_name}")

    def read(event: Any) -> tuple[int, set[str], set[str]] | None:
        report = registry.repository.get(event.originator_id, version=event.originator_version)
        company = registry.repository.get(report.company_id)
        fields = {"now": report.versions[-1].sealed["links"]}
        if len(report.versions) > 1:
            fields["before"] = report.versions[-2].sealed["links"]
        opened = vault.open(
            principal,
            "read_report",
            fields,
            subject_kind="report",
            subject_ref=f"{company.ref}/{report.year}/v{report.versions[-1].number}",
            company=company.ref,
            purpose=f"projection {view_name}",
        )
        if any(value is UNREADABLE for value in opened.values()):
            return None

        def sites(links: list[dict]) -> set[str]:
            return {link["site_id"] for link in links if link["site_id"]}

        return report.year, sites(opened["now"]), sites(opened.get("before", []))

    return read


def report_plan_reader(registry: Any, vault: Any, view_name: str):
    """For a report event: (year, its action plan with every supplier named in the same version's
    links removed). None when the content cannot be opened. A registered site's name comes from
    ``site_name``, the view's own catalogue (never from loading the site's aggregate)."""
    principal = SystemPrincipal(f"projection:{view_name}")

    def read(event: Any, site_name: Callable[[str], str | None]) -> tuple[int, list[dict]] | None:
        report = registry.repository.get(event.originator_id, version=event.originator_version)
        company = registry.repository.get(report.company_id)
        version = report.versions[-1]
        opened = vault.open(
            principal,
            "read_report",
            {
                "action_plan": version.sealed["action_plan"],
                "links": version.sealed["links"],
                "new_sites": version.sealed["new_sites"],
            },
            subject_kind="report",
            subject_ref=f"{company.ref}/{report.year}/v{version.number}",
            company=company.ref,
            purpose=f"projection {view_name}",
        )
        if any(value is UNREADABLE for value in opened.values()):
            return None
        # a site the report describes is not registered yet (registry/domain/site_intake.py): its
        # name is the one the report gives
        described = {site["public_id"]: site["name"] for site in opened["new_sites"]}
        site_ids = sorted({link["site_id"] for link in opened["links"] if link["site_id"]})
        names = [
            described[site_id] if site_id in described else _registered_name(site_name, site_id) for site_id in site_ids
        ] + site_ids
        return report.year, [redact_item(item, names) for item in opened["action_plan"]]

    return read


def _registered_name(site_name: Callable[[str], str | None], site_id: str) -> str:
    name = site_name(site_id)
    if name is None:  # a report names only sites registered before it: the view's catalogue is incomplete
        raise LookupError("a site the report links to is not in the view's site catalogue; rebuild the view")
    return name


def redact_item(item: dict, names: list[str]) -> dict:
    """Art. 6 lid 6: a published action plan must not link the company to a supplier. However the
    plan writes the name or the site id: see projections/redaction.py."""
    from projections.redaction import redact_item as redact

    return redact(item, names)
