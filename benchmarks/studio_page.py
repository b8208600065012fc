"""Benchmark: the digit studio's web page (`make studio`), measured in a real browser.

- start: seconds from running `make studio` to the first picture shown in the page (Voila starts
  a kernel, runs apps/studio.ipynb, and the browser renders its widgets);
- redraw: seconds from a click on a digit (or a step of the morph slider) to the new picture in
  the page, for `--clicks` clicks of each.
Prints the figures and writes them to `outputs/benchmarks/studio_page.json`, beside a screenshot
of the page as it opens (`studio_page.png`, the README's picture). Asserts nothing.

It drives the browser with the tests' driver, `tests/browser.py`: `make benchmark` runs it as
`PYTHONPATH=tests python benchmarks/studio_page.py`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from playwright.sync_api import sync_playwright

from browser import (
    SERVER_START_SECONDS,
    chromium,
    open_panel,
    studio_server,
    wait_for_new_picture,
)
from cgan_lib.backends.precision import machine_description as machine
from cgan_lib.settings import outputs_dir


def timed_redraws(page, picture, actions) -> list[float]:
    """Seconds from each action to the picture it makes the page show."""
    seconds = []
    for action in actions:
        before = picture.get_attribute("src")
        started = time.perf_counter()
        action()
        wait_for_new_picture(page, picture, before)
        seconds.append(time.perf_counter() - started)
    return seconds


def measure(clicks: int) -> dict:
    folder = outputs_dir("benchmarks", "studio_page")
    with sync_playwright() as playwright, chromium(playwright) as (page, _):
        started = time.perf_counter()
        with studio_server(folder / "voila.log") as address:
            page.goto(address, timeout=SERVER_START_SECONDS * 1000)
            panel = open_panel(page)
            picture = panel.locator("img").first
            picture.wait_for(state="visible", timeout=SERVER_START_SECONDS * 1000)
            start_seconds = time.perf_counter() - started
            page.screenshot(path=folder.parent / "studio_page.png")
            digits = [(index * 3 + 1) % 10 for index in range(clicks)]  # never the digit on show
            picker = timed_redraws(page, picture, [
                lambda digit=digit: panel.get_by_role("button", name=str(digit), exact=True)
                .click() for digit in digits])
            page.get_by_role("tab", name="Morph").click()
            frame, handle = panel.locator("img").last, panel.locator(".noUi-handle").first
            frame.wait_for(state="visible")
            keys = ["ArrowRight"] * (clicks // 2) + ["ArrowLeft"] * (clicks - clicks // 2)
            morph = timed_redraws(page, frame, [lambda key=key: handle.press(key) for key in keys])
    return {"machine": machine(), "start_seconds": start_seconds,
            "picker_redraw_seconds": picker, "morph_redraw_seconds": morph,
            "median_picker_redraw_seconds": statistics.median(picker),
            "median_morph_redraw_seconds": statistics.median(morph)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clicks", type=int, default=20, help="redraws timed per widget")
    result = measure(parser.parse_args().clicks)
    path = outputs_dir("benchmarks") / "studio_page.json"
    path.write_text(json.dumps(result, indent=1))
    print(f"{result['machine']}\n"
          f"start: {result['start_seconds']:.1f} s to the first picture\n"
          f"redraw, median: picker {result['median_picker_redraw_seconds']:.3f} s, "
          f"morph slider {result['median_morph_redraw_seconds']:.3f} s\n"
          f"written to {path}")


if __name__ == "__main__":
    main()
