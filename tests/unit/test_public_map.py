"""The quarry-region map's TopoJSON decoder and drawing (trustone/web/ui/maps.py)."""

from __future__ import annotations

from trustone.web.ui import maps

# Two squares sharing their middle border, quantised with scale 0.5 and translate (10, 20).
# Arc 0: the shared border from (2,0) up to (2,2); arc 1: the left square's other three sides;
# arc 2: the right square's. Delta-encoded: each position after the first is a step.
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
    "arcs": [
        [[2, 0], [0, 2]],
        [[2, 2], [-2, 0], [0, -2], [2, 0]],
        [[2, 0], [2, 0], [0, 2], [-2, 0]],
    ],
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "id": "056", "properties": {"name": "Left"}},
                {"type": "Polygon", "arcs": [[2, -1]], "id": "250", "properties": {"name": "Right"}},
                {"type": None, "id": "999"},
            ],
        }
    },
}


def test_arcs_are_delta_decoded_then_transformed():
    assert maps.decode_arcs(TOPOLOGY)[0] == [(11.0, 20.0), (11.0, 21.0)]


def test_a_ring_joins_its_arcs_and_a_negative_index_is_the_arc_reversed():
    left, right = maps.decode_countries(TOPOLOGY)  # the null geometry is left out
    assert (left.numeric, left.name) == ("056", "Left")
    assert left.polygons[0][0] == [(11.0, 20.0), (11.0, 21.0), (10.0, 21.0), (10.0, 20.0), (11.0, 20.0)]
    assert right.polygons[0][0] == [(11.0, 20.0), (12.0, 20.0), (12.0, 21.0), (11.0, 21.0), (11.0, 20.0)]
    assert right.bounds == (11.0, 20.0, 12.0, 21.0)


def test_the_vendored_atlas_has_the_production_countries():
    names = {country.numeric: country.name for country in maps.world()}
    assert names["356"] == "India" and names["076"] == "Brazil" and names["056"] == "Belgium"
    assert maps.numeric_code("IN") == "356"


def test_a_drawing_marks_each_point_once_filled_where_figures_are_shown():
    def region(country, province, district, companies, latitude, longitude):
        return {"country": country, "province": province, "district": district, "companies": companies,
                "latitude": latitude, "longitude": longitude}  # fmt: skip

    regions = [
        region("IN", "Rajasthan", "Bundi", 4, 25.4, 75.6),
        region("PT", "Évora", "Borba", None, 38.5, -7.5),
        region("PT", "Évora", "Estremoz", None, 38.5, -7.5),
    ]
    drawing = maps.draw(regions)
    assert [(m.labels, m.shown) for m in drawing.markers] == [
        (("Évora, Borba (PT)", "Évora, Estremoz (PT)"), False),
        (("Rajasthan, Bundi (IN)",), True),
    ]
    assert all(0 <= m.x <= drawing.width and 0 <= m.y <= drawing.height for m in drawing.markers)
    assert sum(shape.listed for shape in drawing.shapes) == 2  # India and Portugal shaded
    assert drawing.markers[0].x < drawing.markers[1].x  # Portugal lies west of India
