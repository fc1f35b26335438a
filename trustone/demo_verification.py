"""The demo's sample verification (issue 16; docs/verification.md): three rounds to look at.

- the completed report year (2024): a round opened, drawn, every check done and its figures
  published (so the public figures have content);
- the latest report year (2025): a round drawn some weeks ago, its checks in every state the pages
  show: drawn and not yet assigned, assigned to the NGO party and to the union party (the demo
  logins' parties), checked (confirmed with a photo, confirmed with a document, unclear) and one
  link of the demo company (whose login is in demo-logins.json) not confirmed: a correction request
  waiting for its answer;
- the latest report year again: a round opened today, its beacon's day still to come, so the
  secretariat's page shows the draw form.

Done as the demo's own people would (the secretariat's login, the parties' logins, the company's),
through the ``Verification`` use case, so the access log shows them; each step is played on its own
day by setting the services' one clock, which is restored afterwards.

The beacon values are invented (no lottery is asked), and the demo picks among invented values one
whose sample suits the walk-through (a country of at least k companies in the published round, a
link of the demo company in the drawn one). That needs the frame's token -> company map, which the
secretariat's login opens once per round for it (an access-log entry, purpose "demo: ..."). A real
round takes the value the lottery published and nothing else: see docs/verification.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import struct
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from keys.access.principal import Principal
from registry.domain.accounts import Role
from registry.domain.organisations import OrganisationKind
from registry.domain.sampling import Dimension, FrameEntry, draw, draw_seed
from registry.usecases.verification import CheckView, RoundView, Verification

SEED = 2025
PUBLISHED_YEAR = 2024  # the demo's completed report year (trustone/demo.py PUBLISHED_YEAR)
LATEST_YEAR = 2025  # the demo's latest report year (trustone/demo.py REPORT_YEARS)
PUBLISHED_SIZE = 8
DRAWN_SIZE = 10
FROZEN_SIZE = 12
NGO_REF, UNION_REF = "arisa", "fnv"  # the parties of the demo's NGO and union logins

_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
# The local partner per country (invented names; a partner never logs in, the party records for it)
_PARTNERS = {
    "IN": "Rajasthan Stone Workers Network (Bundi), veldmedewerker S. Meena",
    "CN": "Fujian Labour Rights Desk, onderzoeker L. Wei",
    "VN": "Thanh Hoa Community Development Centre, N. T. Lan",
    "ZW": "Mutoko Mineworkers Support Trust, T. Moyo",
    "TR": "Afyon Maden Isci Dayanismasi, A. Yildiz",
    "BR": "Centro de Apoio ao Trabalhador da Pedra (Cachoeiro), M. Souza",
    "EG": "Minya Quarry Workers Association, H. Farouk",
    "PT": "Associacao de Trabalhadores do Marmore (Estremoz), J. Costa",
    "IT": "Camera del Lavoro di Carrara, G. Bianchi",
}


def demo_verification(services: Any, today: dt.date | None = None) -> None:
    """Load the demo's three verification rounds (module docstring). Call it after the demo's
    reports and logins exist; ``today`` defaults to the services' clock."""
    today = today or services.clock.today()
    registry = services.registry
    verification: Verification = services.verification

    def person(ref: str, role: Role) -> Principal:
        """The organisation's first login; a company without one is stood in for by a person named
        after it (the access log shows "demo-verification:<ref>")."""
        accounts = registry.accounts_of(ref)
        if accounts:
            return Principal(accounts[0].login, accounts[0].role, registry.organisation_id(ref), ref)
        return Principal(f"demo-verification:{ref}", role, registry.organisation_id(ref), ref)

    secretariat = person(registry.organisations(OrganisationKind.SECRETARIAT)[0].ref, Role.SECRETARIAT)
    ngo, union = person(NGO_REF, Role.NGO), person(UNION_REF, Role.UNION)
    demo_company = next(  # the member company of the demo's company login
        c.ref for c in registry.organisations(OrganisationKind.MEMBER_COMPANY) if registry.accounts_of(c.ref)
    )
    rng = random.Random(SEED)  # noqa: S311 - invented lottery numbers, not for security
    k = services.settings.publish_k

    # --- the completed year: drawn, checked and published -----------------------------------------
    opened_on = dt.date(PUBLISHED_YEAR + 1, 9, 1)
    with _on(services, opened_on):
        round_ = _open(verification, secretariat, PUBLISHED_YEAR, PUBLISHED_SIZE, _friday_after(opened_on, 7))
    with _on(services, round_.beacon_on + dt.timedelta(days=3)):

        def spans_k_companies(sample: list[str], company_of: dict[str, str]) -> bool:
            per_country: dict[str, set[str]] = defaultdict(set)
            for token in sample:
                per_country[token.split("\x1f")[1]].add(company_of[token])
            return any(len(companies) >= k for companies in per_country.values())

        _draw(services, secretariat, round_, rng, spans_k_companies)
    checks = _ordered(verification.checks(secretariat, round_id=round_.id))
    assigned_on = round_.beacon_on + dt.timedelta(days=5)
    with _on(services, assigned_on):
        for number, check in enumerate(checks):
            party = NGO_REF if number % 2 == 0 else UNION_REF
            verification.assign(secretariat, check.id, party_ref=party, method=_method(number))
    outcomes = ["confirmed"] * len(checks)
    outcomes[2], outcomes[5] = "unclear", "not_confirmed"
    for number, (check, outcome) in enumerate(zip(checks, outcomes, strict=True)):
        recorded_on = assigned_on + dt.timedelta(days=30 + 3 * number)
        with _on(services, recorded_on):
            _findings(verification, ngo if number % 2 == 0 else union, check, outcome, recorded_on, photo=number == 0)
    maintained = checks[outcomes.index("not_confirmed")]
    with _on(services, assigned_on + dt.timedelta(days=75)):
        verification.answer_correction(
            person(maintained.company_ref or "", Role.COMPANY),
            maintained.id,
            answer="maintained",
            explanation=(
                "De groeve levert via de fabriek die we in ons rapport noemen; de vrachtbrieven van "
                "2024 liggen ter inzage bij het secretariaat."
            ),
        )
    with _on(services, dt.date(PUBLISHED_YEAR + 2, 1, 19)):
        verification.publish(secretariat, round_.id)

    # --- the latest year: drawn some weeks ago, checks under way -----------------------------------
    opened_on = today - dt.timedelta(days=56)
    with _on(services, opened_on):
        round_ = _open(verification, secretariat, LATEST_YEAR, DRAWN_SIZE, _friday_after(opened_on, 7))
    demo_company_id = str(registry.organisation_id(demo_company))
    with _on(services, round_.beacon_on + dt.timedelta(days=3)):
        _draw(
            services,
            secretariat,
            round_,
            rng,
            lambda sample, company_of: any(company_of[token] == demo_company_id for token in sample),
        )
    found = _ordered(verification.checks(secretariat, round_id=round_.id))
    corrected = next(check for check in found if check.company_ref == demo_company)
    others = [check for check in found if check.id != corrected.id]
    # (check, party, outcome or None: assigned only); the last ones stay drawn, unassigned
    plan: list[tuple[CheckView, str, str | None]] = [
        (corrected, NGO_REF, "not_confirmed"),
        (others[0], NGO_REF, "confirmed"),
        (others[1], UNION_REF, "confirmed"),
        (others[2], UNION_REF, "unclear"),
        (others[3], NGO_REF, None),
        (others[4], NGO_REF, None),
        (others[5], UNION_REF, None),
        (others[6], UNION_REF, None),
    ]
    assigned_on = round_.beacon_on + dt.timedelta(days=5)
    with _on(services, assigned_on):
        for number, (check, party, _outcome) in enumerate(plan):
            verification.assign(secretariat, check.id, party_ref=party, method=_method(number))
    recorded = [(check, party, outcome) for check, party, outcome in plan if outcome is not None]
    for number, (check, party, outcome) in enumerate(recorded):
        recorded_on = min(assigned_on + dt.timedelta(days=14 + 6 * number), today - dt.timedelta(days=2))
        with _on(services, recorded_on):
            _findings(
                verification,
                ngo if party == NGO_REF else union,
                check,
                outcome or "",
                recorded_on,
                photo=number == 1,
                document=number == 2,
            )

    # --- the latest year again: opened today, the beacon's day still to come -----------------------
    with _on(services, today):
        verification.open_round(
            secretariat,
            year=LATEST_YEAR,
            dimensions=["country", "site_kind"],
            size=FROZEN_SIZE,
            beacon_source=_beacon_source(_friday_after(today, 4)),
            beacon_on=_friday_after(today, 4),
        )


# --- steps --------------------------------------------------------------------------------------


def _open(verification: Verification, secretariat: Principal, year: int, size: int, beacon_on: dt.date) -> RoundView:
    return verification.open_round(
        secretariat,
        year=year,
        dimensions=["country"],
        size=size,
        beacon_source=_beacon_source(beacon_on),
        beacon_on=beacon_on,
    )


def _draw(
    services: Any,
    secretariat: Principal,
    round_: RoundView,
    rng: random.Random,
    suits: Callable[[list[str], dict[str, str]], bool],
) -> RoundView:
    """Draw the round with the first invented beacon value whose sample ``suits`` the walk-through
    (``suits(sample, company_of)``: the sample as "token\\x1fcountry" keys, and each key's company id).
    Which token is whose link is read as the secretariat may (``frame_companies``, one access-log entry)."""
    stored = services.registry.repository.get(round_.id)
    company_by_token = {
        token: str(services.registry.organisation_id(ref))
        for token, ref in services.verification.frame_companies(secretariat, round_.id).items()
    }
    entries = [FrameEntry.from_list(entry) for entry in stored.frame]
    dimensions = [Dimension(d) for d in stored.dimensions]
    for _attempt in range(500):
        value = _lottery_value(rng)
        chosen = draw(entries, dimensions, stored.sample_size, draw_seed(stored.frame_digest, value))
        keys = [f"{entry.token}\x1f{entry.country}" for entry in chosen]
        company_of = {f"{entry.token}\x1f{entry.country}": company_by_token[entry.token] for entry in chosen}
        if suits(keys, company_of):
            drawn: RoundView = services.verification.draw(secretariat, round_.id, value)
            return drawn
    raise RuntimeError("demo: no invented beacon value gives a sample that suits the walk-through")


def _findings(
    verification: Verification,
    party: Principal,
    check: CheckView,
    outcome: str,
    recorded_on: dt.date,
    *,
    photo: bool = False,
    document: bool = False,
) -> None:
    site = check.site_name or "de locatie"
    notes = {
        "confirmed": (
            f"Bezoek aan {site} met twee arbeiders uit de buurt. De beheerder toonde leveringsbonnen aan de "
            "verwerker uit de keten; de steensoort en de hoeveelheden passen bij het rapport."
        ),
        "not_confirmed": (
            f"{site} bestaat en werkt zoals gemeld, maar de beheerder en de vrachtrijders kennen de genoemde "
            "afnemer niet; er zijn geen leveringen naar de keten van het bedrijf gevonden."
        ),
        "unclear": (
            f"{site} was bij het bezoek gesloten. Buren bevestigen dat er steen wordt gewonnen, "
            "maar over de afnemers was niemand zeker. Een tweede bezoek is nodig."
        ),
    }[outcome]
    attachments = []
    if photo:
        attachments.append({"filename": "terreinfoto.png", "content_type": "image/png", "data": _b64(_tiny_png())})
    if document:
        text = f"Samenvatting vrachtbrieven {check.year}, opgemaakt door de lokale partner.\n".encode()
        attachments.append({"filename": "vrachtbrieven.txt", "content_type": "text/plain", "data": _b64(text)})
    verification.record_findings(
        party,
        check.id,
        site_exists="unclear" if outcome == "unclear" else "yes",
        site_as_reported="unclear" if outcome == "unclear" else "yes",
        link=outcome,
        checked_on=recorded_on - dt.timedelta(days=3),
        partner=_PARTNERS.get(check.country, f"Lokale partner ({check.country})"),
        notes=notes,
        attachments=attachments,
    )


# --- helpers ------------------------------------------------------------------------------------


@contextmanager
def _on(services: Any, day: dt.date) -> Iterator[None]:
    """Play the steps inside on ``day`` (10:00 UTC), then give the services their clock back."""
    previous = services.clock.source
    moment = dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)
    services.clock.set(lambda: moment)
    try:
        yield
    finally:
        services.clock.set(previous)


def _ordered(checks: list[CheckView]) -> list[CheckView]:
    """The checks in an order that does not depend on their random ids."""
    return sorted(checks, key=lambda c: (c.country, c.site_kind, c.site_name or "", c.company_ref or "", c.chain or ""))


def _method(number: int) -> str:
    return "document_check" if number % 3 == 2 else "site_visit"


def _friday_after(day: dt.date, at_least: int) -> dt.date:
    """The first Friday (a EuroJackpot draw day) at least ``at_least`` days after ``day``."""
    first = day + dt.timedelta(days=at_least)
    return first + dt.timedelta(days=(4 - first.weekday()) % 7)


def _beacon_source(day: dt.date) -> str:
    named = f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"
    return f"EuroJackpot-trekking van {named} (vijf hoofdgetallen en twee eurogetallen, oplopend)"


def _lottery_value(rng: random.Random) -> str:
    """An invented EuroJackpot result: five of 1-50 and two of 1-12, each in ascending order."""
    main = sorted(rng.sample(range(1, 51), 5))
    euro = sorted(rng.sample(range(1, 13), 2))
    return " ".join(map(str, main)) + " + " + " ".join(map(str, euro))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _tiny_png() -> bytes:
    """An 8x8 grey-brown PNG (a stand-in for a site photo), made without an image library."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)  # 8x8, 8 bits, RGB
    rows = b"".join(b"\x00" + bytes((150, 130, 110)) * 8 for _ in range(8))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
