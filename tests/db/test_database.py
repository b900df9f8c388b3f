"""Opening the file: creation, refusal of foreign/corrupt/newer files, migrations, backups."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

import db.database as database_module
from db.backup import backup_now, daily_backup, restore_backup
from db.database import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    DatabaseError,
    backup_dir,
    close_database,
    close_file,
    open_database,
    resolve_path,
)
from db.models import Resident
from db.residents import ResidentInput, register_resident
from db.settings import get_setting, set_setting
from tests.factories import damage_schema


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_file_is_marked_as_eprc_with_wal_and_foreign_keys(db_path: Path) -> None:
    close_database()
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    db = open_database(db_path)
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_path_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EPRC_DB", str(tmp_path / "env.db"))
    assert resolve_path(tmp_path / "cli.db") == tmp_path / "cli.db"
    assert resolve_path(None) == tmp_path / "env.db"
    monkeypatch.delenv("EPRC_DB")
    assert resolve_path(None).name == "eprc.db"
    assert resolve_path(None) == tmp_path / "home" / "data" / "eprc" / "eprc.db"  # conftest's


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"PK\x03\x04 this is really a zip/xlsx file" * 20, "不是 eprc 数据库"),
        (b"\x00\x01\x02random bytes" * 100, "不是 eprc 数据库"),
        (b"SQLite format 3\x00" + b"\xff" * 2000, "损坏"),
    ],
)
def test_foreign_and_corrupt_files_are_refused_and_untouched(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(content)
    before = digest(path)
    with pytest.raises(DatabaseError) as exc:
        open_database(path)
    assert fragment in str(exc.value)
    assert digest(path) == before
    assert not Path(str(path) + "-wal").exists()


def test_other_sqlite_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(DatabaseError, match="不是 eprc 数据库"):
        open_database(path)
    assert digest(path) == before


def test_damaged_eprc_file_is_refused_and_untouched(db_path: Path) -> None:
    close_file()
    damage_schema(db_path)
    before = digest(db_path)
    with pytest.raises(DatabaseError, match="损坏"):
        open_database(db_path)
    assert digest(db_path) == before


def test_newer_file_is_refused_and_untouched(db_path: Path) -> None:
    close_file()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = digest(db_path)
    with pytest.raises(DatabaseError, match="更新版本"):
        open_database(db_path)
    assert digest(db_path) == before


def _add_resident() -> Resident:
    return register_resident(ResidentInput("张三", "360426199101010071", "13812345678"),
                             address="阳光小区1栋101")


def test_migration_from_older_version_backs_up_then_upgrades(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_resident()
    close_file()

    def add_nickname(db: object) -> None:
        database_module.database.execute_sql(
            "ALTER TABLE resident ADD COLUMN nickname TEXT DEFAULT ''")

    monkeypatch.setattr(database_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(database_module.MIGRATIONS, SCHEMA_VERSION + 1, add_nickname)
    db = open_database(db_path)
    columns = [row[1] for row in db.execute_sql("PRAGMA table_info(resident)").fetchall()]
    assert "nickname" in columns
    assert db.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert Resident.get(Resident.id_number == "360426199101010071").name == "张三"
    backups = list(backup_dir(db_path).glob("*升级前*.db"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "nickname" not in [r[1] for r in old.execute("PRAGMA table_info(resident)")]
    old.close()


def test_failed_migration_leaves_the_file_as_it_was(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_resident()
    close_file()

    def broken(db: object) -> None:
        database_module.database.execute_sql("ALTER TABLE resident ADD COLUMN half TEXT")
        raise RuntimeError("migration bug")

    monkeypatch.setattr(database_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(database_module.MIGRATIONS, SCHEMA_VERSION + 1, broken)
    with pytest.raises(RuntimeError):
        open_database(db_path)
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "half" not in [r[1] for r in conn.execute("PRAGMA table_info(resident)")]
    assert conn.execute("SELECT count(*) FROM resident").fetchone()[0] == 1
    conn.close()


def test_backup_and_restore_round_trip(db_path: Path, tmp_path: Path) -> None:
    _add_resident()
    set_setting("township", "店埠镇")
    copy = backup_now(tmp_path / "copy.db")
    register_resident(ResidentInput("李四", "412723199010050012"), address="二号")
    set_setting("township", "改了")
    assert Resident.select().count() == 2
    safety = restore_backup(copy)
    assert [r.name for r in Resident.select()] == ["张三"]
    assert get_setting("township") == "店埠镇"
    # the data that was replaced is kept
    conn = sqlite3.connect(safety)
    assert conn.execute("SELECT count(*) FROM resident").fetchone()[0] == 2
    conn.close()


def test_restore_refuses_a_file_that_is_not_eprc(db_path: Path, tmp_path: Path) -> None:
    _add_resident()
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"not a database at all" * 10)
    with pytest.raises(DatabaseError, match="不是 eprc"):
        restore_backup(bogus)
    assert Resident.select().count() == 1


def test_daily_backup_once_a_day(db_path: Path) -> None:
    import datetime as dt

    first = daily_backup(dt.date(2022, 4, 11))
    assert first is not None and first.exists()
    assert first.name.startswith(f"{db_path.stem}-20220411-")
    assert daily_backup(dt.date(2022, 4, 11)) is None
    assert daily_backup(dt.date(2022, 4, 12)) is not None
    assert backup_now().name.startswith(f"{db_path.stem}-手动-")
    assert daily_backup(dt.date(2022, 4, 12)) is None  # a manual backup is not the day's own

