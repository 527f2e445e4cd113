"""The shape of the house: no import circles inside a package, and every module's imports visible.

The graph is read from the source (``ast``), module-level and function-level imports alike, so a
circle hidden behind a deferred import inside a function is still a circle.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["helpers"]


def _module_name(package: str, path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(node: ast.AST, here: str, is_init: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        anchor = here.split(".") if is_init else here.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join(anchor + ([base] if base else []))
    return [base] + [f"{base}.{a.name}" for a in node.names]


def import_graph(package: str) -> dict[str, set[str]]:
    """module -> the modules of ``package`` it imports (anywhere in its source)."""
    files = sorted((ROOT / package).rglob("*.py"))
    names = {_module_name(package, f): f for f in files}
    graph: dict[str, set[str]] = {}
    for name, f in names.items():
        deps = set()
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            deps.update(t for t in _targets(node, name, f.name == "__init__.py") if t in names and t != name)
        graph[name] = deps
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of ``graph`` as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for d in sorted(graph.get(n, ())):
            if state.get(d) == 1:
                return stack[stack.index(d):] + [d]
            if d not in state and (found := visit(d)):
                return found
        state[n] = 2
        stack.pop()
        return None

    for n in sorted(graph):
        if n not in state and (found := visit(n)):
            return found
    return None


def test_the_cycle_finder_finds_a_circle_and_passes_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_resolves_relative_imports():
    graph = import_graph("helpers")
    assert "helpers.activations" in graph["helpers.layers"], graph["helpers.layers"]
    assert "helpers.feedback.diagnose" in graph["helpers.feedback.checks"]


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_circle(package):
    cycle = find_cycle({k: v - {package} for k, v in import_graph(package).items()})
    assert cycle is None, f"{package} has an import circle: {' -> '.join(cycle)}"


def test_the_reference_library_does_not_import_the_course_machinery():
    """``helpers``' top-level modules are what students read: they never lean on the feedback,
    course or explorer sub-packages (those build on the references, not the other way round)."""
    graph = import_graph("helpers")
    machinery = ("helpers.feedback", "helpers.course", "helpers.explorers")
    bad = {m: sorted(d for d in deps if d.startswith(machinery)) for m, deps in graph.items()
           if m.count(".") == 1 and not m.startswith(machinery)}
    assert not any(bad.values()), f"reference modules importing course machinery: { {k: v for k, v in bad.items() if v} }"
