"""The one-writer lock on a data file: held by the window or command that may write it.

The lock is an OS lock on ``<data file>.lock`` (released by the OS if the process dies), never
on the data file itself, so it cannot disturb SQLite's own locks. The lock file also says who
holds it (process id, since when, window or command), so a refused second writer can say so.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from db import clock
from db.errors import DatabaseError, FileInUse

# Windows locks byte ranges and a locked range cannot be read by others: lock a byte far
# past the holder's line so a refused process can still read who holds it.
_WINDOWS_LOCK_OFFSET = 1 << 20


def lock_path(database_path: Path) -> Path:
    return database_path.with_name(database_path.name + ".lock")


def pid_alive(pid: int) -> bool:
    """Whether a process with this id is running (used to sweep files left by dead ones)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class FileLock:
    """An exclusive, non-blocking lock on ``<database>.lock``."""

    def __init__(self, database_path: Path, holder: str = "窗口") -> None:
        self.path = lock_path(database_path)
        self.holder = holder
        self.fd: int | None = None

    def acquire(self) -> FileLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise DatabaseError(
                f"文件夹“{self.path.parent}”不可写，无法打开数据文件（{exc.strerror}）") from None
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            raise FileInUse(self._refusal()) from None
        os.ftruncate(fd, 0)
        line = f"{os.getpid()} {clock.now():%Y-%m-%dT%H:%M} {self.holder}\n"
        os.write(fd, line.encode("utf-8"))
        self.fd = fd
        return self

    def _refusal(self) -> str:
        """数据文件正被另一个 eprc 窗口使用（进程 1234，09:12 起）."""
        try:
            pid, since, holder = self.path.read_text(encoding="utf-8").split(maxsplit=2)
            started = dt.datetime.fromisoformat(since)
        except (OSError, ValueError):
            return "数据文件正被另一个 eprc 窗口或命令使用；请先关闭它再试"
        when = f"{started:%H:%M}" if started.date() == clock.today() else f"{started:%m-%d %H:%M}"
        return (f"数据文件正被另一个 eprc {holder.strip()}使用（进程 {pid}，{when} 起）；"
                "请先关闭它再试")

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _lock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        os.lseek(fd, 0, os.SEEK_SET)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
