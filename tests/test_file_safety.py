"""Nothing lost, for real: one door into the data file, read and write commands declared,
outputs that never clobber, and kills that land inside the work (deterministic fault points)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import db.database as database_module
from db import clock
from db.database import close_file, current_path, open_database
from db.errors import EXIT_CLERK, EXIT_IN_USE, DatabaseError, FileInUse
from eprc import ACCESS, cli
from tests.factories import damage_schema
from tests.test_robustness import ROOT, count, integrity, posix_only

CHILD_ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}


def leaf_commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            names += leaf_commands(command, f"{path} ")
        else:
            names.append(path)
    return names


def test_every_command_is_declared_read_or_write() -> None:
    commands = leaf_commands(cli)
    assert len(commands) > 20
    undeclared = [name for name in commands if name not in ACCESS]
    assert undeclared == [], f"declare these in eprc.ACCESS: {undeclared}"
    assert set(ACCESS) == set(commands)  # and nothing declared that no longer exists


def test_one_door_returns_the_open_file_without_inspecting_it_again(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = open_database(db_path)

    def no_second_look(_path: Path) -> int:
        raise AssertionError("the open file was read again by path")

    monkeypatch.setattr(database_module, "inspect_file", no_second_look)
    assert open_database(db_path) is first
    assert open_database(db_path, write=False) is first  # a write-mode file also serves reads


def test_read_mode_writes_nothing_and_synchronous_is_full(demo_path: Path) -> None:
    assert database_module.database.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    close_file()
    before = (demo_path.read_bytes(), demo_path.stat().st_mtime_ns)
    db = open_database(demo_path, write=False)
    assert db.execute_sql("SELECT count(*) FROM resident").fetchone()[0] == 2000
    with pytest.raises(Exception, match="readonly|read-only"):
        db.execute_sql("UPDATE resident SET name = 'x'")
    close_file()
    assert (demo_path.read_bytes(), demo_path.stat().st_mtime_ns) == before


def test_a_missing_file_is_not_created_by_a_read(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="找不到数据库文件"):
        open_database(tmp_path / "typo.db", write=False)
    assert not (tmp_path / "typo.db").exists()


# -- a window open in another process while every command runs ---------------------------------

HOLDER = """
import asyncio, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from tui.start import open_app
from db.residents import ResidentInput, register_resident

async def main():
    app = open_app(Path({db!r}), backup=False)
    async with app.run_test(headless=True, size=(100, 30)):
        print("open", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        for number in {numbers!r}:
            register_resident(ResidentInput("窗口里保存的人", number), address="一号")
        print("saved", flush=True)
        await asyncio.sleep(120)

asyncio.run(main())
"""


def eprc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "eprc.py"), *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=ROOT, env=CHILD_ENV, timeout=120)


@posix_only
def test_commands_beside_an_open_window_lose_nothing(demo_path: Path, tmp_path: Path) -> None:
    from tests.test_robustness import ids

    close_file()
    db = str(demo_path)
    numbers = ids(3, "340104")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER.format(root=str(ROOT), db=db, numbers=numbers)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8", cwd=ROOT,
        env=CHILD_ENV)
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "open"
        wal = Path(db + "-wal")
        wal_inode = wal.stat().st_ino
        data = (demo_path.read_bytes(), demo_path.stat().st_mtime_ns)
        out = tmp_path / "out"
        out.mkdir()
        reads = [
            ("check",), ("backup", str(tmp_path / "backups")), ("settings",),
            ("settings", "township"), ("roster", "check", "--from", "2026-11-20", "--to",
                                       "2026-11-22"),
            ("export", "residents", "-o", str(out / "r.xlsx")),
            ("export", "key-persons", "-o", str(out / "k.xlsx")),
            ("export", "donations", "-o", str(out / "d.xlsx")),
            ("export", "volunteers", "-o", str(out / "v.xlsx")),
            ("export", "audit", "-o", str(out / "a.xlsx")),
        ]
        (tmp_path / "backups").mkdir()
        for args in reads:
            done = eprc("--db", db, *args)
            assert done.returncode in (0, 1), (args, done.stderr)
            assert "错误" not in done.stderr, (args, done.stderr)
        assert len(list((tmp_path / "backups").glob("*.db"))) == 1
        writes = [("settings", "township", "乙镇"), ("init",), ("restore", db),
                  ("roster", "plan", "--from", "2026-12-01", "--to", "2026-12-02"),
                  ("export", "daily-report", "-o", str(out / "日报.xlsx")),
                  ("verify", "1", "2", "无法联系")]
        for args in writes:
            done = eprc("--db", db, *args)
            assert done.returncode == EXIT_IN_USE, (args, done.stderr)
            assert done.stderr.strip() == (
                f"错误：数据文件正被另一个 eprc 窗口使用（进程 {holder.pid}，"
                f"{time.strftime('%H:%M', time.localtime(_lock_since(demo_path)))} 起）；请先关闭它再试")
        assert (demo_path.read_bytes(), demo_path.stat().st_mtime_ns) == data
        assert wal.stat().st_ino == wal_inode  # the window's journal was never deleted
        holder.stdin.write("save\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "saved"
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    assert integrity(demo_path) == "ok"
    conn = sqlite3.connect(demo_path)
    saved = conn.execute("SELECT count(*) FROM resident WHERE name = '窗口里保存的人'").fetchone()[0]
    township = conn.execute("SELECT value FROM setting WHERE key = 'township'").fetchone()[0]
    conn.close()
    assert saved == 3  # the saves after all those commands are on disk
    assert township != "乙镇"


def _lock_since(path: Path) -> float:
    import datetime as dt

    since = Path(f"{path}.lock").read_text(encoding="utf-8").split()[1]
    return dt.datetime.fromisoformat(since).timestamp()


# -- exit codes ------------------------------------------------------------------------------------

def test_locked_and_full_disk_are_the_clerks_lines_not_internal_errors(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import peewee

    from db import settings

    def fail(message: str):
        def raiser(*_args: object, **_kwargs: object) -> None:
            raise peewee.OperationalError(message)
        return raiser

    runner = CliRunner()
    monkeypatch.setattr(settings, "set_setting", fail("database is locked"))
    result = runner.invoke(cli, ["--db", str(db_path), "settings", "township", "甲镇"])
    assert result.exit_code == EXIT_IN_USE and "程序内部错误" not in result.output
    assert "正被另一个 eprc 窗口或命令写入" in result.output
    open_database(db_path)
    monkeypatch.setattr(settings, "set_setting", fail("database or disk is full"))
    result = runner.invoke(cli, ["--db", str(db_path), "settings", "township", "甲镇"])
    assert result.exit_code == EXIT_CLERK and "磁盘空间不足" in result.output


def test_a_future_daily_report_is_refused(db_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(db_path), "export", "daily-report",
                                      "--date", "2099-01-01", "-o", str(tmp_path / "d.xlsx")])
    assert result.exit_code == EXIT_CLERK and "不能为未来日期" in result.output
    assert not (tmp_path / "d.xlsx").exists()


def test_a_mistyped_db_path_is_not_an_empty_township(tmp_path: Path) -> None:
    typo = tmp_path / "店埠填.db"
    result = CliRunner().invoke(cli, ["--db", str(typo)], input="n\n")
    assert result.exit_code == EXIT_CLERK and str(typo.resolve()) in result.output
    assert not typo.exists()
    result = CliRunner().invoke(cli, ["--db", str(typo), "check"])
    assert result.exit_code == EXIT_CLERK and "找不到数据库文件" in result.output
    assert not typo.exists()


# -- outputs never clobber -------------------------------------------------------------------------

def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    close_file()
    return result.exit_code, result.output


def digest(path: Path) -> bytes:
    return path.read_bytes()


def title(path: Path) -> str:
    workbook = load_workbook(path)
    return workbook.active["A1"].value


def test_an_export_never_replaces_the_data_file_or_another_database(
        demo_path: Path, tmp_path: Path) -> None:
    db = str(demo_path)
    close_file()
    before = digest(demo_path)
    other = tmp_path / "other_town.db"
    other.write_bytes(before)
    for target in (demo_path, other, Path(f"{demo_path}-wal")):
        for extra in ((), ("--force",)):
            code, output = run("--db", db, "export", "residents", "-o", str(target), *extra)
            assert code == EXIT_CLERK and "不能" in output, output
    assert digest(demo_path) == before and digest(other) == before
    code, output = run("--db", db, "backup", str(other))
    assert code == EXIT_CLERK and "不会覆盖" in output
    assert digest(other) == before
    code, output = run("--db", db, "backup", str(tmp_path))
    assert code == 0 and "手动" in output  # onto a folder: a new dated name


def test_an_export_replaces_its_own_file_but_asks_before_a_foreign_one(
        demo_path: Path, tmp_path: Path) -> None:
    db = str(demo_path)
    close_file()
    target = tmp_path / "居民.xlsx"
    assert run("--db", db, "export", "residents", "-o", str(target))[0] == 0
    assert run("--db", db, "export", "residents", "-o", str(target))[0] == 0  # eprc's own: fine
    code, output = run("--db", db, "export", "volunteers", "-o", str(target))
    assert code == EXIT_CLERK and "--force" in output  # another report's file
    assert title(target).endswith("居民信息登记表")
    foreign = tmp_path / "村里的表.xlsx"
    foreign.write_bytes(b"PK\x03\x04 the clerk's own workbook")
    code, output = run("--db", db, "export", "residents", "-o", str(foreign))
    assert code == EXIT_CLERK and foreign.read_bytes().startswith(b"PK\x03\x04 the clerk")
    assert run("--db", db, "export", "residents", "-o", str(foreign), "--force")[0] == 0
    assert load_workbook(foreign).properties.identifier == "eprc:residents:"
    assert not list(tmp_path.glob(".*.part"))
    log = demo_path.with_name(f"{demo_path.stem}-exports.log")
    assert log.read_text(encoding="utf-8").count("eprc export residents") == 3
    if sys.platform != "win32":
        assert log.stat().st_mode & 0o077 == 0
        assert target.stat().st_mode & 0o077 == 0


def test_the_errors_sheet_is_checked_before_the_import_writes(
        db_path: Path, tmp_path: Path) -> None:
    from tests.exports.test_residents_import import messy_rows
    from tests.factories import village_sheet

    sheet = village_sheet(tmp_path / "村.xlsx", messy_rows())
    original = digest(sheet)
    code, output = run("--db", str(db_path), "import", "residents", str(sheet), "--errors",
                       str(sheet))
    assert code == EXIT_CLERK and "本次导入的文件" in output
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x", encoding="utf-8")
    code, output = run("--db", str(db_path), "import", "residents", str(sheet), "--errors",
                       str(not_a_folder / "问题.xlsx"))
    assert code == EXIT_CLERK and "不可写" in output
    assert digest(sheet) == original
    assert count(db_path, "resident") == 0  # refused before anything was imported


def test_leftovers_of_dead_processes_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    from exports.output import sweep_leftovers

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".报表.xlsx.eprc-{dead.pid}.part"
    mine = tmp_path / f".报表.xlsx.eprc-{os.getpid()}.part"
    unrelated = tmp_path / ".notes.part"
    for path in (stale, mine, unrelated):
        path.write_bytes(b"x")
    assert sweep_leftovers([tmp_path]) == [stale]
    assert mine.exists() and unrelated.exists() and not stale.exists()


# -- kills that land inside the work ------------------------------------------------------------

def start_worker(db: Path, *args: str, wait_for: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "crash_worker.py"), str(db),
                             *args], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=CHILD_ENV)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "started"
    assert proc.stdout.readline().strip() == wait_for
    return proc


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


@posix_only
def test_an_export_killed_half_written_leaves_the_old_file(demo_path: Path, tmp_path: Path) -> None:
    from exports.residents import export_register

    target = tmp_path / "居民.xlsx"
    export_register(target)
    old = digest(target)
    close_file()
    proc = start_worker(demo_path, "export-paused", str(target), wait_for="half")
    kill(proc)
    assert digest(target) == old  # the half-written bytes never touched the file
    leftovers = list(tmp_path.glob(f".居民.xlsx.eprc-{proc.pid}.part"))
    assert len(leftovers) == 1
    from exports.output import sweep_leftovers

    assert sweep_leftovers([tmp_path]) == leftovers


@posix_only
def test_a_plan_killed_inside_its_transaction_leaves_nothing(demo_path: Path) -> None:
    import datetime as dt

    close_file()
    shifts, assignments = count(demo_path, "shift"), count(demo_path, "assignment")
    start = clock.today() + dt.timedelta(days=30)
    kill(start_worker(demo_path, "plan-paused", start.isoformat(), "6", wait_for="planning"))
    assert integrity(demo_path) == "ok"
    assert (count(demo_path, "shift"), count(demo_path, "assignment")) == (shifts, assignments)


# -- restore into the open file --------------------------------------------------------------------

def test_restore_checks_the_backup_then_writes_into_the_open_file(
        demo_path: Path, tmp_path: Path) -> None:
    from db.backup import backup_now, restore_backup
    from db.models import Resident

    copy = backup_now(tmp_path / "good.db")
    Resident.update(name="改错了").where(Resident.id < 100).execute()
    db = database_module.database.obj
    damaged = tmp_path / "damaged.db"
    data = bytearray(copy.read_bytes())
    data[4096 * 3:4096 * 3 + 2000] = b"\xee" * 2000
    damaged.write_bytes(bytes(data))
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    for bad, reason in ((damaged, "损坏|完整性"), (foreign, "不是 eprc"),
                        (tmp_path / "nope.db", "找不到")):
        with pytest.raises(DatabaseError, match=reason):
            restore_backup(bad)
    assert Resident.select().where(Resident.name == "改错了").count() == 99
    inode = demo_path.stat().st_ino
    restore_backup(copy)
    assert database_module.database.obj is db and current_path() == demo_path
    assert not Resident.select().where(Resident.name == "改错了").exists()
    assert demo_path.stat().st_ino == inode  # written into the file, never replaced


def test_a_write_command_refused_while_another_holds_the_file(db_path: Path) -> None:
    from db.lock import FileLock

    close_file()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nsys.path.insert(0, '.')\n"
         "from pathlib import Path\nfrom db.database import open_database\n"
         f"open_database(Path({str(db_path)!r}))\nprint('open', flush=True)\ntime.sleep(30)"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT, env=CHILD_ENV)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(FileInUse, match=f"进程 {holder.pid}"):
            open_database(db_path)
        with pytest.raises(FileInUse):
            FileLock(db_path).acquire()
        assert open_database(db_path, write=False) is not None  # reading is fine
    finally:
        holder.kill()
        holder.wait()


def test_check_on_a_damaged_file_names_the_newest_good_backup(demo_path: Path) -> None:
    from db.backup import backup_now

    good = backup_now()
    close_file()
    damage_schema(demo_path)
    code, output = run("--db", str(demo_path), "check")
    assert code == EXIT_CLERK and "损坏" in output and str(good) in output
    assert len(output.strip().splitlines()) == 1


@posix_only
def test_openpyxls_temporary_files_stay_in_a_private_folder(db_path: Path) -> None:
    import tempfile

    from exports.output import private_tempdir

    folder = private_tempdir()
    assert Path(tempfile.gettempdir()) == folder and folder.name == str(os.getpid())
    assert folder.stat().st_mode & 0o077 == 0 and folder.parent.stat().st_mode & 0o077 == 0


def test_a_read_only_file_or_folder_gets_a_true_message(db_path: Path, tmp_path: Path) -> None:
    from db.errors import explain_sqlite
    from db.lock import FileLock

    close_file()
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)  # SQLite's own refusal
    with pytest.raises(sqlite3.OperationalError) as refused:
        conn.execute("INSERT INTO setting (key, value) VALUES ('township', '甲镇')")
    conn.close()
    assert "只读" in str(explain_sqlite(refused.value))
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x", encoding="utf-8")
    with pytest.raises(DatabaseError, match="不可写"):
        FileLock(not_a_folder / "eprc.db").acquire()
