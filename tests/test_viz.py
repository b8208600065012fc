"""Tests for the plotting helpers that draw data exactly as given (cgan_lib.drawing.plots)."""

from __future__ import annotations

import numpy as np

from cgan_lib.drawing.plots import plot_curves, plot_dot_chart, plot_snapshots


def test_the_dot_chart_draws_each_value_on_its_row_and_the_target_line():
    figure = plot_dot_chart({"accuracy": {"laptop": 0.99, "without EMA": 0.98},
                             "FD": {"laptop": 3.8, "without EMA": 4.5}},
                            targets={"FD": 3.375})
    accuracy, distance = figure.axes
    dots = accuracy.get_lines()[0]
    assert dots.get_xdata().tolist() == [0.99, 0.98] and dots.get_ydata().tolist() == [0, 1]
    assert [label.get_text() for label in accuracy.get_yticklabels()] == ["laptop", "without EMA"]
    assert distance.get_lines()[0].get_xdata().tolist() == [3.8, 4.5]
    assert list(distance.get_lines()[1].get_xdata()) == [3.375, 3.375]
    assert len(accuracy.get_lines()) == 1  # no target there
    low, high = distance.get_xlim()
    assert low < 3.375 < 3.8 < 4.5 < high  # the target is in view, not only the dots


def test_snapshots_name_the_rows_of_the_first_grid_in_each_figure_row():
    pictures = {f"epoch {epoch}": np.zeros((1, 58, 58)) for epoch in (1, 2, 3)}  # saved grids
    figure = plot_snapshots(pictures, columns=1, panels_per_row=2, row_labels=["0", "1"])
    labels = [[label.get_text() for label in axes.get_yticklabels()] for axes in figure.axes]
    assert labels == [["0", "1"], [], ["0", "1"]]
    assert figure.axes[0].get_yticks().tolist() == [14.5, 43.5]  # the middles of two halves


def test_curves_share_one_legend_mark_guides_and_label_line_ends():
    runs = {"alternating": {"round": [1, 2], "fd": [300.0, 120.0]},
            "phased": {"round": [1, 2], "fd": [700.0, 701.0]}}
    figure = plot_curves(runs, {"a": ["fd"], "b": ["fd"]}, x="round", label_ends=["a"],
                         guides={"b": {"real data": 8.26}})
    first, second = figure.axes
    assert [text.get_text() for text in figure.legends[0].get_texts()] == ["alternating", "phased"]
    assert first.get_legend() is None and second.get_legend() is None  # one legend, not three
    assert [text.get_text() for text in first.texts] == ["120", "701"]  # each line's last value
    assert second.texts[0].get_text() == "real data"
    assert list(second.get_lines()[-1].get_ydata()) == [8.26, 8.26]
    # Two metrics in a panel: each panel keeps its own legend, naming run and metric.
    figure = plot_curves(runs, {"losses": ["fd", "round"]}, x="round")
    assert not figure.legends
    assert "phased: fd" in [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
