"""The static digit studio (`make web`) in a real browser: the site is built, served by
`python -m http.server` on 127.0.0.1, and opened in headless Chromium. The digits it draws must be
read by the project's classifier as the digit clicked; a bad value must give a message and keep
the picture; it must keep drawing offline, and ask nothing of any other computer. The same check
must fail when the site's generator is label-shifted (asked for d, it draws d - 1). Screenshots go
to outputs/web_page_test/.

Building the site runs `npm ci` the first time, which reaches the npm registry.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from playwright.sync_api import sync_playwright

from browser import (
    build_site,
    canvas_bytes,
    chromium,
    picture_cells,
    shown_picture,
    static_server,
)
from cgan_lib.backends.runtime import keras
from cgan_lib.evaluation.metrics import classify
from cgan_lib.settings import outputs_dir
from cgan_lib.storage.generators import load_generator
from cgan_lib.studio.onnx_file import export_onnx

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.network]
CLICKED = (3, 0, 8, 5)
PICKER_COUNT = 20  # the page's first setting
READ_AS_ASKED = 0.9
LOAD_SECONDS = 60
REDRAWN = "([canvas, before]) => Number(canvas.dataset.draws) > before"


@pytest.fixture(scope="module")
def site():
    return build_site()


def label_shifted(generator: keras.Model) -> keras.Model:
    """`generator` with its label tables moved one row down: asked for d, it draws d - 1 (and 9
    for 0)."""
    for layer in generator.layers:
        if isinstance(layer, keras.layers.Embedding) and layer.input is generator.inputs[1]:
            table = keras.ops.convert_to_numpy(layer.embeddings)
            layer.embeddings.assign(np.roll(table, 1, axis=0))
    return generator


def open_page(page, address: str) -> None:
    page.goto(address)
    page.wait_for_function("() => document.body.dataset.firstPictureMilliseconds",
                           timeout=LOAD_SECONDS * 1000)


def redraw(page, canvas, action) -> None:
    """Do `action`, then wait until `canvas` (a locator) has drawn a new picture."""
    before = int(canvas.get_attribute("data-draws") or 0)
    action()
    page.wait_for_function(REDRAWN, arg=[canvas.element_handle(), before], timeout=30_000)


def read_digits(canvas) -> np.ndarray:
    """The digits that the project's classifier reads in a canvas of the page."""
    _, predictions = classify(picture_cells(shown_picture(canvas_bytes(canvas), zoom=1)))
    return predictions


def shares_read_as_clicked(page) -> dict[int, float]:
    """Click each digit of CLICKED; for each, the share of the picker's digits read as it."""
    canvas, shares = page.locator("#picker-canvas"), {}
    for digit in CLICKED:
        redraw(page, canvas, page.get_by_role("button", name=str(digit), exact=True).click)
        predictions = read_digits(canvas)
        assert len(predictions) == PICKER_COUNT, f"{len(predictions)} digits in the picture"
        shares[digit] = float(np.mean(predictions == digit))
    return shares


def type_value(page, canvas, box: str, text: str) -> None:
    """Type `text` into the box `box` (a CSS selector) and press Enter; wait for the redraw."""

    def enter() -> None:
        page.locator(box).fill(text)
        page.locator(box).press("Enter")

    redraw(page, canvas, enter)


def test_the_page_draws_the_digits_asked_for_offline_and_refuses_bad_values(site):
    folder = outputs_dir("web_page_test")
    with static_server(site, folder / "server.log") as address, sync_playwright() as playwright, \
            chromium(playwright) as (page, log):
        open_page(page, address)
        assert page.locator("h1").inner_text() == "Digit studio"
        shares = shares_read_as_clicked(page)
        assert all(share >= READ_AS_ASKED for share in shares.values()), \
            f"the share of each clicked digit's tiles read as that digit: {shares}"

        # The same seed draws the same picture again; another seed, another picture.
        picker = page.locator("#picker-canvas")
        type_value(page, picker, "#seed", "5")
        seed_5 = canvas_bytes(picker)
        type_value(page, picker, "#seed", "6")
        assert canvas_bytes(picker) != seed_5
        type_value(page, picker, "#seed", "5")
        assert canvas_bytes(picker) == seed_5

        # The morph, with the same seed: from 3 into 1, the first frame a 3 and the last a 1.
        morph = page.locator("#morph-canvas")
        redraw(page, morph, lambda: page.locator("#to-digit").select_option("1"))
        frames = read_digits(morph)
        assert len(frames) == 9 and (frames[0], frames[-1]) == (3, 1), frames

        # Bad values: a message, and the picture stays.
        for box, text in [("#count", "0"), ("#count", "10000"), ("#seed", "abc")]:
            draws = picker.get_attribute("data-draws")
            page.locator(box).fill(text)
            page.locator(box).press("Enter")
            message = page.locator("#message.error", has_text=f'got "{text}"')
            message.wait_for(timeout=10_000)
            assert "must be a whole number" in message.inner_text()
            assert picker.get_attribute("data-draws") == draws
            assert canvas_bytes(picker) == seed_5
            type_value(page, picker, box, {"#count": "20", "#seed": "5"}[box])

        # Offline once loaded: new noise still draws.
        page.context.set_offline(True)
        redraw(page, picker, page.get_by_role("button", name="new noise").click)
        assert canvas_bytes(picker) != seed_5
        page.context.set_offline(False)
        page.screenshot(path=folder / "web_page.png", full_page=True)
    assert log.page_errors == [], log.page_errors
    assert log.console_errors == [], log.console_errors
    assert log.outside_requests == [], log.outside_requests


def test_the_digit_check_fails_with_a_label_shifted_generator(site, tmp_path):
    shifted_site = shutil.copytree(site, tmp_path / "site")
    export_onnx(label_shifted(load_generator("laptop")), shifted_site / "generator.onnx",
                morph=True)
    with static_server(shifted_site, tmp_path / "server.log") as address, \
            sync_playwright() as playwright, chromium(playwright) as (page, _):
        open_page(page, address)
        shares = shares_read_as_clicked(page)
    assert all(share < READ_AS_ASKED for share in shares.values()), \
        f"the check passed a label-shifted generator: {shares}"
