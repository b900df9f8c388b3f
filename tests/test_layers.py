"""db/ is a straight stack: no two modules import each other, directly or around a loop, and
no db-internal import hides inside a function (where it would hide a loop)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parent.parent


def db_imports() -> tuple[dict[str, set[str]], list[str]]:
    """Each db module's db imports (wherever placed), and every one placed inside a function."""
    graph: dict[str, set[str]] = {}
    hidden: list[str] = []
    for path in sorted((ROOT / "db").glob("*.py")):
        name = f"db.{path.stem}"
        graph[name] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inner = {id(n) for f in ast.walk(tree)
                 if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                 for n in ast.walk(f)}
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == "db":
                    targets = [f"db.{a.name}" for a in node.names]
                elif node.module.startswith("db."):
                    targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("db.")]
            if not targets:
                continue
            graph[name] |= set(targets)  # a circle is one wherever its imports are placed
            if id(node) in inner:
                hidden += [f"{name} -> {t} (line {node.lineno})" for t in targets]
    return graph, hidden


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_db_modules_form_a_straight_stack() -> None:
    graph, _hidden = db_imports()
    assert len(graph) > 20
    assert circles(graph) == []


def test_no_db_import_hides_inside_a_function() -> None:
    _graph, hidden = db_imports()
    assert hidden == []


def test_the_checks_see_a_circle_and_a_hidden_import() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []
