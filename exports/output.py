"""Writing a file the clerk asked for without ever destroying one they did not mean to.

Every sheet eprc writes records in its document properties that eprc wrote it, for which report
and scope. Such a file may be replaced by the same report and scope; any other existing file only
with the clerk's permission (``--force``, or a confirm in the TUI); the data file, any SQLite
file, the backups and the command's own input never. Files are written under a hidden temporary
name in the target folder (owner-only), flushed, then renamed, so a crash leaves either the old
file or the new one. xlsxwriter's rows waiting to be packed (and openpyxl's temporary files) go
to an owner-only folder of eprc's.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from db import clock
from db.database import SQLITE_MAGIC, DatabaseError, backup_dir, current_path, part_name
from db.lock import pid_alive

STAMP_PREFIX = "eprc:"
_PART = re.compile(r"^\..+\.eprc-(\d+)\.part$")
_IDENTIFIER = re.compile(rb"<dc:identifier>([^<]*)</dc:identifier>")

_allowed: set[Path] = set()  # existing files the clerk agreed to replace in this process


class OutputRefused(DatabaseError):
    """This path must never be written (the data file, a database, a backup, the input)."""


class OutputExists(DatabaseError):
    """A file eprc did not write for this report is in the way; the clerk may allow it."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"“{path}”已存在，且不是 eprc 为这份报表导出的文件；"
                         "确认要替换它请加 --force（界面中会询问）")
        self.path = path


def stamp_text(report: str, scope: str = "") -> str:
    return f"{STAMP_PREFIX}{report}:{scope}"


def read_stamp(path: Path) -> str | None:
    """The eprc stamp in an xlsx file's document properties, or None (not eprc's, not xlsx)."""
    try:
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml")
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    match = _IDENTIFIER.search(core)
    if not match:
        return None
    text = match.group(1).decode("utf-8", "replace")
    return text if text.startswith(STAMP_PREFIX) else None


def allow_replace(path: Path) -> None:
    """The clerk agreed to replace this existing file (``--force`` or a confirm)."""
    _allowed.add(Path(os.path.abspath(path)))


def _protected_folders() -> list[Path]:
    data = current_path()
    if data is None:
        return []
    folders = [backup_dir(data)]
    from db.settings import get_setting

    copy_dir = get_setting("backup.copy_dir")
    if copy_dir:
        folders.append(Path(os.path.abspath(copy_dir)))
    return folders


def refuse_protected(path: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse a path that may never be written, whatever the clerk says."""
    target = Path(os.path.abspath(path))
    data = current_path()
    if target.is_dir():
        raise OutputRefused(f"“{path}”是一个文件夹，请写出文件名（如 {path / '报表.xlsx'}）")
    if data is not None and target.parent == data.parent and target.name in {
            data.name + suffix for suffix in ("", "-wal", "-shm", "-journal", ".lock")}:
        raise OutputRefused(f"“{path}”是数据文件（或它的日志、锁文件），不能写入")
    for source in inputs:
        if Path(os.path.abspath(source)) == target:
            raise OutputRefused(f"“{path}”是本次导入的文件，不能被覆盖；请换一个文件名")
    for folder in _protected_folders():
        if folder == target.parent or folder in target.parents:
            raise OutputRefused(f"“{path}”在备份文件夹中，不能写入")
    if target.exists():
        try:
            with target.open("rb") as fh:
                head = fh.read(len(SQLITE_MAGIC))
        except OSError:
            head = b""
        if head == SQLITE_MAGIC:
            raise OutputRefused(f"“{path}”是一个数据库文件，不能被报表覆盖")


def check_output(path: Path, report: str, scope: str = "", inputs: Iterable[Path] = ()) -> None:
    """Raise OutputRefused or OutputExists unless ``path`` may be written for this report."""
    refuse_protected(path, inputs)
    if path.suffix.lower() != ".xlsx":
        raise OutputRefused(f"导出文件名应以 .xlsx 结尾：“{path.name}”")
    target = Path(os.path.abspath(path))
    if target.exists() and target not in _allowed and read_stamp(target) != stamp_text(report, scope):
        raise OutputExists(path)


def check_writable(folder: Path) -> None:
    """Fail now, with the reason, if a file cannot be written in ``folder``."""
    probe = part_name(folder / "probe")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with probe.open("wb"):
            pass
    except OSError as exc:
        raise DatabaseError(f"文件夹“{folder}”不可写（{exc.strerror}）") from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink(missing_ok=True)


def write_file(path: Path, write: Callable[[BinaryIO], None]) -> Path:
    """Write ``path`` through a hidden owner-only temporary file in its folder, then rename.

    Nothing is left behind on failure; a file open in Excel/WPS (Windows refuses the rename)
    gets the clerk's line, and the old file stays as it was."""
    tmp = part_name(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(tmp, flags, 0o600), "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.replace(tmp, path)
        except PermissionError:
            raise DatabaseError(f"无法替换“{path.name}”：请先在 Excel/WPS 中关闭“{path.name}”，"
                                "再导出一次") from None
    except OSError as exc:
        raise DatabaseError(_disk_message(exc, path)) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    _allowed.discard(Path(os.path.abspath(path)))
    return path


def _disk_message(exc: OSError, path: Path) -> str:
    import errno

    if exc.errno == errno.ENOSPC:
        return f"磁盘空间不足，未能写出“{path.name}”"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"文件夹“{path.parent}”不可写，未能写出“{path.name}”"
    return f"未能写出“{path.name}”：{exc.strerror or exc}"


def private_tempdir() -> Path:
    """An owner-only folder of this process for xlsxwriter's and openpyxl's temporary files (not
    the system's)."""
    from platformdirs import user_data_path

    folder = user_data_path("eprc", appauthor=False) / "tmp" / str(os.getpid())
    folder.mkdir(parents=True, exist_ok=True)
    if sys.platform != "win32":
        folder.parent.chmod(0o700)
        folder.chmod(0o700)
    tempfile.tempdir = str(folder)
    return folder


def sweep_leftovers(folders: Iterable[Path]) -> list[Path]:
    """Remove temporary files of eprc processes that are no longer running."""
    from platformdirs import user_data_path

    removed: list[Path] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            match = _PART.match(entry.name)
            if match and not pid_alive(int(match.group(1))) and entry.is_file():
                entry.unlink(missing_ok=True)
                removed.append(entry)
    temp_root = user_data_path("eprc", appauthor=False) / "tmp"
    if temp_root.is_dir():
        for entry in temp_root.iterdir():
            if entry.name.isdigit() and not pid_alive(int(entry.name)):
                for leftover in entry.iterdir():
                    leftover.unlink(missing_ok=True)
                entry.rmdir()
                removed.append(entry)
    return removed


# reports (save_workbook's keys) that carry full ID numbers and phones (the round's call lists
# carry full phones)
FULL_ID_REPORTS = frozenset({"residents", "ledger", "ledger-print", "feedback", "volunteers",
                             "audit", "call_lists", "untested", "door", "requests",
                             "delivery-lists", "request-slip"})
Recorder = Callable[[Path, str, str], None]
_recorder: list[Recorder] = []


def record_full_ids_with(recorder: Recorder) -> None:
    """Where exports carrying full ID numbers are recorded: the window passes the audit log,
    a command (which may have the file open read-only) the owner-only exports.log."""
    _recorder[:] = [recorder]


def full_ids_exported(path: Path, report: str, scope: str) -> None:
    """Called by the sheet writer after every export; records those with full ID numbers."""
    if report in FULL_ID_REPORTS and _recorder:
        _recorder[0](path, report, scope)


def log_to_exports_file(data_path: Path, command: str) -> Recorder:
    """A recorder appending to ``<data file>-exports.log`` (owner-only) for ``command``."""

    log = data_path.with_name(f"{data_path.stem}-exports.log")

    def record(path: Path, report: str, scope: str) -> None:
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(f"{clock.now():%Y-%m-%d %H:%M:%S}\t{command}\t{report}:{scope}\t"
                     f"{os.path.abspath(path)}\n")

    return record
