"""Backups of the database file: on demand, automatically once a day, and restore."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from db.database import (
    DatabaseError,
    backup_dir,
    close_database,
    copy_database,
    database,
    inspect_file,
)

KEEP_DAYS = 14


def backup_now(path: Path, dest: Path | None = None, when: dt.datetime | None = None) -> Path:
    """Copy the open database to ``dest`` (a file or folder; default: the backups folder)."""
    stamp = (when or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    name = f"{path.stem}-{stamp}.db"
    if dest is None:
        dest = backup_dir(path) / name
    elif dest.is_dir():
        dest = dest / name
    if dest.resolve() == path.resolve():
        raise DatabaseError("备份文件不能与数据库文件相同")
    return copy_database(database.connection(), dest)


def daily_backup(path: Path, today: dt.date | None = None) -> Path | None:
    """Back up once on the first start of each day; keep 14 days plus one a month."""
    today = today or dt.date.today()
    folder = backup_dir(path)
    prefix = f"{path.stem}-{today:%Y%m%d}"
    if folder.exists() and any(folder.glob(f"{prefix}-*.db")):
        return None
    made = backup_now(path, when=dt.datetime.combine(today, dt.datetime.now().time()))
    prune_backups(path, today)
    return made


def _backup_date(file: Path, stem: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(file.name[len(stem) + 1:len(stem) + 9], "%Y%m%d").date()
    except ValueError:
        return None


def prune_backups(path: Path, today: dt.date) -> None:
    """Delete automatic backups older than 14 days, keeping the first of each month."""
    folder = backup_dir(path)
    dated = sorted(
        (d, f) for f in folder.glob(f"{path.stem}-*.db")
        if (d := _backup_date(f, path.stem)) is not None
    )
    months_kept: set[tuple[int, int]] = set()
    for day, file in dated:
        if (today - day).days <= KEEP_DAYS:
            continue
        if (day.year, day.month) not in months_kept:
            months_kept.add((day.year, day.month))
            continue
        file.unlink()


def list_backups(path: Path) -> list[Path]:
    folder = backup_dir(path)
    return sorted(folder.glob("*.db"), reverse=True) if folder.exists() else []


def restore_backup(path: Path, source: Path) -> Path:
    """Replace the database at ``path`` with ``source``; the current file is backed up first.

    The database must not be open in this process. Returns the safety copy of the old file.
    """
    if not source.exists():
        raise DatabaseError(f"找不到备份文件“{source}”")
    if inspect_file(source) is None:
        raise DatabaseError(f"“{source.name}”是空文件，不是 eprc 数据库")
    close_database()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    safety = backup_dir(path) / f"{path.stem}-恢复前-{stamp}.db"
    if inspect_file(path) is not None:
        copy_database(path, safety)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    copy_database(source, path)
    return safety
