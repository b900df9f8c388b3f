"""Does this Python's SQLite have what eprc's data file needs?

eprc's search tables use FTS5 with the ``trigram`` tokenizer (SQLite 3.34.0 or later). A Python
whose ``sqlite3`` is older, or built without FTS5, would fail later with an English message about
a "no such tokenizer" in the middle of creating a file; refuse at start with one Chinese line.
"""

from __future__ import annotations

import functools
import sqlite3

from db.errors import DatabaseError

MIN_SQLITE = (3, 34, 0)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3])


def sqlite_problem(connect: str = ":memory:") -> str | None:
    """What is missing from the SQLite behind :mod:`sqlite3`, as one Chinese line; None if nothing."""
    conn = sqlite3.connect(connect)
    try:
        version = conn.execute("SELECT sqlite_version()").fetchone()[0]
        if _version(version) < MIN_SQLITE:
            wanted = ".".join(map(str, MIN_SQLITE))
            return (f"本机 Python 自带的 SQLite 版本为 {version}，eprc 需要 {wanted} 或更高版本"
                    "（请使用 eprc 发行包自带的 Python，或升级 Python）")
        try:
            conn.execute("CREATE VIRTUAL TABLE temp.eprc_probe USING fts5(x, tokenize='trigram')")
        except sqlite3.OperationalError as exc:
            return (f"本机 Python 自带的 SQLite（{version}）不支持全文检索 FTS5 trigram（{exc}），"
                    "eprc 无法运行（请使用 eprc 发行包自带的 Python）")
        return None
    finally:
        conn.close()


@functools.cache
def _problem_here() -> str | None:
    return sqlite_problem()


def require_sqlite() -> None:
    """Raise :class:`db.errors.DatabaseError` with the line from :func:`sqlite_problem`, if any
    (asked once per process: the door calls this on every open)."""
    problem = _problem_here()
    if problem is not None:
        raise DatabaseError(problem)
