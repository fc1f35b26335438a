"""Small charts for the public pages, laid out here and drawn as inline SVG by the templates.

The geometry only: no colours, no text (a label is an msgid or a name, translated when the page is
drawn). Each chart stands beside a table with the same numbers, which is its accessible form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# A horizontal bar chart: each row is its label on one line, its bar under it with the value at the
# bar's end. Labels above the bars leave the whole width to the bar, which suits a phone.
CHART_WIDTH = 300.0
ROW_HEIGHT = 40.0
LABEL_BASELINE = 15.0
BAR_TOP = 20.0
BAR_HEIGHT = 14.0
VALUE_ROOM = 44.0  # room after the longest bar for its value


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    label_y: float
    y: float
    length: float

    @property
    def value_x(self) -> float:
        return self.length + 6

    @property
    def value_y(self) -> float:
        return self.y + BAR_HEIGHT - 2


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: float = CHART_WIDTH
    bar_height: float = BAR_HEIGHT

    @property
    def height(self) -> float:
        return max(1.0, len(self.bars) * ROW_HEIGHT)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.0f} {self.height:.0f}"


def bar_chart(
    items: Mapping[str, float | int | None] | Sequence[tuple[str, float | int | None]], width: float = CHART_WIDTH
) -> BarChart:
    """One bar per item, in the order given, its length in proportion to the largest value. A value
    of None (not known) is drawn as no bar; the table beside the chart says it. ``width``: wider for
    long labels (a label's line is the chart's width)."""
    pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
    top = max((float(value) for _, value in pairs if value), default=0.0)
    room = width - VALUE_ROOM
    bars = []
    for index, (label, value) in enumerate(pairs):
        row = index * ROW_HEIGHT
        length = room * float(value) / top if value and top else 0.0
        bars.append(Bar(label, float(value or 0), row + LABEL_BASELINE, row + BAR_TOP, round(length, 1)))
    return BarChart(tuple(bars), width)


# A member's levels over the years: one small column per year, its height the level (0 to 5).
SPARK_COLUMN = 14.0
SPARK_GAP = 4.0
SPARK_HEIGHT = 30.0
TOP_LEVEL = 5


@dataclass(frozen=True)
class Column:
    year: int
    level: int | None  # None: no assessed report that year
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class Sparkline:
    columns: tuple[Column, ...]
    width: float
    height: float = SPARK_HEIGHT
    column_width: float = SPARK_COLUMN

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.0f} {self.height:.0f}"


def sparkline(levels: Mapping[int, int], years: Sequence[int]) -> Sparkline:
    """Columns for ``years`` (every member's chart has the same years, so the charts line up); level
    0 is a sliver so that it shows as a level, a year without a level has no column."""
    columns = []
    for index, year in enumerate(years):
        level = levels.get(year)
        height = 0.0 if level is None else max(2.0, SPARK_HEIGHT * level / TOP_LEVEL)
        columns.append(Column(year, level, index * (SPARK_COLUMN + SPARK_GAP), SPARK_HEIGHT - height, height))
    width = max(SPARK_COLUMN, len(years) * (SPARK_COLUMN + SPARK_GAP) - SPARK_GAP)
    return Sparkline(tuple(columns), width)
