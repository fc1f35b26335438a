"""Pages without a login: quarry regions (map, table, downloads), members and levels, grievance statistics, the
follow-up page.

Each calls the use case of its JSON twin (``trustone/web/lists.py``, the public routes of
``trustone/web/grievances.py``) and only arranges its answer: the map and the charts are laid out
in ``maps.py`` and ``charts.py``. The downloads are the JSON API's own answers, linked.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from babel import Locale
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from registry.domain.errors import NotFoundError
from trustone.web.deps import CaseDeskDep, GrievanceCasesDep, PublishedListsDep, VerificationDep
from trustone.web.ui import charts, follow_up, i18n, maps, vocabulary
from trustone.web.ui.forms import FormState
from trustone.web.ui.i18n import N_
from trustone.web.ui.session import OptionalPrincipalDep
from trustone.web.ui.templating import page_language, render

router = APIRouter(include_in_schema=False)

# The site's one name per theme, case type and deadline (vocabulary.py); a chart label is capitalised
# in the template.
THEMES = vocabulary.THEME
CASE_TYPES = vocabulary.CASE_TYPE
DEADLINES = vocabulary.DEADLINE
UNKNOWN_COUNTRY = N_("Country not given")


def _country_names(language: str, codes: set[str]) -> dict[str, str]:
    """Country names in the page's language (Babel's CLDR data), by ISO code."""
    territories = Locale.parse(language).territories
    return {code: territories.get(code.upper(), code) for code in codes}


# --- quarry regions -------------------------------------------------------------------------------


@router.get("/public/quarry-regions")
def quarry_regions(
    request: Request,
    _: OptionalPrincipalDep,
    lists: PublishedListsDep,
    verification: VerificationDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    years = lists.quarry_region_years()
    if not years:
        return render(request, "public/quarry_regions.html", {"years": [], "document": None})
    document = lists.quarry_regions(year)  # a year without a list: NotFoundError, drawn as a 404 page
    regions = document["regions"]
    language = page_language(request)
    names = _country_names(language, {region["country"] for region in regions})
    per_country: dict[str, int] = {}
    for region in regions:
        per_country[region["country"]] = per_country.get(region["country"], 0) + 1
    return render(
        request,
        "public/quarry_regions.html",
        {
            "years": years,
            "document": document,
            "published_on": dt.date.fromisoformat(document["published_on"]),
            "regions": regions,
            "countries": sorted(per_country.items(), key=lambda item: names[item[0]]),
            "country_names": names,
            "drawing": maps.draw(regions),
            "shown": sum(region["companies"] is not None for region in regions),
            # the share of the year's links a field check confirmed (issue 16; None below k companies)
            "verified": next((y for y in verification.verified_per_year() if y.year == document["year"]), None),
        },
    )


# --- members --------------------------------------------------------------------------------------


@router.get("/public/members")
def members(request: Request, _: OptionalPrincipalDep, lists: PublishedListsDep) -> Response:
    listing = lists.members()
    years = sorted({entry["year"] for member in listing for entry in member["progress"]})
    rows = []
    for member in listing:
        levels = {entry["year"]: entry["level"] for entry in member["progress"]}
        last = member["periods"][-1] if member["periods"] else {}
        rows.append(
            {
                "member": member,
                "levels": levels,
                "chart": charts.sparkline(levels, years),
                "joined_on": dt.date.fromisoformat(member["joined_on"]),
                "ended_on": dt.date.fromisoformat(last["ended_on"]) if last.get("ended_on") else None,
                "end_reason": last.get("end_reason"),
            }
        )
    names = _country_names(page_language(request), {str(member["country"]) for member in listing})
    return render(
        request,
        "public/members.html",
        {"rows": rows, "years": years, "country_names": names, "top_level": charts.TOP_LEVEL},
    )


# --- grievance statistics -------------------------------------------------------------------------


@router.get("/public/grievance-statistics")
def grievance_statistics(request: Request, _: OptionalPrincipalDep, desk: CaseDeskDep) -> Response:
    figures = desk.statistics()
    countries = _country_names(page_language(request), set(figures["by_country"]) - {"unknown"})
    countries["unknown"] = UNKNOWN_COUNTRY
    sections: list[dict[str, Any]] = [
        {
            "id": "by-stage",
            "title": N_("Cases by stage"),
            "counts": {follow_up.stage_name(k): v for k, v in figures["by_stage"].items()},
        },
        {"id": "by-theme", "title": N_("Cases by theme"), "counts": _labelled(figures["by_theme"], THEMES)},
        {"id": "by-country", "title": N_("Cases by country"), "counts": _labelled(figures["by_country"], countries)},
        {"id": "by-type", "title": N_("Cases by type"), "counts": _labelled(figures["by_type"], CASE_TYPES)},
    ]
    for section in sections:
        section["chart"] = charts.bar_chart(section["counts"])
    median = {follow_up.stage_name(k): v for k, v in figures["median_days_per_stage"].items()}
    on_time = {
        DEADLINES.get(name, name): row["share_on_time"] * 100
        for name, row in figures["deadlines"].items()
        if row["share_on_time"] is not None  # none met or missed yet: no share to draw
    }
    return render(
        request,
        "public/statistics.html",
        {
            "figures": figures,
            "sections": sections,
            "median": median,
            "median_chart": charts.bar_chart(median),
            "deadlines": [(DEADLINES.get(name, name), row) for name, row in figures["deadlines"].items()],
            "on_time_chart": charts.bar_chart(on_time, width=480) if on_time else None,
        },
    )


def _labelled(counts: dict[str, int], labels: dict[str, str]) -> dict[str, int]:
    return {labels.get(key, key): value for key, value in counts.items()}


# --- the follow-up page (ten languages) -----------------------------------------------------------


@router.get("/follow-up")
def follow_up_page(request: Request, _: OptionalPrincipalDep) -> Response:
    return render(
        request, "public/follow_up.html", {"form": FormState(), "answer": None}, languages=i18n.FOLLOW_UP_LANGUAGES
    )


@router.post("/follow-up")
def follow_up_check(
    request: Request,
    _: OptionalPrincipalDep,
    cases: GrievanceCasesDep,
    code: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The status for a follow-up code, on the page the form was sent to: no redirect, because the
    answer would have to carry the code in its address (in the history, a proxy's log, a Referer)."""
    typed = code.strip()
    form = FormState(values={"code": typed})
    letters = len(follow_up.code_letters(typed))
    if not typed:
        form.error("code", follow_up.CODE_MISSING)
    elif letters != follow_up.CODE_LETTERS:
        form.error("code", follow_up.CODE_MALFORMED)
    else:
        try:
            answer = cases.follow_up(typed)
        except NotFoundError:
            form.error("code", follow_up.CODE_UNKNOWN)
        else:
            return render(
                request,
                "public/follow_up.html",
                {
                    "form": FormState(),
                    "answer": answer,
                    "filed_on": dt.date.fromisoformat(answer.filed_on),
                    "stage": follow_up.stage_name(answer.stage),
                    "steps": [(follow_up.stage_name(s.stage), dt.date.fromisoformat(s.on)) for s in answer.stages],
                },
                languages=i18n.FOLLOW_UP_LANGUAGES,
            )
    return render(
        request,
        "public/follow_up.html",
        {"form": form, "answer": None},
        status_code=404 if form.errors["code"] == (follow_up.CODE_UNKNOWN, {}) else 422,
        languages=i18n.FOLLOW_UP_LANGUAGES,
    )
