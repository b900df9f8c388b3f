"""The command line: each subcommand does its job, and errors are one Chinese line."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_cli as run


def test_init_then_settings_round_trip(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    code, out, _ = run("init", "--db", db)
    assert code == 0 and "已就绪" in out
    assert run("--db", db, "settings", "township", "店埠镇")[0] == 0
    code, out, _ = run("--db", db, "settings", "township")
    assert (code, out.strip()) == (0, "店埠镇")
    code, out, _ = run("settings", "--db", db)
    assert "township = 店埠镇" in out and "fever_threshold = 37.3" in out


def test_bad_setting_is_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    run("--db", db, "init")
    code, _out, err = run("--db", db, "settings", "fever_threshold", "abc")
    assert code == 1 and err.strip() == "错误：发热阈值“abc”不是数字"
    code, _out, err = run("--db", db, "settings", "no.such.key")
    assert code == 1 and "没有名为“no.such.key”的设置项" in err


def test_demo_and_check(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    code, out, _ = run("demo", "--db", str(db), "--size", "small", "--seed", "3")
    assert code == 0 and "演示数据已生成" in out
    code, out, _ = run("--db", str(db), "check", "--json")
    report = json.loads(out)
    assert code == 0 and report["integrity"] == "ok" and report["summary"]["居民"] == 2000


def test_check_reports_bad_ids_with_exit_status_1(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    run("demo", "--db", str(db))
    conn = sqlite3.connect(db)
    conn.execute("UPDATE resident SET id_number = '360426199101010072' WHERE id = 1")
    conn.commit()
    conn.close()
    code, out, _ = run("--db", str(db), "check")
    assert code == 1 and "身份证号码无效：1条" in out


def test_backup_and_restore(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    run("--db", db, "init")
    run("--db", db, "settings", "township", "甲镇")
    code, out, _ = run("--db", db, "backup", str(tmp_path / "b.db"))
    assert code == 0 and (tmp_path / "b.db").exists()
    run("--db", db, "settings", "township", "乙镇")
    code, out, _ = run("--db", db, "restore", str(tmp_path / "b.db"))
    assert code == 0 and "已从" in out
    assert run("--db", db, "settings", "township")[1].strip() == "甲镇"


def test_refuses_foreign_file_without_traceback(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("这不是数据库", encoding="utf-8")
    code, out, err = run("--db", str(bogus), "check")
    assert code == 1 and err.startswith("错误：") and "Traceback" not in err + out
    assert bogus.read_text(encoding="utf-8") == "这不是数据库"
    run("--db", str(tmp_path / "t.db"), "init")
    code, _out, err = run("--db", str(tmp_path / "t.db"), "restore", str(bogus))
    assert code == 1 and "不是 eprc" in err


def test_real_process_exit_status_and_single_line(tmp_path: Path) -> None:
    bogus = tmp_path / "x.db"
    bogus.write_bytes(b"garbage" * 50)
    # -X utf8: the child writes UTF-8 on Windows too (its console code page would be GBK there)
    proc = subprocess.run([sys.executable, "-X", "utf8", "eprc.py", "--db", str(bogus), "check"],
                          capture_output=True, text=True, encoding="utf-8",
                          cwd=Path(__file__).parent.parent)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and proc.stderr.startswith("错误：")
