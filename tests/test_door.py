"""db/ is the only door to the data: screens, sheets, mail and the command line call named db/
functions and get rows back. Nothing in tui/, exports/, cmdline/ or eprc.py builds a query,
opens a transaction, runs SQL or writes a table (tests/ and bench/ may: they count on their
own by design)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parent.parent
OUTSIDE = ["tui", "exports", "cmdline", "eprc.py"]
QUERY_METHODS = {
    "select", "get", "get_or_none", "get_by_id", "get_or_create", "create", "insert",
    "insert_many", "insert_from", "replace", "replace_many", "update", "delete", "delete_by_id",
    "delete_instance", "save", "bulk_create", "bulk_update", "raw", "where", "join", "order_by",
    "execute", "execute_sql", "atomic", "transaction", "savepoint", "manual_commit",
}
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|PRAGMA|CREATE|DROP|ALTER|WITH)\s",
                 re.IGNORECASE)


def _files() -> list[Path]:
    found: list[Path] = []
    for name in OUTSIDE:
        path = ROOT / name
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def leaks(path: Path) -> list[str]:
    """Each place in ``path`` that reaches the data without db/: a model's query method, the
    connection, peewee itself, or an SQL string."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    models: set[str] = set()
    found: list[str] = []
    where = path.relative_to(ROOT).as_posix()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "db.models":
                models |= {a.asname or a.name for a in node.names if a.name[:1].isupper()}
            if node.module.split(".")[0] == "peewee" or node.module == "db.connection" or (
                    node.module == "db.database" and any(a.name == "database" for a in node.names)):
                found.append(f"{where}:{node.lineno} imports {node.module}")
        elif isinstance(node, ast.Import) and any(a.name == "peewee" for a in node.names):
            found.append(f"{where}:{node.lineno} imports peewee")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and SQL.match(node.value)):
            found.append(f"{where}:{node.lineno} SQL {node.value[:30]!r}")
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = node.func.value
        while isinstance(receiver, (ast.Call, ast.Attribute)):  # Resident.select().where(...)
            receiver = receiver.func if isinstance(receiver, ast.Call) else receiver.value
        if (isinstance(receiver, ast.Name) and receiver.id in models
                and node.func.attr in QUERY_METHODS):
            found.append(f"{where}:{node.lineno} {receiver.id}.….{node.func.attr}()")
        elif node.func.attr in {"atomic", "transaction", "execute_sql"}:
            found.append(f"{where}:{node.lineno} .{node.func.attr}()")
    return found


def all_leaks() -> list[str]:
    return [leak for path in _files() for leak in leaks(path)]


def test_nothing_outside_db_reaches_the_data() -> None:
    assert len(_files()) > 30
    assert all_leaks() == []


def test_the_door_check_sees_each_kind_of_leak(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("tests.test_door.ROOT", tmp_path)
    sample = tmp_path / "screen.py"
    sample.write_text(
        "from db.models import Resident\nfrom db.database import database\n"
        "def f(db):\n"
        "    Resident.select().where(Resident.id == 1)\n"
        "    with db.atomic():\n"
        "        db.execute_sql('SELECT count(*) FROM resident')\n"
        "    return {}.get('x')\n", encoding="utf-8")
    found = leaks(sample)
    assert sorted(leak.split(" ", 1)[1] for leak in found) == sorted([
        "imports db.database", "SQL 'SELECT count(*) FROM resident'",
        "Resident.….where()", "Resident.….select()", ".atomic()", ".execute_sql()"])
