"""Evaluate a trained generator the way the original work did, and the demo of the laptop
generator.

`evaluate_folder` reloads `generator.json` + `generator.weights.h5`, re-saves the generator in
the Keras 3 format, draws `eval_generated.png` from saved inputs (`z_eval.npy`,
`labels_eval.npy`, so the grid can be reproduced exactly), and scores it beside real data: its
conditional accuracy and Fréchet distance (`cgan_lib.evaluation.metrics`), and its diversity:
precision, recall and the per-digit Fréchet distance (`cgan_lib.evaluation.diversity`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from cgan_lib.backends.runtime import keras
from cgan_lib.drawing.plots import DIGIT_NAMES, plot_grid
from cgan_lib.evaluation.diversity import Diversity, diversity_of_images, diversity_of_real_data
from cgan_lib.evaluation.metrics import Scores, score_images, score_real_data
from cgan_lib.gan.sampling import (
    digit_rows_inputs,
    generate,
    latent_dim_of,
    run_generator,
)
from cgan_lib.settings import outputs_dir
from cgan_lib.storage.files import atomic_path, save_figure, writable_folder
from cgan_lib.storage.generators import (
    JSON_FILE,
    generator_file,
    load_generator,
    load_generator_from_json,
    save_keras_file,
)


@dataclass(frozen=True)
class Report:
    """A generator's scores and diversity beside real data's, as `evaluate` and `make demo`
    print them and `metrics.json` holds them."""

    scores: Scores
    diversity: Diversity
    real_scores: Scores
    real_diversity: Diversity
    classifier_accuracy: float

    @classmethod
    def measure(cls, generator: keras.Model, per_digit: int = 1000, seed: int = 0) -> Report:
        """Measure `per_digit` images of each digit, and as many real training images."""
        noise, labels = digit_rows_inputs(per_digit, latent_dim_of(generator), seed)
        images = run_generator(generator, noise, labels)
        real_scores, classifier_accuracy = score_real_data(per_digit=per_digit)
        return cls(score_images(images, labels), diversity_of_images(images, labels),
                   real_scores, diversity_of_real_data(per_digit=per_digit), classifier_accuracy)

    def as_json(self) -> dict:
        return {"generated": asdict(self.scores), "generated_diversity": asdict(self.diversity),
                "real_training_images": asdict(self.real_scores),
                "real_training_images_diversity": asdict(self.real_diversity),
                "classifier_test_accuracy": self.classifier_accuracy}

    def __str__(self) -> str:
        return (f"generated:  {self.scores}\n            {self.diversity}\n"
                f"real data:  {self.real_scores}\n            {self.real_diversity}\n"
                f"classifier accuracy on the MNIST test set: {self.classifier_accuracy:.4f}")


def evaluate_folder(model_folder: Path | str | None = None, output: Path | None = None,
                    per_digit: int = 1000, seed: int = 0) -> str:
    """Run the evaluation step on a trained generator's folder (or a shipped generator's name;
    by default the laptop generator); returns a printable report."""
    json_file = generator_file(model_folder, JSON_FILE)
    folder = json_file.parent
    generator = load_generator_from_json(folder)
    output = writable_folder(output if output is not None else folder / "evaluation")
    save_keras_file(generator, output / "generator.keras")

    noise, labels = digit_rows_inputs(10, latent_dim_of(generator), seed)
    for name, array in (("z_eval.npy", noise), ("labels_eval.npy", labels.reshape(-1, 1))):
        with atomic_path(output / name) as temporary:
            np.save(temporary, array)
    images = run_generator(generator, noise, labels)
    save_figure(plot_grid(images, 10, row_labels=DIGIT_NAMES, title="evaluation grid"),
                output / "eval_generated.png")

    report = Report.measure(generator, per_digit, seed)
    with atomic_path(output / "metrics.json") as temporary:
        temporary.write_text(json.dumps(report.as_json(), indent=1))
    return f"{report}\nfiles in {output}"


def demo(output: Path | None = None, per_digit: int = 1000) -> str:
    """`make demo`: one grid per digit from the laptop generator, and its metrics beside real
    data. Returns the report to print."""
    generator = load_generator()
    output = Path(output) if output is not None else outputs_dir("demo")
    for digit in range(10):
        images = generate(generator, digit=digit, count=16, seed=digit)
        save_figure(plot_grid(images, 8, title=f"digit {digit}"), output / f"digit_{digit}.png")
    return f"wrote digit_0.png … digit_9.png to {output}\n{Report.measure(generator, per_digit)}"
