"""The library's layout, checked from its source: the imports between its modules form no cycle
and point down the stack of folders that docs/architecture.md draws, every module is short, says
what it is for and is listed in that page, only the backends package asks which backend runs, and
every name of the public API resolves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cgan_lib

PACKAGE = Path(cgan_lib.__file__).resolve().parent
ARCHITECTURE_PAGE = PACKAGE.parent / "docs" / "architecture.md"
# The folders (and top-level modules) from the top of the stack down: a module imports only from
# its own folder or from a folder further down.
LAYERS = [
    {"__init__", "__main__"},
    {"cli"},
    {"studio", "lessons"},
    {"training"},
    {"evaluation"},
    {"drawing"},
    {"gan"},
    {"data"},
    {"storage"},
    {"backends"},
    {"recipes"},
    {"settings"},
]
MAX_LINES = 300


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(path: Path) -> set[str]:
    """The cgan_lib modules that a file imports, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("cgan_lib"):
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("cgan_lib"))
    return found


GRAPH = {name: imported_modules(path) - {name} for name, path in MODULES.items()}


def layer_of(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    return next(index for index, layer in enumerate(LAYERS) if top in layer)


def folder_of(module: str) -> str:
    return module.split(".")[1] if "." in module else ""


def test_every_import_points_down_the_stack_or_stays_in_its_folder():
    upward = [f"{module} → {imported}" for module, imports in GRAPH.items()
              for imported in imports if folder_of(imported) != folder_of(module)
              and layer_of(imported) <= layer_of(module)]
    assert upward == []


def test_the_import_graph_has_no_cycle():
    finished, on_path = set(), []

    def visit(module: str) -> None:
        if module in on_path:
            raise AssertionError("import cycle: " + " → ".join(
                [*on_path[on_path.index(module):], module]))
        if module in finished:
            return
        on_path.append(module)
        for imported in sorted(GRAPH[module]):
            visit(imported)
        on_path.pop()
        finished.add(module)

    for module in MODULES:
        visit(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_is_short_and_says_what_it_is_for(module):
    source = MODULES[module].read_text()
    assert len(source.splitlines()) <= MAX_LINES, f"{module} has over {MAX_LINES} lines"
    assert ast.get_docstring(ast.parse(source)), f"{module} has no docstring"


def test_the_architecture_page_lists_every_module_and_folder():
    page = ARCHITECTURE_PAGE.read_text()
    missing = [str(path.relative_to(PACKAGE.parent)) for path in MODULES.values()
               if path.name != "__init__.py" and f"{path.name}" not in page]
    missing += [folder for folder in {path.parent.name for path in MODULES.values()
                                      if path.parent != PACKAGE}
                if f"{folder}/" not in page]
    assert missing == []


def test_only_the_backends_package_asks_which_backend_runs():
    asking = []
    for module, path in MODULES.items():
        if folder_of(module) == "backends":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = ({alias.name.split(".")[0] for alias in node.names}
                     if isinstance(node, ast.Import) else
                     {node.module.split(".")[0]} if isinstance(node, ast.ImportFrom)
                     and node.module else set())
            if names & {"jax", "torch"} or (isinstance(node, ast.Name) and node.id == "BACKEND") \
                    or (isinstance(node, ast.Attribute) and node.attr == "backend"
                        and isinstance(node.value, ast.Attribute)):
                asking.append(f"{module}:{node.lineno}")
    assert asking == []


def test_every_name_of_the_public_api_resolves():
    for name in cgan_lib.__all__:
        assert getattr(cgan_lib, name) is not None, name
    with pytest.raises(AttributeError, match="has no attribute 'train_reciep'"):
        cgan_lib.train_reciep  # noqa: B018 -- the attribute access is the test
