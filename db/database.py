"""The one door to the data file: every window, command and test opens it here.

In write mode the one-writer lock (db/lock.py) is taken before a byte of the file is read; the
file is then inspected, backed up and migrated if it is older, and opened. In read mode no lock
is taken and SQLite opens the file read-only (``mode=ro``), so a read command can run beside an
open window without touching it. Within a process the file is opened once: a second call for
the same path returns the database already open, and each thread gets its own connection from
it. Nothing here deletes or truncates SQLite's ``-wal``/``-shm`` files, and once the file is
open nothing in this process opens it again by path (closing such a handle would drop SQLite's
locks and let another process delete the journal under us).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from peewee import SqliteDatabase

from db import clock, models
from db.connection import database
from db.errors import DatabaseError, FileInUse, MissingFile, explain_sqlite
from db.lock import FileLock
from db.migrations import MIGRATIONS
from db.paths import sqlite_uri
from db.search_index import create_search_index
from db.sqlite_check import require_sqlite

__all__ = ["MIGRATIONS", "DatabaseError", "FileInUse", "MissingFile", "database", "open_database"]

T = TypeVar("T")

APPLICATION_ID = 0x45505243  # "EPRC" in PRAGMA application_id
SCHEMA_VERSION = 7
SQLITE_MAGIC = b"SQLite format 3\x00"
# 已保存 means on disk: with synchronous=FULL a commit in WAL mode survives a power cut.
PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "full",
    "cache_size": -16000,
}
READ_PRAGMAS = {"foreign_keys": 1, "busy_timeout": 5000, "cache_size": -16000, "query_only": 1}



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
        conn = sqlite3.connect(sqlite_uri(path.resolve(), mode="ro"), uri=True)
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


def part_name(dest: Path) -> Path:
    """Where a file is written before it is renamed to ``dest``: hidden, in the same folder,
    named for this process so that a dead process's leftovers can be swept."""
    return dest.with_name(f".{dest.name}.eprc-{os.getpid()}.part")


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_database(source: sqlite3.Connection, dest: Path) -> Path:
    """Copy an open database to a new file with SQLite's online backup API.

    The copy is written under a temporary name, flushed to disk, made owner-only, then renamed,
    so ``dest`` is never a half-written file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = part_name(dest)
    try:
        target = sqlite3.connect(str(tmp))
        try:
            source.backup(target)
        finally:
            target.close()
        make_private(tmp)
        fsync_file(tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def backup_dir(path: Path) -> Path:
    """Where automatic backups of a database file go."""
    return path.with_name(path.stem + "-backups")


@dataclass
class OpenFile:
    """The data file this process has open: its path, whether it may write, and the lock."""

    path: Path
    writable: bool
    db: SqliteDatabase
    lock: FileLock | None


_open_file: OpenFile | None = None
_door = threading.Lock()


def current_path() -> Path | None:
    """The data file this process has open (resolved), if any."""
    return _open_file.path if _open_file else None


def open_database(path: Path, *, create: bool = True, write: bool = True,
                  holder: str = "窗口") -> SqliteDatabase:
    """Open the eprc file at ``path`` and bind the models to it: the one way in.

    ``write``: take the one-writer lock first (FileInUse if another window or command holds
    it), then create (if ``create``), back up and migrate as needed. Read mode opens read-only
    and takes no lock, unless the file needs migrating, which is a write. A second call for the
    file already open returns it as it is."""
    global _open_file
    require_sqlite()
    path = Path(os.path.abspath(path))
    with _door:
        current = _open_file
        if current is not None and current.path == path and (current.writable or not write):
            database.initialize(current.db)
            return current.db
        if current is not None:
            _close(current)
            _open_file = None
        if not write:
            version = inspect_file(path)
            if version is None:
                raise MissingFile(f"找不到数据库文件“{path}”，请先运行 eprc init")
            if version == SCHEMA_VERSION:
                db = SqliteDatabase(sqlite_uri(path.resolve(), mode="ro"), uri=True,
                                    pragmas=READ_PRAGMAS,
                                    check_same_thread=False)
                _open_file = OpenFile(path, False, db, None)
                database.initialize(db)
                return db
        lock = FileLock(path, holder).acquire()
        try:
            db = _open_for_writing(path, create)
        except BaseException:
            lock.release()
            raise
        _open_file = OpenFile(path, True, db, lock)
        return db


def _open_for_writing(path: Path, create: bool) -> SqliteDatabase:
    version = inspect_file(path)
    if version is None and not create:
        raise MissingFile(f"找不到数据库文件“{path}”，请先运行 eprc init")
    db = SqliteDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
    database.initialize(db)
    try:
        db.connect(reuse_if_open=True)
        if version is None:
            with db.atomic():
                db.create_tables(models.ALL_MODELS)
                create_search_index(db)
                db.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version < SCHEMA_VERSION:
            stamp = clock.now().strftime("%Y%m%d-%H%M%S")
            copy_database(db.connection(),
                          backup_dir(path) / f"{path.stem}-v{version}-升级前-{stamp}.db")
            upgrade(db, version)
    except (sqlite3.DatabaseError, OSError) as exc:
        db.close()
        explained = explain_sqlite(exc) if isinstance(exc, sqlite3.DatabaseError) else None
        raise DatabaseError(
            f"无法写入数据库文件“{path}”：{explained or getattr(exc, 'strerror', None) or exc}"
        ) from None
    except BaseException:
        db.close()
        raise
    make_private(path)
    return db


def upgrade(db: SqliteDatabase, version: int) -> None:
    """Run the numbered migrations from ``version`` up to this release's, in one transaction."""
    with db.atomic():
        for step in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[step](db)
        db.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _close(opened: OpenFile) -> None:
    if not opened.db.is_closed():
        opened.db.close()
    if opened.lock is not None:
        opened.lock.release()


def close_file() -> None:
    """Close the data file and give up its lock (at the end of a window or command)."""
    global _open_file
    with _door:
        if _open_file is not None:
            _close(_open_file)
            _open_file = None


def close_database() -> None:
    """Close the current thread's connection to the bound database, if any (the file stays
    open for the process: the next query reconnects)."""
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
