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
import subprocess
import sys

import pytest
from playwright.sync_api import sync_playwright

from browser import SERVER_START_SECONDS, chromium, free_port, wait_for_server
from cgan_lib.settings import outputs_dir, repository_root

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NOTEBOOK = "05_digit_studio.ipynb"
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
    base, token, folder = jupyterlab
    with sync_playwright() as playwright, chromium(playwright, {"width": 1280, "height": 1600}) \
            as (page, log):
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
    assert "drawn in" in message, message
    assert log.page_errors == [], log.page_errors
    assert log.console_errors == [], log.console_errors
    assert (folder / "picker_digit_3.png").read_bytes() != \
        (folder / "picker_digit_7.png").read_bytes()
