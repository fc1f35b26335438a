"""The quarry-region map, drawn on the server as inline SVG from vendored country outlines.

No tile server, no CDN, no script: the outlines are Natural Earth's 1:110m countries as the npm
package ``world-atlas@2.0.2`` ships them (``static/vendor/world-atlas/``, see its README), in
TopoJSON. This module decodes that TopoJSON itself (a few lines; no dependency):

- ``arcs``: the shared borders, each a list of positions, *delta-encoded* (each position after the
  first is the difference from the one before) and *quantised* (whole numbers);
- ``transform``: ``scale`` and ``translate`` turn a quantised position back into longitude and
  latitude: ``lon = x * scale[0] + translate[0]`` (the same for latitude);
- a polygon's ring lists arc indices; index ``~i`` (that is ``-i - 1``) means arc ``i`` reversed;
  consecutive arcs share their end point, which is drawn once.

The projection is equirectangular with the standard parallel at the middle of the view (longitude
scaled by the cosine of that latitude), zoomed to the countries of the list. Each region of the
published list is a point (its coordinates are published, ``projections/quarry_regions.py``):
a filled dot where its figures are shown (at least k companies), a ring where they are not, so the
difference is not told by colour alone. Regions on one point (a whole-degree cell's centre) share
one marker.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycountry

ATLAS = Path(__file__).parent / "static" / "vendor" / "world-atlas" / "countries-110m.json"
WIDTH = 1000.0  # the SVG's user units across; the height follows the view's shape
MIN_SPAN = 12.0  # degrees: a list of one small country is still shown with its neighbours
PADDING = 0.06  # of the span, on each side

LonLat = tuple[float, float]
Ring = list[LonLat]


@dataclass(frozen=True)
class Country:
    numeric: str  # ISO 3166-1 numeric, as world-atlas names it ("" for a few disputed areas)
    name: str
    polygons: tuple[tuple[Ring, ...], ...]  # each polygon: its outer ring, then its holes

    @functools.cached_property
    def bounds(self) -> tuple[float, float, float, float]:
        points = [p for polygon in self.polygons for ring in polygon for p in ring]
        return (
            min(p[0] for p in points),
            min(p[1] for p in points),
            max(p[0] for p in points),
            max(p[1] for p in points),
        )


def decode_arcs(topology: Mapping[str, Any]) -> list[list[LonLat]]:
    """Every arc as longitude/latitude positions: undo the delta encoding, then the quantisation."""
    transform = topology.get("transform")
    arcs: list[list[LonLat]] = []
    for arc in topology["arcs"]:
        if transform is None:  # an unquantised topology holds absolute positions
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        positions = []
        for dx, dy, *_ in arc:
            x += dx
            y += dy
            positions.append((x * sx + tx, y * sy + ty))
        arcs.append(positions)
    return arcs


def ring_of(indices: Iterable[int], arcs: Sequence[list[LonLat]]) -> Ring:
    """A ring from its arcs: ``~i`` is arc ``i`` reversed; each arc after the first starts where the
    one before ended, so its first position is left out."""
    ring: Ring = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(arc if not ring else arc[1:])
    return ring


def _unwrapped(ring: Ring) -> Ring:
    """A ring that crosses the antimeridian (Fiji, Russia's far east) jumps from 180 to -180 degrees;
    drawn as it is, it would cross the whole map. Its western half is moved east by 360 degrees."""
    longitudes = [lon for lon, _ in ring]
    if not ring or max(longitudes) - min(longitudes) <= 180:
        return ring
    return [(lon + 360 if lon < 0 else lon, lat) for lon, lat in ring]


def decode_countries(topology: Mapping[str, Any], name: str = "countries") -> list[Country]:
    arcs = decode_arcs(topology)
    countries = []
    for geometry in topology["objects"][name]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            polygons = [geometry["arcs"]]
        elif kind == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue  # a null geometry: nothing to draw
        countries.append(
            Country(
                numeric=str(geometry.get("id") or ""),
                name=str(geometry.get("properties", {}).get("name", "")),
                polygons=tuple(tuple(_unwrapped(ring_of(ring, arcs)) for ring in polygon) for polygon in polygons),
            )
        )
    return countries


@functools.cache
def world() -> tuple[Country, ...]:
    with ATLAS.open(encoding="utf-8") as source:
        return tuple(decode_countries(json.load(source)))


def numeric_code(alpha_2: str) -> str:
    """The ISO 3166-1 numeric code world-atlas uses for a country's alpha-2 code ('' if unknown)."""
    country = pycountry.countries.get(alpha_2=alpha_2.upper())
    return country.numeric if country else ""


# --- drawing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    path: str  # SVG path data
    listed: bool  # a country of the list


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    labels: tuple[str, ...]  # the regions at this point ("Rajasthan, Bundi (IN)")
    shown: bool  # at least one of them has its figures shown (k or more companies)


@dataclass(frozen=True)
class Drawing:
    width: float
    height: float
    shapes: tuple[Shape, ...]
    markers: tuple[Marker, ...]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.0f} {self.height:.0f}"


@dataclass(frozen=True)
class _View:
    west: float
    south: float
    east: float
    north: float

    @property
    def stretch(self) -> float:
        """Longitude's scale against latitude's: the cosine of the middle latitude."""
        return max(0.2, math.cos(math.radians((self.south + self.north) / 2)))

    @property
    def scale(self) -> float:
        return WIDTH / ((self.east - self.west) * self.stretch)

    @property
    def height(self) -> float:
        return (self.north - self.south) * self.scale

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.west) * self.stretch * self.scale, (self.north - lat) * self.scale

    def overlaps(self, bounds: tuple[float, float, float, float]) -> bool:
        west, south, east, north = bounds
        return west <= self.east and east >= self.west and south <= self.north and north >= self.south


def _view(boxes: Sequence[tuple[float, float, float, float]]) -> _View:
    """The box around ``boxes``, padded, at least ``MIN_SPAN`` wide and high, and not much taller
    than wide nor much wider than tall (from 3:1 to 5:4, width to height)."""
    if not boxes:
        return _View(-180, -60, 180, 84)
    west, south = min(b[0] for b in boxes), min(b[1] for b in boxes)
    east, north = max(b[2] for b in boxes), max(b[3] for b in boxes)
    lon_span, lat_span = max(east - west, MIN_SPAN), max(north - south, MIN_SPAN)
    centre_lon, centre_lat = (west + east) / 2, (south + north) / 2
    stretch = max(0.2, math.cos(math.radians(centre_lat)))
    if lat_span > 0.8 * lon_span * stretch:
        lon_span = lat_span / 0.8 / stretch
    if lon_span * stretch > 3 * lat_span:
        lat_span = lon_span * stretch / 3
    lon_span *= 1 + 2 * PADDING
    lat_span *= 1 + 2 * PADDING
    south, north = max(-85.0, centre_lat - lat_span / 2), min(85.0, centre_lat + lat_span / 2)
    return _View(centre_lon - lon_span / 2, south, centre_lon + lon_span / 2, north)


def _path(polygons: Iterable[Iterable[Ring]], view: _View) -> str:
    parts = []
    for polygon in polygons:
        for ring in polygon:
            points: list[str] = []
            for lon, lat in ring:
                x, y = view.project(lon, lat)
                point = f"{x:.0f},{y:.0f}"  # a user unit is a thousandth of the width: finer than 1:110m
                if not points or points[-1] != point:
                    points.append(point)
            if len(points) >= 3:
                parts.append("M" + "L".join(points) + "Z")
    return "".join(parts)


def draw(regions: Sequence[Mapping[str, Any]], countries: Sequence[Country] | None = None) -> Drawing:
    """The map of a published list's ``regions`` (its rows as the use case returns them)."""
    countries = world() if countries is None else countries
    listed = {numeric_code(str(region["country"])) for region in regions} - {""}
    boxes = [country.bounds for country in countries if country.numeric in listed]
    boxes += [
        (r["longitude"], r["latitude"], r["longitude"], r["latitude"])
        for r in regions
        if r.get("latitude") is not None and r.get("longitude") is not None
    ]
    view = _view(boxes)
    shapes = tuple(
        Shape(_path(country.polygons, view), country.numeric in listed)
        for country in countries
        if view.overlaps(country.bounds)
    )
    at: dict[tuple[float, float], list[Mapping[str, Any]]] = {}
    for region in regions:
        if region.get("latitude") is not None and region.get("longitude") is not None:
            at.setdefault((float(region["longitude"]), float(region["latitude"])), []).append(region)
    markers = []
    for (lon, lat), here in sorted(at.items(), key=lambda item: (-item[0][1], item[0][0])):
        x, y = view.project(lon, lat)
        markers.append(
            Marker(
                x=round(x, 1),
                y=round(y, 1),
                labels=tuple(_label(region) for region in here),
                shown=any(region.get("companies") is not None for region in here),
            )
        )
    return Drawing(WIDTH, round(view.height, 1), shapes, tuple(markers))


def _label(region: Mapping[str, Any]) -> str:
    names = [str(region.get(key) or "") for key in ("province", "district")]
    return ", ".join(name for name in names if name) + f" ({region['country']})"
