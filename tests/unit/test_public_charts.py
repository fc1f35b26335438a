"""The public pages' chart geometry (trustone/web/ui/charts.py)."""

from __future__ import annotations

from trustone.web.ui import charts


def test_bars_are_in_proportion_to_the_largest_and_none_has_no_bar():
    chart = charts.bar_chart({"Child labour": 4, "Living wage": 2, "Other": None})
    longest = 300 - 44  # the chart's width less the room for the value
    assert [(bar.label, bar.length) for bar in chart.bars] == [
        ("Child labour", longest),
        ("Living wage", longest / 2),
        ("Other", 0.0),
    ]
    assert chart.view_box == "0 0 300 120"  # three rows of 40


def test_a_sparkline_has_a_column_per_year_and_none_for_a_year_without_a_level():
    line = charts.sparkline({2024: 5, 2026: 0}, [2024, 2025, 2026])
    assert [(c.year, c.level, c.height) for c in line.columns] == [(2024, 5, 30.0), (2025, None, 0.0), (2026, 0, 2.0)]
    assert [c.x for c in line.columns] == [0.0, 18.0, 36.0]
    assert line.columns[0].y == 0.0  # the top level fills the height
