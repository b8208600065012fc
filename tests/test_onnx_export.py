"""The generators as ONNX files (`python -m cgan_lib export`): run by the `onnxruntime` package, an
exported file draws Keras's images for the same z and digits, within float32 rounding, for both
shipped generators and any batch size; its morph form blends digits as `LabelMixer` does; and bad
requests end with a one-line error. Exporting goes through tf2onnx, so these run on TensorFlow.
"""

from __future__ import annotations

import numpy as np
import onnxruntime
import pytest

from cgan_lib.gan.sampling import LabelMixer, run_generator, sample_noise
from cgan_lib.storage.generators import SHIPPED, load_generator
from cgan_lib.studio.onnx_file import export_onnx

# Images are tanh values in [-1, 1]: float32 steps there are 6e-8 to 1.2e-7, and the two runtimes
# add and multiply in other orders (the laptop generator differed by 1.3e-6 at most).
FLOAT32_ROUNDING = 1e-5


def onnx_images(path, **inputs) -> np.ndarray:
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    return session.run(None, inputs)[0]


@pytest.fixture(scope="module")
def generators():
    return {name: load_generator(name) for name in SHIPPED}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Each shipped generator's ONNX file, exported by name."""
    folder = tmp_path_factory.mktemp("onnx")
    return {name: export_onnx(name, folder / f"{name}.onnx") for name in SHIPPED}


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("count", [1, 37])
def test_the_onnx_file_draws_the_images_of_keras(name, count, generators, exported):
    path = exported[name]
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    assert [(put.name, put.shape[1:]) for put in session.get_inputs()] == \
        [("z", [generators[name].inputs[0].shape[1]]), ("digit", [1])]
    noise = sample_noise(count, generators[name].inputs[0].shape[1], seed=count)
    digits = np.arange(count, dtype=np.int32) % 10
    expected = run_generator(generators[name], noise, digits)
    drawn = onnx_images(path, z=noise, digit=digits.reshape(-1, 1))
    assert drawn.shape == expected.shape == (count, 28, 28, 1)
    np.testing.assert_allclose(drawn, expected, rtol=0, atol=FLOAT32_ROUNDING)


def test_the_morph_form_blends_digits_as_the_label_mixer_does(generators, tmp_path):
    generator = generators["laptop"]
    path = export_onnx(generator, tmp_path / "morph.onnx", morph=True)
    mixer = LabelMixer(generator)
    mixes = np.linspace(0, 1, 5, dtype=np.float32)
    noise = np.repeat(sample_noise(1, mixer.latent_dim, seed=4), len(mixes), axis=0)
    drawn = onnx_images(path, z=noise, digit=np.full((5, 1), 3, np.int32),
                        morph_to=np.full((5, 1), 8, np.int32), mix=mixes.reshape(-1, 1))
    np.testing.assert_allclose(drawn, mixer.morph(3, 8, mixes, seed=4), rtol=0,
                               atol=FLOAT32_ROUNDING)
    # Mix 0 is the generator itself.
    np.testing.assert_allclose(drawn[0], run_generator(generator, noise[:1], np.array([3]))[0],
                               rtol=0, atol=FLOAT32_ROUNDING)


def test_the_export_command_writes_the_file(cli, tmp_path):
    result = cli("export", "--model", "reference", "--format", "onnx", "--out",
                 tmp_path / "new" / "reference.onnx")
    assert result.code == 0, result.err
    assert (tmp_path / "new" / "reference.onnx").stat().st_size > 1_000_000
    assert result.out.startswith("wrote ") and result.err == ""


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["--out", "generator.txt"], 1, "must end in .onnx, got 'generator.txt'"),
        (["--model", "nowhere.keras", "--out", "generator.onnx"], 1, "no generator file at"),
        (["--format", "tflite", "--out", "generator.onnx"], 2, "invalid choice: 'tflite'"),
    ],
)
def test_bad_export_requests_give_a_message_and_write_nothing(arguments, code, message, cli,
                                                             tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("export", *arguments)
    assert result.code == code and message in result.err
    assert result.error_lines[-1].startswith("python -m cgan_lib export: error: ")
    assert list(tmp_path.iterdir()) == []
