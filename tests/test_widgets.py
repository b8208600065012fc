"""Headless tests of the digit studio: drive the widgets as a user would (set values, click
buttons) and check what they show, with the shipped generator and the project's classifier."""

from __future__ import annotations

import base64
import html
import io
import re

import numpy as np
import pytest
from PIL import Image

from browser import picture_cells, shown_picture
from cgan_lib.drawing.pictures import digit_grid_picture, grid_picture, morph_pictures, png_bytes
from cgan_lib.evaluation.metrics import classify
from cgan_lib.gan.sampling import generate
from cgan_lib.storage.generators import load_generator
from cgan_lib.studio.page import StudioPage
from cgan_lib.studio.widgets import DigitMorph, DigitPicker, LatentWalk, parse_seed

CELL = 28 + 2  # a digit and the padding after it


def shown(picture_widget, zoom: int) -> np.ndarray:
    """The picture an Image widget shows, back at one pixel per generated pixel."""
    return shown_picture(picture_widget.value, zoom)


def test_png_bytes_enlarges_by_whole_pixels():
    picture = grid_picture(np.linspace(-1, 1, 3 * 28 * 28).reshape(3, 28, 28, 1))
    assert picture.shape == (28, 3 * 28 + 2 * 2) and picture.dtype == np.uint8
    decoded = np.asarray(Image.open(io.BytesIO(png_bytes(picture, zoom=3))))
    np.testing.assert_array_equal(decoded, np.kron(picture, np.ones((3, 3), np.uint8)))


@pytest.mark.backend
def test_the_picker_shows_the_picked_digit(studio_generator):
    picker = DigitPicker(studio_generator, digit=7, count=20, seed=0)
    for digit in (3, 8):
        picker.controls["digit"].value = digit
        picture = shown(picker.pictures[0], zoom=2)
        np.testing.assert_array_equal(picture,
                                      digit_grid_picture(studio_generator, digit, 20, 0))
        _, predicted = classify(picture_cells(picture))
        assert len(predicted) == 20 and np.mean(predicted == digit) >= 0.9
    picker.controls["count"].value = 35
    assert shown(picker.pictures[0], zoom=2).shape == (4 * CELL - 2, 10 * CELL - 2)


def test_the_new_seed_button_types_a_seed_and_redraws(studio_generator):
    picker = DigitPicker(studio_generator, digit=2, count=10, seed=0)
    before = picker.pictures[0].value
    picker.children[2].children[1].click()  # the "new seed" button beside the seed box
    seed = parse_seed(picker.controls["seed"].value)
    assert picker.pictures[0].value != before
    np.testing.assert_array_equal(shown(picker.pictures[0], zoom=2),
                                  digit_grid_picture(studio_generator, 2, 10, seed))


@pytest.mark.parametrize(("change", "message"), [
    ({"digit": 12}, "digit must be from 0 to 9, got 12"),
    ({"count": 0}, "count must be from 1 to 10000, got 0"),
    ({"seed": "-1"}, "seed must be a whole number of 0 or more, got '-1'"),
    ({"seed": "abc"}, "got 'abc'"),
    ({"noise_scale": 0}, "noise scale must be a number above 0"),
])
def test_a_bad_value_is_refused_with_a_message_and_the_picture_kept(studio_generator, change,
                                                                    message):
    picker = DigitPicker(studio_generator, digit=5, count=8, seed=1)
    before, settings = picker.pictures[0].value, picker.settings()
    (name, value), = change.items()
    if name == "seed":  # what a user can type: the seed box takes any text
        picker.controls["seed"].value = value
    else:  # beyond what the buttons and sliders offer: the same path, from Python
        assert picker.show(**change) is False
    assert message in html.unescape(picker.message.value)
    assert "color:#b00020" in picker.message.value
    assert picker.pictures[0].value == before
    assert {key: item for key, item in picker.settings().items() if key != "seed"} == \
        {key: item for key, item in settings.items() if key != "seed"}
    picker.controls["seed"].value = "4"  # a good value afterwards draws again
    assert "drawn in" in picker.message.value and picker.pictures[0].value != before


@pytest.mark.backend
def test_the_morph_starts_and_ends_on_the_two_digits(studio_generator):
    morph = DigitMorph(studio_generator, from_digit=1, to_digit=7, seed=0)
    strip = shown(morph.pictures[0], zoom=2)
    frames = picture_cells(strip)
    assert len(frames) == 9
    np.testing.assert_allclose(frames[0], generate(studio_generator, 1, 1, seed=0)[0],
                               atol=1 / 127.5 + 1e-6)  # PNG rounding
    np.testing.assert_allclose(frames[-1], generate(studio_generator, 7, 1, seed=0)[0],
                               atol=1 / 127.5 + 1e-6)
    morph.controls["mix"].value = 1.0
    np.testing.assert_array_equal(shown(morph.pictures[1], zoom=8), strip[:, -28:])
    morph.controls["from_digit"].value = 0
    morph.controls["to_digit"].value = 6
    ends = []
    for seed in range(10):
        strip, _ = morph_pictures(morph.mixer, 0, 6, 0.5, seed)
        ends.append(picture_cells(strip)[[0, -1]])
    _, predicted = classify(np.concatenate(ends))
    assert np.mean(predicted == np.tile([0, 6], 10)) >= 0.9
    np.testing.assert_array_equal(shown(morph.pictures[0], zoom=2),
                                  morph_pictures(morph.mixer, 0, 6, 1.0, 0)[0])


def test_the_latent_walk_keeps_the_digit_while_the_style_changes(studio_generator):
    walk = LatentWalk(studio_generator, digit=4, from_seed=0, to_seed=1)
    frames = picture_cells(shown(walk.pictures[0], zoom=2))
    np.testing.assert_allclose(frames[0], generate(studio_generator, 4, 1, seed=0)[0],
                               atol=1 / 127.5 + 1e-6)
    np.testing.assert_allclose(frames[-1], generate(studio_generator, 4, 1, seed=1)[0],
                               atol=1 / 127.5 + 1e-6)
    _, predicted = classify(frames)
    assert np.mean(predicted == 4) >= 0.8
    assert np.abs(frames[0] - frames[-1]).mean() > 0.05  # the style did change
    before = walk.pictures[1].value
    walk.controls["position"].value = 0.9
    assert walk.pictures[1].value != before
    walk.controls["to_seed"].value = "x1"
    assert "got 'x1'" in html.unescape(walk.message.value)


def test_an_unexpected_error_in_a_callback_is_shown_not_lost(studio_generator, monkeypatch):
    picker = DigitPicker(studio_generator, digit=5, count=4, seed=1)
    before = picker.pictures[0].value

    def broken_draw(**settings):
        raise RuntimeError("the generator is gone")

    monkeypatch.setattr(picker, "draw", broken_draw)
    picker.controls["digit"].value = 6
    assert "unexpected error: RuntimeError: the generator is gone" in picker.message.value
    assert picker.pictures[0].value == before


def test_the_morph_and_the_walk_refuse_bad_values_too(studio_generator):
    morph = DigitMorph(studio_generator, from_digit=2, to_digit=5, seed=0)
    walk = LatentWalk(studio_generator, digit=3, from_seed=0, to_seed=1)
    for studio, change, message in ((morph, {"mix": 1.5}, "mix must be a number from 0 to 1"),
                                    (morph, {"to_digit": 10}, "got 10"),
                                    (walk, {"position": -0.1}, "from 0 to 1, got -0.1"),
                                    (walk, {"to_seed": -3}, "got -3"),
                                    (walk, {"speed": 2}, "unknown setting ['speed']")):
        before = [picture.value for picture in studio.pictures]
        assert studio.show(**change) is False
        assert message in html.unescape(studio.message.value)
        assert [picture.value for picture in studio.pictures] == before


def test_a_studio_switched_to_another_generator_keeps_its_settings(studio_generator):
    picker = DigitPicker(studio_generator, digit=2, count=10, seed=4)
    before = picker.pictures[0].value
    picker.use_generator(load_generator("reference"))
    assert picker.pictures[0].value != before
    _, predicted = classify(picture_cells(shown(picker.pictures[0], zoom=2)))
    assert np.mean(predicted == 2) >= 0.9
    assert picker.file_name() == "digitpicker-2-10-4-1.png"
    picker.controls["seed"].value = "abc"  # refused: the name still says what is shown
    assert picker.file_name() == "digitpicker-2-10-4-1.png"


def test_the_studio_page_switches_every_studio_and_saves_what_the_open_tab_shows():
    page = StudioPage()
    assert page.generator("laptop") is page.studios[0].generator
    laptop_mixer = page.studios[1].mixer
    page.chooser.value = "reference"
    reference = page.generator("reference")
    assert all(studio.generator is reference for studio in page.studios)
    assert page.studios[1].mixer is not laptop_mixer
    for index, studio in enumerate(page.studios):
        page.tabs.selected_index = index
        link = re.search(r'download="([^"]+)" href="data:image/png;base64,([^"]+)"',
                         page.save_link.value)
        assert link.group(1) == f"reference-{studio.file_name()}"
        assert base64.b64decode(link.group(2)) == studio.pictures[-1].value
    page.studios[2].show(position=1.0)  # a redraw of the open tab moves the link too
    link = re.search(r'download="([^"]+)" href="data:image/png;base64,([^"]+)"',
                     page.save_link.value)
    assert link.group(1) == "reference-latentwalk-5-0-1-1.png"
    assert base64.b64decode(link.group(2)) == page.studios[2].pictures[-1].value
