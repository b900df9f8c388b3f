"""Migration 4 (pushed result categories) on a file made by the version-1 release: nothing
lost, every pushed row given its category and sheet, the schema equal to a new file's, the
stored result words made explicit."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from db import pushed
from db.database import SCHEMA_VERSION, close_database, open_database
from db.report import daily_numbers

FIXTURE = Path(__file__).parent.parent / "fixtures" / "v1-demo.db"


def tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [t for (t,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]


def counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables(path)}


def schema(path: Path) -> dict[str, object]:
    conn = sqlite3.connect(path)
    out: dict[str, object] = {}
    for table in tables(path):
        # by name: a migration adds its columns at the end, create_tables where the model has them
        out[table] = sorted((name, kind, notnull, default, pk) for _cid, name, kind, notnull,
                            default, pk in conn.execute(f'PRAGMA table_info("{table}")'))
        out[f"{table} indexes"] = sorted(
            (name, unique, tuple(c[2] for c in conn.execute(f'PRAGMA index_info("{name}")')))
            for _seq, name, unique, *_ in conn.execute(f'PRAGMA index_list("{table}")'))
    conn.close()
    return out


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    copy = tmp_path / "v1.db"
    shutil.copyfile(FIXTURE, copy)
    return copy


def test_every_row_kept_and_categories_mapped(v1: Path, tmp_path: Path) -> None:
    before = counts(v1)
    with sqlite3.connect(v1) as conn:
        results = dict(conn.execute("SELECT id, result FROM pushed_row").fetchall())
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    open_database(v1)
    close_database()
    after = counts(v1)  # tables added by later migrations start empty
    # the password left
    assert {t: after[t] for t in before} == {**before, "setting": before["setting"] - 1}
    assert not any(n for t, n in after.items() if t not in before)
    with sqlite3.connect(v1) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 4
        rows = conn.execute("SELECT id, result, category, sheet FROM pushed_row").fetchall()
        sheets = conn.execute("SELECT sheets FROM pushed_batch").fetchall()
    assert {i: r for i, r, _c, _s in rows} == results
    expected = {"": "", "已核实-在辖区": "在辖区", "前期已排查": "前期已排查", "不在辖区居住": "不在辖区"}
    assert {(r, c) for _i, r, c, _s in rows} == set(expected.items())
    assert {s for *_rest, s in rows} == {"Sheet1"}
    assert sheets == [('[{"name":"Sheet1","header_row":2,"columns":["序号","姓名","手机号",'
                       '"来源地","抵达时间","核查结果","备注"]}]',)]
    fresh = tmp_path / "new.db"
    open_database(fresh)
    close_database()
    assert schema(v1) == schema(fresh)
    assert any(name == "pushed_row_batch_id_sheet_sheet_row" and unique
               for name, unique, _cols in schema(v1)["pushed_row indexes"])


def test_the_migrated_file_reports_by_category(v1: Path) -> None:
    open_database(v1)
    try:
        batch = pushed.batches()[0]
        received = batch.received_at.date()
        section = next(s for s in daily_numbers(received) if "大数据推送核查" in s["title"])
        numbers = dict(zip(section["columns"][1:], section["rows"][0][1:], strict=True))
        assert (numbers["在辖区"], numbers["不在辖区"], numbers["已核查"]) == (9, 3, 12)
        assert pushed.verify_results()[0] == "已核实在辖区（漏排）"
    finally:
        close_database()


@pytest.mark.parametrize(
    ("stored", "after"),
    [("已核实-在辖区,前期已排查,不在辖区居住,信息有误,超过排查期,无法联系", None),
     ("已核实-在辖区,外出务工,不在辖区居住", "已核实-在辖区,外出务工=无,不在辖区居住")],
)
def test_stored_result_words_are_made_explicit(v1: Path, stored: str, after: str | None) -> None:
    with sqlite3.connect(v1) as conn:
        conn.execute("INSERT INTO setting (key, value) VALUES ('verify_results', ?)", [stored])
    open_database(v1)
    try:
        with sqlite3.connect(v1) as conn:
            row = conn.execute("SELECT value FROM setting WHERE key = 'verify_results'").fetchone()
        assert (row[0] if row else None) == after
        pushed.verify_results()  # every word now names its column: parses without error
    finally:
        close_database()
