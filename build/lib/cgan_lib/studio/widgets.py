"""The digit studio: ipywidgets UIs over a conditional generator (notebook 05).

`DigitPicker` (a digit, a count, a seed, a noise scale → a grid of samples), `DigitMorph` (two
digits and a mix → the label's code blended from one to the other, the noise held fixed) and
`LatentWalk` (one digit, two seeds → the noise moved along the arc between them). Each is a
`VBox` built from a generator; controls sit above a message line and fixed-height pictures.

Every change goes through `show()`, which also takes settings from Python (`picker.show(digit=3)`).
A bad value (digit 12, count 0, seed "-1" or "abc") is reported in the message line, in red, and
changes nothing: the previous pictures and controls stay as they were. Drawing is done by the pure
functions of `cgan_lib.drawing.pictures`.
"""

from __future__ import annotations

import html
import random
import re
import time

import ipywidgets as widgets
import numpy as np

from cgan_lib.backends.runtime import keras
from cgan_lib.drawing.pictures import digit_grid_picture, morph_pictures, png_bytes, walk_pictures
from cgan_lib.gan.networks import NUM_CLASSES
from cgan_lib.gan.sampling import LabelMixer, check_seed

MAX_WIDGET_COUNT = 100
NEW_SEED_RANGE = 100_000


def parse_seed(text: object) -> int:
    """A seed typed into a text box: digits only, e.g. "42" → 42; "-1" or "abc" raise."""
    if isinstance(text, str):
        if not re.fullmatch(r"\s*\d+\s*", text):
            raise ValueError(f"seed must be a whole number of 0 or more, got {text!r}")
        return int(text)
    return check_seed(text)


def digit_buttons(value: int, description: str) -> widgets.ToggleButtons:
    """Ten toggle buttons, 0 to 9, one of them pressed."""
    return widgets.ToggleButtons(options=[(str(digit), digit) for digit in range(NUM_CLASSES)],
                                 value=value, description=description,
                                 style={"button_width": "34px"})


def fraction_slider(description: str) -> widgets.FloatSlider:
    """A slider from 0 to 1 that redraws while it moves (a morph or walk frame is cheap)."""
    return widgets.FloatSlider(0.5, min=0.0, max=1.0, step=0.05, description=description,
                               readout_format=".2f")


def picture_box(height_pixels: int) -> widgets.Image:
    """An image of fixed height, so that the notebook does not jump when the picture changes."""
    return widgets.Image(format="png", layout=widgets.Layout(
        height=f"{height_pixels}px", object_fit="scale-down", object_position="left top"))


class Studio(widgets.VBox):
    """Base of the three studios: named controls, a message line, pictures; see `show`."""

    zooms: tuple[int, ...] = ()

    def __init__(self, controls: dict[str, widgets.ValueWidget], rows: list[widgets.Widget],
                 pictures: list[widgets.Image]) -> None:
        self.controls = controls
        self.pictures = pictures
        self.message = widgets.HTML()
        self._quiet = False
        super().__init__([*rows, self.message, *pictures])
        for control in controls.values():
            control.observe(self._on_change, names="value")
        self.show()

    def _on_change(self, _change: dict) -> None:
        """A control changed: draw. In JupyterLab an exception raised in a callback would vanish,
        so even an unexpected one is shown in the message line."""
        try:
            self.show()
        except Exception as error:  # noqa: BLE001 -- shown to the user instead of lost
            self.report_error(f"unexpected error: {type(error).__name__}: {error}")

    def report_error(self, text: str) -> None:
        """Show `text` in red in the message line."""
        self.message.value = f'<span style="color:#b00020">⚠ {html.escape(text)}</span>'

    def settings(self) -> dict[str, object]:
        """The controls' current values, seeds still as typed."""
        return {name: control.value for name, control in self.controls.items()}

    def draw(self, **settings) -> tuple[np.ndarray, ...]:
        """Pictures for these settings (raises `ValueError` for a bad one)."""
        raise NotImplementedError

    def use_generator(self, generator: keras.Model) -> None:
        """Draw with `generator` from now on, keeping the settings, and redraw."""
        self.generator = generator
        self.show()

    def file_name(self) -> str:
        """A name for the PNG file of the last pictures drawn, from their settings."""
        values = "-".join(f"{value:g}" if isinstance(value, float) else str(value)
                          for value in self.drawn.values())
        return f"{type(self).__name__.lower()}-{values}.png"

    def show(self, **changes: object) -> bool:
        """Draw with the controls' values updated by `changes`; True if drawn.

        On a bad value the message line says what is wrong and nothing else changes.
        """
        if self._quiet:
            return False
        started = time.perf_counter()
        try:
            unknown = sorted(set(changes) - set(self.controls))
            if unknown:
                raise ValueError(f"unknown setting {unknown}; expected some of "
                                 f"{sorted(self.controls)}")
            settings = {**self.settings(), **changes}
            for name in settings:
                if name.endswith("seed"):
                    settings[name] = parse_seed(settings[name])
            pngs = [png_bytes(picture, zoom)
                    for picture, zoom in zip(self.draw(**settings), self.zooms, strict=True)]
        except ValueError as error:
            self.report_error(str(error))
            return False
        self._set_controls(changes)
        self.drawn = settings
        for picture, png in zip(self.pictures, pngs, strict=True):
            picture.value = png
        milliseconds = 1000 * (time.perf_counter() - started)
        self.message.value = f'<span style="color:#666">drawn in {milliseconds:.0f} ms</span>'
        return True

    def _set_controls(self, changes: dict[str, object]) -> None:
        """Make the controls show values that were passed to `show`, without drawing again."""
        self._quiet = True
        try:
            for name, value in changes.items():
                control = self.controls[name]
                control.value = str(value) if isinstance(control, widgets.Text) else value
        finally:
            self._quiet = False


def seed_box(seed: int, description: str = "seed") -> widgets.Text:
    """A seed typed as text, so that a bad entry reaches `show` and gets a message."""
    return widgets.Text(str(seed), description=description, continuous_update=False,
                        layout=widgets.Layout(width="220px"))


def seed_row(box: widgets.Text) -> widgets.HBox:
    """The seed box and a button that types a new random seed into it."""
    button = widgets.Button(description="new seed", icon="refresh",
                            layout=widgets.Layout(width="110px"))
    button.on_click(lambda _button: setattr(box, "value", str(random.randrange(NEW_SEED_RANGE))))
    return widgets.HBox([box, button])


class DigitPicker(Studio):
    """Pick a digit, how many samples, a seed and a noise scale; see a grid of them."""

    zooms = (2,)

    def __init__(self, generator: keras.Model, digit: int = 7, count: int = 20,
                 seed: int = 0) -> None:
        self.generator = generator
        controls = {
            "digit": digit_buttons(digit, "digit"),
            "count": widgets.IntSlider(count, min=1, max=MAX_WIDGET_COUNT,
                                       continuous_update=False, description="samples"),
            "seed": seed_box(seed),
            "noise_scale": widgets.FloatSlider(1.0, min=0.1, max=1.5, step=0.05,
                                               continuous_update=False,
                                               description="noise scale"),
        }
        rows = [controls["digit"], controls["count"], seed_row(controls["seed"]),
                controls["noise_scale"]]
        super().__init__(controls, rows, [picture_box(2 * 300)])  # 10 rows of 30 pixels, ×2

    def draw(self, digit: int, count: int, seed: int, noise_scale: float) -> tuple[np.ndarray]:
        return (digit_grid_picture(self.generator, digit, count, seed, noise_scale),)


class DigitMorph(Studio):
    """Two digits and a mix: the label's code moves from one digit's to the other's."""

    zooms = (2, 8)

    def __init__(self, generator: keras.Model, from_digit: int = 1, to_digit: int = 7,
                 seed: int = 0) -> None:
        self.generator, self.mixer = generator, LabelMixer(generator)
        controls = {"from_digit": digit_buttons(from_digit, "from"),
                    "to_digit": digit_buttons(to_digit, "to"),
                    "mix": fraction_slider("mix"),
                    "seed": seed_box(seed)}
        rows = [controls["from_digit"], controls["to_digit"], seed_row(controls["seed"]),
                controls["mix"]]
        super().__init__(controls, rows, strip_and_frame_boxes())

    def draw(self, from_digit: int, to_digit: int, mix: float,
             seed: int) -> tuple[np.ndarray, np.ndarray]:
        return morph_pictures(self.mixer, from_digit, to_digit, mix, seed)

    def use_generator(self, generator: keras.Model) -> None:
        self.mixer = LabelMixer(generator)
        super().use_generator(generator)


class LatentWalk(Studio):
    """One digit, two seeds, a position: the noise moves along the arc between the two seeds'."""

    zooms = (2, 8)

    def __init__(self, generator: keras.Model, digit: int = 4, from_seed: int = 0,
                 to_seed: int = 1) -> None:
        self.generator = generator
        controls = {"digit": digit_buttons(digit, "digit"),
                    "from_seed": seed_box(from_seed, "from seed"),
                    "to_seed": seed_box(to_seed, "to seed"),
                    "position": fraction_slider("position")}
        rows = [controls["digit"], seed_row(controls["from_seed"]),
                seed_row(controls["to_seed"]), controls["position"]]
        super().__init__(controls, rows, strip_and_frame_boxes())

    def draw(self, digit: int, from_seed: int, to_seed: int,
             position: float) -> tuple[np.ndarray, np.ndarray]:
        return walk_pictures(self.generator, digit, from_seed, to_seed, position)


def strip_and_frame_boxes() -> list[widgets.Image]:
    """Boxes for the strip of small frames (shown ×2) and for the current frame (shown ×8)."""
    return [picture_box(2 * 28), picture_box(8 * 28)]

