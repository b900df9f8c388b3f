"""The start-up check of SQLite's version and FTS5 trigram tokenizer (db/sqlite_check.py)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from db import sqlite_check
from db.database import DatabaseError

_real_connect = sqlite3.connect


class _FakeConnection:
    """A connection reporting ``version`` whose FTS5 module lacks trigram when ``trigram`` is False."""

    def __init__(self, version: str, trigram: bool) -> None:
        self.real = _real_connect(":memory:")
        self.version = version
        self.trigram = trigram

    def execute(self, sql: str) -> Any:
        if "sqlite_version" in sql:
            return self.real.execute("SELECT ?", (self.version,))
        if not self.trigram:
            raise sqlite3.OperationalError("parse error in tokenize directive")
        return self.real.execute(sql)

    def close(self) -> None:
        self.real.close()


def test_this_python_passes() -> None:
    assert sqlite_check.sqlite_problem() is None
    sqlite_check.require_sqlite()


@pytest.mark.parametrize(
    ("version", "trigram", "expected"),
    [
        ("3.31.1", True, "SQLite 版本为 3.31.1，eprc 需要 3.34.0"),
        ("3.40.1", False, "不支持全文检索 FTS5 trigram"),
    ],
)
def test_old_or_incomplete_sqlite_is_refused_in_one_chinese_line(
    monkeypatch: pytest.MonkeyPatch, version: str, trigram: bool, expected: str
) -> None:
    monkeypatch.setattr(sqlite_check.sqlite3, "connect", lambda _name: _FakeConnection(version, trigram))
    sqlite_check._problem_here.cache_clear()  # require_sqlite asks once per process
    problem = sqlite_check.sqlite_problem()
    assert problem is not None and expected in problem and "\n" not in problem
    try:
        with pytest.raises(DatabaseError, match=expected):
            sqlite_check.require_sqlite()
    finally:
        sqlite_check._problem_here.cache_clear()
