"""``trustone reports`` and ``trustone sites``: the secretariat's assessment and duplicate duties from
the server's command line. Each command calls its use case as the system principal
``secretariat-cli:<os user>`` (logged like anyone else) and prints one line per result; a refusal
or an error is one line on stderr and exit 1."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer

from registry.usecases.duplicates import HeldDuplicate
from registry.usecases.publishing import QuarryRegionList
from trustone.cli_common import command_services, operator

secretariat_cli = typer.Typer()
reports_cli = typer.Typer(help="Reports awaiting assessment, the assessment, delay explanations.", no_args_is_help=True)
sites_cli = typer.Typer(help="Sites held as possible duplicates: side by side, and the decision.", no_args_is_help=True)
secretariat_cli.add_typer(reports_cli, name="reports")
secretariat_cli.add_typer(sites_cli, name="sites")

YearArgument = Annotated[int, typer.Argument(help="report year")]


# --- waiting for me ---------------------------------------------------------------------------------


@secretariat_cli.command("waiting")
def waiting() -> None:
    """The secretariat's desk: per queue the count and the oldest item (or the one due soonest)."""
    with command_services() as services:
        summary = services.waiting.summary(operator())
    for queue in summary.queues:
        if queue.first is None:
            typer.echo(f"{queue.queue}: none")
            continue
        which = f"the first due {queue.first.ref} on" if queue.by_due_date else f"the oldest {queue.first.ref} since"
        what = f" ({queue.first.what})" if queue.first.what else ""
        typer.echo(f"{queue.queue}: {queue.count}, {which} {queue.first.on}{what}")


# --- reports ---------------------------------------------------------------------------------------


@reports_cli.command("queue")
def queue() -> None:
    """The submitted reports not yet assessed, the longest waiting first."""
    with command_services() as services:
        waiting = services.assessment.queue(operator())
    for report in waiting:
        typer.echo(
            f"{report.company}  {report.year}  v{report.version}  submitted {report.submitted_on}"
            f"  waiting {report.days_waiting} day(s) since {report.waiting_since}"
            f"  quarries known {report.quarry_insight}%  factories known {report.factory_insight}%"
        )
    if not waiting:
        typer.echo("no report is awaiting assessment")


@reports_cli.command("assess")
def assess(
    company: Annotated[str, typer.Argument(help="the member company's ref")],
    year: YearArgument,
    version: Annotated[int, typer.Option("--version", help="the version you read (see `trustone reports queue`)")],
    score: Annotated[str, typer.Option("--score", help="the due-diligence score, a percentage 0-100")],
) -> None:
    """Enter the due-diligence score (art. 5 lid 6); prints the level and the next assessment."""
    from trustone.cli import fail

    try:
        points = Decimal(score)
    except InvalidOperation:
        points = Decimal("NaN")
    if not points.is_finite():  # NaN would not compare with the thresholds at all
        fail("--score: a number between 0 and 100, for example 65 or 62.5")
    with command_services() as services:
        result = services.assessment.assess(operator(), company, year, version, points)
    record = result.assessment
    typer.echo(
        f"{result.company} {result.year} v{record.version}: level {record.level}"
        f" (quarries known {record.quarry_insight}%, factories known {record.factory_insight}%,"
        f" score {record.due_diligence_score}); next assessment {record.next_kind} by {record.next_due}"
    )


@reports_cli.command("explain-delay")
def explain_delay(
    company: Annotated[str, typer.Argument(help="the member company's ref")],
    year: YearArgument,
    explanation: Annotated[str, typer.Argument(help="why the company is late (10-2000 characters; public)")],
) -> None:
    """Record why a company is delayed for a year (art. 5 lid 11); shown on the public member listing."""
    with command_services() as services:
        result = services.assessment.explain_delay(operator(), company, year, explanation)
    typer.echo(f"recorded the delay explanation of {result.company} for {result.year}")


# --- held duplicate sites ----------------------------------------------------------------------------


def _site_line(label: str, site: Any) -> str:
    place = " > ".join(part for part in (site.country, site.province, site.district) if part)
    point = f"{site.latitude}, {site.longitude}" if site.latitude is not None else "no coordinates"
    stones = ", ".join(site.stone_types) or "-"
    return f"  {label:<9} {site.site_id}  {site.kind}  {site.name}  {place}  ({point})  stone: {stones}"


def _print_pair(pair: HeldDuplicate) -> None:
    typer.echo(f"held since {pair.held_since}")
    typer.echo(_site_line("held", pair.held))
    typer.echo(_site_line("candidate", pair.candidate))


@sites_cli.command("held")
def held() -> None:
    """The sites held as possible duplicates, each beside its candidate, the longest held first."""
    with command_services() as services:
        pairs = services.duplicates.queue(operator())
    for pair in pairs:
        _print_pair(pair)
    if not pairs:
        typer.echo("no site is held for a duplicate decision")


@sites_cli.command("decide")
def decide(
    site: Annotated[str, typer.Argument(help="the held site's id")],
    decision: Annotated[str, typer.Argument(help="same (one site: merged into its candidate) or distinct")],
) -> None:
    """Decide a held site: the same as its candidate, or a distinct site."""
    with command_services() as services:
        result = services.duplicates.decide(operator(), site, decision)
    typer.echo(f"{result.site_id}: {result.decision}; the site's id from now on is {result.site_id_now}")


# --- the quarry-region list (``trustone publish quarry-regions --preview``) ------------------------------


def print_quarry_regions(listed: QuarryRegionList) -> None:
    state = f"published on {listed.published_on}" if listed.published_on else "not yet published"
    typer.echo(f"quarry-region list {listed.year} ({state}; figures from k={listed.k} companies on):")
    for region in listed.regions:
        figures = (
            f"{region.companies} companies, {region.sites} sites" if region.companies is not None else "figures hidden"
        )
        typer.echo(
            f"  {region.country} > {region.province} > {region.district}: {figures}"
            f"  point {region.latitude}, {region.longitude}"
        )
