"""Screen recipe changes for notebook 7 on an equal wall-clock budget: which single change to a
working recipe reproduces each failure, and how each loss does. Prints one line per run and
writes every run's report logs and final scores to outputs/benchmarks/budget_candidates.json.

    python benchmarks/budget_candidates.py [SECONDS] [NAME ...]
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from cgan_lib.data.mnist import load_mnist
from cgan_lib.data.pipeline import to_tanh_range
from cgan_lib.lessons.budget import train_for_seconds
from cgan_lib.recipes.named import LAPTOP_RECIPE, WGAN_GP_RECIPE
from cgan_lib.settings import outputs_dir

# The laptop recipe at a constant learning rate (a budget in seconds has no known last step to
# decay to), without the AC-GAN head, so that the adversarial loss alone drives G.
BASE = LAPTOP_RECIPE.changed(name="base", linear_decay=False, classifier_weight=0.0)
CANDIDATES = {
    "base": BASE,
    "shuffled_labels": BASE,
    "minimax": BASE.changed(adversarial_loss="minimax"),
    "classifier_weight_30": BASE.changed(classifier_weight=30.0),
    "classifier_weight_30_mode_seeking_0.5": BASE.changed(classifier_weight=30.0,
                                                     mode_seeking_weight=0.5),
    "learning_rate_1e-2": BASE.changed(learning_rate=1e-2),
    "learning_rate_1e-2_linear_decay": BASE.changed(learning_rate=1e-2, linear_decay=True,
                                               epochs=1),
    "hinge": BASE.changed(adversarial_loss="hinge", real_label_smoothing=0.0),
    "least_squares": BASE.changed(adversarial_loss="least_squares"),
    "wgan-gp": WGAN_GP_RECIPE.changed(linear_decay=False, classifier_weight=0.0),
    "minimax_5_discriminator_steps": BASE.changed(adversarial_loss="minimax",
                                             discriminator_steps=5, reuse_generator_pass=False),
    "non_saturating_5_discriminator_steps": BASE.changed(discriminator_steps=5,
                                                    reuse_generator_pass=False),
    "minimax_no_label_smoothing": BASE.changed(adversarial_loss="minimax",
                                          real_label_smoothing=0.0),
    "beta_1_0.9": BASE.changed(beta_1=0.9),
}


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    names = sys.argv[2:] or list(CANDIDATES)
    (images, labels), _ = load_mnist(verbose=False)
    images = to_tanh_range(images)
    path = outputs_dir("benchmarks") / "budget_candidates.json"
    results = json.loads(path.read_text()) if path.is_file() else {}
    for name in names:
        started = time.perf_counter()
        run_labels = labels
        if name == "shuffled_labels":
            run_labels = np.random.default_rng(0).permutation(labels)
        run = train_for_seconds(CANDIDATES[name], seconds, images, run_labels)
        report = run.report
        results[name] = {"budget_seconds": seconds, "recipe": run.recipe.flat(),
                         "history": {key: [float(v) for v in values]
                                     for key, values in run.history.items()},
                         "final": report.as_json()}
        path.write_text(json.dumps(results, indent=1))
        scores, diversity = report.scores, report.diversity
        print(f"{name:40s} {run.seconds:5.0f} s  "
              f"G updates {run.history['generator_updates'][-1]:5.0f}  "
              f"accuracy {scores.accuracy:.3f} (worst digit {min(scores.accuracy_per_digit):.3f})  "
              f"FD {scores.frechet_distance:6.2f}  precision {diversity.precision:.3f}  "
              f"recall {diversity.recall:.3f}  "
              f"per-digit FD {diversity.mean_frechet_distance_per_digit:6.2f}  "
              f"|grad G| {run.history['g_gradient_norm'][-1]:.3g}  "
              f"FD by report {[round(v) for v in run.history['frechet_distance']]}  "
              f"wall {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
