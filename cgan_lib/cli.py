"""Command line: `python -m cgan_lib {train, evaluate, generate, export, demo, train-classifier}`.

Only argument parsing lives here; each command calls the library. TensorFlow is imported only
once a command runs, so `--help` is instant. Bad arguments and library errors end with a one-line
message and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
MODEL_HELP = ("a shipped generator, laptop or reference, or a folder or .keras file of your own "
              "(default: laptop, the shipped generator with the better scores)")


def digit_argument(text: str) -> int | str:
    """'0'..'9' → int, 'all' → 'all'."""
    if text == "all":
        return text
    if text.isdigit() and 0 <= int(text) <= 9:
        return int(text)
    raise argparse.ArgumentTypeError(f"expected a digit from 0 to 9 or 'all', got {text!r}")


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def non_negative_int(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 0, got {text!r}")
    return int(text)


def image_path(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise argparse.ArgumentTypeError(
            f"expected a file name ending in {', '.join(IMAGE_SUFFIXES)}, got {text!r}")
    return path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cgan_lib",
                                     description="Train, evaluate and sample conditional GANs "
                                                 "for MNIST digits.")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a recipe (resumes if interrupted)",
                                description="Train a conditional DCGAN recipe. Running the same "
                                            "command again after an interruption continues from "
                                            "the last completed epoch.")
    train.add_argument("--recipe", default="reference",
                       help="a recipe's name (reference, laptop or wgan-gp), or a JSON recipe "
                            "file such as a run's recipe.json (default: reference)")
    train.add_argument("--epochs", type=positive_int, help="epochs in all (default: the recipe's)")
    train.add_argument("--output", type=Path,
                       help="folder for everything it writes (default: outputs/models/RECIPE)")
    train.add_argument("--seed", type=non_negative_int, help="seed (default: the recipe's)")
    train.add_argument("--devices", type=positive_int, default=1,
                       help="train data parallel on this many GPUs or CPU devices, the recipe's "
                            "batch split across them (docs/scaling.md; default: 1)")

    evaluate = commands.add_parser(
        "evaluate", help="reload a generator, re-save it, draw a grid and score it",
        description="Reload generator.json + generator.weights.h5, re-save the generator in the "
                    "Keras 3 format, draw eval_generated.png (saving z_eval.npy and "
                    "labels_eval.npy) and print its metrics beside the real-data reference.")
    evaluate.add_argument("--model", help=MODEL_HELP)
    evaluate.add_argument("--output", type=Path,
                          help="folder for the evaluation files (default: MODEL/evaluation)")
    evaluate.add_argument("--per-digit", type=positive_int, default=1000,
                          help="images per digit for the metrics (default: 1000)")

    generate = commands.add_parser("generate", help="draw digits of your choice to an image",
                                   description="Draw COUNT samples of a digit (or, with --digit "
                                               "all, one row of COUNT samples per digit).")
    generate.add_argument("--digit", type=digit_argument, required=True,
                          help="a digit 0-9, or 'all' for one row per digit")
    generate.add_argument("--count", type=positive_int, default=16,
                          help="samples (per digit with 'all'; default 16)")
    generate.add_argument("--seed", type=non_negative_int, default=0, help="noise seed")
    generate.add_argument("--out", type=image_path, help="image file to write (.png or .jpg; "
                                                         "default: outputs/generated/…)")
    generate.add_argument("--model", help=MODEL_HELP)

    export = commands.add_parser(
        "export", help="write a generator as an ONNX file (for the web page, or any runtime)",
        description="Write a conditional generator as an ONNX file with inputs z (N x latent) "
                    "and digit (N x 1), for any N, through Keras's model.export (it needs the "
                    "tf2onnx package, on TensorFlow).")
    export.add_argument("--model", help=MODEL_HELP)
    export.add_argument("--format", choices=("onnx",), default="onnx",
                        help="the file format (default and only choice: onnx)")
    export.add_argument("--out", type=Path, required=True, help="the .onnx file to write")
    export.add_argument("--morph", action="store_true",
                        help="add the inputs morph_to (N x 1) and mix (N x 1): each image is "
                             "drawn from the blend of two digits' label codes (the web page's "
                             "form)")

    commands.add_parser("demo", help="digits and metrics from the laptop generator",
                        description="Write one grid per digit from the shipped laptop generator "
                                    "(the best-scoring one) to outputs/demo/ and print its "
                                    "metrics beside real data.")

    classifier = commands.add_parser("train-classifier",
                                     help="retrain the classifier the metrics use")
    classifier.add_argument("--epochs", type=positive_int, default=6)
    return parser


def run_train(arguments: argparse.Namespace) -> None:
    from cgan_lib.recipes.named import find_recipe

    recipe = find_recipe(arguments.recipe).shrunk_for_fast_mode()  # before Keras loads

    from cgan_lib.backends.precision import machine_description, recipe_policy
    from cgan_lib.training.run import train_recipe

    if arguments.seed is not None:
        recipe = recipe.changed(seed=arguments.seed)
    run = train_recipe(recipe, arguments.output, epochs=arguments.epochs,
                       devices=arguments.devices)
    last = run.history[-1] if run.history else {}
    print(f"trained {recipe.name} to epoch {last.get('epoch', 0)} in {run.seconds:.0f} s "
          f"(this run, on {machine_description()}, in "
          f"{recipe_policy(recipe.speed.mixed_precision)}); files in {run.folder}")


def run_evaluate(arguments: argparse.Namespace) -> None:
    from cgan_lib.evaluation.report import evaluate_folder

    print(evaluate_folder(arguments.model, arguments.output, per_digit=arguments.per_digit))


def run_generate(arguments: argparse.Namespace) -> None:
    from cgan_lib.drawing.image_files import generate_image

    path = generate_image(arguments.digit, arguments.count, arguments.seed, arguments.out,
                          arguments.model)
    print(f"wrote {path}")


def run_export(arguments: argparse.Namespace) -> None:
    from cgan_lib.studio.onnx_file import export_onnx

    path = export_onnx(arguments.model, arguments.out, morph=arguments.morph)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


def run_demo(arguments: argparse.Namespace) -> None:
    from cgan_lib.evaluation.report import demo

    print(demo())


def run_train_classifier(arguments: argparse.Namespace) -> None:
    from cgan_lib.evaluation.metrics import CLASSIFIER_WEIGHTS, train_classifier

    _, accuracy = train_classifier(epochs=arguments.epochs)
    print(f"test accuracy {accuracy:.4f}; weights saved to {CLASSIFIER_WEIGHTS}")


COMMANDS = {"train": run_train, "evaluate": run_evaluate, "generate": run_generate,
            "export": run_export, "demo": run_demo, "train-classifier": run_train_classifier}


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the process exit status."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        COMMANDS[arguments.command](arguments)
    # Bad values, missing files, unwritable paths, a Keras backend that is not installed.
    except (ValueError, OSError, ImportError) as error:
        print(f"{parser.prog} {arguments.command}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        resume = "; run it again to continue from the last completed epoch" \
            if arguments.command == "train" else ""
        print(f"\n{parser.prog} {arguments.command}: interrupted{resume}", file=sys.stderr)
        return 130
    return 0
