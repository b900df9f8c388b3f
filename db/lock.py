"""One window per database file: a lock held while the app has the file open.

A second eprc on the same file is told clearly that the file is already open, instead of two
clerks overwriting each other's work. SQLite would keep the file intact either way; the lock
keeps the work intact. Uses an OS lock (released by the OS if the process dies), not a PID file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from db.database import DatabaseError


class FileLock:
    """An exclusive, non-blocking lock on ``<database>.lock``."""

    def __init__(self, database_path: Path) -> None:
        self.path = database_path.with_name(database_path.name + ".lock")
        self.handle = None

    def acquire(self) -> FileLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+b")  # noqa: SIM115 - held open for the app's lifetime
        try:
            if sys.platform == "win32":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise DatabaseError(
                f"数据文件“{self.path.stem}”已在另一个 eprc 窗口中打开；请先关闭那个窗口"
                "（同一文件同时只能由一个窗口修改，以免互相覆盖）") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()).encode("ascii"))
        handle.flush()
        self.handle = handle
        return self

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
