"""The digit studio as one web page: the three studios of `cgan_lib.studio.widgets` in tabs, a
choice of shipped generator, and a link that saves the open tab's picture as a PNG file.

`apps/studio.ipynb` shows a `StudioPage`, and `make studio` serves that notebook with Voilà, so a
person gets the studio in a browser without meeting a code cell. The page loads a shipped
generator the first time it is chosen, and keeps it.
"""

from __future__ import annotations

import base64
import html

import ipywidgets as widgets

from cgan_lib.backends.runtime import keras
from cgan_lib.storage.generators import load_generator
from cgan_lib.studio.widgets import DigitMorph, DigitPicker, LatentWalk, Studio

GENERATORS = {
    "laptop": "laptop: 10 epochs of the laptop recipe, the better scores",
    "reference": "reference: 30 epochs of the original design",
}
TABS = {
    "Pick a digit": "Press a digit; the slider sets how many samples, the seed the handwriting "
                    "(same seed, same digits), the noise scale how varied they are.",
    "Morph": "Pick two digits and slide the mix: the strip shows the whole blend of their codes, "
             "the large frame the mix on the slider.",
    "Latent walk": "Pick a digit and two seeds, and slide along the arc from one seed's noise to "
                   "the other's: the digit stays, its style changes.",
}


def help_line(text: str) -> widgets.HTML:
    """One line of help, in grey, above a control."""
    return widgets.HTML(f'<span style="color:#555">{html.escape(text)}</span>')


class StudioPage(widgets.VBox):
    """A generator chooser, the picker, the morph and the latent walk in tabs, and a save link."""

    def __init__(self, generator_name: str = "laptop") -> None:
        self.loaded: dict[str, keras.Model] = {}
        generator = self.generator(generator_name)
        self.chooser = widgets.ToggleButtons(
            options=[(name, name) for name in GENERATORS], value=generator_name,
            description="generator", tooltips=list(GENERATORS.values()))
        self.studios: list[Studio] = [DigitPicker(generator, digit=7, count=20, seed=0),
                                      DigitMorph(generator, from_digit=3, to_digit=8, seed=2),
                                      LatentWalk(generator, digit=5, from_seed=0, to_seed=1)]
        self.tabs = widgets.Tab([widgets.VBox([help_line(text), studio])
                                 for text, studio in zip(TABS.values(), self.studios,
                                                         strict=True)],
                                titles=list(TABS))
        self.save_link = widgets.HTML()
        self.chooser.observe(self._on_generator, names="value")
        self.tabs.observe(self._refresh_save_link, names="selected_index")
        for studio in self.studios:
            studio.pictures[-1].observe(self._refresh_save_link, names="value")
        super().__init__([
            help_line("Choose the trained generator that draws: " + "; ".join(GENERATORS.values())
                      + "."),
            self.chooser, self.tabs,
            help_line("Save the open tab's picture (the grid, or the large frame) as a PNG file."),
            self.save_link])
        for name, widget in (("chooser", self.chooser), ("tabs", self.tabs),
                             ("save", self.save_link)):
            widget.add_class(f"studio-{name}")
        self.update_save_link()

    def generator(self, name: str) -> keras.Model:
        """The shipped generator `name` ("laptop" or "reference"), loaded once."""
        if name not in self.loaded:
            self.loaded[name] = load_generator(name)
        return self.loaded[name]

    @property
    def current_studio(self) -> Studio:
        return self.studios[self.tabs.selected_index or 0]

    def _on_generator(self, change: dict) -> None:
        generator = self.generator(change["new"])
        for studio in self.studios:
            studio.use_generator(generator)

    def _refresh_save_link(self, _change: dict) -> None:
        """Another tab opened, or a studio drew: the link follows."""
        self.update_save_link()

    def update_save_link(self) -> None:
        """Point the save link at the open tab's main picture, named after its settings."""
        studio = self.current_studio
        png = studio.pictures[-1].value
        name = f"{self.chooser.value}-{studio.file_name()}"
        self.save_link.value = (
            f'<a download="{html.escape(name)}" href="data:image/png;base64,'
            f'{base64.b64encode(png).decode()}">⤓ save this picture ({html.escape(name)})</a>')
