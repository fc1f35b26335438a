"""How projections read sealed report content: through the filter, as a named system principal."""

from __future__ import annotations

from typing import Any

from keys.filter import UNREADABLE
from keys.principal import SystemPrincipal


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
        opened = vault.open(principal, "read_report", fields, subject_kind="report",
                            subject_ref=f"{company.ref}/{report.year}/v{report.versions[-1].number}",
                            company=company.ref, purpose=f"projection {view_name}")
        if any(value is UNREADABLE for value in opened.values()):
            return None
        def sites(links: list[dict]) -> set[str]:
            return {link["site_id"] for link in links if link["site_id"]}

        return report.year, sites(opened["now"]), sites(opened.get("before", []))

    return read
