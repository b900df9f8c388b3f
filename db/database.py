"""Opening the one SQLite file: where it lives, checks before touching it, pragmas and migrations.

A file that is not an eprc database, is corrupt, or was written by a newer eprc is refused with a
Chinese message and never modified: it is first inspected through a read-only connection.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TypeVar

from peewee import DatabaseProxy, SqliteDatabase

from db.migrations import v2_pushed_categories_and_sheets

database = DatabaseProxy()
T = TypeVar("T")

APPLICATION_ID = 0x45505243  # "EPRC" in PRAGMA application_id
SCHEMA_VERSION = 2
SQLITE_MAGIC = b"SQLite format 3\x00"
PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
    "cache_size": -16000,
}

# version -> function that upgrades a file from version - 1 to version, inside a transaction.
Migration = Callable[[SqliteDatabase], None]
MIGRATIONS: dict[int, Migration] = {2: v2_pushed_categories_and_sheets}


class DatabaseError(Exception):
    """The database file cannot be used; ``str(exc)`` is a Chinese message for the clerk."""


def default_path() -> Path:
    """The database in the platform's user data directory."""
    from platformdirs import user_data_path

    return user_data_path("eprc", appauthor=False) / "eprc.db"


def demo_path() -> Path:
    """The demo township's database, next to the default one."""
    return default_path().with_name("demo.db")


def resolve_path(path: str | os.PathLike[str] | None) -> Path:
    """``--db`` wins, then the ``EPRC_DB`` environment variable, then the default location."""
    if path:
        return Path(path).expanduser()
    env = os.environ.get("EPRC_DB")
    if env:
        return Path(env).expanduser()
    return default_path()


def inspect_file(path: Path) -> int | None:
    """Return the schema version of an eprc file, None for a missing or empty file.

    Raises DatabaseError for anything eprc must not open. Reads only; never writes.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    if path.is_dir():
        raise DatabaseError(f"“{path}”是一个文件夹，不是数据库文件")
    with path.open("rb") as fh:
        magic = fh.read(len(SQLITE_MAGIC))
    if magic != SQLITE_MAGIC:
        raise DatabaseError(f"“{path.name}”不是 eprc 数据库文件（也不是 SQLite 文件）")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"数据库文件“{path.name}”已损坏或无法读取（{exc}）") from None
    if app_id != APPLICATION_ID:
        if app_id == 0 and tables == 0:
            return None
        raise DatabaseError(f"“{path.name}”是 SQLite 文件，但不是 eprc 数据库，未作任何修改")
    if version > SCHEMA_VERSION:
        raise DatabaseError(
            f"“{path.name}”由更新版本的 eprc 创建（数据版本 {version}，本程序支持到 {SCHEMA_VERSION}），"
            "请升级 eprc 后再打开；文件未作任何修改"
        )
    return version


def make_private(path: Path) -> None:
    """Make a file readable by its owner only, where the platform supports it."""
    if sys.platform != "win32" and path.exists():
        path.chmod(0o600)


def copy_database(source: Path | sqlite3.Connection, dest: Path) -> Path:
    """Copy a database with SQLite's online backup API (consistent even while it is in use)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    src = source if isinstance(source, sqlite3.Connection) else sqlite3.connect(str(source))
    try:
        target = sqlite3.connect(str(tmp))
        try:
            src.backup(target)
        finally:
            target.close()
    finally:
        if src is not source:
            src.close()
    os.replace(tmp, dest)
    make_private(dest)
    return dest


def backup_dir(path: Path) -> Path:
    """Where automatic backups of a database file go."""
    return path.with_name(path.stem + "-backups")


def open_database(path: Path, *, create: bool = True) -> SqliteDatabase:
    """Open (creating or migrating as needed) the eprc file at ``path`` and bind the models to it."""
    from db import models
    from db.search_index import create_search_index

    version = inspect_file(path)
    if version is None and not create:
        raise DatabaseError(f"找不到数据库文件“{path}”，请先运行 eprc init")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"无法创建文件夹“{path.parent}”：{exc.strerror}") from None
    if version is not None and version < SCHEMA_VERSION:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        copy_database(path, backup_dir(path) / f"{path.stem}-v{version}-升级前-{stamp}.db")
    db = SqliteDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
    database.initialize(db)
    try:
        db.connect(reuse_if_open=True)
        with db.atomic():
            if version is None:
                db.create_tables(models.ALL_MODELS)
                create_search_index(db)
                db.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            else:
                for step in range(version + 1, SCHEMA_VERSION + 1):
                    MIGRATIONS[step](db)
            db.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except sqlite3.OperationalError as exc:
        db.close()
        raise DatabaseError(f"无法写入数据库文件“{path}”：{exc}") from None
    except Exception:
        db.close()
        raise
    make_private(path)
    return db


def close_database() -> None:
    """Close the current thread's connection to the bound database, if any."""
    if database.obj is not None and not database.is_closed():
        database.close()


def read_in_background(read: Callable[[], T]) -> Future[T]:
    """Run ``read`` on its own thread and connection (closed after); the result is a Future.

    SQLite does its work without Python's GIL, so the file is read while the caller goes on."""
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(read())
        except BaseException as exc:  # handed to whoever waits on the future
            future.set_exception(exc)
        finally:
            close_database()

    threading.Thread(target=run, name="eprc-read", daemon=True).start()
    return future
