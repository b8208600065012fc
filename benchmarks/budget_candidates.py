"""Screen recipe changes for notebook 7 on an equal budget of generator (G) updates: which single
change to a working recipe reproduces each failure, and how each loss does. Prints one line per
run and writes every run's report logs and final scores to
outputs/benchmarks/budget_candidates.json.

    python benchmarks/budget_candidates.py [--updates 469] [--report-updates 67] [NAME ...]

The default budget, 469 G updates, is one epoch of the laptop recipe (60,000 images in batches of
128), scored after every 67 (7 reports).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from cgan_lib.data.mnist import load_mnist
from cgan_lib.data.pipeline import to_tanh_range
from cgan_lib.lessons.budget import train_for_updates
from cgan_lib.recipes.named import LAPTOP_RECIPE, WGAN_GP_RECIPE
from cgan_lib.settings import outputs_dir

# The laptop recipe at a constant learning rate (so that a run's first updates do not depend on
# its budget), without the AC-GAN head, so that the adversarial loss alone drives G.
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
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=469,
                        help="G updates per run, a multiple of --report-updates")
    parser.add_argument("--report-updates", type=int, default=67,
                        help="G updates between two scorings")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"the candidates to run (default: all): {', '.join(CANDIDATES)}")
    arguments = parser.parse_args()
    unknown = sorted(set(arguments.names) - set(CANDIDATES))
    if unknown:
        parser.error(f"unknown candidates {', '.join(unknown)}; choose among "
                     f"{', '.join(CANDIDATES)}")
    names = arguments.names or list(CANDIDATES)
    (images, labels), _ = load_mnist(verbose=False)
    images = to_tanh_range(images)
    path = outputs_dir("benchmarks") / "budget_candidates.json"
    results = json.loads(path.read_text()) if path.is_file() else {}
    for name in names:
        started = time.perf_counter()
        run_labels = labels
        if name == "shuffled_labels":
            run_labels = np.random.default_rng(0).permutation(labels)
        run = train_for_updates(CANDIDATES[name], arguments.updates, images, run_labels,
                                report_updates=arguments.report_updates)
        report = run.report
        results[name] = {"budget_generator_updates": arguments.updates,
                         "recipe": run.recipe.flat(),
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
