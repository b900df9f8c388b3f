"""The streamed bulk writer: blocks written on a second thread while the next is worked out,
all in one transaction with one audit entry, and nothing left behind when anything fails."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.connection import database
from db.history import row_history
from db.models import BATCH_IDS, Team, insert_streamed

COLUMNS = ["name", "leader_name", "notes"]


def teams() -> list[str]:
    return [t.name for t in Team.select().order_by(Team.id)]


def audit_count() -> int:
    return database.execute_sql("SELECT count(*) FROM audit_log").fetchone()[0]


def test_blocks_land_in_order_with_one_audit_entry(demo_path: Path) -> None:
    before, logged = teams(), audit_count()
    blocks = [[["一队", "王", ""], ["二队", "李", ""]], [], [["三队", "赵", ""]]]
    assert insert_streamed("team", COLUMNS, iter(blocks), "导入", {"文件": "队伍.xlsx"}) == 3
    assert teams() == [*before, "一队", "二队", "三队"]
    assert audit_count() == logged + 1
    entry = database.execute_sql("SELECT action, \"table\", after FROM audit_log "
                                 "ORDER BY id DESC LIMIT 1").fetchone()
    assert entry[:2] == ("导入", "team") and '"条数": 3' in entry[2] and BATCH_IDS in entry[2]
    third = Team.get(Team.name == "三队")
    assert any("队伍.xlsx" in line.change for line in row_history("team", third.id))


def test_a_block_the_database_refuses_undoes_the_blocks_before_it(demo_path: Path) -> None:
    before, logged = teams(), audit_count()
    blocks = [[["一队", "王", ""]], [["二队", "李", ""], ["一队", "重名", ""]], [["三队", "赵", ""]]]
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        insert_streamed("team", COLUMNS, iter(blocks), "导入", {"文件": "队伍.xlsx"})
    assert teams() == before and audit_count() == logged


def test_a_failure_while_working_out_blocks_undoes_the_blocks_written(demo_path: Path) -> None:
    before, logged = teams(), audit_count()
    written: list[int] = []

    def blocks() -> Iterator[list[list[str]]]:
        yield [["一队", "王", ""]]
        yield [["二队", "李", ""]]
        written.append(1)
        raise ValueError("第3块出错")

    with pytest.raises(ValueError, match="第3块出错"):
        insert_streamed("team", COLUMNS, blocks(), "导入", {"文件": "队伍.xlsx"})
    assert written == [1]
    assert teams() == before and audit_count() == logged
    assert database.execute_sql("PRAGMA foreign_keys").fetchone() == (1,)
