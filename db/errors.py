"""The errors a clerk may see about the data file, each a Chinese line, and the exit codes they map to.

Also turns SQLite's own failures (locked, full, read-only, corrupt) into those lines, so that
"database is locked" never reaches a clerk as an internal error.
"""

from __future__ import annotations

import sqlite3

# exit codes of every eprc command
EXIT_OK = 0
EXIT_CLERK = 1  # the clerk's error, or problems found
EXIT_INTERNAL = 2
EXIT_IN_USE = 3


class ClerkError(Exception):
    """The root of every error a clerk may see: ``str(exc)`` is their Chinese line. Anything
    else raised is a bug: it is logged with its traceback (db/logfile.py), never shown raw."""

    exit_code = EXIT_CLERK


class DatabaseError(ClerkError):
    """The data file cannot be used as asked; ``str(exc)`` is a Chinese line for the clerk."""


class FileInUse(DatabaseError):
    """Another eprc window or command holds the one-writer lock on the file."""

    exit_code = EXIT_IN_USE


class MissingFile(DatabaseError):
    """The named data file does not exist (and this operation must not create it)."""


def explain_sqlite(exc: BaseException) -> DatabaseError | None:
    """The clerk's line for a SQLite failure (peewee's or sqlite3's), or None if it is a bug.

    Looks down the chain of exceptions too: when the disk fills, SQLite rolls the transaction
    back itself and peewee's own rollback then fails with "no transaction is active", which
    would hide the real cause."""
    seen: BaseException | None = exc
    while seen is not None:
        explained = _explain_one(seen)
        if explained is not None:
            return explained
        seen = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)
    return None


def _explain_one(exc: BaseException) -> DatabaseError | None:
    from peewee import DatabaseError as PeeweeDatabaseError

    if not isinstance(exc, (sqlite3.DatabaseError, PeeweeDatabaseError)):
        return None
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return FileInUse("数据文件正被另一个 eprc 窗口或命令写入，请稍后再试")
    if "full" in text:
        return DatabaseError("磁盘空间不足，未能保存；请清理磁盘后再试（刚才的内容没有写入）")
    if "readonly" in text or "read-only" in text:
        return DatabaseError("数据文件只读，未能保存；请检查文件属性或文件夹权限")
    if "unable to open" in text:
        return DatabaseError("无法打开数据文件：文件夹不可写或文件不存在")
    if "malformed" in text or "not a database" in text or "disk i/o" in text:
        return DatabaseError("数据文件已损坏或无法读取；请运行 eprc check，并从备份恢复")
    return None
