"""The rules every stored notebook follows: clean outputs (no TensorFlow log lines, no paths of
the machine that ran it), no words about how the project was made, the sections a learner relies
on (what you'll learn, the run time with and without bfloat16, links to the whole series, a
summary, exercises, a link to the next notebook), and the original works linked where they are
cited. Each rule is also shown to catch a planted break."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPOSITORY / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SERIES = [path.name for path in NOTEBOOKS]
ORIGINAL_WORKS = ("https://github.com/Luna-CaiC/MNIST-Conditional-GAN",
                  "https://github.com/rmdluo/GAN-Number-Generation")
# TensorFlow's C++ log lines ("E0000 00:00:1795390300.842744 26821 meta_optimizer.cc:967] …",
# "2026-12-02 04:05:01.123456: I tensorflow/…"), its Python logger, AutoGraph's warnings, and
# its CUDA probes.
LOG_LINE = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d|^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] "
                      r"|WARNING:tensorflow|WARNING: AutoGraph|cuda drivers|cuInit", re.MULTILINE)
MACHINE_PATH = re.compile(r"(?<![\w~.])(/home/|/root/|/Users/|/tmp/|/work/|[A-Z]:\\Users\\)")
MAKING_OF = re.compile(r"\bissues?\b|earlier machine|one[- ]thread|timed alone|slow hour|"
                       r"GUIDE\.md|\bscreens?\b|\bscreened\b", re.IGNORECASE)


def text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


def output_texts(notebook: dict):
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            if "text" in output:
                yield index, output.get("name", "stdout"), text(output["text"])
            for mime, data in output.get("data", {}).items():
                if mime.startswith("text/"):
                    yield index, mime, text(data)
            if output.get("output_type") == "error":
                yield index, "error", "\n".join(output.get("traceback", []))


def problems(notebook: dict, name: str, next_name: str | None) -> list[str]:
    """Every broken rule of one notebook, as readable lines (empty when it follows them all)."""
    found = []
    for index, stream, content in output_texts(notebook):
        if LOG_LINE.search(content):
            found.append(f"cell {index}: a TensorFlow log line in its {stream} output")
        for path in {str(REPOSITORY), str(Path.home())} - {"/"}:
            if path in content:
                found.append(f"cell {index}: the machine path {path} in its output")
        if MACHINE_PATH.search(content):
            found.append(f"cell {index}: an absolute path in its output: "
                         f"{MACHINE_PATH.search(content).group(0)}")
        if stream == "error":
            found.append(f"cell {index}: a stored error")
    markdown = [text(cell["source"]) for cell in notebook["cells"]
                if cell["cell_type"] == "markdown"]
    for index, cell in enumerate(notebook["cells"]):
        match = MAKING_OF.search(text(cell["source"]))
        if match:
            found.append(f"cell {index}: words about how the project was made: {match.group(0)!r}")
    opening, ending = (markdown[0] if markdown else ""), "\n".join(markdown[-2:])
    if not opening.startswith("# "):
        found.append("the first cell is not a markdown cell with an H1 title")
    for heading in ("What you'll learn", "Run time", "with bfloat16", "without bfloat16"):
        if heading not in opening:
            found.append(f"the first cell has no {heading!r}")
    for other in SERIES:
        if other != name and f"]({other})" not in opening:
            found.append(f"the series navigation in the first cell has no link to {other}")
    for heading in ("## Summary", "## Exercises"):
        if heading not in ending:
            found.append(f"the last cells have no {heading!r} section")
    if next_name and f"]({next_name})" not in ending:
        found.append(f"the last cells have no link to the next notebook, {next_name}")
    everything = "\n".join(markdown)
    if "original work" in everything and not any(link in everything for link in ORIGINAL_WORKS):
        found.append("it cites the original work without naming and linking it")
    return found


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def next_notebook(path: Path) -> str | None:
    later = NOTEBOOKS[NOTEBOOKS.index(path) + 1:]
    return later[0].name if later else None


def test_the_series_is_there():
    assert [path.name[:2] for path in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_follows_the_rules(path):
    assert problems(load(path), path.name, next_notebook(path)) == []


def test_notebook_2_shows_its_training_gif():
    outputs = [output for cell in load(REPOSITORY / "notebooks" / "02_mlp_gan.ipynb")["cells"]
               for output in cell.get("outputs", [])]
    assert any("image/gif" in output.get("data", {}) for output in outputs)


def planted(line: str, stream: str = "stderr") -> dict:
    notebook = copy.deepcopy(load(NOTEBOOKS[1]))
    code_cell = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    code_cell["outputs"].append({"output_type": "stream", "name": stream, "text": [line]})
    return notebook


@pytest.mark.parametrize("line, expected", [
    ("E0000 00:00:1795390300.842744   26821 meta_optimizer.cc:967] remapper failed\n",
     "TensorFlow log line"),
    ("2026-12-02 04:05:01.123456: I tensorflow/core/platform/cpu_feature_guard.cc:210]\n",
     "TensorFlow log line"),
    ("WARNING: AutoGraph could not transform <function <lambda> at 0x7f11226e3380>\n",
     "TensorFlow log line"),
    (f"saved to {REPOSITORY}/outputs/02_mlp_gan/vanilla_training.gif\n", "machine path"),
    ("MNIST: loaded from the cache /home/learner/.cache/cgan_lib/mnist.npz\n", "absolute path"),
])
def test_a_planted_log_line_or_machine_path_is_caught(line, expected):
    found = problems(planted(line), NOTEBOOKS[1].name, NOTEBOOKS[2].name)
    assert any(expected in problem for problem in found), found


def test_missing_sections_making_of_words_and_unlinked_citations_are_caught():
    notebook = copy.deepcopy(load(NOTEBOOKS[1]))
    markdown = [cell for cell in notebook["cells"] if cell["cell_type"] == "markdown"]
    markdown[0]["source"] = "# A title\n\nAs the original work found, timed alone on one thread."
    markdown[-1]["source"] = "## Summary\n\nThat is all (see issue 4)."
    found = "\n".join(problems(notebook, NOTEBOOKS[1].name, NOTEBOOKS[2].name))
    for expected in ("no \"What you'll learn\"", "no 'Run time'", "no 'without bfloat16'",
                     "no link to 07_failures_and_losses.ipynb", "no '## Exercises'",
                     "no link to the next notebook", "without naming and linking it",
                     "'timed alone'", "'issue'"):
        assert expected in found, expected
