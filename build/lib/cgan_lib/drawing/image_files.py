"""Draw digits of your choice from a generator into an image file: what
`python -m cgan_lib generate` does."""

from __future__ import annotations

from pathlib import Path

from cgan_lib.drawing.plots import DIGIT_NAMES, plot_grid
from cgan_lib.gan.sampling import generate, generate_digit_rows
from cgan_lib.settings import outputs_dir
from cgan_lib.storage.files import save_figure, writable_folder
from cgan_lib.storage.generators import load_generator


def generate_image(digit: int | str, count: int, seed: int, out: Path | None = None,
                   model: Path | str | None = None) -> Path:
    """Draw `count` samples of `digit` (or a row of `count` per digit for 'all') to an image."""
    if out is not None:
        if Path(out).is_dir():
            raise ValueError(f"--out {out} is a folder; give the image's file name, "
                             f"e.g. {Path(out) / 'digit.png'}")
        blocking = next((parent for parent in Path(out).parents if parent.is_file()), None)
        if blocking is not None:
            raise ValueError(f"--out {out} cannot be written: {blocking} is a file, not a "
                             "folder; choose another path")
    generator = load_generator(model)
    if digit == "all":
        images = generate_digit_rows(generator, per_digit=count, seed=seed)
        figure = plot_grid(images, count, row_labels=DIGIT_NAMES, title=f"seed {seed}")
    else:
        images = generate(generator, digit=digit, count=count, seed=seed)
        columns = min(count, 8)
        figure = plot_grid(images, columns, title=f"digit {digit}, seed {seed}")
    out = Path(out) if out is not None else outputs_dir("generated") / f"{digit}_seed{seed}.png"
    writable_folder(out.parent)
    return save_figure(figure, out)
