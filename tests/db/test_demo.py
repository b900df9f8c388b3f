"""The demo township: deterministic, valid, with data in every section."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from db.check import run_check
from db.database import DatabaseError, close_database
from db.demo import build_demo
from db.validate import check_id


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_same_seed_same_township(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "c.db"
    for path, seed in ((a, 1), (b, 1), (c, 2)):
        build_demo(path, "small", seed=seed)
        close_database()
    sql = "SELECT name, id_number, phone, household_id FROM resident ORDER BY id"
    assert rows(a, sql) == rows(b, sql)
    assert rows(a, sql) != rows(c, sql)


def test_small_demo_is_valid_and_complete(demo_path: Path) -> None:
    report = run_check()
    assert report.ok, report.problems
    assert 1900 <= report.summary["居民"] <= 2100
    assert report.summary["无户主的户"] == 0
    for (number,) in rows(demo_path, "SELECT id_number FROM resident"):
        check_id(number)
    states = rows(demo_path, "SELECT released_on IS NULL, planned_end < date('now') "
                             "FROM measure GROUP BY 1, 2")
    assert {(0, 1), (1, 0), (1, 1)} <= set(states)  # released, under control, overdue
    assert rows(demo_path, "SELECT count(*) FROM shift")[0][0] == 6 * 3 * 14
    assert rows(demo_path, "SELECT count(*) FROM donation WHERE is_money = 0")[0][0] > 0


def test_demo_refuses_an_existing_file(demo_path: Path) -> None:
    with pytest.raises(DatabaseError, match="已有数据"):
        build_demo(demo_path, "small")
