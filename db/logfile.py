"""The log of bugs: what went wrong where, with its traceback, for the maintainer.

Kept next to the data file (``eprc.log``, owner-only, rotated at about 1 MB, three old ones kept),
or in the platform's log folder when the data folder is read-only. It never holds cell values:
an exception's message may quote what the clerk typed, so only its type and the code's lines
are written. The clerk sees one Chinese line instead (:func:`report_bug`)."""

from __future__ import annotations

import logging
import os
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from db.errors import ClerkError, explain_sqlite

LOG_NAME = "eprc.log"
MAX_BYTES = 1_000_000
KEEP = 3
logger = logging.getLogger("eprc")
logger.addHandler(logging.NullHandler())  # before start_log: nothing printed, nothing kept
logger.propagate = False


def log_folder(data_path: Path) -> Path:
    """Beside the data file if its folder can be written, else the platform's log folder."""
    folder = data_path.resolve().parent
    if os.access(folder, os.W_OK):
        return folder
    from platformdirs import user_log_path

    return user_log_path("eprc", appauthor=False)


def start_log(data_path: Path) -> Path:
    """Send bugs to the log of this data file from now on; returns its path."""
    folder = log_folder(data_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_NAME
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=KEEP, encoding="utf-8",
                                  delay=True)  # no file until there is a bug to keep
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return path


def log_path() -> Path | None:
    for handler in logger.handlers:
        if isinstance(handler, RotatingFileHandler):
            return Path(handler.baseFilename)
    return None


def clerk_line(exc: BaseException, where: str) -> str:
    """The one line a clerk sees for any failure: the clerk's own error as it says, SQLite's
    known failures explained, a file the system refused, and anything else logged as a bug."""
    if isinstance(exc, ClerkError):
        return str(exc)
    explained = explain_sqlite(exc)
    if explained is not None:
        return str(explained)
    if isinstance(exc, OSError):
        return f"文件操作失败：{exc.strerror or exc}（{exc.filename or ''}）"
    return report_bug(exc, where)


def report_bug(exc: BaseException, where: str) -> str:
    """Log a bug with its traceback (type and code lines, no message: no cell values) and
    return the clerk's line for it."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    logger.error("%s: %s\n%s", where, type(exc).__name__, frames.rstrip())
    path = log_path()
    if path is not None and path.exists():
        try:
            path.chmod(0o600)  # owner-only: a traceback says where the data lives
        except OSError:  # a file system without modes (FAT on a stick): logged all the same
            pass
    kept = f"，详情已记入日志“{path}”" if path else ""
    return f"程序内部错误（{type(exc).__name__}）{kept}，数据未改动；请联系维护人员"
