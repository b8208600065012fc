"""Driving the digit studio's web pages in a real browser, for their tests and benchmarks.

Debian's Chromium through Playwright (Playwright's own browser download cannot work offline);
`make studio` started on a free port, or the static site that `make web` builds, served by
`python -m http.server`; and reading the studio's pictures: the bytes that a page shows, cut back
into their 28×28 digits (the headless widget tests read them the same way).
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from cgan_lib.data.pipeline import to_tanh_range
from cgan_lib.settings import repository_root

CHROMIUM = Path("/usr/bin/chromium")
# What Chromium needs to start quietly here: no sandbox as root, no GPU, and no background
# connections to Google's services (the network is closed; each would log an error).
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]
SERVER_START_SECONDS = 90
# A digit's cell in a picture: 28 pixels and 2 of padding (cgan_lib.drawing.plots.tile_images).
CELL = 30
# The source of the picture an <img> shows (ipywidgets uses blob: URLs), as a list of bytes.
IMAGE_BYTES = """async (image) => {
    const response = await fetch(image.src);
    return Array.from(new Uint8Array(await response.arrayBuffer()));
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_server(url: str, process: subprocess.Popen, log: Path) -> None:
    """Return once `url` answers; raise with the server's log if it exits or stays silent."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {SERVER_START_SECONDS} s:\n"
                       f"{log.read_text()}")


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    """Return once something listens on 127.0.0.1:`port`; raise with the server's log if it
    exits or stays silent."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listened on port {port} within {SERVER_START_SECONDS} s:\n"
                       f"{log.read_text()}")


@contextlib.contextmanager
def studio_server(log: Path) -> Iterator[str]:
    """`make studio` on a free port; yields the page's address, and stops the server after."""
    port = free_port()
    with log.open("w") as log_file:
        process = subprocess.Popen(["make", "--no-print-directory", "studio",
                                    f"STUDIO_PORT={port}"], cwd=repository_root(),
                                   stdout=log_file, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def build_site() -> Path:
    """`make web`: the static digit studio in web/dist/ (the first time it also installs the npm
    packages); returns the site's folder. Raises with make's output if the build fails."""
    root = repository_root()
    build = subprocess.run(["make", "--no-print-directory", "web"], cwd=root,
                           capture_output=True, text=True)
    if build.returncode != 0:
        raise RuntimeError(f"`make web` failed:\n{build.stdout}{build.stderr}")
    return root / "web" / "dist"


@contextlib.contextmanager
def static_server(folder: Path, log: Path) -> Iterator[str]:
    """`python -m http.server` serving `folder` on 127.0.0.1 and a free port; yields the address,
    and stops the server after."""
    port = free_port()
    with log.open("w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind",
                                    "127.0.0.1", "--directory", str(folder)],
                                   stdout=log_file, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, log)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=20)


@dataclass
class PageLog:
    """What a page reported: JavaScript errors, console errors, and requests that left this
    computer (anything but 127.0.0.1, data: and blob: addresses)."""

    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("console", lambda message: message.type == "error"
                and self.console_errors.append(message.text))
        page.on("request", lambda request: request.url.startswith(
            ("http://127.0.0.1:", "data:", "blob:")) or self.outside_requests.append(request.url))


@contextlib.contextmanager
def chromium(playwright, viewport: dict | None = None) -> Iterator[tuple[object, PageLog]]:
    """A headless Chromium page and the log of what it reports; closes the browser after."""
    if not CHROMIUM.is_file():
        raise FileNotFoundError(f"{CHROMIUM} is missing: run `make test`, which installs it "
                                "(apt-get install chromium)")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                         args=CHROMIUM_FLAGS)
    try:
        page = browser.new_page(viewport=viewport or {"width": 1280, "height": 1400},
                                accept_downloads=True)
        log = PageLog()
        log.watch(page)
        yield page, log
    finally:
        browser.close()


def open_panel(page):
    """The studio page's tab panel on show (a locator; the other tabs' panels are hidden)."""
    return page.locator(".studio-tabs .widget-tab-contents > .widget-vbox:visible")


def image_bytes(image) -> bytes:
    """The PNG file that an <img> element (a Playwright locator) shows."""
    return bytes(image.evaluate(IMAGE_BYTES))


def canvas_bytes(canvas) -> bytes:
    """The PNG file of what a <canvas> element (a Playwright locator) shows."""
    data_url = canvas.evaluate("(canvas) => canvas.toDataURL('image/png')")
    return base64.b64decode(data_url.split(",", 1)[1])


def shown_picture(png: bytes, zoom: int) -> np.ndarray:
    """A picture of the studio (PNG bytes, enlarged `zoom` times) back at one pixel per generated
    pixel, uint8."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"))[::zoom, ::zoom]


def picture_cells(picture: np.ndarray) -> np.ndarray:
    """A grid picture cut back into its 28×28 digits, (N, 28, 28, 1) in [-1, 1], ready for
    `cgan_lib.evaluation.metrics.classify`."""
    rows, columns = (picture.shape[0] + 2) // CELL, (picture.shape[1] + 2) // CELL
    digits = [picture[row * CELL: row * CELL + 28, column * CELL: column * CELL + 28]
              for row in range(rows) for column in range(columns)]
    return to_tanh_range(np.stack(digits))


def wait_for_new_picture(page, image, before: str, timeout_seconds: float = 30) -> None:
    """Wait until `image` (a locator) shows another source than `before`."""
    page.wait_for_function("([image, before]) => image.src && image.src !== before",
                           arg=[image.element_handle(), before],
                           timeout=timeout_seconds * 1000, polling=10)
