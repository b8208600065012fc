"""Notebook 05 in a real browser: a JupyterLab server on 127.0.0.1 and headless Chromium driven
by Playwright. The test runs every cell, clicks another digit in the picker, and checks that the
picture changes and that no JavaScript error was logged. Screenshots go to outputs/.

Chromium is Debian's package (`make test` installs it); Playwright's own browser download cannot
work offline. The notebook is copied to a scratch folder first, so JupyterLab's autosave can
never touch `notebooks/`.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from cgan_lib.config import outputs_dir, repository_root

CHROMIUM = Path("/usr/bin/chromium")
# What this machine needs to start Chromium quietly: no sandbox as root, no GPU, and no
# background connections to Google's services (the network is closed; each would log an error).
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]
NOTEBOOK = "05_digit_studio.ipynb"
SERVER_START_SECONDS = 90
# In the page: "done" once every code cell shows an execution count, or else the text of the first
# traceback or other stderr output (JupyterLab renders both as stderr); a clean notebook has none.
ALL_CELLS_RAN = """() => {
    const error = document.querySelector('[data-mime-type="application/vnd.jupyter.stderr"]');
    if (error) return error.textContent.slice(0, 2000);
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
    return prompts.length > 0 && prompts.every(prompt => /\\[\\d+\\]/.test(prompt.textContent))
        && "done";
}"""
CELLS_SECONDS = 180


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_server(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"JupyterLab did not answer within {SERVER_START_SECONDS} s:\n"
                       f"{log.read_text()}")


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server for a copy of notebook 05; yields (base URL, token); stops it after."""
    folder = outputs_dir("browser_test")
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "lab").mkdir(parents=True)
    shutil.copy(repository_root() / "notebooks" / NOTEBOOK, folder / "lab" / NOTEBOOK)
    port, token = free_port(), secrets.token_hex(16)
    environment = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
                   "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
                   "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
                   "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")}
    log = folder / "jupyterlab.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder / 'lab'}",
             "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--LabApp.extension_manager=readonly",
             *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI runs as root
            env=environment, stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(f"{base}/api/status?token={token}", process, log)
        yield base, token, folder
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_notebook_05_runs_in_jupyterlab_and_the_picker_redraws(jupyterlab):
    assert CHROMIUM.is_file(), f"{CHROMIUM} is missing: run `make test`, which installs it " \
                               "(apt-get install chromium)"
    base, token, folder = jupyterlab
    page_errors: list[str] = []
    console_errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.on("console", lambda message: message.type == "error"
                    and console_errors.append(message.text))
            page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}")
            page.wait_for_function(
                "() => window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel"
                "?.status === 'idle'", timeout=SERVER_START_SECONDS * 1000)
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            outcome = page.wait_for_function(ALL_CELLS_RAN, timeout=CELLS_SECONDS * 1000)
            assert outcome.json_value() == "done", f"a cell failed: {outcome.json_value()}"
            picker = page.locator(".jp-OutputArea-output > .widget-vbox").first
            picture = picker.locator("img").first
            picture.wait_for(state="visible")
            page.screenshot(path=folder / "notebook_after_run_all.png")
            picker.screenshot(path=folder / "picker_digit_7.png")
            before = picture.get_attribute("src")
            picker.get_by_role("button", name="3", exact=True).click()
            page.wait_for_function("([image, before]) => image.src !== before",
                                   arg=[picture.element_handle(), before], timeout=30_000)
            picker.screenshot(path=folder / "picker_digit_3.png")
            message = picker.locator(".widget-html").first.inner_text()
        finally:
            browser.close()
    assert "drawn in" in message, message
    assert page_errors == [], page_errors
    assert console_errors == [], console_errors
    assert (folder / "picker_digit_3.png").read_bytes() != \
        (folder / "picker_digit_7.png").read_bytes()
