"""Evaluate a trained generator the way the original work did, and draw digits to image files.

`evaluate_folder` reloads `generator.json` + `generator.weights.h5`, re-saves the generator in
the Keras 3 format, draws `eval_generated.png` from saved inputs (`z_eval.npy`,
`labels_eval.npy`, so the grid can be reproduced exactly), and scores it beside real data.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from cgan_lib.config import outputs_dir
from cgan_lib.generate import (
    digit_rows_inputs,
    generate,
    generate_digit_rows,
    latent_dim_of,
    run_generator,
)
from cgan_lib.metrics import score_generator, score_real_data
from cgan_lib.persistence import generator_folder, load_generator, load_generator_from_json
from cgan_lib.viz import plot_grid

DIGIT_NAMES = [str(digit) for digit in range(10)]


def evaluate_folder(model_folder: Path | str | None = None, output: Path | None = None,
                    per_digit: int = 1000, seed: int = 0) -> str:
    """Run the evaluation step on a trained generator's folder (or a shipped generator's name;
    by default the laptop generator); returns a printable report."""
    folder = generator_folder(model_folder)
    generator = load_generator_from_json(folder)
    output = Path(output) if output is not None else folder / "evaluation"
    output.mkdir(parents=True, exist_ok=True)
    generator.save(output / "generator.keras")

    noise, labels = digit_rows_inputs(10, latent_dim_of(generator), seed)
    np.save(output / "z_eval.npy", noise)
    np.save(output / "labels_eval.npy", labels.reshape(-1, 1))
    images = run_generator(generator, noise, labels)
    plot_grid(images, 10, row_labels=DIGIT_NAMES, title="evaluation grid").savefig(
        output / "eval_generated.png", dpi=100)

    scores = score_generator(generator, per_digit=per_digit, seed=seed)
    real_scores, classifier_accuracy = score_real_data(per_digit=per_digit)
    (output / "metrics.json").write_text(json.dumps(
        {"generated": asdict(scores), "real_training_images": asdict(real_scores),
         "classifier_test_accuracy": classifier_accuracy}, indent=1))
    return (f"generated:  {scores}\n"
            f"real data:  {real_scores}\n"
            f"classifier accuracy on the MNIST test set: {classifier_accuracy:.4f}\n"
            f"files in {output}")


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
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=100)
    return out


def demo(output: Path | None = None, per_digit: int = 1000) -> str:
    """`make demo`: one grid per digit from the laptop generator, and its metrics beside real
    data. Returns the report to print."""
    generator = load_generator()
    output = Path(output) if output is not None else outputs_dir("demo")
    for digit in range(10):
        images = generate(generator, digit=digit, count=16, seed=digit)
        plot_grid(images, 8, title=f"digit {digit}").savefig(output / f"digit_{digit}.png",
                                                             dpi=100)
    scores = score_generator(generator, per_digit=per_digit)
    real_scores, classifier_accuracy = score_real_data(per_digit=per_digit)
    return (f"wrote digit_0.png … digit_9.png to {output}\n"
            f"laptop generator:  {scores}\n"
            f"real data:         {real_scores}\n"
            f"classifier accuracy on the MNIST test set: {classifier_accuracy:.4f}")
