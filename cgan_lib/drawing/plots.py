"""Pure plotting helpers: each takes arrays and returns an image array or a matplotlib Figure.

Figures are built with `matplotlib.figure.Figure`, not pyplot, so nothing global changes and a
notebook shows a returned figure exactly once. Saving is the caller's choice (`figure.savefig`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

DIGIT_NAMES = [str(digit) for digit in range(10)]


def tile_images(images: np.ndarray, rows: int, columns: int, padding: int = 2) -> np.ndarray:
    """Arrange up to rows*columns images (N, H, W[, 1]) into one (rows*H, columns*W) array.

    Missing cells stay at the images' minimum value; `padding` pixels separate the cells.
    """
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"expected images of shape (N, H, W) or (N, H, W, 1), got {images.shape}")
    if len(images) > rows * columns:
        raise ValueError(f"{len(images)} images do not fit a {rows}×{columns} grid")
    count, height, width = images.shape
    background = images.min() if count else 0
    canvas = np.full(
        (rows * (height + padding) - padding, columns * (width + padding) - padding),
        background,
        dtype=images.dtype,
    )
    for index, image in enumerate(images):
        top, left = (index // columns) * (height + padding), (index % columns) * (width + padding)
        canvas[top : top + height, left : left + width] = image
    return canvas


def plot_grid(
    images: np.ndarray,
    columns: int | None = None,
    *,
    row_labels: Sequence[str] | None = None,
    title: str | None = None,
    value_range: tuple[float, float] = (-1.0, 1.0),
    cell_inches: float = 0.6,
) -> Figure:
    """A Figure showing images as one grid; `row_labels` name each row (e.g. the digit)."""
    images = np.asarray(images)
    count = len(images)
    columns = columns or int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / columns))
    figure = Figure(figsize=(columns * cell_inches + 0.6, rows * cell_inches + 0.4))
    axes = figure.add_subplot()
    draw_tiles(axes, images, rows, columns, value_range, row_labels)
    if title:
        axes.set_title(title)
    figure.tight_layout()
    return figure


def draw_tiles(axes, images: np.ndarray, rows: int, columns: int,
               value_range: tuple[float, float], row_labels: Sequence[str] | None) -> None:
    """Draw `tile_images` on `axes` without ticks or frame; `row_labels` split its height evenly
    (one label per row of cells, or per row of a grid saved as one picture)."""
    canvas = tile_images(images, rows, columns)
    axes.imshow(canvas, cmap="gray", vmin=value_range[0], vmax=value_range[1])
    axes.set_xticks([])
    if row_labels is not None:
        row_height = len(canvas) / len(row_labels)
        axes.set_yticks([(index + 0.5) * row_height for index in range(len(row_labels))],
                        row_labels)
        axes.tick_params(length=0)
    else:
        axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(False)


def plot_histograms(
    samples: Mapping[str, np.ndarray], bins: int = 50, log_scale: bool = True
) -> Figure:
    """One histogram panel per named array, side by side (e.g. pixels before and after scaling)."""
    figure = Figure(figsize=(4.5 * len(samples), 3.2))
    for index, (name, values) in enumerate(samples.items()):
        axes = figure.add_subplot(1, len(samples), index + 1)
        axes.hist(np.ravel(values), bins=bins, color="tab:blue")
        axes.set_title(name)
        axes.set_xlabel("pixel value")
        if log_scale:
            axes.set_yscale("log")
    figure.axes[0].set_ylabel("count" + (" (log scale)" if log_scale else ""))
    figure.tight_layout()
    return figure


def plot_curves(
    runs: Mapping[str, Mapping[str, Sequence[float]]],
    panels: Mapping[str, Sequence[str]],
    x: str = "epoch",
    log_scale: Sequence[str] = (),
    guides: Mapping[str, Mapping[str, float]] | None = None,
    label_ends: Sequence[str] = (),
) -> Figure:
    """One panel per entry of `panels` (title → metric names), one line per run and metric.

    `runs` maps a run's name to its history (metric name → values), such as
    `keras.callbacks.History.history` or `TrainingMonitor.history`. The x axis is the history's
    `x` entry if it has one, else 1, 2, 3, … (epochs). NaN values leave gaps. Panels named in
    `log_scale` get a logarithmic y axis; `guides` draws labelled horizontal lines in a panel
    (title → {label: value}); panels named in `label_ends` write each line's last value at its
    end. A legend sits below the figure once when every panel has the same lines, else below
    each panel, off the data.
    """
    guides = guides or {}
    shared_legend = all(len(metrics) == 1 for metrics in panels.values()) and len(runs) > 1
    entries = 0 if shared_legend else max(len(metrics) * len(runs) for metrics in panels.values())
    figure = Figure(figsize=(4.6 * len(panels), 3.4 + 0.2 * entries))
    for index, (title, metrics) in enumerate(panels.items()):
        axes = figure.add_subplot(1, len(panels), index + 1)
        for run_index, (run_name, history) in enumerate(runs.items()):
            for metric in metrics:
                if metric not in history:
                    continue
                values = np.asarray(history[metric], dtype=float)
                positions = np.asarray(history.get(x, np.arange(1, len(values) + 1)), float)
                label = (metric if len(runs) == 1 else run_name if len(metrics) == 1
                         else f"{run_name}: {metric}")
                line, = axes.plot(positions, values, label=label, linewidth=1.4,
                                  color=f"C{run_index}" if len(metrics) == 1 else None)
                if title in label_ends:
                    axes.annotate(f"{values[-1]:.3g}", (positions[-1], values[-1]), fontsize=8,
                                  color=line.get_color(), xytext=(3, 0),
                                  textcoords="offset points", va="center")
        for guide_label, value in guides.get(title, {}).items():
            axes.axhline(value, color="black", linestyle=":", linewidth=1)
            axes.annotate(guide_label, (0.01, value), xycoords=("axes fraction", "data"),
                          fontsize=8, va="bottom")
        axes.set_title(title)
        axes.set_xlabel(x.replace("_", " "))
        if title in log_scale:
            axes.set_yscale("log")
        axes.grid(alpha=0.3)
        if not shared_legend:  # below the panel, so that the legend never hides a curve
            axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    figure.tight_layout()
    if shared_legend:
        handles, labels = figure.axes[0].get_legend_handles_labels()
        columns = min(len(labels), 4)
        figure.legend(handles, labels, fontsize=8, loc="lower center", ncols=columns,
                      frameon=False)
        rows = -(-len(labels) // columns)
        figure.set_figheight(figure.get_figheight() + 0.25 * rows)
        figure.tight_layout(rect=(0, 0.25 * rows / figure.get_figheight() + 0.02, 1, 1))
    return figure


def plot_snapshots(
    snapshots: Mapping[str, np.ndarray],
    columns: int,
    value_range: tuple[float, float] = (-1.0, 1.0),
    panel_inches: float = 2.6,
    panels_per_row: int = 5,
    row_labels: Sequence[str] | None = None,
) -> Figure:
    """Several image grids side by side, each titled by its key (e.g. "epoch 5": images);
    `row_labels` name the rows of the first grid of each figure row (e.g. the digits)."""
    count = len(snapshots)
    panel_columns = min(count, panels_per_row)
    panel_rows = int(np.ceil(count / panel_columns))
    figure = Figure(figsize=(panel_inches * panel_columns, (panel_inches + 0.3) * panel_rows))
    for index, (title, images) in enumerate(snapshots.items()):
        rows = int(np.ceil(len(images) / columns))
        axes = figure.add_subplot(panel_rows, panel_columns, index + 1)
        first_in_row = index % panel_columns == 0
        draw_tiles(axes, images, rows, columns, value_range, row_labels if first_in_row else None)
        axes.set_title(title, fontsize=10)
    figure.tight_layout()
    return figure


def plot_dot_chart(
    panels: Mapping[str, Mapping[str, float]],
    targets: Mapping[str, float] | None = None,
) -> Figure:
    """One panel per entry of `panels` (title → {row label: value}): one dot per row, the first
    row on top, the axis fitted to the values (small differences stay visible, unlike bars from
    0). `targets` (title → value) draws a dashed vertical line in that panel."""
    targets = targets or {}
    labels = list(next(iter(panels.values())))
    positions = np.arange(len(labels))
    figure = Figure(figsize=(3.6 * len(panels) + 2.6, 0.38 * len(labels) + 1.3))
    for index, (title, values) in enumerate(panels.items()):
        axes = figure.add_subplot(1, len(panels), index + 1)
        row_values = [values[label] for label in labels]
        axes.plot(row_values, positions, "o", color="tab:blue")
        axes.set_yticks(positions, labels if index == 0 else [""] * len(labels))
        axes.set_ylim(len(labels) - 0.5, -0.5)
        shown = row_values + ([targets[title]] if title in targets else [])
        margin = 0.08 * (max(shown) - min(shown)) or 0.5
        axes.set_xlim(min(shown) - margin, max(shown) + margin)
        if title in targets:
            axes.axvline(targets[title], color="tab:red", linestyle="--", label="target")
            axes.legend(fontsize=8)
        axes.set_title(title)
        axes.grid(alpha=0.3)
    figure.tight_layout()
    return figure
