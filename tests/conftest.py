"""Shared pytest fixtures and options: the real MNIST arrays (loaded once), a private outputs
folder, a tiny recipe and its dataset, the CLI run in-process, and `--cpu-bfloat16`, which tells
the precision rule what this CPU has, so that one machine runs the suite as either kind would."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cgan_lib.backends import precision
from cgan_lib.cli import main
from cgan_lib.data.mnist import load_mnist
from cgan_lib.data.pipeline import make_dataset, to_tanh_range
from cgan_lib.recipes.named import REFERENCE_RECIPE
from cgan_lib.recipes.recipe import Recipe


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cpu-bfloat16", choices=("yes", "no"), default=None,
        help="tell the precision rule that this CPU has (yes) or has not (no) AVX-512 BF16 or "
             "AMX instructions, so that mixed_precision=True trains as on that kind of CPU "
             "(default: what /proc/cpuinfo says)")


def cpu_flags_as_told(answer: str) -> set[str]:
    """This CPU's flags, with AVX-512 BF16 (answer "yes") or without any bfloat16 instructions
    ("no")."""
    real_flags = precision.cpu_flags() - precision.BFLOAT16_CPU_FLAGS
    return real_flags | ({"avx512_bf16"} if answer == "yes" else set())


@pytest.fixture(scope="session", autouse=True)
def cpu_bfloat16(request: pytest.FixtureRequest):
    """The CPU's flags as `--cpu-bfloat16` says, for the whole session (in this process only)."""
    answer = request.config.getoption("--cpu-bfloat16")
    if answer is None:
        yield
        return
    told = cpu_flags_as_told(answer)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(precision, "cpu_flags", lambda: told)
        precision.machine_policy.cache_clear()
        yield
    precision.machine_policy.cache_clear()


@pytest.fixture(scope="session")
def mnist():
    """The verified MNIST arrays, `((x_train, y_train), (x_test, y_test))`."""
    return load_mnist(verbose=False)


@pytest.fixture
def outputs(tmp_path, monkeypatch):
    """Point cgan_lib's outputs at a temporary folder for one test."""
    folder = tmp_path / "outputs"
    monkeypatch.setenv("CGAN_OUTPUTS", str(folder))
    return folder


@pytest.fixture(scope="session")
def studio_generator():
    """The digit studio's generator: the laptop recipe's, committed under outputs/models/."""
    from cgan_lib.storage.generators import load_generator

    return load_generator("laptop")


@pytest.fixture(scope="session")
def tiny_recipe():
    """`tiny_recipe(base=REFERENCE_RECIPE, **changes)`: `base` with narrow networks (G 16
    channels, D 8) and 32 images in batches of 16, so that a step takes milliseconds, yet every
    layer and option of `base` is there; then `changes`."""

    def make(base: Recipe = REFERENCE_RECIPE, **changes) -> Recipe:
        return base.changed(**{"generator_width": 16, "discriminator_width": 8,
                                "batch_size": 16, "training_images": 32, **changes})

    return make


@pytest.fixture(scope="session")
def tiny_dataset(mnist):
    """`tiny_dataset(recipe, count=None, shuffle=False)`: the first `count` (default: one batch)
    real MNIST training images and their digits, in [-1, 1], batched as `recipe` says."""
    (images, labels), _ = mnist

    def make(recipe: Recipe, count: int | None = None, shuffle: bool = False):
        count = count or recipe.run.batch_size
        return make_dataset(to_tanh_range(images[:count]), labels[:count],
                            batch_size=recipe.run.batch_size, shuffle=shuffle, seed=0)

    return make


@dataclass
class CliResult:
    """What `python -m cgan_lib ...` would have ended with: its exit code, stdout and stderr."""

    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        return self.err.strip().splitlines()


@pytest.fixture
def cli(capsys):
    """`cli("generate", "--digit", "3")` runs the command-line interface in this process and
    returns a `CliResult`; argparse's exits become exit codes, as at a shell."""

    def run(*arguments: str) -> CliResult:
        capsys.readouterr()
        try:
            code = main([str(argument) for argument in arguments])
        except SystemExit as exit_:
            code = exit_.code
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
