"""Backups of the data file: on demand, once a day, to a second folder (a USB stick), and restore.

Every copy is taken from the open database with SQLite's backup API, and a restore writes the
chosen backup *into* the open database the same way: the data file is never replaced, so a window
that has it open keeps working on the restored data. Which backups are kept is decided by the
dates in their names, never by the clock.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from db import clock
from db.config import get_setting, get_state, set_state
from db.database import (
    SCHEMA_VERSION,
    DatabaseError,
    backup_dir,
    copy_database,
    current_path,
    database,
    fsync_file,
    inspect_file,
    make_private,
    part_name,
    upgrade,
)
from db.paths import sqlite_uri

KEEP_DAYS = 14  # newest days that have an automatic backup
KEEP_SAFETY = 3  # newest copies taken before a restore or an upgrade
MONTH_GAP = 31  # a backup this many days after the one before it: the clock may be wrong
OFF_DISK_DAYS = 7

MANUAL = "手动"
SAFETY = ("恢复前", "升级前")
_STAMP = re.compile(r"(\d{8})-(\d{6})")


@dataclass(frozen=True)
class BackupFile:
    path: Path
    kind: str  # "自动", "手动" or "安全"
    taken: dt.datetime | None


def _open_path() -> Path:
    path = current_path()
    if path is None:
        raise DatabaseError("没有打开的数据文件")
    return path


def _classify(file: Path) -> BackupFile:
    match = _STAMP.search(file.stem)
    taken = dt.datetime.strptime("".join(match.groups()), "%Y%m%d%H%M%S") if match else None
    if f"-{MANUAL}-" in file.name:
        kind = MANUAL
    elif any(f"-{word}-" in file.name for word in SAFETY):
        kind = "安全"
    else:
        kind = "自动"
    return BackupFile(file, kind, taken)


def backup_now(dest: Path | None = None, *, when: dt.datetime | None = None,
               manual: bool = True) -> Path:
    """Copy the open database to a new file and return it; never overwrites anything.

    ``dest`` may be a folder (a dated name is made in it) or a new file name. Backups made by
    the clerk are named …-手动-… and never pruned automatically."""
    path = _open_path()
    stamp = (when or clock.now()).strftime("%Y%m%d-%H%M%S")
    name = f"{path.stem}-{MANUAL}-{stamp}.db" if manual else f"{path.stem}-{stamp}.db"
    if dest is None:
        dest = backup_dir(path) / name
    elif dest.is_dir():
        dest = dest / name
    if dest.exists() or Path(f"{dest}-wal").exists():
        raise DatabaseError(f"“{dest}”已存在；备份不会覆盖任何文件，请换一个文件名或选择文件夹")
    if dest.suffix.lower() != ".db":
        raise DatabaseError("备份文件名应以 .db 结尾")
    return copy_database(database.connection(), dest)


def daily_backup(today: dt.date | None = None) -> Path | None:
    """Back up once on the first start of each day, copy it off the disk when that folder is
    there, and prune old automatic backups. Failures are remembered for the dashboard."""
    path = _open_path()
    today = today or clock.today()
    folder = backup_dir(path)
    try:
        made = None
        if not any(b.taken and b.taken.date() == today and b.kind == "自动"
                   for b in list_backups()):
            when = dt.datetime.combine(today, clock.now().time())
            made = backup_now(when=when, manual=False)
            prune_backups(folder, path.stem)
        copy_dir = get_setting("backup.copy_dir")
        if copy_dir and Path(copy_dir).is_dir() and made is not None:
            copy_off_disk(made, Path(copy_dir))
    except (OSError, sqlite3.Error, DatabaseError) as exc:
        set_state("backup.failed", f"{clock.now():%m-%d %H:%M} 自动备份失败：{exc}")
        return None
    set_state("backup.failed", "")
    return made


def copy_off_disk(made: Path, folder: Path) -> Path:
    """Copy a finished backup into the second folder (a USB stick) and remember when."""
    dest = folder / made.name
    if not dest.exists():
        tmp = part_name(dest)
        try:
            shutil.copyfile(made, tmp)
            make_private(tmp)
            fsync_file(tmp)
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
    set_state("backup.copied_at", clock.today().isoformat())
    return dest


def prune_backups(folder: Path, stem: str) -> list[Path]:
    """Delete automatic backups beyond the newest 14 days that have one, keeping the first of
    each month, and safety copies beyond the newest 3. Manual backups are never deleted.

    Days are the dates in the names. A newest backup more than a month after the one before it
    (the clock was set wrong, or the office was closed) prunes nothing that day."""
    files = [_classify(f) for f in folder.glob(f"{stem}-*.db")] if folder.exists() else []
    removed: list[Path] = []
    automatic = sorted((b for b in files if b.kind == "自动" and b.taken), key=lambda b: b.taken)
    days = sorted({b.taken.date() for b in automatic}, reverse=True)
    if len(days) >= 2 and (days[0] - days[1]).days > MONTH_GAP:
        return removed
    kept_days = set(days[:KEEP_DAYS])
    months: set[tuple[int, int]] = set()
    for backup in automatic:
        day = backup.taken.date()
        first_of_month = (day.year, day.month) not in months
        months.add((day.year, day.month))
        if day not in kept_days and not first_of_month:
            backup.path.unlink()
            removed.append(backup.path)
    safety = sorted((b for b in files if b.kind == "安全" and b.taken), key=lambda b: b.taken,
                    reverse=True)
    for backup in safety[KEEP_SAFETY:]:
        backup.path.unlink()
        removed.append(backup.path)
    return removed


def list_backups() -> list[BackupFile]:
    """The open file's backups, newest first."""
    path = _open_path()
    folder = backup_dir(path)
    if not folder.exists():
        return []
    found = [_classify(f) for f in folder.glob(f"{path.stem}-*.db")]
    return sorted(found, key=lambda b: b.taken or dt.datetime.min, reverse=True)


def verify_backup(source: Path) -> int:
    """Check a backup before it is used: an eprc file (inspected as the door inspects the data
    file), whole by SQLite's integrity check. Returns its schema version; raises DatabaseError
    with the reason otherwise."""
    if not source.is_file():
        raise DatabaseError(f"找不到备份文件“{source}”")
    version = inspect_file(source)
    if version is None:
        raise DatabaseError(f"“{source.name}”不是完整的 eprc 备份文件")
    try:
        conn = sqlite3.connect(sqlite_uri(source.resolve(), mode="ro"), uri=True)
        try:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"备份文件“{source.name}”已损坏，不能用于恢复（{exc}）") from None
    if integrity != "ok":
        raise DatabaseError(f"备份文件“{source.name}”未通过完整性检查，不能用于恢复")
    return version


def restore_backup(source: Path) -> Path:
    """Write a checked backup into the open database; the current data is backed up first.

    Returns the safety copy (…-恢复前-…), so a restore can itself be undone."""
    path = _open_path()
    if source.resolve() == path:
        raise DatabaseError("不能用数据文件本身来恢复")
    version = verify_backup(source)
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    safety = copy_database(database.connection(),
                           backup_dir(path) / f"{path.stem}-恢复前-{stamp}.db")
    src = sqlite3.connect(sqlite_uri(source.resolve(), mode="ro"), uri=True)
    try:
        src.backup(database.connection())
    finally:
        src.close()
    if version < SCHEMA_VERSION:
        upgrade(database.obj, version)
    prune_backups(backup_dir(path), path.stem)
    return safety


def newest_good_backup(path: Path) -> Path | None:
    """The newest backup of ``path`` that passes the checks (named when the file is damaged)."""
    folder = backup_dir(path)
    if not folder.exists():
        return None
    found = sorted((_classify(f) for f in folder.glob(f"{path.stem}-*.db")),
                   key=lambda b: b.taken or dt.datetime.min, reverse=True)
    for backup in found:
        try:
            verify_backup(backup.path)
        except DatabaseError:
            continue
        return backup.path
    return None


def backup_warnings(today: dt.date | None = None) -> list[str]:
    """What the dashboard should say about backups: a failed automatic backup, no copy off the
    disk for a week, too little free space."""
    path = _open_path()
    today = today or clock.today()
    warnings = []
    failed = get_state("backup.failed")
    if failed:
        warnings.append(failed)
    copied = get_state("backup.copied_at")
    if not copied:
        warnings.append("还没有备份到 U 盘等本机以外的地方")
    elif (today - dt.date.fromisoformat(copied)).days > OFF_DISK_DAYS:
        warnings.append(f"最近一次备份到本机以外是 {copied}，已超过 {OFF_DISK_DAYS} 天")
    try:
        free = shutil.disk_usage(path.parent).free
        size = path.stat().st_size
    except OSError:
        return warnings
    if free < 2 * size:
        warnings.append(f"磁盘剩余空间不足（剩 {free / 1e6:.0f} MB，数据文件 {size / 1e6:.0f} MB），"
                        "备份和保存可能失败")
    return warnings
