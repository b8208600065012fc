"""The digit studio's web page in a real browser: `make studio` (Voila) on a free port, driven
by headless Chromium. The digits the page shows, and the file it saves, must be read by the
project's classifier as the digit that was clicked. Screenshots go to outputs/studio_page_test/.
"""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import sync_playwright

from browser import (
    SERVER_START_SECONDS,
    chromium,
    image_bytes,
    open_panel,
    picture_cells,
    shown_picture,
    studio_server,
    wait_for_new_picture,
)
from cgan_lib.evaluation.metrics import classify
from cgan_lib.settings import outputs_dir
from cgan_lib.studio.page import GENERATORS, TABS

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PICKER_ZOOM = 2
PICKER_COUNT = 20  # the page's first setting: 20 samples, two rows of ten
READ_AS_ASKED = 0.9


@pytest.fixture
def studio():
    """(page address, screenshot folder) of a running `make studio`; stopped after the test."""
    folder = outputs_dir("studio_page_test")
    with studio_server(folder / "voila.log") as address:
        yield address, folder


def share_read_as(png: bytes, digit: int) -> float:
    """The share of a picker's digits (PNG bytes) that the project's classifier reads as
    `digit`."""
    cells = picture_cells(shown_picture(png, PICKER_ZOOM))
    assert len(cells) == PICKER_COUNT, f"{len(cells)} digits in the picture"
    _, predictions = classify(cells)
    return float(np.mean(predictions == digit))


def test_the_studio_page_draws_the_digits_asked_for(studio):
    address, folder = studio
    with sync_playwright() as playwright, chromium(playwright) as (page, log):
        page.goto(address, timeout=SERVER_START_SECONDS * 1000)
        picture = open_panel(page).locator("img").first
        picture.wait_for(state="visible", timeout=SERVER_START_SECONDS * 1000)
        page.screenshot(path=folder / "studio.png", full_page=True)

        # A page for people: a title, a line of help for each widget, no code, no tracebacks.
        assert page.locator("h1").first.inner_text().strip() == "Digit studio"
        text = page.locator("body").text_content()
        for help_text in [*TABS.values(), *GENERATORS.values()]:
            assert help_text in text, f"help line missing: {help_text!r}"
        shown = page.locator("body").inner_text()
        assert "import" not in shown and "StudioPage" not in shown, "a code cell shows"
        assert "Traceback" not in shown
        assert page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0

        # The picker: each digit clicked is drawn, and read as that digit.
        picker = open_panel(page)
        for digit in (3, 0, 8, 5):
            before = picture.get_attribute("src")
            picker.get_by_role("button", name=str(digit), exact=True).click()
            wait_for_new_picture(page, picture, before)
            share = share_read_as(image_bytes(picture), digit)
            assert share >= READ_AS_ASKED, f"digit {digit}: only {share:.0%} read as {digit}"

        # A bad seed: a red message, and the picture stays.
        before = picture.get_attribute("src")
        seed = picker.locator("input[type=text]").first
        seed.fill("abc")
        seed.press("Enter")
        message = picker.locator(".widget-html", has_text="seed must be")
        message.wait_for(timeout=10_000)
        assert "color:#b00020" in message.inner_html().replace(" ", "")
        assert picture.get_attribute("src") == before
        seed.fill("7")
        seed.press("Enter")
        wait_for_new_picture(page, picture, before)

        # The morph: moving the slider changes the large frame.
        page.get_by_role("tab", name="Morph").click()
        frame = open_panel(page).locator("img").last
        frame.wait_for(state="visible")
        before = frame.get_attribute("src")
        open_panel(page).locator(".noUi-handle").first.press("ArrowRight")
        wait_for_new_picture(page, frame, before)

        # Another generator, then the picture saved as a file: its digits are the one asked for.
        page.get_by_role("tab", name="Pick a digit").click()
        before = picture.get_attribute("src")
        page.locator(".studio-chooser").get_by_role("button", name="reference").click()
        wait_for_new_picture(page, picture, before)
        page.screenshot(path=folder / "studio_reference_generator.png", full_page=True)
        with page.expect_download() as download:
            page.locator(".studio-save a").click()
        saved = folder / download.value.suggested_filename
        download.value.save_as(saved)
    assert saved.name.startswith("reference-digitpicker-5-"), saved.name
    share = share_read_as(saved.read_bytes(), 5)
    assert share >= READ_AS_ASKED, f"the saved picture: only {share:.0%} read as 5"
    assert log.page_errors == [], log.page_errors
    assert log.console_errors == [], log.console_errors
    assert log.outside_requests == [], log.outside_requests
