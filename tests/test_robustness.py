"""Nothing lost, whatever happens: a process killed mid-operation, a second window, a curious
visitor, and repairs. Each kill test reopens the file and finds it whole, before or after."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from stdnum.cn.ric import calc_check_digit

from db import clock
from db.backup import backup_now
from db.database import DatabaseError, close_file, open_database
from db.lock import FileLock

ROOT = Path(__file__).resolve().parent.parent
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and file modes")


def ids(n: int, area: str = "510107") -> list[str]:
    out = []
    for i in range(n):
        body = f"{area}1985{i % 12 + 1:02d}{i // 12 % 28 + 1:02d}{i // 336 % 1000:03d}"
        out.append(body + calc_check_digit(body + "0"))
    return out


def big_sheet(path: Path, n: int) -> Path:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("居民")
    ws.append(["姓名", "身份证号码", "户号", "住址", "社区（村）"])
    for i, number in enumerate(ids(n)):
        ws.append([f"王{i % 97}", number, f"H{i // 3}", f"新村{i // 3}号", "新村"])
    wb.save(path)
    return path


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def run_and_kill(db: Path, delay: float, *args: str, wait_for: str = "") -> bool:
    """Start the worker, kill it ``delay`` s after it starts (or once it prints ``wait_for``);
    True if it had not yet said "finished", i.e. the kill may have cut the operation short."""
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "crash_worker.py"), str(db),
                             *args], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "started"
    if wait_for:
        assert proc.stdout.readline().strip() == wait_for
    time.sleep(delay)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return "finished" not in proc.stdout.read()


@posix_only
def test_import_killed_inside_its_transaction_leaves_nothing(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    open_database(db)
    close_file()
    sheet = big_sheet(tmp_path / "big.xlsx", 12000)
    assert run_and_kill(db, 0.2, "import-paused", str(sheet), wait_for="writing")
    assert integrity(db) == "ok"
    assert count(db, "resident") == 0 and count(db, "household") == 0
    assert count(db, "audit_log") == 0
    open_database(db)
    close_file()


@posix_only
@pytest.mark.parametrize("delay", [0.3, 1.0, 2.0])
def test_import_killed_at_any_moment_leaves_before_or_after(tmp_path: Path, delay: float) -> None:
    db = tmp_path / "t.db"
    open_database(db)
    close_file()
    sheet = big_sheet(tmp_path / "big.xlsx", 12000)
    cut_short = run_and_kill(db, delay, "import", str(sheet))
    assert integrity(db) == "ok"
    residents = count(db, "resident")
    assert residents in (0, 12000)
    if not cut_short:
        assert residents == 12000
    assert count(db, "household") == (4000 if residents else 0)
    # the file still opens and works
    open_database(db)
    close_file()


@posix_only
def test_export_killed_midway_leaves_no_half_file(demo_path: Path, tmp_path: Path) -> None:
    close_file()
    out = tmp_path / "register.xlsx"
    cut_short = run_and_kill(demo_path, 0.3, "export", str(out))
    assert integrity(demo_path) == "ok"
    assert out.exists() or cut_short
    if out.exists():  # only ever the finished sheet, never half of one
        assert load_workbook(out, read_only=True).active["A1"].value.endswith("居民信息登记表")


@posix_only
def test_plan_killed_midway_is_all_or_nothing(demo_path: Path) -> None:
    close_file()
    before = count(demo_path, "assignment")
    start = clock.today() + dt.timedelta(days=20)
    run_and_kill(demo_path, 0.05, "plan", start.isoformat(), "30")
    assert integrity(demo_path) == "ok"
    after = count(demo_path, "assignment")
    assert after == before or after - before == 6 * 3 * 31 * 3  # nothing, or the whole plan


@posix_only
def test_form_saves_killed_are_each_whole(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    open_database(db)
    close_file()
    numbers = ids(300, "340122")
    run_and_kill(db, 0.4, "save", "300", *numbers)
    assert integrity(db) == "ok"
    residents, households = count(db, "resident"), count(db, "household")
    assert residents == households  # each save made its household and resident together
    audits = count(db, "audit_log")
    assert audits == residents * 2  # and logged both, in the same transaction


def test_second_window_is_refused_and_the_first_unharmed(db_path: Path) -> None:
    close_file()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nsys.path.insert(0, '.')\n"
         "from pathlib import Path\nfrom db.database import open_database\n"
         f"open_database(Path({str(db_path)!r}))\nprint('locked', flush=True)\n"
         "time.sleep(30)"], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        from tui.app import EprcApp

        with pytest.raises(DatabaseError, match=rf"正被另一个 eprc 窗口使用（进程 {holder.pid}，"):
            EprcApp(db_path, backup=False)
    finally:
        holder.kill()
        holder.wait()
    lock = FileLock(db_path).acquire()  # the OS released the dead process's lock
    lock.release()


@posix_only
def test_database_and_backups_are_private(db_path: Path, tmp_path: Path) -> None:
    assert db_path.stat().st_mode & 0o077 == 0
    copy = backup_now()
    assert copy.stat().st_mode & 0o077 == 0


def test_repair_fixes_what_is_safe_after_a_backup(db_path: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from db.residents import ResidentInput, register_resident
    from eprc import cli

    register_resident(ResidentInput("张三", ids(1)[0]), address="1号")
    close_file()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("INSERT INTO household (address, pass_card, notes, unit, door) "
                 "VALUES ('空户', '', '', '', '')")
    conn.execute("UPDATE resident SET household_id = 999")
    conn.commit()
    conn.close()
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db_path), "check"])
    close_file()
    assert result.exit_code == 1 and "居民所属户不存在：1条" in result.stdout
    result = runner.invoke(cli, ["--db", str(db_path), "check", "--repair"])
    close_file()
    assert result.exit_code == 0, result.stdout
    assert "已先备份到" in result.stdout and "无成员的户已移入回收站" in result.stdout
    assert count(db_path, "resident") == 1 and count(db_path, "recycle_bin") == 2


def test_audit_log_export(db_path: Path, tmp_path: Path) -> None:
    from db.residents import ResidentInput, register_resident, update_resident
    from exports.audit import export_audit

    person = register_resident(ResidentInput("张三", ids(1)[0], "13800000000"), address="1号")
    update_resident(person.id, ResidentInput("张三", ids(1)[0], "13900000000"))
    out = tmp_path / "audit.xlsx"
    assert export_audit(out, None, clock.today()) == 3
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(min_row=4, max_row=6, values_only=True))
    assert rows[0][2] == "未设置" and rows[0][3] == "修改" and rows[0][4] == "居民"
    assert rows[0][5] == "张三" and "电话 13800000000→13900000000" in rows[0][6]
