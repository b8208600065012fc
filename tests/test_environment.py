"""environment.yml must agree with pyproject.toml, the one source of truth for versions."""

from __future__ import annotations

import json
import re
import tomllib
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def requirement_map(requirements):
    pattern = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")
    return {pattern.match(r).group(1).lower(): pattern.match(r).group(2).replace(" ", "")
            for r in requirements}


def test_environment_yml_agrees_with_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(item["pip"] for item in environment["dependencies"]
                       if isinstance(item, dict))
    assert "-e .[dev]" in pip_section, "environment.yml must install the project itself"
    declared = requirement_map(project["dependencies"])
    for name, specifier in requirement_map(p for p in pip_section if not p.startswith("-")).items():
        assert declared.get(name) == specifier, (
            f"environment.yml pins {name}{specifier}, pyproject.toml says {declared.get(name)}")
    python = next(item for item in environment["dependencies"]
                  if isinstance(item, str) and item.startswith("python="))
    minor = int(python.split("=")[1].split(".")[1])
    assert 11 <= minor <= 12, f"{python} is outside pyproject's requires-python"


def minor_version(text: str) -> tuple[int, ...]:
    """'3.15.1' → (3, 15)."""
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2])


def test_the_keras_floor_reads_the_shipped_generators():
    """Keras reads .keras files written by its own minor version or an older one (3.14 cannot
    read what 3.15 writes: Embedding's `quantization_config`), so pyproject's floor must not be
    older than the Keras that wrote the shipped files."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floor = re.search(r"keras>=([\d.]+)", " ".join(project["dependencies"])).group(1)
    shipped = sorted((ROOT / "cgan_lib" / "storage" / "shipped").glob("*/generator.keras"))
    assert [path.parent.name for path in shipped] == ["laptop", "reference"]
    for path in shipped:
        with zipfile.ZipFile(path) as archive:
            written_by = json.loads(archive.read("metadata.json"))["keras_version"]
        assert minor_version(floor) >= minor_version(written_by), (
            f"{path.parent.name}'s generator was written by Keras {written_by}, newer than "
            f"pyproject's floor keras>={floor}: raise the floor")
