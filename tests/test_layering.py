"""The layers: the pure package at the bottom imports no app, and no module dodges an
import cycle by importing inside a function (issue 13)."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
APPS = {"accounts", "projects", "logbooks", "datasets", "workshops", "reporting", "assessments"}
PROJECT = APPS | {"ligestilling"}


def modules(*parts):
    for path in sorted(ROOT.glob("*/**/*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in (".venv", "tests", "bench", "deploy") or "migrations" in rel.parts:
            continue
        if parts and rel.parts[: len(parts)] != parts:
            continue
        yield rel, ast.parse(path.read_text())


def imported(node):
    if isinstance(node, ast.ImportFrom):
        return "." if node.level else (node.module or "")
    return node.names[0].name


def test_the_pure_package_imports_no_app():
    found = [(str(rel), imported(node)) for rel, tree in modules("ligestilling", "lib") for node in ast.walk(tree)
             if isinstance(node, (ast.Import, ast.ImportFrom)) and imported(node).split(".")[0] in APPS]
    assert found == []


def test_no_project_module_is_imported_inside_a_function():
    """Imports sit at the top of the module; only an AppConfig's ready() may import late
    (Django loads the apps before their checks and signals may be registered)."""
    found = []
    for rel, tree in modules():
        for func in ast.walk(tree):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) or func.name == "ready":
                continue
            for node in ast.walk(func):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    name = imported(node)
                    if name == "." or name.split(".")[0] in PROJECT:
                        found.append(f"{rel}:{node.lineno} {name}")
    assert found == []


@pytest.mark.parametrize("path", ["ligestilling/lib/disclosure.py", "ligestilling/lib/statistics.py"])
def test_the_checker_sees_a_late_import(tmp_path, path):
    # The rule can fail: a function-level import in a copy of a real module is found.
    source = (ROOT / path).read_text() + "\n\ndef late():\n    from reporting.selectors import Subject\n"
    tree = ast.parse(source)
    late = [n for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name == "late"
            for n in ast.walk(f) if isinstance(n, ast.ImportFrom)]
    assert [imported(n) for n in late] == ["reporting.selectors"]
