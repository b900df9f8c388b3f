"""The testing round from the command line: a round made, a list imported (JSON as the issue
gives it), coverage read back and checked against a count made here, the sheets exported;
errors one Chinese line."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db import clock
from db.database import close_database
from eprc import ACCESS
from tests.conftest import run_cli as run
from tests.db.test_testing import independent

TODAY = clock.today()


@pytest.fixture
def town(demo_path: Path, tmp_path: Path) -> Path:
    close_database()
    copy = tmp_path / "town.db"
    shutil.copyfile(demo_path, copy)
    return copy


def residents(path: Path, n: int) -> list[tuple[str, str, str]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id_number, name, phone FROM resident WHERE status = '在册' "
                            "AND phone != '' ORDER BY id LIMIT ?", [n]).fetchall()


def test_round_import_coverage_and_exports(town: Path, tmp_path: Path) -> None:
    db = str(town)
    code, out, err = run("--db", db, "testing", "new", "--name", "第1轮", "--from",
                         TODAY.isoformat(), "--to", (TODAY + dt.timedelta(days=1)).isoformat())
    assert (code, out.strip(), err) == (0, "1", "")
    with sqlite3.connect(town) as conn:
        community = conn.execute("SELECT name FROM area WHERE level = 1 ORDER BY id").fetchone()[0]
    code, out, _ = run("--db", db, "testing", "new", "--name", "城关第1轮", "--from",
                       TODAY.isoformat(), "--to", TODAY.isoformat(), "--scope", community)
    assert (code, out.strip()) == (0, "2")
    people = residents(town, 30)
    lines = ["姓名,身份证号码,手机号"] + [f"{n},{i},{p}" for i, n, p in people[:20]]
    lines += [f"{people[20][1]},,{people[20][2]}", "查无此人,110101199003070000,13900000000"]
    listed = tmp_path / "list.csv"
    listed.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    code, out, _ = run("--db", db, "import", "testing", str(listed), "--round", "第1轮",
                       "--dry-run", "--json")
    assert code == 0 and json.loads(out)["matched"] == 21
    code, out, _ = run("--db", db, "import", "testing", str(listed), "--round", "1", "--json")
    result = json.loads(out)
    assert result == {"matched": 21, "already": 0,
                      "unmatched": [{"sheet": "", "row": 23,
                                     "reason": result["unmatched"][0]["reason"]}]}
    assert "不在居民库中" in result["unmatched"][0]["reason"]
    code, out, _ = run("--db", db, "import", "testing", str(listed), "--round", "1", "--json")
    assert (json.loads(out)["matched"], json.loads(out)["already"]) == (0, 21)
    code, out, _ = run("--db", db, "testing", "coverage", "--round", "1", "--json")
    numbers = json.loads(out)
    counted = independent(town, 1)
    assert set(numbers) == {"expected", "tested", "missing", "exempt", "by_area"}
    assert (numbers["expected"], numbers["tested"]) == (counted["expected"], 21)
    assert numbers["missing"] == counted["expected"] - 21
    assert numbers["exempt"] == {k: counted[k] for k in ("集中隔离", "外出", "婴幼儿")}
    assert set(numbers["by_area"][0]) == {"area", "expected", "tested", "missing"}
    code, out, _ = run("--db", db, "testing", "coverage", "--round", "城关第1轮")
    assert code == 0 and out.startswith("城关第1轮：应检") and community in out
    code, out, _ = run("--db", db, "export", "coverage", "--round", "1", "-o",
                       str(tmp_path / "c.xlsx"))
    assert code == 0
    assert load_workbook(tmp_path / "c.xlsx").active["A1"].value.endswith("完成情况统计表")
    code, out, _ = run("--db", db, "export", "untested", "--round", "1", "--area", community,
                       "-o", str(tmp_path / "u.xlsx"))
    assert code == 0 and "已导出" in out
    assert all(ws.title.startswith(community) for ws in load_workbook(tmp_path / "u.xlsx"))
    code, out, _ = run("--db", db, "export", "door", "--round", "1", "-o",
                       str(tmp_path / "d.xlsx"))
    assert code == 0


def test_errors_are_one_line_and_change_nothing(town: Path, tmp_path: Path) -> None:
    db = str(town)
    code, _out, err = run("--db", db, "testing", "coverage", "--round", "9")
    assert code == 1 and err.strip() == "错误：没有编号或名称为“9”的核酸检测轮次"
    code, _out, err = run("--db", db, "testing", "new", "--name", "第1轮", "--from",
                          TODAY.isoformat(), "--to", TODAY.isoformat(), "--scope", "无此社区")
    assert code == 1 and "没有名为“无此社区”" in err
    with sqlite3.connect(town) as conn:
        assert conn.execute("SELECT count(*) FROM sampling_round").fetchone() == (0,)
    run("--db", db, "testing", "new", "--name", "第1轮", "--from", TODAY.isoformat(), "--to",
        TODAY.isoformat())
    bad = tmp_path / "bad.csv"
    bad.write_text("甲,乙\n", encoding="utf-8")
    code, _out, err = run("--db", db, "import", "testing", str(bad), "--round", "1")
    assert code == 1 and err.startswith("错误：") and "表头" in err and "Traceback" not in err


def test_commands_are_declared_and_the_entry_point_runs(town: Path, tmp_path: Path) -> None:
    for name in ("testing new", "testing coverage", "import testing", "export coverage",
                 "export untested", "export door"):
        assert name in ACCESS
    eprc = Path(sys.executable).with_name("eprc")
    env = {**os.environ, "EPRC_DB": str(town)}
    made = subprocess.run([str(eprc), "testing", "new", "--name", "第1轮", "--from",
                           TODAY.isoformat(), "--to", TODAY.isoformat()],
                          capture_output=True, text=True, env=env, timeout=120)
    assert (made.returncode, made.stdout.strip()) == (0, "1")
    shown = subprocess.run([str(eprc), "testing", "coverage", "--round", "第1轮", "--json"],
                           capture_output=True, text=True, env=env, timeout=120)
    assert shown.returncode == 0 and json.loads(shown.stdout)["tested"] == 0
