"""Kill fast-mode trainings at random moments and resume them: count how many end whole.

Each trial trains the laptop recipe in fast mode (`CGAN_FAST=1`) into a fresh folder with
`python -m cgan_lib train`, kills it with SIGKILL at a moment drawn uniformly between its start
and the length of an uninterrupted run, then runs the same command again. A trial passes when
the second command exits 0, `history.json` lists every epoch exactly once, the generator loads
both ways (`load_generator`, `load_generator_from_json`), and no lock or temporary file is left.

    python benchmarks/kill_and_resume.py [TRIALS] [EPOCHS]    # default 20 trials of 3 epochs

Prints one line per trial and the count, and writes them to
outputs/benchmarks/kill_and_resume.json.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cgan_lib.settings import outputs_dir
from cgan_lib.storage.generators import load_generator, load_generator_from_json

FAST = {**os.environ, "CGAN_FAST": "1"}


def train_command(folder: Path, epochs: int) -> list[str]:
    return [sys.executable, "-m", "cgan_lib", "train", "--recipe", "laptop",
            "--epochs", str(epochs), "--output", str(folder)]


def problems_of(folder: Path, epochs: int) -> list[str]:
    """What is wrong with a finished run's folder (an empty list when nothing is)."""
    problems = []
    history = json.loads((folder / "history.json").read_text())
    if [entry["epoch"] for entry in history] != list(range(1, epochs + 1)):
        problems.append(f"history epochs {[entry['epoch'] for entry in history]}")
    for load in (load_generator, load_generator_from_json):
        try:
            load(folder)
        except (ValueError, FileNotFoundError) as error:
            problems.append(f"{load.__name__}: {error}")
    leftovers = [str(path.relative_to(folder)) for path in folder.rglob("*")
                 if path.name == "train.lock" or ".tmp" in path.name]
    if leftovers:
        problems.append(f"left behind: {leftovers}")
    return problems


def trial(folder: Path, epochs: int, kill_after: float) -> dict:
    """One killed run and its resume; returns what happened."""
    started = time.perf_counter()
    process = subprocess.Popen(train_command(folder, epochs), env=FAST,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=kill_after)
        killed = False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        killed = True
    epochs_before = len(json.loads((folder / "history.json").read_text())) \
        if (folder / "history.json").is_file() else 0
    resumed = subprocess.run(train_command(folder, epochs), env=FAST, capture_output=True,
                             text=True)
    problems = ([f"resume exited {resumed.returncode}: {resumed.stderr.strip()[-300:]}"]
                if resumed.returncode else problems_of(folder, epochs))
    return {"kill_after_seconds": round(kill_after, 1), "killed": killed,
            "epochs_done_when_killed": epochs_before,
            "resume_said": [line for line in resumed.stdout.splitlines()
                            if "checkpoint" in line],
            "problems": problems, "seconds": round(time.perf_counter() - started, 1)}


def main(trials: int = 20, epochs: int = 3) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        whole_run = time.perf_counter()
        subprocess.run(train_command(Path(scratch) / "uninterrupted", epochs), env=FAST,
                       check=True, capture_output=True)
        full_seconds = time.perf_counter() - whole_run
        print(f"an uninterrupted fast-mode run of {epochs} epochs: {full_seconds:.1f} s")
        draws = random.Random(0)
        results = []
        for number in range(1, trials + 1):
            result = trial(Path(scratch) / f"trial_{number:02d}", epochs,
                           draws.uniform(0, full_seconds))
            results.append(result)
            print(f"trial {number:2d}: killed at {result['kill_after_seconds']:5.1f} s "
                  f"after {result['epochs_done_when_killed']} epochs, "
                  f"{'ok' if not result['problems'] else result['problems']}", flush=True)
    passed = sum(not result["problems"] for result in results)
    print(f"{passed} of {trials} killed and resumed runs ended with the full history once and a "
          "loadable generator")
    summary = {"trials": trials, "epochs": epochs, "passed": passed,
               "uninterrupted_seconds": round(full_seconds, 1), "results": results}
    path = outputs_dir("benchmarks") / "kill_and_resume.json"
    path.write_text(json.dumps(summary, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main(*[int(argument) for argument in sys.argv[1:3]])
