"""environment.yml must agree with pyproject.toml, the one source of truth for versions."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

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
    assert 10 <= minor <= 12, f"{python} is outside pyproject's requires-python"
