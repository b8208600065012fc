"""Benchmark: the static digit studio (`make web`), measured in a real browser.

- first picture: milliseconds from the start of a page load to its first pictures drawn (the
  site fetched from `python -m http.server`, ONNX Runtime's WebAssembly compiled, the generator
  loaded, then the picker's 20 digits and the morph's 9 frames drawn), for `--loads` loads, each
  in a new browser context with an empty cache;
- redraw: milliseconds from a click on a digit to the picker's new picture painted on its
  canvas, timed inside the page, `--clicks` times with the page's 20 digits and as many with 100;
- size: the site's bytes on disk, file by file, and gzip-compressed (what a host that compresses
  its answers sends).
Prints the figures and writes them to `outputs/benchmarks/web_page.json`, beside a screenshot of
the page as it opens (`web_page.png`, the README's picture). Asserts nothing.

It drives the browser with the tests' driver, `tests/browser.py`: `make benchmark` runs it as
`PYTHONPATH=tests python benchmarks/web_page.py`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

from browser import build_site, chromium, static_server
from cgan_lib.backends.precision import machine_description as machine
from cgan_lib.settings import outputs_dir

LOAD_SECONDS = 60
VIEWPORT = {"width": 760, "height": 720}
FIRST_PICTURE = "() => document.body.dataset.firstPictureMilliseconds"
# Click a button of the page and wait until the picker's canvas counts one more draw; returns
# the milliseconds in between, by the page's own clock.
TIMED_CLICK = """async (button) => {
    const canvas = document.getElementById("picker-canvas");
    const before = Number(canvas.dataset.draws);
    const drawn = new Promise((resolve) => new MutationObserver((_, observer) => {
        if (Number(canvas.dataset.draws) > before) { observer.disconnect(); resolve(); }
    }).observe(canvas, { attributes: true, attributeFilter: ["data-draws"] }));
    const started = performance.now();
    button.click();
    await drawn;
    return performance.now() - started;
}"""


def site_sizes(site: Path) -> dict[str, dict[str, int]]:
    """Each file's bytes on disk and gzip-compressed (level 6, a web server's usual)."""
    return {str(path.relative_to(site)): {"bytes": path.stat().st_size,
                                          "gzip_bytes": len(gzip.compress(path.read_bytes(), 6))}
            for path in sorted(site.rglob("*")) if path.is_file()}


def first_picture_milliseconds(browser, address: str) -> float:
    """One load in a new context (an empty cache): milliseconds to the first pictures."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(address)
        page.wait_for_function(FIRST_PICTURE, timeout=LOAD_SECONDS * 1000)
        return float(page.evaluate(FIRST_PICTURE))
    finally:
        context.close()


def timed_clicks(page, clicks: int) -> list[float]:
    """Milliseconds of `clicks` picker redraws, each a click on another digit."""
    digits = [(index * 3 + 1) % 10 for index in range(clicks)]
    return [page.evaluate(TIMED_CLICK, page.get_by_role("button", name=str(digit), exact=True)
                          .element_handle()) for digit in digits]


def set_count(page, count: int) -> None:
    page.locator("#count").fill(str(count))
    page.locator("#count").press("Enter")
    page.locator("#message", has_text=f"{count} × digit").wait_for()


def measure(loads: int, clicks: int) -> dict:
    site = build_site()
    folder = outputs_dir("benchmarks", "web_page")
    with static_server(site, folder / "server.log") as address, sync_playwright() as playwright, \
            chromium(playwright, VIEWPORT) as (page, log):
        browser = page.context.browser
        first = [first_picture_milliseconds(browser, address) for _ in range(loads)]
        page.goto(address)
        page.wait_for_function(FIRST_PICTURE, timeout=LOAD_SECONDS * 1000)
        page.screenshot(path=folder.parent / "web_page.png", full_page=True)
        picker = timed_clicks(page, clicks)
        set_count(page, 100)
        hundred = timed_clicks(page, clicks)
        version = browser.version
    if log.page_errors or log.console_errors or log.outside_requests:
        raise RuntimeError(f"the page reported problems: {log}")
    sizes = site_sizes(site)
    return {"machine": machine(), "browser": f"Chromium {version}",
            "first_picture_milliseconds": first,
            "picker_redraw_milliseconds": picker, "hundred_digits_redraw_milliseconds": hundred,
            "median_first_picture_milliseconds": statistics.median(first),
            "median_picker_redraw_milliseconds": statistics.median(picker),
            "median_hundred_digits_redraw_milliseconds": statistics.median(hundred),
            "site_files": sizes,
            "site_bytes": sum(size["bytes"] for size in sizes.values()),
            "site_gzip_bytes": sum(size["gzip_bytes"] for size in sizes.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=int, default=5, help="page loads timed")
    parser.add_argument("--clicks", type=int, default=20, help="redraws timed per count")
    arguments = parser.parse_args()
    result = measure(arguments.loads, arguments.clicks)
    path = outputs_dir("benchmarks") / "web_page.json"
    path.write_text(json.dumps(result, indent=1))
    megabytes = {name: f"{size['bytes'] / 1e6:.2f} MB" for name, size in
                 result["site_files"].items()}
    print(f"{result['machine']}, {result['browser']}\n"
          f"first picture after load, median of {arguments.loads}: "
          f"{result['median_first_picture_milliseconds']:.0f} ms\n"
          f"picker redraw, median of {arguments.clicks}: "
          f"{result['median_picker_redraw_milliseconds']:.1f} ms (20 digits), "
          f"{result['median_hundred_digits_redraw_milliseconds']:.1f} ms (100 digits)\n"
          f"site: {result['site_bytes'] / 1e6:.2f} MB on disk, "
          f"{result['site_gzip_bytes'] / 1e6:.2f} MB gzip-compressed; {megabytes}\n"
          f"written to {path}")


if __name__ == "__main__":
    main()
