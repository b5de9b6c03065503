"""The server's SVG charts: scaling into the drawing area, missing values, axes."""

from __future__ import annotations

import pytest

from itembank.ui.charts import SIZE, histogram, line_chart, nice_top


@pytest.mark.parametrize(
    ("value", "top"), [(0.93, 1.0), (1.0, 1.0), (3.2, 5.0), (17, 20.0), (240, 250.0), (0, 1.0)]
)
def test_axis_tops_are_round(value: float, top: float) -> None:
    assert nice_top(value) == top


def test_a_line_chart_scales_its_series_and_leaves_out_missing_points() -> None:
    chart = line_chart(
        [1, 2, 3, 4, 5],
        [
            {"label": "A", "values": [0.0, 0.25, 0.5, 0.75, 1.0]},
            {"label": "B", "values": [1.0, None, 0.5, float("nan"), 0.0], "class": "trace-key"},
        ],
        y_max=1.0,
        markers=True,
    )
    assert chart is not None
    x0, x1 = SIZE["left"], SIZE["width"] - SIZE["right"]
    y0, y1 = SIZE["height"] - SIZE["bottom"], SIZE["top"]
    first, second = chart["lines"]
    assert first["points"].split()[0] == f"{x0:.1f},{y0:.1f}"
    assert first["points"].split()[-1] == f"{x1:.1f},{y1:.1f}"
    assert len(second["points"].split()) == 3 and len(second["markers"]) == 3
    assert second["class"] == "trace-key" and first["colour"] != second["colour"]
    assert [label for _, label in chart["x_ticks"]] == ["1", "2", "3", "4", "5"]
    assert [label for _, label in chart["y_ticks"]] == ["0", "0.25", "0.5", "0.75", "1"]


def test_nothing_to_draw_is_no_chart() -> None:
    assert line_chart([], [{"label": "A", "values": []}]) is None
    assert line_chart([1, 2], [{"label": "A", "values": [None, None]}]) is None
    assert histogram([0, 1, 2], [0, 0]) is None
    assert histogram([0, 1], [3, 4]) is None  # edges and counts disagree


def test_a_histogram_has_one_bar_per_bin_up_to_its_count() -> None:
    chart = histogram([0, 2, 4, 6], [5, 20, 10])
    assert chart is not None
    bars = chart["bars"]
    assert [bar["count"] for bar in bars] == [5, 20, 10]
    assert [(bar["start"], bar["end"]) for bar in bars] == [("0", "2"), ("2", "4"), ("4", "6")]
    bottom = SIZE["height"] - SIZE["bottom"]
    assert all(bar["y"] + bar["height"] == pytest.approx(bottom) for bar in bars)
    assert bars[1]["height"] == pytest.approx(4 * bars[0]["height"], abs=0.2)
    assert [label for _, label in chart["y_ticks"]] == ["0", "4", "8", "12", "16", "20"]
    fifty = histogram([0, 1, 2], [3, 47])
    assert fifty is not None
    assert [label for _, label in fifty["y_ticks"]] == ["0", "10", "20", "30", "40", "50"]


def test_an_x_range_leaves_room_beside_the_outer_points() -> None:
    chart = line_chart([1, 2, 3], [{"label": "A", "values": [0, 1, 0]}], x_range=(0.5, 3.5))
    assert chart is not None
    first_x = float(chart["lines"][0]["points"].split()[0].split(",")[0])
    assert first_x > SIZE["left"] and chart["x_ticks"][0][0] == first_x
