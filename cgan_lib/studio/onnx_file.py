"""A conditional generator as an ONNX file, for the digit studio that runs in a browser (`web/`)
and for any other ONNX runtime.

The file has the inputs `z` (N × latent, float32) and `digit` (N × 1, int32), for any N, and one
output, the images (N × 28 × 28 × 1, tanh values in [-1, 1]). With `morph=True` it has two more
inputs, `morph_to` (N × 1, int32) and `mix` (N × 1, float32): each image is then drawn from the
label code (1 - mix) · code(digit) + mix · code(morph_to), as `LabelMixer` blends codes, so that
mix 0 draws `digit` itself. The web page uses that form for both its picker and its morph.

The file is written by Keras's own `Model.export(path, format="onnx")`, which on TensorFlow
converts through the `tf2onnx` package. Keras exports a model only once it has been called
("The model provided has never called") or when it is given an input signature; this module
gives one, which also names the inputs.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from cgan_lib.backends.runtime import keras
from cgan_lib.gan.networks import NUM_CLASSES
from cgan_lib.gan.sampling import LabelMixer, is_conditional, latent_dim_of
from cgan_lib.storage.files import atomic_path, saved_bytes, writable_folder
from cgan_lib.storage.generators import load_generator

ONNX_SUFFIX = ".onnx"


def morph_model(generator: keras.Model) -> keras.Model:
    """The generator with the inputs [z, digit, morph_to, mix]: the label codes of `digit` and
    `morph_to` (from `LabelMixer`) blended by `mix`, then the rest of the generator."""
    mixer = LabelMixer(generator)
    noise = keras.Input((mixer.latent_dim,), name="z")
    digit, morph_to = (keras.Input((1,), dtype="int32", name=name)
                       for name in ("digit", "morph_to"))
    mix = keras.Input((1,), name="mix")
    codes = keras.layers.Embedding(NUM_CLASSES, mixer.codes.shape[1], trainable=False,
                                   weights=[mixer.codes], name="digit_codes")
    start, end = (keras.layers.Flatten()(codes(label)) for label in (digit, morph_to))
    blended = start + mix * (end - start)
    return keras.Model([noise, digit, morph_to, mix], mixer.decoder([noise, blended]),
                       name=f"{generator.name}_morph")


def input_signature(latent_dim: int, morph: bool) -> list[list[keras.InputSpec]]:
    """The exported inputs, each with a batch size that can vary: z and digit, and with `morph`
    also morph_to and mix."""
    specs = [keras.InputSpec(shape=(None, latent_dim), dtype="float32", name="z"),
             keras.InputSpec(shape=(None, 1), dtype="int32", name="digit")]
    if morph:
        specs += [keras.InputSpec(shape=(None, 1), dtype="int32", name="morph_to"),
                  keras.InputSpec(shape=(None, 1), dtype="float32", name="mix")]
    return [specs]


def export_onnx(model: keras.Model | Path | str | None, path: Path | str,
                morph: bool = False) -> Path:
    """Write a conditional generator (a Keras model, a shipped generator's name, or a `.keras`
    file or its folder; by default the laptop generator) to the ONNX file `path`; returns it.

    Raises `ValueError` for a path that does not end in `.onnx` or an unconditional generator,
    and `ImportError` when the `tf2onnx` package is missing.
    """
    path = Path(path).expanduser()
    if path.suffix.lower() != ONNX_SUFFIX:
        raise ValueError(f"the ONNX file's name must end in {ONNX_SUFFIX}, got {str(path)!r}: "
                         f"name it, for example, generator{ONNX_SUFFIX}")
    generator = model if isinstance(model, keras.Model) else load_generator(model)
    if not is_conditional(generator):
        raise ValueError(f"generator {generator.name!r} takes no digit: only a conditional "
                         "generator (inputs z and digit) can be exported for the studio")
    exported = morph_model(generator) if morph else generator
    writable_folder(path.parent)
    with atomic_path(path, saved_bytes(exported)) as temporary, warnings.catch_warnings():
        # Keras's patch of tf2onnx for NumPy 2 asks NumPy for `np.object`, which warns.
        warnings.filterwarnings("ignore", "In the future `np.object`", FutureWarning)
        exported.export(str(temporary), format="onnx", verbose=False,
                        input_signature=input_signature(latent_dim_of(generator), morph))
    return path
