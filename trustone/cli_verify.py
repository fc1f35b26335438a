"""``trustone verify``: do the stores and the views still hold what was written? (docs/confidentiality.md,
threat model: a writer to the database, without the keys.)

Three checks, each failure named by table and row id, never by a value:
- every sealed field of every event (registry and grievance stores) opens, unless its data key was
  shredded: a changed byte or a value copied from another row, field or owner is a failure, and so is
  a data key that is gone without the proof a real shredding leaves ("key missing but never
  shredded": deleted, or blanked by hand to pass for shredded);
- every linked-list view row equals what its source events give (the projection replayed in memory
  up to the view's tracked position: report id, company, year, version, the sealed links and their
  context), no row is missing or extra, and its links open as that row's (projections/linked_list.py);
- likewise every case-notice view row (notice id, case, reference, recipient tag, the sealed notice and
  its context, time, order), and its notice opens as that row's (projections/cases.py); a company's
  sealed part of a case opens under the key its recipient tag names (grievance/application.py);
- the access log's hash chain (``trustone audit verify`` checks the signed digests as well).

Checking opens each value and throws the plaintext away at once (``ConfidentialFilter.check_sealed``):
nothing is released, so nothing is logged; the command writes nothing. Exit 0 when all holds, 1 on
any failure, 2 when the stores cannot be opened.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import typer
from eventsourcing.utils import get_topic

from grievance.application import addressed
from grievance.domain.case import GrievanceCase
from keys.encryption.envelope import key_ref_of
from keys.encryption.keyring import KeyringError
from keys.encryption.sealing import SealedField
from projections.cases import NOTICE_FIELD, bound_notice, notice_row
from projections.linked_list import bound_links
from registry.domain.reports import SupplyChainReport
from registry.usecases.verification import key_owner_of as verification_key_owner_of
from trustone.bootstrap import Services, bootstrap
from trustone.settings import Settings, SettingsError

EXIT_FAILED = 1
EXIT_USAGE = 2
_BATCH = 500


@dataclass
class Verification:
    opened: int = 0
    shredded: int = 0
    rows: int = 0
    notice_rows: int = 0
    failures: list[str] = field(default_factory=list)


def verify_services(services: Services) -> Verification:
    result = Verification()
    for app in (services.registry, services.grievance):
        _check_event_store(services, app, result)
    _check_shreddings(services, result)
    _check_linked_list(services, result)
    _check_case_notices(services, result)
    chain = services.access_log.verify()
    if not chain.ok:
        result.failures.append(f"access_log row {chain.first_bad_seq}: the hash chain does not verify")
    return result


def _notifications(app: Any, topics: tuple[str, ...] = (), up_to: int | None = None) -> Iterator[Any]:
    start = 1
    while True:
        batch = app.recorder.select_notifications(start=start, limit=_BATCH, stop=up_to, topics=topics)
        yield from batch
        if len(batch) < _BATCH:
            return
        start = batch[-1].id + 1


def _check_event_store(services: Services, app: Any, result: Verification) -> None:
    for notification in _notifications(app):
        where = f"{app.name} events row {notification.id}"
        try:
            event = app.mapper.to_domain_event(notification)
        except Exception as error:  # noqa: BLE001 - any row that does not decode is a failure to report
            result.failures.append(f"{where}: does not decode ({type(error).__name__})")
            continue
        for name, value in sorted(vars(event).items()):
            if isinstance(value, SealedField):
                value = _bound(vars(event), name, value)
                _count(services, value, f"{where} field {name}", result)


def _bound(fields: dict[str, Any], name: str, value: SealedField) -> SealedField:
    """A value addressed to a company by a keyed tag opens only under the key that tag names: a
    grievance notice's ``recipient_tag``, a field check's or a frame share's ``company_tag``."""
    if "recipient_tag" in fields:
        bound: SealedField = addressed(fields, name)
        return bound
    tag = fields.get("company_tag")
    if isinstance(tag, str):
        return dataclasses.replace(value, owner=str(verification_key_owner_of(tag)))
    return value


def _count(services: Services, value: SealedField, where: str, result: Verification) -> None:
    status = services.filter.check_sealed(value)
    if status == "broken" and not services.datakeys.is_recorded(key_ref_of(value.blob)):
        result.failures.append(f"{where}: does not open: {_MISSING} (its data key is not in data_keys)")
    elif status == "broken":
        result.failures.append(f"{where}: does not open, and its key was not shredded")
    elif status == "shredded":
        result.shredded += 1
    else:
        result.opened += 1


_MISSING = "key missing but never shredded"


def _check_shreddings(services: Services, result: Verification) -> None:
    """A data key that is gone must have been shredded: its row keeps the proof the shredding left,
    which only the master keyring can make (keys/encryption/datakeys.py). Blanked or marked by hand, it has none."""
    for key_ref in services.datakeys.missing_never_shredded():
        result.failures.append(f"data_keys row {key_ref}: {_MISSING} (no valid shredding proof)")


def _check_linked_list(services: Services, result: Verification) -> None:
    """Replay the linked-list projection in memory up to its tracked position and compare row by row."""
    registry = services.registry
    recorder = services.linked_list.recorder
    position = recorder.max_tracking_id(registry.name) or 0
    expected: dict[str, dict[str, Any]] = {}
    companies: dict[Any, str] = {}
    topics = recorder.view.topics
    if position:
        for notification in _notifications(registry, topics, up_to=position):
            event = registry.mapper.to_domain_event(notification)
            report_id = str(event.originator_id)
            if isinstance(event, SupplyChainReport.Started):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
                if event.company_id not in companies:
                    companies[event.company_id] = registry.repository.get(event.company_id).ref
                expected[report_id] = {
                    "company": companies[event.company_id],
                    "year": event.year,
                    "version": None,
                    "links": None,
                    "links_context": None,
                }
            elif report_id in expected and isinstance(event.links, SealedField):  # type: ignore[attr-defined]  # an @event class's field; the library types events as its protocol
                expected[report_id].update(
                    version=event.number,  # type: ignore[attr-defined]  # an @event class's field; the library types events as its protocol
                    links=base64.b64encode(event.links.blob).decode(),  # type: ignore[attr-defined]  # an @event class's field; the library types events as its protocol
                    links_context=event.links.context,  # type: ignore[attr-defined]  # an @event class's field; the library types events as its protocol
                )
    stored = {row[0]: row for row in services.linked_list.rows()}
    actual = {
        report_id: dict(zip(("company", "year", "version", "links", "links_context"), row[1:], strict=True))
        for report_id, row in stored.items()
    }
    for report_id in _rows_matching_their_source(result, "linked_reports", "report", expected, actual):
        _, company, year, _, links, links_context = stored[report_id]
        where = f"linked_reports row {report_id}"
        result.rows += 1
        if links is not None:
            sealed = bound_links(registry.name, company, year, links, links_context)
            status = services.filter.check_sealed(sealed)
            if status == "broken":
                result.failures.append(f"{where}: its links do not open as this row's")


def _rows_matching_their_source(
    result: Verification,
    table: str,
    source: str,
    expected: dict[str, dict],
    actual: dict[str, dict],
    columns: tuple[str, ...] | None = None,
) -> list[str]:
    """The keys of the view rows equal to what their source events say (``columns``: those compared,
    default all expected); every other row, and every missing one, is a failure naming it."""
    matching = []
    for key in sorted(set(expected) | set(actual)):
        where = f"{table} row {key}"
        if key not in actual:
            result.failures.append(f"{where}: missing (its {source} is in the event store)")
        elif key not in expected:
            result.failures.append(f"{where}: no such {source} in the event store")
        elif differing := [
            column for column in (columns or tuple(expected[key])) if actual[key][column] != expected[key][column]
        ]:
            result.failures.append(f"{where}: {', '.join(differing)} differ(s) from the source events")
        else:
            matching.append(key)
    return matching


def _check_case_notices(services: Services, result: Verification) -> None:
    """Replay the notices of the case view up to its tracked position and compare row by row, then
    check that each notice opens as its own row claims (the row's case, version and recipient)."""
    grievance = services.grievance
    recorder = services.cases.recorder
    position = recorder.max_tracking_id(grievance.name) or 0
    references: dict[str, str] = {}
    expected: dict[str, dict[str, Any]] = {}
    topics = (get_topic(GrievanceCase.Filed), get_topic(GrievanceCase.CompanyNotified))  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
    if position:
        for notification in _notifications(grievance, topics, up_to=position):
            event = grievance.mapper.to_domain_event(notification)
            if isinstance(event, GrievanceCase.Filed):  # type: ignore[attr-defined]  # an @event class, made by the library at class creation
                references[str(event.originator_id)] = event.reference
            elif isinstance(event.notice, SealedField):  # type: ignore[attr-defined]  # an @event class's field; the library types events as its protocol
                row = notice_row(event)
                expected[row["notice_id"]] = {**row, "reference": references.get(row["case_id"])}
    columns = ("notice_id", "case_id", "reference", "recipient_tag", "notice", "notice_context", "notified_at")
    stored = [dict(zip(columns, row, strict=True)) for row in services.cases.notice_rows()]
    actual = {row["notice_id"]: row for row in stored}
    in_order = [notice_id for notice_id in actual if notice_id in expected]
    if in_order != [notice_id for notice_id in expected if notice_id in actual]:
        result.failures.append("case_notices: rows are not in the order their notices were recorded")
    for notice_id in _rows_matching_their_source(result, "case_notices", "notice", expected, actual, columns[1:]):
        row = actual[notice_id]
        where = f"case_notices row {notice_id}"
        result.notice_rows += 1
        sealed = bound_notice(
            grievance.name,
            notice_id,
            row["case_id"],
            row["recipient_tag"],
            row["notice"],
            row["reference"],
            row["reference"],
        )
        if services.filter.check_sealed(sealed) == "broken":
            result.failures.append(f"{where}: its {NOTICE_FIELD} does not open as this row's")


def verify() -> None:
    """Check every sealed field (unless shredded), every linked-list and case-notice row against its
    source events, and the access log's chain; names each failure by table and row id; exit 1 on any failure."""
    try:
        services = bootstrap(Settings.from_env())
    except (SettingsError, KeyringError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    try:
        result = verify_services(services)
    finally:
        services.close()
    for failure in result.failures:
        typer.echo(f"integrity failure: {failure}", err=True)
    summary = (
        f"{result.opened} sealed field(s) open, {result.shredded} shredded (key destroyed), "
        f"{result.rows} linked-list row(s) match their source, "
        f"{result.notice_rows} case notice row(s) match their source"
    )
    if result.failures:
        typer.echo(f"{len(result.failures)} integrity failure(s); {summary}", err=True)
        raise typer.Exit(EXIT_FAILED)
    typer.echo(f"verified: {summary}; access log chain intact")
